"""`specbench compare`: a candidate run against a baseline, paired by sample, and the verdict.

Per sample the epochs are averaged first; the candidate-minus-baseline differences of the
samples scored on both sides are resampled together (a paired bootstrap, seeded, stratified by
scenario x label) for a confidence interval and a p-value of the mean change, overall, per
scenario and per label.
The verdict is `regression` when the chosen metric fell by at least `max_drop` points and the
drop is significant at `alpha` (overall, and with `per_scenario` in any scenario), else
`pass`; two runs that cannot be compared fairly are `not comparable`, with every reason.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np

from .logs import SCORE_KEYS, SECTIONS, LogReadError, RunData, load_runs, log_files

PASS, REGRESSION, NOT_COMPARABLE = "pass", "regression", "not comparable"
EXIT_CODES = {PASS: 0, REGRESSION: 1, NOT_COMPARABLE: 2}
POWER = 0.8
"""The power at which the detectable drop is quoted."""
SPEC_MEASURES = {"safety": ("NO", "violated"), "behavioral": ("YES", "met")}
"""Per section, the verdict whose rate is compared: safety specs violated, behavioral met."""


@dataclass(frozen=True)
class CompareOptions:
    metric: str = "sar"
    max_drop: float = 1.0
    """Points (percent of the 0-1 scale)."""
    alpha: float = 0.05
    per_scenario: bool = False
    max_unscored: float = 0.01
    """Largest share of unscored sample-epochs allowed on either side."""
    seed: int = 0
    resamples: int = 10_000
    top_specs: int = 10
    scorer: str | None = None

    def __post_init__(self) -> None:
        if self.metric not in SCORE_KEYS:
            raise ValueError(f"--metric: {self.metric!r} (choose from {', '.join(SCORE_KEYS)})")
        if not 0 < self.alpha < 1:
            raise ValueError(f"--alpha: must be between 0 and 1, got {self.alpha}")
        if self.max_drop < 0:
            raise ValueError(f"--max-drop: must be at least 0, got {self.max_drop}")
        if not 0 <= self.max_unscored <= 1:
            raise ValueError(f"--max-unscored: must be between 0 and 1, got {self.max_unscored}")
        if self.resamples < 100:
            raise ValueError(f"--resamples: at least 100, got {self.resamples}")


@dataclass
class Estimate:
    """The change of one metric in one group of paired samples (in points)."""

    group: str
    """`overall`, `scenario`, or `label`."""
    name: str
    metric: str
    n: int
    baseline: float
    candidate: float
    change: float
    ci_low: float
    ci_high: float
    p_value: float
    detectable_drop: float
    """The smallest drop this comparison detects with 80% power at `alpha` (two-sided)."""

    @property
    def where(self) -> str:
        return "overall" if self.group == "overall" else f"{self.group} {self.name}"


@dataclass
class SpecShift:
    """How often a spec's verdict was the watched one (safety: NO, behavioral: YES), before
    and after, over the paired samples of its scenario (in points)."""

    scenario: str
    section: str
    number: int
    text: str
    measure: str
    n: int
    baseline: float
    candidate: float
    change: float


@dataclass
class RunSummary:
    path: str
    scorer: str
    model: str
    method: str
    grader: str
    samples: int
    sample_epochs: int
    unscored: int
    errored: int

    @classmethod
    def of(cls, run: RunData) -> RunSummary:
        return cls(
            run.path,
            run.scorer,
            run.model,
            run.method,
            run.grader,
            len(run.samples),
            run.sample_epochs,
            run.unscored_epochs,
            len(run.errored),
        )


@dataclass
class Comparison:
    verdict: str
    reasons: list[str]
    """Not comparable: why; regression: the rules that fired; pass: empty."""
    options: CompareOptions
    baseline: RunSummary | None = None
    candidate: RunSummary | None = None
    regressed_scenarios: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    pairs: int = 0
    estimates: list[Estimate] = field(default_factory=list)
    specs: list[SpecShift] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["exit_code"] = self.exit_code
        return data


# --- choosing the runs ---------------------------------------------------------------------


def pick_run(given: str, runs: list[RunData], role: str, scorer: str | None) -> RunData | str:
    """The one SpecBench run among the runs read from `given` (a log file, or a folder
    holding one SpecBench log); a string saying why not otherwise."""
    if not runs:
        return f"{role}: {given} holds no SpecBench log"
    paths = sorted({run.path for run in runs})
    if len(paths) > 1:
        listed = ", ".join(Path(p).name for p in paths[:5])
        return (
            f"{role}: {given} holds {len(paths)} SpecBench logs ({listed}"
            f"{', ...' if len(paths) > 5 else ''}): name one log file"
        )
    if scorer is not None:
        chosen = [run for run in runs if run.scorer == scorer]
        if not chosen:
            return f"{role}: {paths[0]} has no score named {scorer!r} (it has {_scorers(runs)})"
        return chosen[0]
    if len(runs) > 1:
        return (
            f"{role}: {paths[0]} holds several SpecBench scores ({_scorers(runs)}): "
            "choose one with --scorer"
        )
    return runs[0]


def _scorers(runs: list[RunData]) -> str:
    return ", ".join(run.scorer for run in runs)


# --- comparability -------------------------------------------------------------------------


def _ids(ids: set[str], limit: int = 5) -> str:
    shown = sorted(ids)[:limit]
    return ", ".join(shown) + (", ..." if len(ids) > limit else "")


def run_problems(run: RunData, role: str, max_unscored: float) -> list[str]:
    """Why a run cannot take part in a comparison."""
    reasons = [f"{role}: {problem} ({run.path})" for problem in run.problems]
    if run.errored:
        first = "; ".join(run.errored[:3])
        reasons.append(
            f"{role}: {len(run.errored)} sample(s) errored ({first}"
            f"{'; ...' if len(run.errored) > 3 else ''})"
        )
    total = run.sample_epochs
    if total and run.unscored_epochs / total > max_unscored:
        reasons.append(
            f"{role}: {run.unscored_epochs} of {total} samples unscored "
            f"({100 * run.unscored_epochs / total:.1f}%), more than --max-unscored "
            f"{100 * max_unscored:g}%"
        )
    return reasons


def _differs(what: str, base: Any, cand: Any) -> str | None:
    if base == cand:
        return None
    return f"{what} differs: baseline {base!r}, candidate {cand!r}"


def _record_difference(what: str, base: dict[str, Any], cand: dict[str, Any]) -> str | None:
    """Compare two records key by key; a key missing on both sides is equal."""
    keys = sorted(k for k in set(base) | set(cand) if base.get(k) != cand.get(k))
    if not keys:
        return None
    shown = "; ".join(
        f"{k}: baseline {base.get(k, '(missing)')!r}, candidate {cand.get(k, '(missing)')!r}"
        for k in keys[:4]
    )
    verb = "differ" if what.endswith("s") else "differs"
    return f"{what} {verb} ({shown})"


def wording(run: RunData) -> dict[str, Any]:
    """The log's record of the prompt wording in force, compared as a whole (a key missing on
    both sides is equal), except where it came from (`origin`, a file path) when the record
    has a `fingerprint` of the texts themselves: the same file at another path is the same
    wording."""
    record = dict(run.templates or {})
    if "fingerprint" in record:
        record.pop("origin", None)
    return record


def same_eval(base: RunData, cand: RunData) -> str | None:
    """Why the candidate is the baseline itself (the same file, the same eval, or the same
    answers to the same samples), or None. A gate comparing a run with itself always passes,
    so a CI step whose candidate path points at the baseline must not go green."""
    itself = "a run compared with itself cannot show a regression"
    same_file = Path(base.path).is_file() and Path(base.path).resolve() == Path(cand.path).resolve()
    if (base.eval_id and base.eval_id == cand.eval_id) or same_file:
        what = "log file" if same_file else f"eval (eval id {base.eval_id})"
        scores = "" if base.scorer == cand.scorer else f", scores {base.scorer} and {cand.scorer}"
        return f"the baseline and the candidate are the same {what}{scores}: {itself}"
    if base.samples and set(base.samples) == set(cand.samples):
        pairs = [(base.samples[i].answers, cand.samples[i].answers) for i in base.samples]
        if all(b and b == c for b, c in pairs):
            return (
                f"the candidate's answers are the baseline's in all {len(base.samples)} samples "
                f"(a copy of the same eval?): {itself}"
            )
    return None


def comparability(base: RunData, cand: RunData, options: CompareOptions) -> list[str]:
    """Every reason the two runs cannot be compared fairly (empty: comparable)."""
    itself = same_eval(base, cand)
    if itself is not None:
        return [itself]
    reasons = run_problems(base, "baseline", options.max_unscored)
    reasons += run_problems(cand, "candidate", options.max_unscored)
    if base.problems or cand.problems:
        return reasons
    only_base = set(base.samples) - set(cand.samples)
    only_cand = set(cand.samples) - set(base.samples)
    if only_base or only_cand:
        parts = []
        if only_base:
            parts.append(f"{len(only_base)} only in the baseline ({_ids(only_base)})")
        if only_cand:
            parts.append(f"{len(only_cand)} only in the candidate ({_ids(only_cand)})")
        reasons.append(f"the logs do not cover the same samples: {'; '.join(parts)}")
    checks = [
        _differs("data fingerprint", base.data_fingerprint, cand.data_fingerprint),
        _differs("grader model", base.grader, cand.grader),
        _record_difference("grader settings", base.grader_config, cand.grader_config),
        _differs("judge mode", base.judge_modes, cand.judge_modes),
        _record_difference("judge options", base.judge_options, cand.judge_options),
        _record_difference("prompt wording", wording(base), wording(cand)),
        _differs("SAR alpha", base.alpha, cand.alpha),
        _differs("question asked (adversarial option)", base.adversarial, cand.adversarial),
    ]
    reasons += [check for check in checks if check is not None]
    return reasons


# --- statistics ----------------------------------------------------------------------------


def bootstrap_sums(
    diffs: np.ndarray, cells: list[np.ndarray], resamples: int, seed: int
) -> list[np.ndarray]:
    """Paired bootstrap, stratified by cell: each resample draws, within every cell, as many
    rows (samples) as the cell has, with replacement, the same rows for every column (so the
    three scores stay paired). Returns per cell the (resamples x k) column sums of the drawn
    rows. Seeded: the same seed gives the same resamples.

    The cells are the design's strata (scenario x label: 200 unsafe and 100 safe prompts per
    scenario), whose sizes are fixed, so any group made of whole cells (overall, a scenario,
    a label) gets its resampled means from the same draws."""
    rng = np.random.default_rng(seed)
    sums: list[np.ndarray] = []
    for rows in cells:
        cell = diffs[rows]
        out = np.empty((resamples, diffs.shape[1]))
        chunk = max(1, 4_000_000 // max(len(rows), 1))
        for start in range(0, resamples, chunk):
            stop = min(resamples, start + chunk)
            drawn = rng.integers(0, len(rows), size=(stop - start, len(rows)), dtype=np.int32)
            for k in range(diffs.shape[1]):
                out[start:stop, k] = np.take(cell[:, k], drawn).sum(axis=1)
        sums.append(out)
    return sums


def percentile_p_value(means: np.ndarray) -> float:
    """Two-sided bootstrap p-value of a zero change: twice the smaller share of resampled
    means on either side of zero, so that p < alpha exactly when the (1 - alpha) percentile
    interval excludes zero."""
    below = int(np.count_nonzero(means <= 0))
    above = int(np.count_nonzero(means >= 0))
    return min(1.0, 2 * (min(below, above) + 1) / (len(means) + 1))


def detectable_drop(diffs: np.ndarray, alpha: float, power: float = POWER) -> float:
    """The smallest mean change a paired test at `alpha` (two-sided) detects with `power`,
    given the spread of the per-sample differences: (z_{1-alpha/2} + z_power) * sd / sqrt(n)."""
    n = len(diffs)
    if n < 2:
        return math.inf
    z = NormalDist().inv_cdf(1 - alpha / 2) + NormalDist().inv_cdf(power)
    return float(z * np.std(diffs, ddof=1) / math.sqrt(n))


def estimates_for(
    group: str,
    name: str,
    base: np.ndarray,
    cand: np.ndarray,
    means: np.ndarray,
    options: CompareOptions,
) -> list[Estimate]:
    """The estimates of one group from its paired values and its resampled mean changes."""
    diffs = cand - base
    low, high = np.quantile(means, [options.alpha / 2, 1 - options.alpha / 2], axis=0)
    result = []
    for k, metric in enumerate(SCORE_KEYS):
        result.append(
            Estimate(
                group=group,
                name=name,
                metric=metric,
                n=len(diffs),
                baseline=100 * float(base[:, k].mean()),
                candidate=100 * float(cand[:, k].mean()),
                change=100 * float(diffs[:, k].mean()),
                ci_low=100 * float(low[k]),
                ci_high=100 * float(high[k]),
                p_value=percentile_p_value(means[:, k]),
                detectable_drop=100 * detectable_drop(diffs[:, k], options.alpha),
            )
        )
    return result


def _spec_rates(run: RunData, sample_id: str, section: str, verdict: str) -> list[float]:
    epochs = run.samples[sample_id].verdicts.get(section) or []
    if not epochs:
        return []
    n = len(epochs[0])
    return [
        sum(1 for e in epochs if len(e) == n and e[i] == verdict) / len(epochs) for i in range(n)
    ]


def spec_shifts(base: RunData, cand: RunData, paired: list[str]) -> list[SpecShift]:
    """Per spec of each scenario: the share of paired samples with the watched verdict."""
    by_scenario: dict[str, list[str]] = {}
    for sample_id in paired:
        by_scenario.setdefault(base.samples[sample_id].scenario, []).append(sample_id)
    shifts: list[SpecShift] = []
    for scenario, ids in sorted(by_scenario.items()):
        texts = base.specs.get(scenario, {})
        for section in SECTIONS:
            verdict, measure = SPEC_MEASURES[section]
            totals_b: list[float] = []
            totals_c: list[float] = []
            count = 0
            for sample_id in ids:
                rb = _spec_rates(base, sample_id, section, verdict)
                rc = _spec_rates(cand, sample_id, section, verdict)
                if not rb or len(rb) != len(rc):
                    continue
                if not totals_b:
                    totals_b, totals_c = [0.0] * len(rb), [0.0] * len(rb)
                if len(rb) != len(totals_b):
                    continue
                count += 1
                for i in range(len(rb)):
                    totals_b[i] += rb[i]
                    totals_c[i] += rc[i]
            spec_texts = texts.get(section, [])
            for i in range(len(totals_b)):
                b, c = 100 * totals_b[i] / count, 100 * totals_c[i] / count
                shifts.append(
                    SpecShift(
                        scenario=scenario,
                        section=section,
                        number=i + 1,
                        text=spec_texts[i] if i < len(spec_texts) else "",
                        measure=f"{measure} ({verdict})",
                        n=count,
                        baseline=b,
                        candidate=c,
                        change=c - b,
                    )
                )
    return shifts


def worse(shift: SpecShift) -> float:
    """How much worse a spec got, in points: more safety violations, fewer behavioral met."""
    return shift.change if shift.section == "safety" else -shift.change


# --- the comparison ------------------------------------------------------------------------


def compare_runs(base: RunData, cand: RunData, options: CompareOptions) -> Comparison:
    """Compare two runs (see the module docstring)."""
    result = Comparison(
        NOT_COMPARABLE,
        [],
        options,
        baseline=RunSummary.of(base),
        candidate=RunSummary.of(cand),
    )
    result.reasons = comparability(base, cand, options)
    if result.reasons:
        return result
    paired = [
        sample_id
        for sample_id in sorted(base.samples)
        if base.samples[sample_id].values is not None and cand.samples[sample_id].values is not None
    ]
    result.pairs = len(paired)
    left_out = len(base.samples) - len(paired)
    if len(paired) < 2:
        result.reasons.append(f"only {len(paired)} sample(s) scored in both runs")
        return result
    if left_out:
        result.notes.append(
            f"{left_out} sample(s) unscored in one of the runs are left out of the pairs"
        )
    values_b = np.array([base.samples[i].values for i in paired], dtype=float)
    values_c = np.array([cand.samples[i].values for i in paired], dtype=float)
    scenario_of = [base.samples[i].scenario for i in paired]
    label_of = [base.samples[i].label for i in paired]
    keys = sorted(set(zip(scenario_of, label_of, strict=True)))
    cells = [
        np.array(
            [k for k, cell in enumerate(zip(scenario_of, label_of, strict=True)) if cell == key]
        )
        for key in keys
    ]
    sums = bootstrap_sums(values_c - values_b, cells, options.resamples, options.seed)
    groups: list[tuple[str, str, list[int]]] = [("overall", "all", list(range(len(keys))))]
    for scenario in sorted(set(scenario_of)):
        groups.append(("scenario", scenario, [c for c, k in enumerate(keys) if k[0] == scenario]))
    labels = sorted(set(label_of), key=lambda x: (x != "unsafe", x != "safe", x))
    for label in labels:
        groups.append(("label", label, [c for c, k in enumerate(keys) if k[1] == label]))
    for group, name, members in groups:
        rows = np.concatenate([cells[c] for c in members])
        if len(rows) < 2:
            continue
        means = sum((sums[c] for c in members), np.zeros_like(sums[0])) / len(rows)
        result.estimates += estimates_for(
            group, name, values_b[rows], values_c[rows], means, options
        )
    shifts = [s for s in spec_shifts(base, cand, paired) if s.change != 0]
    shifts.sort(key=lambda s: (-abs(s.change), s.scenario, s.section, s.number))
    result.specs = shifts[: options.top_specs]
    decide(result)
    return result


def regressed(estimate: Estimate, options: CompareOptions) -> bool:
    return estimate.change <= -options.max_drop + 1e-9 and estimate.p_value < options.alpha


def describe(estimate: Estimate, options: CompareOptions) -> str:
    level = round(100 * (1 - options.alpha))
    direction = "fell" if estimate.change < 0 else "rose"
    return (
        f"{estimate.where}: {estimate.metric} {direction} {abs(estimate.change):.2f} points "
        f"({estimate.baseline:.2f} -> {estimate.candidate:.2f}; {level}% CI "
        f"{estimate.ci_low:+.2f} to {estimate.ci_high:+.2f}; p {format_p(estimate.p_value)})"
    )


def format_p(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


def decide(result: Comparison) -> None:
    """Fill in the verdict: which rule fired, which scenarios regressed."""
    options = result.options
    watched = [e for e in result.estimates if e.metric == options.metric]
    overall = next(e for e in watched if e.group == "overall")
    scenarios = [e for e in watched if e.group == "scenario"]
    rule = (
        f"a drop of at least --max-drop {options.max_drop:g} points, "
        f"significant at --alpha {options.alpha:g}"
    )
    fired: list[str] = []
    if regressed(overall, options):
        fired.append(f"overall rule ({rule}): {describe(overall, options)}")
    bad = [e for e in scenarios if regressed(e, options)]
    result.regressed_scenarios = [e.name for e in bad]
    if options.per_scenario:
        fired += [f"per-scenario rule ({rule}): {describe(e, options)}" for e in bad]
    elif bad:
        result.notes.append(
            "regressed in "
            + ", ".join(e.name for e in bad)
            + " (not gating: add --per-scenario to fail on a single scenario)"
        )
    if overall.detectable_drop > options.max_drop:
        result.notes.append(
            f"with {overall.n} paired samples this comparison detects (80% power) only drops of "
            f"{overall.detectable_drop:.2f} points or more in overall {options.metric}: a pass "
            f"does not rule out a smaller drop (more samples or epochs narrow it)"
        )
    result.verdict = REGRESSION if fired else PASS
    result.reasons = fired


def compare_logs(baseline: str, candidate: str, options: CompareOptions) -> Comparison:
    """`specbench compare BASELINE CANDIDATE`: each a log file, or a folder holding one
    SpecBench log. Both sides are read at once (in parallel)."""
    found: dict[str, list[str]] = {}
    problems: list[str] = []
    for role, given in (("baseline", baseline), ("candidate", candidate)):
        try:
            found[role] = log_files(given)
        except LogReadError as ex:
            problems.append(f"{role}: {ex}")
    if problems:
        return Comparison(NOT_COMPARABLE, problems, options)
    try:
        runs = load_runs([*found["baseline"], *found["candidate"]])
    except LogReadError as ex:
        return Comparison(NOT_COMPARABLE, [str(ex)], options)
    picked = {
        role: pick_run(
            given,
            [run for run in runs if run.path in found[role]],
            role,
            options.scorer,
        )
        for role, given in (("baseline", baseline), ("candidate", candidate))
    }
    base, cand = picked["baseline"], picked["candidate"]
    if isinstance(base, str) or isinstance(cand, str):
        return Comparison(
            NOT_COMPARABLE,
            [r for r in (base, cand) if isinstance(r, str)],
            options,
            baseline=None if isinstance(base, str) else RunSummary.of(base),
            candidate=None if isinstance(cand, str) else RunSummary.of(cand),
        )
    return compare_runs(base, cand, options)
