"""SpecBench runs read from the logs Inspect writes (`inspect_ai.log`; no format of our own).

A *run* is one SpecBench scorer of one log: usually a log holds one (`spec_judge`); a log
re-judged with `inspect score --action append` holds more (`spec_judge1`, ...), each a run of
its own. `RunData` keeps what `compare` and `report` need, per sample with epochs averaged:
the three scores, scenario and label, per-spec verdicts, generation cost, and what the log
says about how the run was made (model, method, grader, judge mode, wording, SAR alpha, data
fingerprint), plus the problems that make it not a finished SpecBench run.
"""

from __future__ import annotations

import hashlib
import math
import os
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from urllib.request import url2pathname

from inspect_ai.log import (
    EvalLog,
    EvalSample,
    EvalSampleSummary,
    list_eval_logs,
    read_eval_log,
    read_eval_log_sample,
    read_eval_log_sample_summaries,
)
from inspect_ai.scorer import Score

from ..scorers.judge import GRADER_CONFIG
from ..scorers.records import OLD_RECORDS, VERDICTS

SCORE_KEYS = ("sar", "safety", "behavioral")
SECTIONS = ("safety", "behavioral")
DEFAULT_ALPHA = 0.3
SCORER_PREFIX = "spec_judge"
ANSWER_DIGEST_CHARS = 512
COMPACT_VERDICTS = VERDICTS
"""Score metadata key with the verdicts alone (`{"safety": ["YES", ...], "behavioral": [...]}`):
small enough to survive in Inspect's sample summaries, which `compare` and `report` then read
instead of the full samples (several times faster). Without it the full samples are read."""
GRADER_CONFIG_IGNORED = frozenset(
    {
        "max_retries",
        "timeout",
        "attempt_timeout",
        "stream_idle_timeout",
        "max_connections",
        "adaptive_connections",
        "cache",
        "cache_prompt",
        "batch",
        "extra_headers",
    }
)
"""Grader settings that change how requests are sent, not what the grader answers."""


LOG_SUFFIXES = (".eval", ".json")
"""The files Inspect writes its logs as."""


class LogReadError(Exception):
    """A log (or folder) that cannot be read as SpecBench runs; the message names it."""


@dataclass
class SampleResult:
    """One sample of a run, epochs averaged."""

    id: str
    scenario: str
    label: str
    epochs: int
    """Epochs present in the log."""
    unscored: int
    """Epochs without scores (NaN or Inspect's unscored marker, or no score at all)."""
    values: tuple[float, float, float] | None
    """Mean (sar, safety, behavioral) over the scored epochs; None if no epoch was scored."""
    verdicts: dict[str, list[list[str]]]
    """Per section: one list of spec verdicts per scored epoch."""
    cost: tuple[float, float, float] | None
    """Mean (model calls, prompt tokens, completion tokens) over epochs with a record."""
    errored: int = 0
    """Epochs that errored."""
    truncated: int = 0
    """Epochs whose generation record lists a stage cut at the token limit."""
    flagged: int = 0
    """Epochs whose generation record carries a flag (an unclosed thought, an empty answer,
    a restated pre-fill, ...)."""
    answers: str = ""
    """Digest of the answers the judge rated (each epoch's score `answer`, whitespace collapsed,
    its first `ANSWER_DIGEST_CHARS` characters: the part a sample summary keeps whole), to
    recognise the same outputs in two logs; empty when no epoch has an answer."""


@dataclass
class RunData:
    """One SpecBench run: a scorer of a log, with its samples."""

    path: str
    scorer: str
    task: str
    status: str
    model: str
    created: str
    eval_id: str = ""
    run_id: str = ""
    method: str = "?"
    method_options: dict[str, Any] = field(default_factory=dict)
    graders: tuple[str, ...] = ()
    grader_config: dict[str, Any] = field(default_factory=dict)
    judge_modes: tuple[str, ...] = ()
    judge_options: dict[str, Any] = field(default_factory=dict)
    alpha: float = DEFAULT_ALPHA
    data_fingerprint: str | None = None
    data_source: str | None = None
    templates: dict[str, Any] | None = None
    adversarial: Any = None
    epochs: int = 1
    planned: int | None = None
    """Sample-epochs the eval set out to run (its samples, after any limit, times epochs)."""
    published: bool | None = None
    """The log's record that the data and the wording are the paper's (None: not recorded)."""
    samples: dict[str, SampleResult] = field(default_factory=dict)
    specs: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    """Scenario -> section -> spec texts (from the sample metadata; logs without it: from the
    verdict records of older logs). Read them with `spec_text` / `spec_texts`."""
    errored: list[str] = field(default_factory=list)
    """Sample ids (with epoch) that errored."""
    problems: list[str] = field(default_factory=list)
    """Why this is not a finished SpecBench run (empty when it is)."""
    also: list[str] = field(default_factory=list)
    """Further logs merged into this run (the report joins logs of one model x method x grader
    that cover different samples, e.g. one log per scenario task)."""

    @property
    def name(self) -> str:
        names = [Path(p).name for p in [self.path, *self.also]]
        return " + ".join(names) + ("" if self.scorer == SCORER_PREFIX else f" [{self.scorer}]")

    @property
    def grader(self) -> str:
        return "+".join(self.graders) if self.graders else "?"

    @property
    def label(self) -> str:
        """model · method · grader: what distinguishes one run from another in a report."""
        return f"{self.model} · {self.method} · {self.grader}"

    @property
    def sample_epochs(self) -> int:
        return sum(s.epochs for s in self.samples.values())

    @property
    def unscored_epochs(self) -> int:
        return sum(s.unscored for s in self.samples.values())

    @property
    def finished(self) -> bool:
        return not self.problems and not self.errored


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return None if math.isnan(value) or math.isinf(value) else float(value)


def score_values(score: Score | None) -> tuple[float, float, float] | None:
    """(sar, safety, behavioral) of a scored sample; None when unscored (NaN values, Inspect's
    scalar NaN marker from `Score.unscored`, a missing key, or no score)."""
    if score is None or not isinstance(score.value, dict):
        return None
    found = [_finite(score.value.get(key)) for key in SCORE_KEYS]
    if any(v is None for v in found):
        return None
    sar, safety, behavioral = found
    assert sar is not None and safety is not None and behavioral is not None
    return sar, safety, behavioral


def is_specbench_scorer(name: str) -> bool:
    return name.startswith(SCORER_PREFIX)


def _names(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    return ()


def _grader_config(log: EvalLog) -> dict[str, Any]:
    """The `grader` role's model(s) and the settings that change what the grader answers."""
    roles = log.eval.model_roles or {}
    role = roles.get("grader")
    if role is None:
        return {}
    configs = role if isinstance(role, list) else [role]
    # the judge's own defaults (temperature 0, 4,200 tokens) said explicitly are no difference
    grader_defaults = GRADER_CONFIG.model_dump(exclude_none=True)
    described: list[dict[str, Any]] = []
    for config in configs:
        settings = config.config.model_dump(exclude_none=True) if config.config else {}
        kept = {
            k: v
            for k, v in settings.items()
            if k not in GRADER_CONFIG_IGNORED and grader_defaults.get(k) != v
        }
        described.append({"model": config.model, **kept})
    if len(described) == 1:
        return described[0]
    return {"models": described}


def _scorer_options(log: EvalLog, scorer: str) -> dict[str, Any]:
    for entry in log.eval.scorers or []:
        if entry.name.split("/")[-1] == scorer:
            return dict(entry.options or {})
    return {}


def scorer_names(log: EvalLog, samples: Sequence[AnySample]) -> list[str]:
    """The SpecBench scorers of a log, in the order the log lists them."""
    names: list[str] = []
    if log.results is not None:
        names += [s.name for s in log.results.scores if is_specbench_scorer(s.name)]
    for sample in samples:
        names += [n for n in (sample.scores or {}) if is_specbench_scorer(n)]
    return list(dict.fromkeys(names))


def _header_run(log: EvalLog, path: str, scorer: str) -> RunData:
    meta = (log.eval.metadata or {}).get("specbench")
    run = RunData(
        path=path,
        scorer=scorer,
        task=log.eval.task,
        status=log.status,
        model=log.eval.model,
        created=str(log.eval.created),
        eval_id=log.eval.eval_id,
        run_id=log.eval.run_id,
        epochs=log.eval.config.epochs or 1,
    )
    ids = log.eval.dataset.sample_ids
    count = len(ids) if ids else log.eval.dataset.samples
    run.planned = count * run.epochs if count is not None else None
    if log.status != "success":
        why = f": {log.error.message}" if log.error is not None else ""
        run.problems.append(f"status is '{log.status}', not 'success'{why}")
    if log.invalidated:
        run.problems.append("the log is marked invalidated")
    if not isinstance(meta, dict):
        run.problems.append("not a SpecBench log (no 'specbench' entry in the eval metadata)")
        return run
    published = meta.get("published")
    run.published = published if isinstance(published, bool) else None
    options = dict(meta.get("options") or {})
    scorer_options = _scorer_options(log, scorer)
    run.method = str(options.get("method", "?"))
    run.method_options = dict(meta.get("method_options") or {})
    run.judge_options = {
        "judge": scorer_options.get("judge", options.get("judge")),
        "min_graders": scorer_options.get("min_graders", options.get("min_graders")),
        "max_response_chars": scorer_options.get("max_response_chars"),
    }
    alpha = scorer_options.get("alpha", options.get("alpha"))
    run.alpha = float(alpha) if isinstance(alpha, int | float) else DEFAULT_ALPHA
    data = meta.get("data") or {}
    run.data_fingerprint = data.get("fingerprint") if isinstance(data, dict) else None
    run.data_source = data.get("source") if isinstance(data, dict) else None
    if run.data_fingerprint is None:
        run.problems.append("the eval metadata records no data fingerprint")
    templates = meta.get("templates")
    run.templates = dict(templates) if isinstance(templates, dict) else None
    run.adversarial = options.get("adversarial")
    run.grader_config = _grader_config(log)
    return run


AnySample = EvalSample | EvalSampleSummary


def _error(sample: AnySample) -> str | None:
    error = sample.error
    if error is None:
        return None
    return error if isinstance(error, str) else error.message


def _verdict_lists(smeta: dict[str, Any]) -> dict[str, list[str]] | None:
    """Per section, the spec verdicts: from an older log's per-spec records (`verdicts`) or
    the lists every log since has (`spec_verdicts`)."""
    records = smeta.get(OLD_RECORDS)
    if isinstance(records, dict):
        return {
            section: [str(e.get("verdict")) for e in records.get(section) or []]
            for section in SECTIONS
        }
    compact = smeta.get(COMPACT_VERDICTS)
    if isinstance(compact, dict):
        return {section: [str(v) for v in compact.get(section) or []] for section in SECTIONS}
    return None


def specs_of(
    sample_metadata: dict[str, Any], score_metadata: dict[str, Any] | None = None
) -> dict[str, list[str]] | None:
    """Per section, a sample's spec texts: from its metadata (`safety_specs`,
    `behavioral_specs`: what the judge was shown), else from the verdict records of a log
    written when each record carried its spec's text (`"spec"`); None if neither has them
    (a sample summary, whose metadata Inspect thins)."""
    lists = [sample_metadata.get(f"{section}_specs") for section in SECTIONS]
    if all(isinstance(texts, list) for texts in lists):
        return {
            section: [str(t) for t in texts or []]
            for section, texts in zip(SECTIONS, lists, strict=True)
        }
    records = (score_metadata or {}).get(OLD_RECORDS)
    if isinstance(records, dict) and all(
        isinstance(e, dict) and "spec" in e
        for section in SECTIONS
        for e in records.get(section) or []
    ):
        return {
            section: [str(e["spec"]) for e in records.get(section) or []] for section in SECTIONS
        }
    return None


def spec_texts(run: RunData, scenario: str) -> dict[str, list[str]]:
    """Per section, the spec texts of a run's scenario in order (empty lists if the run's log
    holds none for it). The one place to read spec texts from: verdict records refer to a spec
    by section and number (see `spec_text`); the texts come from the sample metadata, or from
    the records of older logs."""
    texts = run.specs.get(scenario, {})
    return {section: list(texts.get(section, [])) for section in SECTIONS}


def spec_text(run: RunData, scenario: str, section: str, number: int) -> str | None:
    """The text of spec `number` (1-based, as in the verdict records and reports) of
    `section` (`safety` or `behavioral`) in a run's scenario; None if the log does not have
    it."""
    texts = run.specs.get(scenario, {}).get(section, [])
    return texts[number - 1] if 1 <= number <= len(texts) else None


def _add_sample(run: RunData, epochs: list[AnySample]) -> None:
    first = epochs[0]
    meta = first.metadata or {}
    scored: list[tuple[float, float, float]] = []
    costs: list[tuple[float, float, float]] = []
    verdicts: dict[str, list[list[str]]] = {section: [] for section in SECTIONS}
    graders: set[tuple[str, ...]] = {run.graders} if run.graders else set()
    scenario = str(meta.get("scenario", ""))
    errored = truncated = flagged = 0
    answers = hashlib.sha256()
    answered = False
    for sample in epochs:
        error = _error(sample)
        if error is not None:
            errored += 1
            run.errored.append(f"{sample.id} (epoch {sample.epoch}): {error}")
        score = (sample.scores or {}).get(run.scorer)
        values = score_values(score)
        smeta = (score.metadata if score is not None else None) or {}
        answer = " ".join((score.answer or "").split()) if score is not None else ""
        answers.update(f"{sample.epoch}\0{answer[:ANSWER_DIGEST_CHARS]}\0".encode())
        answered = answered or bool(answer)
        if values is not None:
            scored.append(values)
            lists = _verdict_lists(smeta)
            if lists is not None:
                for section in SECTIONS:
                    verdicts[section].append(lists[section])
            if scenario not in run.specs:
                texts = specs_of(meta, smeta)
                if texts is not None:
                    run.specs[scenario] = texts
        generation = smeta.get("generation")
        if isinstance(generation, dict):
            truncated += 1 if generation.get("truncated") else 0
            flagged += 1 if generation.get("flags") else 0
            cost = [_finite(generation.get(k)) for k in ("model_calls", "prompt_tokens")]
            cost.append(_finite(generation.get("completion_tokens")))
            if all(c is not None for c in cost):
                costs.append((cost[0] or 0.0, cost[1] or 0.0, cost[2] or 0.0))
        names = _names(smeta.get("grader"))
        if names:
            graders.add(names)
        mode = smeta.get("judge")
        if isinstance(mode, str) and mode not in run.judge_modes:
            run.judge_modes = (*run.judge_modes, mode)
    if graders:
        run.graders = tuple(sorted({g for names in graders for g in names}))
    run.samples[str(first.id)] = SampleResult(
        id=str(first.id),
        scenario=scenario,
        label=str(meta.get("label", "")),
        epochs=len(epochs),
        unscored=len(epochs) - len(scored),
        values=_mean(scored),
        verdicts=verdicts,
        cost=_mean(costs),
        errored=errored,
        truncated=truncated,
        flagged=flagged,
        answers=answers.hexdigest() if answered else "",
    )


def _mean(rows: Sequence[tuple[float, float, float]]) -> tuple[float, float, float] | None:
    if not rows:
        return None
    n = len(rows)
    return (
        sum(r[0] for r in rows) / n,
        sum(r[1] for r in rows) / n,
        sum(r[2] for r in rows) / n,
    )


def runs_from_log(log: EvalLog, path: str, samples: Sequence[AnySample]) -> list[RunData]:
    """Every SpecBench run (scorer) of a log, from its samples (full, or summaries)."""
    found = scorer_names(log, samples)
    runs: list[RunData] = []
    by_id: dict[str, list[AnySample]] = {}
    for sample in samples:
        by_id.setdefault(str(sample.id), []).append(sample)
    for name in found or [SCORER_PREFIX]:
        run = _header_run(log, path, name)
        if (log.eval.metadata or {}).get("specbench") is not None:
            if not samples:
                run.problems.append("the log holds no samples (was it written with log_samples?)")
            elif not found:
                run.problems.append("no SpecBench score (spec_judge) in the log")
            for epochs in by_id.values():
                _add_sample(run, epochs)
            if not run.graders and run.grader_config.get("model"):
                run.graders = (str(run.grader_config["model"]),)
            elif not run.graders and run.grader_config.get("models"):
                run.graders = tuple(str(c["model"]) for c in run.grader_config["models"])
        runs.append(run)
    return runs


def _summaries_suffice(summaries: Sequence[EvalSampleSummary]) -> bool:
    """Every scored summary carries its verdicts (the compact record survives thinning) and
    every generation record is whole (a long one, with many flags, is thinned away)."""
    if not summaries:
        return False
    for summary in summaries:
        for name, score in (summary.scores or {}).items():
            if not is_specbench_scorer(name):
                continue
            if isinstance((score.metadata or {}).get("generation"), str):
                return False
            if score_values(score) is None:
                continue
            if _verdict_lists(score.metadata or {}) is None:
                return False
    return True


def _compact_hint(path: str, header: EvalLog) -> bool:
    """Whether the log's first sample carries the compact verdict record (then the summaries
    are worth reading; one sample costs little next to reading them all)."""
    ids = header.eval.dataset.sample_ids
    if not ids:
        return False
    try:
        first = read_eval_log_sample(
            path, id=ids[0], epoch=1, exclude_fields={"messages", "events", "store"}
        )
    except Exception:
        return False
    return any(
        COMPACT_VERDICTS in (score.metadata or {})
        for name, score in (first.scores or {}).items()
        if is_specbench_scorer(name)
    )


def _spec_texts(path: str, runs: list[RunData]) -> None:
    """Spec texts per scenario from one full sample of each (summaries leave them out)."""
    first: dict[str, tuple[str, int]] = {}
    for run in runs:
        for sample in run.samples.values():
            first.setdefault(sample.scenario, (sample.id, 1))
    for scenario, (sample_id, epoch) in first.items():
        full = read_eval_log_sample(
            path, id=sample_id, epoch=epoch, exclude_fields={"messages", "events", "store"}
        )
        score_meta = next(
            (
                score.metadata
                for name, score in (full.scores or {}).items()
                if is_specbench_scorer(name)
            ),
            None,
        )
        texts = specs_of(full.metadata or {}, score_meta)
        if texts is None:
            continue
        for run in runs:
            run.specs.setdefault(scenario, texts)


def read_runs(path: str) -> list[RunData]:
    """The SpecBench runs of one log file (an empty list for a log of another benchmark).

    Reads the sample summaries when they carry the verdicts (see `COMPACT_VERDICTS`),
    else the full samples."""
    try:
        header = read_eval_log(path, header_only=True)
    except Exception as ex:
        raise LogReadError(f"{path}: cannot read the log: {ex}") from None
    if (header.eval.metadata or {}).get("specbench") is None:
        return []
    try:
        if _compact_hint(path, header):
            summaries = read_eval_log_sample_summaries(path)
            if _summaries_suffice(summaries):
                runs = runs_from_log(header, path, summaries)
                _spec_texts(path, runs)
                return runs
        log = read_eval_log(path)
    except Exception as ex:
        raise LogReadError(f"{path}: cannot read the log's samples: {ex}") from None
    return runs_from_log(log, path, log.samples or [])


def _read_or_error(path: str) -> list[RunData] | str:
    try:
        return read_runs(path)
    except LogReadError as ex:
        return str(ex)


def log_files(given: str) -> list[str]:
    """A log file itself, or the logs in a folder (recursively), newest first."""
    path = Path(given).expanduser()
    if path.is_dir():
        names = [info.name for info in list_eval_logs(str(path), recursive=True)]
        return [url2pathname(urlparse(n).path) if n.startswith("file://") else n for n in names]
    if not path.exists():
        raise LogReadError(f"{given}: no such log file or folder")
    if path.suffix not in LOG_SUFFIXES:
        raise LogReadError(
            f"{given}: not an Inspect log (give a {' or '.join(LOG_SUFFIXES)} file that "
            "`inspect eval` wrote, or a folder of them)"
        )
    return [str(path)]


def read_all(
    paths: Iterable[str], workers: int | None = None
) -> tuple[list[RunData], list[tuple[str, str]]]:
    """The SpecBench runs of the given log files, and the files that cannot be read with the
    reason (the message names the file). Logs are read in parallel worker processes: reading
    a log is CPU-bound."""
    files = list(dict.fromkeys(paths))
    jobs = min(len(files), workers or os.cpu_count() or 1)
    # fork only from a single-threaded process (forking a threaded one can deadlock)
    can_fork = "fork" in get_all_start_methods()
    if jobs > 1 and can_fork and threading.active_count() == 1:
        with ProcessPoolExecutor(jobs, mp_context=get_context("fork")) as pool:
            results = list(pool.map(_read_or_error, files))
    else:
        results = [_read_or_error(file) for file in files]
    runs: list[RunData] = []
    unreadable: list[tuple[str, str]] = []
    for file, result in zip(files, results, strict=True):
        if isinstance(result, str):
            unreadable.append((file, result))
        else:
            runs += result
    return runs, unreadable


def load_runs(paths: Iterable[str], workers: int | None = None) -> list[RunData]:
    """The SpecBench runs of the given log files (see `read_all`). Raises LogReadError naming
    a file that cannot be read."""
    runs, unreadable = read_all(paths, workers)
    if unreadable:
        raise LogReadError(unreadable[0][1])
    return runs
