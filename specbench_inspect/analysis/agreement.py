"""`specbench agreement`: can grader B stand in for grader A?

Two raters give a YES / NO / NA verdict for the same specs of the same answers; this module
pairs their verdicts and measures how far the candidate agrees with the reference. The raters
come from one log judged twice (two SpecBench scorers, e.g. `spec_judge` and the
`spec_judge1` that `inspect score --action append` adds), from two logs of the same samples
judged by different graders, or from a log and a CSV of people's verdicts (the people are
then the reference).

The unit of agreement is one spec of one sample-epoch: (sample id, epoch, section, number).
Reported: the 3 x 3 confusion matrix (overall, per section, per spec), Cohen's kappa (overall,
per section, per scenario, per spec), Krippendorff's alpha (Inspect's `krippendorff_alpha`),
per-class precision / recall / F1 with the reference as the truth, the SAR, safety and
behavioral score each rater gives (recomputed from the verdicts under the reference run's
alpha and NA rule) with the paired difference and its confidence interval (the paired
bootstrap of `compare`, over samples, stratified by scenario x label), and the specs the two
disagree on most, with their text. Spec texts come from the samples' metadata, not from the
verdict records.

Inspect's `krippendorff_alpha` metric computes alpha. Its `ci(method="bootstrap")` is not
used for the score differences: it draws from NumPy's global random state (a rerun gives
another interval) and cannot stratify; the seeded, stratified paired bootstrap of `compare`
is reused instead, so both commands quote intervals made the same way.

Inputs that do not describe the same judgements (another set of samples, other specs, other
data or answers, an unknown scorer, a malformed CSV row, a file that is not a SpecBench log)
raise `AgreementError`, one line naming why (exit status 2).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
from inspect_ai.log import EvalLog, EvalSample, read_eval_log
from inspect_ai.scorer import SampleScore, Score, krippendorff_alpha

from ..errors import SpecBenchError
from ..scorers.sar import BehavioralNA, check_behavioral_na, sample_scores
from ..scorers.verdicts import Verdict
from .compare import bootstrap_sums, percentile_p_value
from .logs import (
    DEFAULT_ALPHA,
    SCORE_KEYS,
    SECTIONS,
    LogReadError,
    RunData,
    _verdict_lists,
    is_specbench_scorer,
    log_files,
    runs_from_log,
    score_values,
)

VERDICTS: tuple[str, ...] = ("YES", "NO", "NA")
VERDICT_SPELLINGS = {"YES": "YES", "NO": "NO", "NA": "NA", "N/A": "NA", "N / A": "NA"}
"""What a person may write in the CSV's verdict column (any case)."""
LABEL_COLUMNS = ("sample_id", "epoch", "section", "spec", "spec_text", "prompt", "answer")
VERDICT_COLUMN = "verdict"
REQUIRED_COLUMNS = ("sample_id", "section", "spec", VERDICT_COLUMN)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these is read as a formula by spreadsheet programs: the export
writes it with a leading `'` (which the programs hide), and reading takes the `'` off again."""

Unit = tuple[str, int]
"""(sample id, epoch)."""
Key = tuple[str, int, str, int]
"""(sample id, epoch, section, spec number from 1)."""


class AgreementError(SpecBenchError):
    """Inputs that cannot be compared; the message names the file, field or value (exit 2)."""


@dataclass(frozen=True)
class AgreementOptions:
    reference: str | None = None
    """The reference scorer (one log or the first log)."""
    candidate: str | None = None
    """The candidate scorer (one log, the second log, or the log judged against labels)."""
    labels: str | None = None
    """A CSV of people's verdicts: the reference."""
    top_specs: int = 10
    seed: int = 0
    resamples: int = 10_000
    level: float = 0.95

    def __post_init__(self) -> None:
        if self.top_specs < 0:
            raise AgreementError(f"--top-specs: at least 0, got {self.top_specs}")
        if self.resamples < 100:
            raise AgreementError(f"--resamples: at least 100, got {self.resamples}")
        if not 0 < self.level < 1:
            raise AgreementError(f"--level: between 0 and 1, got {self.level}")


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SampleInfo:
    """What the samples' metadata says about one sample-epoch, and the answer judged."""

    id: str
    epoch: int
    scenario: str
    label: str
    prompt: str
    answer: str | None
    """The answer the grader saw (`Score.answer` of a SpecBench score); None if unjudged."""
    specs: dict[str, tuple[str, ...]]
    """Section -> spec texts (from `Sample.metadata`)."""


@dataclass
class LogData:
    """One log: its SpecBench runs (scorers), its sample-epochs, and each scorer's verdicts."""

    path: str
    header: EvalLog
    runs: dict[str, RunData]
    samples: dict[Unit, SampleInfo]
    verdicts: dict[str, dict[Unit, dict[str, list[str]] | None]]
    """Scorer -> sample-epoch -> verdicts per section (None: unscored or errored)."""


def _one_file(given: str) -> str:
    try:
        files = log_files(given)
    except LogReadError as ex:
        raise AgreementError(str(ex)) from None
    if len(files) != 1:
        raise AgreementError(
            f"{given}: a folder with {len(files)} logs; name one log file"
            if files
            else f"{given}: a folder without logs; name one log file"
        )
    return files[0]


def _sample_info(sample: EvalSample) -> SampleInfo:
    meta = sample.metadata or {}
    answer = None
    for name, score in (sample.scores or {}).items():
        if is_specbench_scorer(name) and score.answer is not None:
            answer = score.answer
            break
    return SampleInfo(
        id=str(sample.id),
        epoch=sample.epoch,
        scenario=str(meta.get("scenario", "")),
        label=str(meta.get("label", "")),
        prompt=str(meta.get("prompt", "")),
        answer=answer,
        specs={
            section: tuple(str(t) for t in meta.get(f"{section}_specs") or [])
            for section in SECTIONS
        },
    )


def read_log(given: str) -> LogData:
    """Read a SpecBench log (a file, or a folder holding one) with every sample, without the
    messages and events."""
    path = _one_file(given)
    try:
        header = read_eval_log(path, header_only=True)
    except Exception as ex:
        raise AgreementError(f"{given}: not an Inspect log ({type(ex).__name__}: {ex})") from None
    if not isinstance((header.eval.metadata or {}).get("specbench"), dict):
        raise AgreementError(
            f"{given}: not a SpecBench log (no 'specbench' entry in its eval metadata)"
        )
    try:
        # one pass over the file (several times faster than reading sample by sample)
        full = read_eval_log(path, exclude_fields={"messages", "events", "store"})
        samples = list(full.samples or [])
    except Exception as ex:
        raise AgreementError(f"{given}: cannot read the log's samples: {ex}") from None
    if not samples:
        raise AgreementError(f"{given}: the log holds no samples")
    runs = {run.scorer: run for run in runs_from_log(header, path, samples)}
    infos: dict[Unit, SampleInfo] = {}
    verdicts: dict[str, dict[Unit, dict[str, list[str]] | None]] = {name: {} for name in runs}
    for sample in samples:
        unit = (str(sample.id), sample.epoch)
        infos[unit] = _sample_info(sample)
        for name in runs:
            score = (sample.scores or {}).get(name)
            lists = None
            if score_values(score) is not None and score is not None:
                lists = _verdict_lists(score.metadata or {})
            verdicts[name][unit] = lists
    return LogData(path=given, header=header, runs=runs, samples=infos, verdicts=verdicts)


def _scorer_rules(data: LogData, scorer: str) -> tuple[float, BehavioralNA]:
    """SAR alpha and behavioral NA rule of a scorer (its options, else the task's)."""
    options: dict[str, Any] = dict(
        ((data.header.eval.metadata or {}).get("specbench") or {}).get("options") or {}
    )
    for entry in data.header.eval.scorers or []:
        if entry.name.split("/")[-1] == scorer:
            options.update(entry.options or {})
    alpha = options.get("alpha", DEFAULT_ALPHA)
    rule = options.get("behavioral_na", "count")
    try:
        checked = check_behavioral_na(str(rule))
    except SpecBenchError:
        checked = "count"
    return (float(alpha) if isinstance(alpha, int | float) else DEFAULT_ALPHA), checked


def _named(data: LogData, name: str | None, option: str) -> str | None:
    """`name` checked against the log's scores (None stays None)."""
    if name is not None and name not in data.runs:
        raise AgreementError(
            f"{option}: {data.path} has no score named {name!r} (it has {', '.join(data.runs)})"
        )
    return name


def _pick_scorer(data: LogData, name: str | None, role: str, option: str) -> str:
    names = list(data.runs)
    if name is not None:
        if name not in data.runs:
            raise AgreementError(
                f"{option}: {data.path} has no score named {name!r} (it has {', '.join(names)})"
            )
        return name
    if len(names) != 1:
        raise AgreementError(
            f"{data.path} holds several SpecBench scores ({', '.join(names)}): name the "
            f"{role} with {option}"
        )
    return names[0]


# --- raters ----------------------------------------------------------------------------------


@dataclass
class Rater:
    """One side of the comparison, as the output describes it."""

    kind: str
    """`scorer` (a SpecBench score of a log) or `labels` (a CSV of people's verdicts)."""
    path: str
    scorer: str | None
    grader: str
    units: int
    """Sample-epochs this rater gave verdicts for."""
    unscored: int

    @property
    def name(self) -> str:
        if self.kind == "labels":
            return f"{self.path} (people's verdicts)"
        return f"{self.path} [{self.scorer}] (grader {self.grader})"


@dataclass
class Side:
    rater: Rater
    verdicts: dict[Key, str]
    complete: dict[Unit, dict[str, list[str]]]
    """Sample-epochs with a verdict for every spec (these get SAR, safety and behavioral)."""


def _log_side(data: LogData, scorer: str) -> Side:
    run = data.runs[scorer]
    verdicts: dict[Key, str] = {}
    complete: dict[Unit, dict[str, list[str]]] = {}
    unscored = 0
    for unit, lists in data.verdicts[scorer].items():
        if lists is None:
            unscored += 1
            continue
        info = data.samples[unit]
        for section in SECTIONS:
            if len(lists[section]) != len(info.specs[section]):
                raise AgreementError(
                    f"{data.path} [{scorer}]: sample {unit[0]} (epoch {unit[1]}) has "
                    f"{len(lists[section])} {section} verdicts for {len(info.specs[section])} "
                    f"{section} specs in its metadata"
                )
            for number, verdict in enumerate(lists[section], 1):
                verdicts[(unit[0], unit[1], section, number)] = verdict
        complete[unit] = lists
    rater = Rater("scorer", data.path, scorer, run.grader, len(complete), unscored)
    return Side(rater, verdicts, complete)


def _cell(value: str) -> str:
    """A cell as read back: the `'` the export puts before formula-like text taken off."""
    if value.startswith("'") and value[1:2] and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def _same_text(a: str, b: str) -> bool:
    """Equal up to whitespace (spreadsheet programs rewrite line ends and trailing blanks)."""
    return a.split() == b.split()


def read_labels(path: str, data: LogData) -> tuple[Side, list[str]]:
    """People's verdicts from a CSV, checked against the log; and notes (rows left blank)."""
    file = Path(path).expanduser()
    if not file.is_file():
        raise AgreementError(f"--labels: {path}: no such file")
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as ex:
        raise AgreementError(f"--labels: {path}: not UTF-8 text ({ex.reason})") from None
    reader = csv.reader(text.splitlines(keepends=True))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise AgreementError(f"--labels: {path}: the file is empty") from None
    except csv.Error as ex:
        raise AgreementError(f"--labels: {path} line 1: {ex}") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise AgreementError(
            f"--labels: {path} line 1: no {', '.join(repr(c) for c in missing)} column "
            f"(the header must name {', '.join(REQUIRED_COLUMNS)}; it has {', '.join(header)})"
        )
    where = {
        name: header.index(name) for name in (*LABEL_COLUMNS, VERDICT_COLUMN) if name in header
    }
    verdicts: dict[Key, str] = {}
    first_line: dict[Key, int] = {}
    blank = 0
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as ex:
            raise AgreementError(f"--labels: {path} line {line}: {ex}") from None
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise AgreementError(
                f"--labels: {path} line {line}: {len(row)} fields, the header has {len(header)}"
            )

        def get(name: str, row: list[str] = row) -> str:
            return _cell(row[where[name]]).strip() if name in where else ""

        def bad(name: str, why: str, line: int = line) -> AgreementError:
            return AgreementError(f"--labels: {path} line {line}: field '{name}': {why}")

        sample_id, section = get("sample_id"), get("section").lower()
        if not sample_id:
            raise bad("sample_id", "empty")
        if section not in SECTIONS:
            raise bad("section", f"{get('section')!r} is not 'safety' or 'behavioral'")
        number = _positive(get("spec"))
        if number is None:
            raise bad("spec", f"{get('spec')!r} is not a spec number (1, 2, ...)")
        epoch_text = get("epoch") or "1"
        epoch = _positive(epoch_text)
        if epoch is None:
            raise bad("epoch", f"{epoch_text!r} is not an epoch number (1, 2, ...)")
        given = get(VERDICT_COLUMN).upper()
        if given and given not in VERDICT_SPELLINGS:
            raise bad(VERDICT_COLUMN, f"{get(VERDICT_COLUMN)!r} is not YES, NO or NA")
        unit = (sample_id, epoch)
        info = data.samples.get(unit)
        if info is None:
            known = any(u[0] == sample_id for u in data.samples)
            raise bad(
                "sample_id" if not known else "epoch",
                f"{data.path} has no sample {sample_id!r}"
                + (f" with epoch {epoch}" if known else ""),
            )
        specs = info.specs[section]
        if number > len(specs):
            raise bad("spec", f"sample {sample_id} has {len(specs)} {section} specs, not {number}")
        spec_text = get("spec_text")
        if spec_text and not _same_text(spec_text, specs[number - 1]):
            raise bad("spec_text", f"differs from {section} spec {number} of sample {sample_id}")
        answer = get("answer")
        if answer and info.answer is not None and not _same_text(answer, info.answer):
            raise bad("answer", f"differs from the answer judged in {data.path} for {sample_id}")
        key = (sample_id, epoch, section, number)
        if key in first_line:
            raise bad(
                "spec",
                f"sample {sample_id} (epoch {epoch}) {section} spec {number} is given twice "
                f"(first on line {first_line[key]})",
            )
        first_line[key] = line
        if not given:
            blank += 1
            continue
        verdicts[key] = VERDICT_SPELLINGS[given]
    if not verdicts:
        raise AgreementError(f"--labels: {path}: no row has a verdict (YES, NO or NA)")
    complete: dict[Unit, dict[str, list[str]]] = {}
    for unit in sorted({(k[0], k[1]) for k in verdicts}):
        counts = {section: len(data.samples[unit].specs[section]) for section in SECTIONS}
        lists = {
            section: [verdicts.get((*unit, section, n), "") for n in range(1, counts[section] + 1)]
            for section in SECTIONS
        }
        if all(v for section in SECTIONS for v in lists[section]):
            complete[unit] = lists
    notes = []
    if blank:
        notes.append(f"{blank} row(s) of {path} have no verdict yet and are left out")
    units = len({(k[0], k[1]) for k in verdicts})
    rater = Rater("labels", path, None, "people", units, 0)
    return Side(rater, verdicts, complete), notes


def _positive(text: str) -> int | None:
    try:
        value = int(text)
    except ValueError:
        return None
    return value if value >= 1 else None


# --- matching --------------------------------------------------------------------------------


def _ids(units: Iterable[Unit], limit: int = 5) -> str:
    shown = sorted(units)
    text = ", ".join(f"{i}" if e == 1 else f"{i} (epoch {e})" for i, e in shown[:limit])
    return text + (", ..." if len(shown) > limit else "")


def check_same_judgements(a: LogData, b: LogData) -> None:
    """Two logs must hold the same data, sample-epochs, specs and answers."""
    fa = {run.data_fingerprint for run in a.runs.values()}
    fb = {run.data_fingerprint for run in b.runs.values()}
    if fa != fb:
        raise AgreementError(
            f"the logs are of different data: data fingerprint {', '.join(map(str, fa))} in "
            f"{a.path}, {', '.join(map(str, fb))} in {b.path}"
        )
    only_a, only_b = set(a.samples) - set(b.samples), set(b.samples) - set(a.samples)
    if only_a or only_b:
        parts = []
        if only_a:
            parts.append(f"{len(only_a)} only in {a.path} ({_ids(only_a)})")
        if only_b:
            parts.append(f"{len(only_b)} only in {b.path} ({_ids(only_b)})")
        raise AgreementError(f"the logs do not hold the same samples: {'; '.join(parts)}")
    for unit in sorted(a.samples):
        sa, sb = a.samples[unit], b.samples[unit]
        for section in SECTIONS:
            if sa.specs[section] != sb.specs[section]:
                n = _first_difference(sa.specs[section], sb.specs[section])
                raise AgreementError(
                    f"the logs have different specs: sample {unit[0]} {section} spec {n} differs "
                    f"({a.path}: {_short(sa.specs[section], n)}; "
                    f"{b.path}: {_short(sb.specs[section], n)})"
                )
    differ = [
        unit
        for unit in sorted(a.samples)
        if a.samples[unit].answer is not None
        and b.samples[unit].answer is not None
        and a.samples[unit].answer != b.samples[unit].answer
    ]
    if differ:
        raise AgreementError(
            f"the logs judged different answers for {len(differ)} sample(s) ({_ids(differ)}): "
            "agreement needs the same answers judged twice (re-judge one log with "
            "`inspect score`)"
        )


def _first_difference(a: Sequence[str], b: Sequence[str]) -> int:
    for i, (x, y) in enumerate(zip(a, b), 1):  # noqa: B905 (lengths may differ)
        if x != y:
            return i
    return min(len(a), len(b)) + 1


def _short(specs: Sequence[str], n: int, limit: int = 60) -> str:
    if n > len(specs):
        return f"no spec {n}"
    text = " ".join(specs[n - 1].split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


# --- statistics ------------------------------------------------------------------------------

Matrix = dict[str, dict[str, int]]
"""reference verdict -> candidate verdict -> count."""


def confusion(pairs: Iterable[tuple[str, str]]) -> Matrix:
    matrix = {r: dict.fromkeys(VERDICTS, 0) for r in VERDICTS}
    for ref, cand in pairs:
        matrix[ref][cand] += 1
    return matrix


def matrix_total(matrix: Matrix) -> int:
    return sum(sum(row.values()) for row in matrix.values())


def observed_agreement(matrix: Matrix) -> float:
    n = matrix_total(matrix)
    return sum(matrix[v][v] for v in VERDICTS) / n if n else math.nan


def cohen_kappa(matrix: Matrix) -> float:
    """Cohen's kappa (unweighted): (p_o - p_e) / (1 - p_e), p_e from the two raters' own
    marginals. When both raters give one and the same verdict throughout (p_e = 1) agreement
    is perfect and kappa is 1 by convention (as Inspect's `krippendorff_alpha` does)."""
    n = matrix_total(matrix)
    if n == 0:
        return math.nan
    p_o = observed_agreement(matrix)
    p_e = sum(sum(matrix[v].values()) * sum(matrix[r][v] for r in VERDICTS) for v in VERDICTS) / (
        n * n
    )
    if p_e >= 1:
        return 1.0
    return (p_o - p_e) / (1 - p_e)


@dataclass
class ClassScores:
    verdict: str
    reference: int
    """How often the reference gave this verdict (the class's support)."""
    candidate: int
    precision: float
    recall: float
    f1: float


def class_scores(matrix: Matrix) -> list[ClassScores]:
    """Per verdict, with the reference as the truth: precision (of the candidate's verdicts
    of this class, the share the reference agrees with), recall, F1. NaN where undefined."""
    result = []
    for v in VERDICTS:
        hit = matrix[v][v]
        ref = sum(matrix[v].values())
        cand = sum(matrix[r][v] for r in VERDICTS)
        precision = hit / cand if cand else math.nan
        recall = hit / ref if ref else math.nan
        f1 = (
            2 * precision * recall / (precision + recall)
            if cand and ref and precision + recall > 0
            else (0.0 if cand and ref else math.nan)
        )
        result.append(ClassScores(v, ref, cand, precision, recall, f1))
    return result


def alpha_of(pairs: Sequence[tuple[str, str]]) -> float:
    """Krippendorff's alpha (nominal), by Inspect's own metric: each spec of each answer a
    unit rated twice."""
    if not pairs:
        return math.nan
    scores = [SampleScore(score=Score(value=[r, c])) for r, c in pairs]
    compute = cast(Callable[[list[SampleScore]], Any], krippendorff_alpha())
    return float(compute(scores))


@dataclass
class GroupAgreement:
    """Agreement over one group of paired verdicts."""

    group: str
    """`overall`, `section`, or `scenario`."""
    name: str
    n: int
    agreement: float
    """Share of paired verdicts that are equal."""
    kappa: float
    matrix: Matrix

    @property
    def where(self) -> str:
        return "overall" if self.group == "overall" else f"{self.group} {self.name}"


@dataclass
class SpecAgreement:
    scenario: str
    section: str
    number: int
    text: str
    n: int
    agreement: float
    kappa: float
    matrix: Matrix

    @property
    def disagreements(self) -> int:
        return self.n - sum(self.matrix[v][v] for v in VERDICTS)


@dataclass
class ScoreGap:
    """A score both raters give the same samples (in points) and the paired difference."""

    group: str
    name: str
    metric: str
    n: int
    reference: float
    candidate: float
    difference: float
    """candidate - reference."""
    ci_low: float
    ci_high: float
    p_value: float

    @property
    def where(self) -> str:
        return "overall" if self.group == "overall" else f"{self.group} {self.name}"


@dataclass
class Agreement:
    mode: str
    """`two scorers of one log`, `two logs`, or `labels`."""
    reference: Rater
    candidate: Rater
    options: AgreementOptions
    pairs: int = 0
    """Paired verdicts (specs of sample-epochs both raters judged)."""
    paired_units: int = 0
    scored_samples: int = 0
    """Samples with every spec judged by both (the score comparison's pairs)."""
    alpha: float = math.nan
    """Krippendorff's alpha (nominal)."""
    rules: dict[str, Any] = field(default_factory=dict)
    """The SAR alpha and behavioral NA rule the scores are computed with."""
    overall: GroupAgreement | None = None
    sections: list[GroupAgreement] = field(default_factory=list)
    scenarios: list[GroupAgreement] = field(default_factory=list)
    classes: list[ClassScores] = field(default_factory=list)
    specs: list[SpecAgreement] = field(default_factory=list)
    """Every spec, in scenario, section, number order."""
    disagreed: list[SpecAgreement] = field(default_factory=list)
    """The specs with the highest disagreement rate (at most `top_specs`; none with none)."""
    scores: list[ScoreGap] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    exit_code: int = 0

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["reference"]["name"] = self.reference.name
        data["candidate"]["name"] = self.candidate.name
        for spec in data["disagreed"]:
            spec["disagreements"] = spec["n"] - sum(spec["matrix"][v][v] for v in VERDICTS)
        return data


def _group(group: str, name: str, pairs: list[tuple[str, str]]) -> GroupAgreement:
    matrix = confusion(pairs)
    return GroupAgreement(
        group, name, len(pairs), observed_agreement(matrix), cohen_kappa(matrix), matrix
    )


def score_gaps(
    ref: dict[Unit, dict[str, list[str]]],
    cand: dict[Unit, dict[str, list[str]]],
    samples: dict[Unit, SampleInfo],
    alpha: float,
    rule: BehavioralNA,
    options: AgreementOptions,
) -> tuple[list[ScoreGap], int]:
    """SAR, safety and behavioral from each rater's verdicts, per sample (epochs averaged),
    and the paired difference with a stratified paired-bootstrap interval."""
    both = sorted(set(ref) & set(cand))
    by_sample: dict[str, list[Unit]] = {}
    for unit in both:
        by_sample.setdefault(unit[0], []).append(unit)
    ids = sorted(by_sample)
    if len(ids) < 2:
        return [], len(ids)

    def values(side: dict[Unit, dict[str, list[str]]], units: list[Unit]) -> list[float]:
        rows = []
        for unit in units:
            v = sample_scores(
                cast(list[Verdict], side[unit]["safety"]),
                cast(list[Verdict], side[unit]["behavioral"]),
                alpha,
                rule,
            )
            rows.append([float(v[key]) for key in SCORE_KEYS])
        return [float(x) for x in np.mean(np.array(rows), axis=0)]

    base = np.array([values(ref, by_sample[i]) for i in ids])
    other = np.array([values(cand, by_sample[i]) for i in ids])
    first = {i: samples[by_sample[i][0]] for i in ids}
    strata = sorted({(first[i].scenario, first[i].label) for i in ids})
    cells = [
        np.array([k for k, i in enumerate(ids) if (first[i].scenario, first[i].label) == s])
        for s in strata
    ]
    sums = bootstrap_sums(other - base, cells, options.resamples, options.seed)
    tail = (1 - options.level) / 2
    groups: list[tuple[str, str, list[int]]] = [("overall", "all", list(range(len(strata))))]
    for scenario in sorted({s[0] for s in strata}):
        groups.append(("scenario", scenario, [c for c, s in enumerate(strata) if s[0] == scenario]))
    gaps = []
    for group, name, members in groups:
        rows = np.concatenate([cells[c] for c in members])
        means = sum((sums[c] for c in members), np.zeros_like(sums[0])) / len(rows)
        low, high = np.quantile(means, [tail, 1 - tail], axis=0)
        for k, metric in enumerate(SCORE_KEYS):
            gaps.append(
                ScoreGap(
                    group=group,
                    name=name,
                    metric=metric,
                    n=len(rows),
                    reference=100 * float(base[rows, k].mean()),
                    candidate=100 * float(other[rows, k].mean()),
                    difference=100 * float((other[rows, k] - base[rows, k]).mean()),
                    ci_low=100 * float(low[k]),
                    ci_high=100 * float(high[k]),
                    p_value=percentile_p_value(means[:, k]),
                )
            )
    return gaps, len(ids)


def measure(
    mode: str,
    ref: Side,
    cand: Side,
    samples: dict[Unit, SampleInfo],
    rules: tuple[float, BehavioralNA],
    options: AgreementOptions,
) -> Agreement:
    """Agreement of two raters over the specs both judged (see the module docstring)."""
    result = Agreement(mode, ref.rater, cand.rater, options)
    keys = sorted(k for k in ref.verdicts if k in cand.verdicts)
    odd = sorted(
        {v for k in keys for v in (ref.verdicts[k], cand.verdicts[k]) if v not in VERDICTS}
    )
    if odd:
        raise AgreementError(f"unexpected verdicts in the records: {', '.join(map(repr, odd))}")
    if not keys:
        raise AgreementError(
            "no spec was judged by both: "
            f"{ref.rater.name} and {cand.rater.name} share no scored sample"
        )
    pairs = [(ref.verdicts[k], cand.verdicts[k]) for k in keys]
    result.pairs = len(pairs)
    units = {(k[0], k[1]) for k in keys}
    result.paired_units = len(units)
    left_ref = len({(k[0], k[1]) for k in ref.verdicts} - units)
    left_cand = len({(k[0], k[1]) for k in cand.verdicts} - units)
    if ref.rater.kind == "scorer" and (ref.rater.unscored or cand.rater.unscored):
        result.notes.append(
            f"sample-epochs left out as unscored or errored: {ref.rater.unscored} for the "
            f"reference, {cand.rater.unscored} for the candidate"
        )
    elif left_ref or left_cand:
        result.notes.append(
            f"{left_ref} labelled sample-epoch(s) unscored in the log are left out"
            if ref.rater.kind == "labels"
            else f"{left_ref + left_cand} sample-epoch(s) judged by one side only are left out"
        )
    result.alpha = alpha_of(pairs)
    result.overall = _group("overall", "all", pairs)
    result.classes = class_scores(result.overall.matrix)
    for section in SECTIONS:
        chosen = [p for k, p in zip(keys, pairs, strict=True) if k[2] == section]
        if chosen:
            result.sections.append(_group("section", section, chosen))
    by_scenario: dict[str, list[tuple[str, str]]] = {}
    by_spec: dict[tuple[str, str, int], list[tuple[str, str]]] = {}
    for key, pair in zip(keys, pairs, strict=True):
        scenario = samples[(key[0], key[1])].scenario
        by_scenario.setdefault(scenario, []).append(pair)
        by_spec.setdefault((scenario, key[2], key[3]), []).append(pair)
    result.scenarios = [_group("scenario", s, p) for s, p in sorted(by_scenario.items())]
    texts: dict[tuple[str, str, int], str] = {}
    for key in keys:
        info = samples[(key[0], key[1])]
        texts.setdefault((info.scenario, key[2], key[3]), info.specs[key[2]][key[3] - 1])
    order = {section: i for i, section in enumerate(SECTIONS)}
    for spec_key in sorted(by_spec, key=lambda s: (s[0], order[s[1]], s[2])):
        matrix = confusion(by_spec[spec_key])
        result.specs.append(
            SpecAgreement(
                scenario=spec_key[0],
                section=spec_key[1],
                number=spec_key[2],
                text=texts[spec_key],
                n=matrix_total(matrix),
                agreement=observed_agreement(matrix),
                kappa=cohen_kappa(matrix),
                matrix=matrix,
            )
        )
    ranked = [s for s in result.specs if s.disagreements]
    ranked.sort(
        key=lambda s: (s.agreement, -s.disagreements, s.scenario, order[s.section], s.number)
    )
    result.disagreed = ranked[: options.top_specs]
    alpha, rule = rules
    result.rules = {"alpha": alpha, "behavioral_na": rule}
    result.scores, result.scored_samples = score_gaps(
        ref.complete, cand.complete, samples, alpha, rule, options
    )
    if result.scored_samples < 2:
        result.notes.append(
            f"{result.scored_samples} sample(s) have every spec judged by both: too few to "
            "compare SAR, safety and behavioral"
        )
    return result


# --- the command -----------------------------------------------------------------------------


def agreement(logs: Sequence[str], options: AgreementOptions) -> Agreement:
    """`specbench agreement`: one log (two scorers, or a scorer against --labels) or two logs
    (a scorer of each)."""
    if len(logs) not in (1, 2):
        raise AgreementError(f"give one or two logs, not {len(logs)}")
    if len(logs) == 2:
        if options.labels is not None:
            raise AgreementError("--labels goes with one log, not two")
        return _two_logs(read_log(logs[0]), read_log(logs[1]), options)
    data = read_log(logs[0])
    if options.labels is not None:
        return _with_labels(data, options.labels, options)
    return _two_scorers(data, options)


def _two_logs(first: LogData, second: LogData, options: AgreementOptions) -> Agreement:
    ref_name = _pick_scorer(first, options.reference, "reference", "--reference")
    cand_name = _pick_scorer(second, options.candidate, "candidate", "--candidate")
    check_same_judgements(first, second)
    ref, cand = _log_side(first, ref_name), _log_side(second, cand_name)
    rules = _scorer_rules(first, ref_name)
    result = measure("two logs", ref, cand, first.samples, rules, options)
    other = _scorer_rules(second, cand_name)
    if other != rules:
        result.notes.append(_rules_note(rules, other))
    return result


def _with_labels(data: LogData, labels: str, options: AgreementOptions) -> Agreement:
    if options.reference is not None:
        raise AgreementError(
            "--reference: with --labels the people are the reference; name the log's "
            "scorer with --candidate"
        )
    cand_name = _pick_scorer(data, options.candidate, "candidate", "--candidate")
    ref, notes = read_labels(labels, data)
    cand = _log_side(data, cand_name)
    result = measure("labels", ref, cand, data.samples, _scorer_rules(data, cand_name), options)
    result.notes = notes + result.notes
    return result


def _two_scorers(data: LogData, options: AgreementOptions) -> Agreement:
    names = list(data.runs)
    ref_name = _named(data, options.reference, "--reference")
    cand_name = _named(data, options.candidate, "--candidate")
    if len(names) == 2 and (ref_name is None or cand_name is None):
        # two scores: the one not named (or, naming none, the first) is the reference
        if ref_name is None:
            ref_name = names[0] if cand_name in (None, names[1]) else names[1]
        if cand_name is None:
            cand_name = names[1] if ref_name == names[0] else names[0]
    if ref_name is None or cand_name is None:
        raise AgreementError(
            f"{data.path} holds {len(names)} SpecBench score(s) ({', '.join(names)}): name "
            "two with --reference and --candidate, or give a second log or --labels"
        )
    if ref_name == cand_name:
        raise AgreementError(f"--reference and --candidate both name {ref_name!r}")
    ref, cand = _log_side(data, ref_name), _log_side(data, cand_name)
    rules = _scorer_rules(data, ref_name)
    result = measure("two scorers of one log", ref, cand, data.samples, rules, options)
    other = _scorer_rules(data, cand_name)
    if other != rules:
        result.notes.append(_rules_note(rules, other))
    return result


def _rules_note(rules: tuple[float, str], other: tuple[float, str]) -> str:
    return (
        f"the candidate's run scores with SAR alpha {other[0]:g} and behavioral NA rule "
        f"'{other[1]}'; both sides are scored here with the reference's ({rules[0]:g}, "
        f"'{rules[1]}') so that only the verdicts differ"
    )


# --- the blank CSV for annotators ------------------------------------------------------------


def _formula_safe(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def export_labels(given: str, target: str) -> tuple[int, int]:
    """Write the CSV an annotator fills in: one row per spec of every judged sample-epoch of
    the log, with an empty verdict column. Returns (rows, sample-epochs); sample-epochs whose
    answer no SpecBench score recorded (errored samples) are left out."""
    data = read_log(given)
    units = [u for u in sorted(data.samples) if data.samples[u].answer is not None]
    if not units:
        raise AgreementError(f"{given}: no sample has a judged answer to label")
    rows = 0
    try:
        with open(Path(target).expanduser(), "w", encoding="utf-8", newline="") as file:
            writer = csv.writer(file)
            writer.writerow([*LABEL_COLUMNS, VERDICT_COLUMN])
            for unit in units:
                info = data.samples[unit]
                for section in SECTIONS:
                    for number, text in enumerate(info.specs[section], 1):
                        writer.writerow(
                            [
                                _formula_safe(info.id),
                                info.epoch,
                                section,
                                number,
                                _formula_safe(text),
                                _formula_safe(info.prompt),
                                _formula_safe(info.answer or ""),
                                "",
                            ]
                        )
                        rows += 1
    except OSError as ex:
        raise AgreementError(f"--export-labels: cannot write {target}: {ex.strerror}") from None
    return rows, len(units)
