"""What `specbench compare` prints: a readable table, Markdown (CI job summary, pull-request
comment) or JSON (everything, for machines). Every field from the logs (paths, model and grader
names, spec texts, reasons quoting them) is escaped for its format (`escape.py`)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .. import escape
from .compare import NOT_COMPARABLE, PASS, Comparison, Estimate, RunSummary, format_p
from .tables import markdown_table, text_table

HEADLINE = {
    PASS: "PASS",
    "regression": "REGRESSION",
    NOT_COMPARABLE: "NOT COMPARABLE",
}
MARK = {PASS: "✅", "regression": "❌", NOT_COMPARABLE: "⚠️"}
SPEC_TEXT_CHARS = 90


def _run_line(run: RunSummary | None, field: Callable[[Any], str]) -> str:
    """What a run is, each field from the log written through `field` (the escaping of the
    output format)."""
    if run is None:
        return "-"
    scorer = "" if run.scorer == "spec_judge" else f" [{field(run.scorer)}]"
    epochs = f" ({run.sample_epochs} sample-epochs)" if run.sample_epochs != run.samples else ""
    return (
        f"{field(run.path)}{scorer} ({field(run.model)} · {field(run.method)} · grader "
        f"{field(run.grader)}; {run.samples} samples{epochs}, {run.unscored} unscored, "
        f"{run.errored} errored)"
    )


def _number(x: float) -> str:
    return "-" if math.isnan(x) else f"{x:.2f}"


def _estimate_rows(result: Comparison) -> list[list[str]]:
    rows = []
    for e in result.estimates:
        rows.append(
            [
                e.where,
                str(e.n),
                e.metric + (" *" if e.metric == result.options.metric else ""),
                _number(e.baseline),
                _number(e.candidate),
                f"{e.change:+.2f}",
                f"[{e.ci_low:+.2f}, {e.ci_high:+.2f}]",
                format_p(e.p_value).lstrip("= "),
                _number(e.detectable_drop),
            ]
        )
    return rows


ESTIMATE_HEADER = [
    "group",
    "n",
    "metric",
    "baseline",
    "candidate",
    "change",
    "CI",
    "p",
    "detectable drop",
]


def _spec_rows(result: Comparison, limit: int | None) -> list[list[str]]:
    rows = []
    for s in result.specs:
        text = s.text if limit is None or len(s.text) <= limit else s.text[: limit - 1] + "…"
        rows.append(
            [
                s.scenario,
                f"{s.section} {s.number}",
                s.measure,
                _number(s.baseline),
                _number(s.candidate),
                f"{s.change:+.2f}",
                text,
            ]
        )
    return rows


SPEC_HEADER = ["scenario", "spec", "rate of", "baseline", "candidate", "change", "text"]


def _estimate_caption(result: Comparison) -> str:
    o = result.options
    return (
        f"Change (candidate - baseline) in points, {result.pairs} samples paired by id "
        f"(epochs averaged), {round(100 * (1 - o.alpha))}% CI from {o.resamples} paired "
        f"bootstrap resamples (seed {o.seed}); detectable drop: 80% power at alpha {o.alpha:g}; "
        f"* the gated metric"
    )


def render_text(result: Comparison) -> str:
    lines = [
        f"SpecBench compare: {HEADLINE[result.verdict]} (exit {result.exit_code})",
        f"  baseline : {_run_line(result.baseline, escape.text)}",
        f"  candidate: {_run_line(result.candidate, escape.text)}",
    ]
    if result.verdict == NOT_COMPARABLE:
        lines.append("Not comparable:")
    elif result.reasons:
        lines.append("Rules that fired:")
    lines += [f"  - {escape.text(reason)}" for reason in result.reasons]
    if result.regressed_scenarios:
        lines.append(f"Regressed scenarios: {escape.text(', '.join(result.regressed_scenarios))}")
    lines += [f"Note: {escape.text(note)}" for note in result.notes]
    if result.estimates:
        lines += ["", _estimate_caption(result)]
        lines.append(text_table(ESTIMATE_HEADER, _estimate_rows(result), {1, 3, 4, 5, 8}))
    if result.specs:
        lines += ["", "Specs whose verdicts moved most (share of paired samples, points):"]
        lines.append(text_table(SPEC_HEADER, _spec_rows(result, SPEC_TEXT_CHARS), {3, 4, 5}))
    return "\n".join(lines)


def render_markdown(result: Comparison) -> str:
    o = result.options
    lines = [
        f"### {MARK[result.verdict]} SpecBench release gate: {HEADLINE[result.verdict]}",
        "",
        f"- **baseline**: {_run_line(result.baseline, escape.markdown)}",
        f"- **candidate**: {_run_line(result.candidate, escape.markdown)}",
        f"- rule: `{o.metric}` must not fall by {o.max_drop:g} points or more with p < "
        f"{o.alpha:g}" + (" (overall and in each scenario)" if o.per_scenario else " (overall)"),
    ]
    if result.reasons:
        title = "Not comparable" if result.verdict == NOT_COMPARABLE else "Rules that fired"
        lines += ["", f"**{title}:**", ""]
        lines += [f"- {escape.markdown(reason)}" for reason in result.reasons]
    if result.regressed_scenarios:
        scenarios = escape.markdown(", ".join(result.regressed_scenarios))
        lines += ["", f"**Regressed scenarios:** {scenarios}"]
    if result.notes:
        lines += [""] + [f"> {escape.markdown(note)}" for note in result.notes]
    if result.estimates:
        lines += ["", _estimate_caption(result) + ".", ""]
        lines.append(markdown_table(ESTIMATE_HEADER, _estimate_rows(result), {1, 3, 4, 5, 8}))
    if result.specs:
        lines += ["", "Specs whose verdicts moved most (share of paired samples, points):", ""]
        lines.append(markdown_table(SPEC_HEADER, _spec_rows(result, None), {3, 4, 5}))
    return "\n".join(lines) + "\n"


def _clean(value: Any) -> Any:
    """JSON without NaN/inf (null instead), so any JSON reader accepts it."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def render_json(result: Comparison) -> str:
    return escape.json_text(_clean(result.to_json()))


def estimate_of(result: Comparison, where: str, metric: str) -> Estimate:
    """The estimate for `overall`, `scenario travel`, `label unsafe`, ... (for callers)."""
    for e in result.estimates:
        if e.where == where and e.metric == metric:
            return e
    raise KeyError(f"{where} {metric}")


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}
