"""Per-run summaries for the report: means with 95% confidence intervals, the unsafe / safe
split, per scenario, generation cost, and per-spec verdict rates."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist

from .logs import SCORE_KEYS, SECTIONS, RunData

Z95 = NormalDist().inv_cdf(0.975)
VERDICTS = ("NO", "YES", "NA")


@dataclass(frozen=True)
class Mean:
    """A mean over samples (in points) with its 95% interval (normal approximation, cut to
    the 0-100 range of the scores)."""

    mean: float
    low: float
    high: float
    n: int

    @classmethod
    def of(cls, values: list[float]) -> Mean:
        n = len(values)
        if n == 0:
            return cls(math.nan, math.nan, math.nan, 0)
        mean = sum(values) / n
        if n < 2:
            return cls(100 * mean, math.nan, math.nan, n)
        sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
        half = Z95 * sd / math.sqrt(n)
        # scores lie in [0, 1]: an interval past either end is cut there
        low, high = max(0.0, mean - half), min(1.0, mean + half)
        return cls(100 * mean, 100 * low, 100 * high, n)

    def text(self) -> str:
        if math.isnan(self.mean):
            return "-"
        if math.isnan(self.low):
            return f"{self.mean:.1f}"
        return f"{self.mean:.1f} [{self.low:.1f}, {self.high:.1f}]"


@dataclass(frozen=True)
class SpecRates:
    """How often a spec was judged NO (violated), YES (met) and NA, over scored samples (%)."""

    section: str
    number: int
    text: str
    rates: dict[str, float]
    n: int


@dataclass
class RunSummary:
    run: RunData
    key: str
    """Short id used in figures (R1, R2, ...)."""
    title: str = ""
    """model · method · grader, and the log's name where that alone is not unique."""
    overall: dict[str, Mean] = field(default_factory=dict)
    by_label: dict[str, dict[str, Mean]] = field(default_factory=dict)
    by_scenario: dict[str, dict[str, Mean]] = field(default_factory=dict)
    cost: dict[str, float] = field(default_factory=dict)
    specs: dict[str, list[SpecRates]] = field(default_factory=dict)

    @property
    def scenarios(self) -> list[str]:
        return sorted(self.by_scenario)


def _means(values: list[tuple[float, float, float]]) -> dict[str, Mean]:
    return {key: Mean.of([v[k] for v in values]) for k, key in enumerate(SCORE_KEYS)}


def summarize(run: RunData, key: str) -> RunSummary:
    summary = RunSummary(run, key, run.label)
    scored = [s for s in run.samples.values() if s.values is not None]
    summary.overall = _means([s.values for s in scored if s.values is not None])
    for label in ("unsafe", "safe"):
        subset = [s.values for s in scored if s.label == label and s.values is not None]
        if subset:
            summary.by_label[label] = _means(subset)
    for scenario in sorted({s.scenario for s in scored}):
        subset = [s.values for s in scored if s.scenario == scenario and s.values is not None]
        summary.by_scenario[scenario] = _means(subset)
    costs = [s.cost for s in run.samples.values() if s.cost is not None]
    for k, name in enumerate(("model_calls", "prompt_tokens", "completion_tokens")):
        summary.cost[name] = sum(c[k] for c in costs) / len(costs) if costs else math.nan
    for scenario in sorted(run.specs):
        summary.specs[scenario] = spec_rates(run, scenario)
    return summary


def spec_rates(run: RunData, scenario: str) -> list[SpecRates]:
    """Per spec of a scenario: the share of scored sample-epochs judged NO, YES and NA."""
    result: list[SpecRates] = []
    texts = run.specs.get(scenario, {})
    for section in SECTIONS:
        specs = texts.get(section, [])
        counts = [dict.fromkeys(VERDICTS, 0) for _ in specs]
        total = 0
        for sample in run.samples.values():
            if sample.scenario != scenario:
                continue
            for epoch in sample.verdicts.get(section, []):
                if len(epoch) != len(specs):
                    continue
                total += 1
                for i, verdict in enumerate(epoch):
                    if verdict in counts[i]:
                        counts[i][verdict] += 1
        for i, text in enumerate(specs):
            rates = {v: 100 * counts[i][v] / total if total else math.nan for v in VERDICTS}
            result.append(SpecRates(section, i + 1, text, rates, total))
    return result
