"""Where a run stands against the paper's published numbers, and whether it reproduces them.

Two questions, answered from the eval log alone:

- **Comparable?** (`comparability`) A run's scores can be set beside the paper's when the log
  says `specbench.published: true` (the published data and the paper's wording), its grader is
  one the paper reports (GPT-4.1, or Qwen3-32B with thinking: that grader's column), and the
  score is the paper's (joint judge, N/A counted as not met, alpha 0.3, the adversarial
  prompts, both labels). The report then draws the 33 published models beside it and names
  the published neighbours of its SAR.
- **A reproduction?** (`reproduction`) A comparable run whose model is one of the paper's (by
  the rule of `paper_results.names`), whose method the paper reports for that model and grader
  (`ttd.tsv` beyond vanilla), over all 1,500 prompts, with no recorded deviation from the
  paper's protocol. Its SAR, safety and behavioral are set against the paper's: paper value,
  run value, difference and the run's 95% interval; `consistent` when the paper's value lies
  inside the interval (for the Qwen3-32B grader's truncated integers: when [v, v+1) meets it),
  else `differs`.

Deviations that prevent a reproduction, as the log records them:
- `specbench.generation.deviations` (the method's plan: an emulated continuation,
  `continuation=turns`; an LLM grader standing in for the reward model), and the method
  options that imply them when the plan was made without the model;
- decoding other than the reference's for the model's family (`model_generate_config` against
  `solvers.decoding`'s families: max_tokens, temperature, top_p, top_k);
- method options other than the paper's (e.g. `rethink_count`, `n`), a reward model other than
  the paper's, grader settings other than temperature 0 and 4,200 tokens.

`specbench check` calls `reproduction_lines(run)` (a `RunData` or a `RunSummary`) and prints
the lines it returns; the report calls `reproduction` for each run.
"""

from __future__ import annotations

import inspect
import math
import os
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from inspect_ai.log import read_eval_log

from ..paper_results import GRADERS, GraderKey, Scores, published_method, published_model
from ..paper_results.names import NameMatch, paper_name
from ..solvers import METHODS
from ..solvers.decoding import recognise
from .logs import DEFAULT_ALPHA, RunData
from .summary import Mean, RunSummary, summarize

PAPER_PROMPTS = 1500
PAPER_SCENARIOS = ("biochem", "child", "code", "health", "travel")
PAPER_REWARD_MODEL = "FsfairX-LLaMA3-RM-v0.1"
METRICS = (("sar", "SAR"), ("safety", "safety"), ("behavioral", "behavioral"))
RESULT_OPTIONS = {
    "more_think": ("rethink_count",),
    "self_refine": ("max_iters", "history"),
    "best_of_n": ("n",),
    "tpo": ("samples", "iterations"),
}
"""Method options that change what the method does (others only change how it is sent)."""
GRADER_SETTINGS_IGNORED = frozenset({"model", "extra_body"})


@dataclass(frozen=True)
class Provenance:
    """What a log's header says about how the run was made (beyond `RunData`)."""

    published: bool | None
    """`specbench.published`: the published data and the paper's wording."""
    unpublished_scenarios: tuple[str, ...]
    wording_is_paper: bool | None
    deviations: tuple[str, ...]
    model_config: dict[str, Any]
    options: dict[str, Any]
    scenarios: tuple[str, ...]


def provenance(path: str) -> Provenance:
    """The provenance recorded in the header of the log at `path` (read once per version of
    the file)."""
    try:
        version = os.stat(path).st_mtime_ns
    except OSError:
        version = 0
    return _provenance(path, version)


@cache
def _provenance(path: str, version: int) -> Provenance:
    header = read_eval_log(path, header_only=True)
    meta = (header.eval.metadata or {}).get("specbench") or {}
    data = meta.get("data") or {}
    scenarios = data.get("scenarios") or {}
    generation = meta.get("generation") or {}
    templates = meta.get("templates") or {}
    published = meta.get("published")
    return Provenance(
        published=published if isinstance(published, bool) else None,
        unpublished_scenarios=tuple(
            k
            for k, v in scenarios.items()
            if isinstance(v, dict) and v.get("published") is not True
        ),
        wording_is_paper=templates.get("paper") if isinstance(templates, dict) else None,
        deviations=tuple(str(d) for d in generation.get("deviations") or []),
        model_config=header.eval.model_generate_config.model_dump(exclude_none=True),
        options=dict(meta.get("options") or {}),
        scenarios=tuple(scenarios),
    )


def run_provenance(run: RunData) -> Provenance:
    """The provenance of a run, over every log merged into it."""
    parts = [provenance(path) for path in [run.path, *run.also]]
    first = parts[0]
    published = [p.published for p in parts]
    return Provenance(
        published=None if None in published else all(published),
        unpublished_scenarios=tuple(
            dict.fromkeys(s for p in parts for s in p.unpublished_scenarios)
        ),
        wording_is_paper=all(p.wording_is_paper is True for p in parts),
        deviations=tuple(dict.fromkeys(d for p in parts for d in p.deviations)),
        model_config=first.model_config,
        options=first.options,
        scenarios=tuple(dict.fromkeys(s for p in parts for s in p.scenarios)),
    )


# --- comparable with the published points ----------------------------------------------


def grader_column(run: RunData) -> tuple[GraderKey | None, str]:
    """The paper's grader column the run's grader corresponds to, and why (or why none)."""
    if len(run.graders) != 1:
        what = "no grader recorded" if not run.graders else f"a panel ({run.grader})"
        return None, f"{what}: the paper's numbers are those of one grader"
    grader = run.graders[0]
    config = run.grader_config if run.grader_config.get("model") == grader else {}
    tokens = config.get("reasoning_tokens")
    match = paper_name(
        grader, config.get("extra_body"), tokens if isinstance(tokens, int) else None
    )
    for key, published in GRADERS.items():
        if match.name == published.name:
            return key, f"grader {grader} is the paper's {published.name}"
    return None, (
        f"grader {grader} is not one of the paper's graders (GPT-4.1, Qwen3-32B with thinking): "
        "another grader's numbers are not comparable"
    )


def comparability(
    run: RunData, prov: Provenance | None = None
) -> tuple[GraderKey | None, list[str]]:
    """The grader column the run compares with, and every reason it does not (empty when it
    does): published data and wording, the paper's grader, and the paper's score."""
    prov = prov or run_provenance(run)
    reasons: list[str] = []
    if prov.published is not True:
        if prov.unpublished_scenarios:
            reasons.append(
                f"not the published data ({', '.join(prov.unpublished_scenarios)} differ)"
            )
        if prov.wording_is_paper is not True:
            reasons.append(f"not the paper's wording (prompts={prov.options.get('prompts')!r})")
        if not reasons:
            reasons.append("the log does not record specbench.published: true")
    column, why = grader_column(run)
    if column is None:
        reasons.append(why)
    if run.judge_modes and run.judge_modes != ("joint",):
        reasons.append(f"judge {'/'.join(run.judge_modes)} (the paper's is joint)")
    if prov.options.get("behavioral_na", "count") != "count":
        reasons.append("behavioral_na=exclude (the published numbers count N/A as not met)")
    if not math.isclose(run.alpha, DEFAULT_ALPHA):
        reasons.append(f"SAR alpha {run.alpha:g} (the paper's is {DEFAULT_ALPHA:g})")
    if run.adversarial is False:
        reasons.append("adversarial=false (the paper asks the adversarial prompts)")
    if prov.options.get("label"):
        reasons.append(f"label={prov.options['label']} only (the paper's values are over both)")
    return (column if not reasons else None), reasons


# --- the model, the method and the deviations --------------------------------------------


def run_model(run: RunData, prov: Provenance) -> NameMatch:
    tokens = prov.model_config.get("reasoning_tokens")
    return paper_name(
        run.model, prov.model_config.get("extra_body"), tokens if isinstance(tokens, int) else None
    )


def _default(method: str, option: str) -> Any:
    if method not in METHODS:
        return None
    parameter = inspect.signature(METHODS[method]).parameters.get(option)
    return None if parameter is None else parameter.default


def decoding_deviations(run: RunData, prov: Provenance) -> list[str]:
    """The model's decoding settings that differ from the reference's for its family."""
    config = prov.model_config
    found = recognise(run.model.split("/", 1)[-1], config.get("extra_body"))
    if found is None:
        return []
    family, _why = found
    extra = config.get("extra_body") or {}
    wanted = {
        "max_tokens": family.max_tokens,
        "temperature": family.temperature,
        "top_p": family.top_p,
        "top_k": family.top_k,
    }
    problems = []
    for key, value in wanted.items():
        own = config.get(key, extra.get(key) if key == "top_k" else None)
        if own is not None and value is not None and own != value:
            problems.append(f"{key}={own} (the reference: {value})")
        elif own is not None and value is None:
            problems.append(f"{key}={own} (the reference leaves it unset)")
    if not problems:
        return []
    return [f"non-reference decoding for {family.name}: {', '.join(problems)}"]


def deviations(run: RunData, prov: Provenance) -> list[str]:
    """Every recorded departure from the paper's protocol that prevents a reproduction."""
    found = list(prov.deviations)
    options = run.method_options
    if options.get("continuation") == "turns" and not any("turns" in d for d in found):
        found.append("continuation=turns: each stage sent as a separate user turn (emulated)")
    if run.method in ("best_of_n", "tpo"):
        if not options.get("reward_url") and not any(d.startswith("reward:") for d in found):
            found.append("reward: an LLM grader rated the responses instead of the reward model")
        model = options.get("reward_model")
        if (
            options.get("reward_url")
            and model
            and PAPER_REWARD_MODEL.lower() not in str(model).lower()
        ):
            found.append(f"reward model {model} (the paper's: {PAPER_REWARD_MODEL})")
    for option in RESULT_OPTIONS.get(run.method, ()):
        if option in options and options[option] != _default(run.method, option):
            found.append(
                f"method option {option}={options[option]} "
                f"(the paper's: {_default(run.method, option)})"
            )
    found += decoding_deviations(run, prov)
    settings = {k: v for k, v in run.grader_config.items() if k not in GRADER_SETTINGS_IGNORED}
    if settings:
        said = ", ".join(f"{k}={v}" for k, v in sorted(settings.items()))
        found.append(f"grader settings {said} (the paper's: temperature 0, max_tokens 4200)")
    return found


# --- the check ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricCheck:
    metric: str
    paper: float
    run: Mean
    digits: int
    """Decimals the paper published (0: a truncated integer)."""

    @property
    def difference(self) -> float:
        return self.run.mean - self.paper

    @property
    def consistent(self) -> bool | None:
        """The paper's value inside the run's 95% interval (None without an interval)."""
        if math.isnan(self.run.low) or math.isnan(self.run.high):
            return None
        if self.digits == 0:  # a truncated integer v: the value lies in [v, v + 1)
            return self.run.low < self.paper + 1 and self.paper <= self.run.high
        return self.run.low <= self.paper <= self.run.high


@dataclass
class Reproduction:
    """The reproduction check of one run."""

    run: str
    model: NameMatch
    method: str
    grader: GraderKey | None
    grader_note: str
    paper: Scores | None
    """The paper's row for this model, method and grader (None when it reports none)."""
    not_comparable: list[str] = field(default_factory=list)
    no_row: str = ""
    """Why the paper has no value to compare with (empty when it has)."""
    coverage: str = ""
    """Why the run covers less than the paper's 1,500 prompts (empty when it covers them)."""
    deviations: list[str] = field(default_factory=list)
    checks: list[MetricCheck] = field(default_factory=list)

    @property
    def is_reproduction(self) -> bool:
        return (
            not self.not_comparable
            and self.paper is not None
            and not self.coverage
            and not self.deviations
        )

    @property
    def blockers(self) -> list[str]:
        """Why this run is not a reproduction (empty when it is)."""
        found = list(self.not_comparable)
        if self.no_row:
            found.append(self.no_row)
        if self.coverage:
            found.append(self.coverage)
        found += [f"deviation: {d}" for d in self.deviations]
        return found


def paper_row(model: str, method: str, grader: GraderKey) -> tuple[Scores | None, str]:
    """The paper's scores of `model` under `method` with `grader`, or None and why not."""
    if method == "vanilla":
        row = published_model(model)
        if row is not None:
            return row.scores(grader), ""
    if grader != "gpt-4.1":
        return None, (
            f"the paper reports {model} / {method} only with the GPT-4.1 grader"
            if published_method(model, method)
            else f"the paper reports no {method} run of {model}"
        )
    found = published_method(model, method)
    if found is None:
        return None, f"the paper reports no {method} run of {model}"
    if found.scores is None:
        return None, f"the paper gives no value for {model} / {method} (N/A in its table)"
    return found.scores, ""


def _coverage(run: RunData, prov: Provenance) -> str:
    scenarios = sorted({s.scenario for s in run.samples.values()})
    missing = [s for s in PAPER_SCENARIOS if s not in scenarios]
    if missing:
        return (
            f"covers {len(scenarios)} of the 5 scenarios (no {', '.join(missing)}): the paper's "
            "values are means over all five"
        )
    if len(run.samples) < PAPER_PROMPTS:
        return (
            f"covers {len(run.samples)} of the paper's {PAPER_PROMPTS:,} prompts (a --limit or "
            "--sample-id run)"
        )
    return ""


def reproduction(summary: RunSummary, prov: Provenance | None = None) -> Reproduction:
    """The reproduction check of a summarised run (see the module docstring); `prov` is read
    from the run's logs when not given."""
    run = summary.run
    prov = prov or run_provenance(run)
    _column, reasons = comparability(run, prov)
    grader_key, grader_note = grader_column(run)
    model = run_model(run, prov)
    result = Reproduction(summary.key, model, run.method, grader_key, grader_note, None, reasons)
    if model.name is None:
        result.no_row = model.why
    elif grader_key is not None:
        result.paper, result.no_row = paper_row(model.name, run.method, grader_key)
    result.coverage = _coverage(run, prov)
    result.deviations = deviations(run, prov)
    if result.paper is not None and grader_key is not None:
        digits = GRADERS[grader_key].digits
        result.checks = [
            MetricCheck(label, result.paper.get(key), summary.overall[key], digits)
            for key, label in METRICS
        ]
    return result


def _num(x: float, digits: int = 2) -> str:
    return "-" if math.isnan(x) else f"{x:.{digits}f}"


def check_rows(result: Reproduction) -> list[list[str]]:
    """metric, paper, run, difference, run's 95% interval, verdict."""
    rows = []
    for check in result.checks:
        paper = f"{check.paper:.0f}" if check.digits == 0 else f"{check.paper:.2f}"
        interval = (
            f"[{_num(check.run.low)}, {_num(check.run.high)}]"
            if not math.isnan(check.run.low)
            else "-"
        )
        if not result.is_reproduction:
            verdict = "-"
        elif check.consistent is None:
            verdict = "no interval"
        else:
            verdict = "consistent" if check.consistent else "differs"
        rows.append(
            [
                check.metric,
                paper,
                _num(check.run.mean),
                f"{check.difference:+.2f}",
                interval,
                verdict,
            ]
        )
    return rows


CHECK_HEADER = ["metric", "paper", "run", "difference", "run 95% CI", "verdict"]


def reproduction_lines(run: RunData | RunSummary, prov: Provenance | None = None) -> list[str]:
    """The reproduction check of one run as lines of text, for `specbench check` and the
    report: what the run is in the paper's terms, then either the comparison (paper value, run
    value, difference, the run's 95% interval, consistent / differs) or why the run is not a
    reproduction (with the numbers beside the paper's, for information, where there are
    any)."""
    from .tables import text_table

    summary = run if isinstance(run, RunSummary) else summarize(run, "R1")
    result = reproduction(summary, prov)
    lines = [f"Reproduction check ({summary.run.label}):"]
    if result.model.name is not None:
        lines.append(f"  model: {result.model.why}")
    if result.grader is not None:
        lines.append(f"  grader: {result.grader_note}")
    if result.is_reproduction:
        assert result.model.name is not None
        lines.append(
            f"  a reproduction of the paper's {result.model.name} / {result.method} "
            f"({GRADERS[result.grader].name if result.grader else '?'} grader; the published "
            "data and wording, all prompts, no recorded deviation):"
        )
    else:
        lines.append("  NOT a reproduction:")
        lines += [f"    - {why}" for why in result.blockers]
        if result.checks:
            lines.append("  beside the paper's values (for information only):")
    if result.checks:
        table = text_table(CHECK_HEADER, check_rows(result), {1, 2, 3})
        lines += ["    " + line for line in table.splitlines()]
        if result.is_reproduction and result.grader == "qwen3-32b":
            lines.append(
                "    (the Qwen3-32B column is published as truncated integers: a value v is "
                "consistent when [v, v+1) meets the interval)"
            )
    return lines


def neighbours(
    sar: float, grader: GraderKey
) -> tuple[tuple[str, float] | None, tuple[str, float] | None]:
    """The published models just above and just below a SAR (in %) in `grader`'s column."""
    from ..paper_results import published_models

    points = sorted((m.scores(grader).sar, m.model) for m in published_models())
    below = [(name, value) for value, name in points if value <= sar]
    above = [(name, value) for value, name in points if value > sar]
    return (above[0] if above else None), (below[-1] if below else None)


def neighbours_text(summary: RunSummary, prov: Provenance | None = None) -> str:
    """The runs table's "published neighbours" cell."""
    column, reasons = comparability(summary.run, prov)
    if column is None:
        return "not comparable: " + "; ".join(reasons)
    sar = summary.overall["sar"].mean
    if math.isnan(sar):
        return "-"
    digits = GRADERS[column].digits
    above, below = neighbours(sar, column)
    up = f"{above[0]} {above[1]:.{digits}f}" if above else "none (above every published model)"
    down = f"{below[0]} {below[1]:.{digits}f}" if below else "none (below every published model)"
    return f"above: {up}; below: {down} ({GRADERS[column].name} column)"
