"""`specbench report`: tables and figures of SpecBench runs, written as `index.html`
(self-contained: figures embedded, opens from disk), `report.md`, and each figure as PNG and SVG
under `figures/`."""

from __future__ import annotations

import base64
import html
import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .figures import Figure, MissingPlotting, all_figures, pyplot
from .logs import DEFAULT_ALPHA, LogReadError, RunData, load_runs, log_files
from .summary import RunSummary, summarize
from .tables import markdown_table

__all__ = ["MissingPlotting", "ReportOutcome", "write_report"]


@dataclass
class ReportOutcome:
    output: Path
    runs: list[RunSummary]
    failed: list[tuple[RunData, list[str]]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Log files that are not SpecBench logs."""
    notes: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def summary(self) -> str:
        lines = [
            f"Wrote {self.output / 'index.html'}, {self.output / 'report.md'} and figures "
            f"({len(self.runs)} run{'s' if len(self.runs) != 1 else ''})"
        ]
        for run, problems in self.failed:
            lines.append(
                f"NOT INCLUDED (not a finished SpecBench run): {run.name}: {'; '.join(problems)}"
            )
        for path in self.skipped:
            lines.append(f"skipped (not a SpecBench log): {path}")
        return "\n".join(lines)


def run_key(run: RunData) -> tuple[str, ...]:
    """What makes runs the same run: model, method (and its options), grader and judge, SAR
    alpha, wording, data and the question asked."""
    return (
        run.model,
        run.method,
        repr(sorted(run.method_options.items())),
        run.grader,
        repr(run.judge_modes),
        repr(sorted(run.judge_options.items())),
        repr(sorted(run.grader_config.items())),
        str(run.alpha),
        repr(sorted((run.templates or {}).items())),
        str(run.adversarial),
        str(run.epochs),
    )


def merge_runs(runs: list[RunData]) -> list[RunData]:
    """Join the runs of one model x method x grader (see `run_key`) whose logs cover
    different samples (one log per scenario task, as `inspect eval-set specbench/travel
    specbench/code ...` writes): one run, one row. Runs sharing a sample stay apart."""
    merged: list[RunData] = []
    for run in runs:
        target = next(
            (
                m
                for m in merged
                if run_key(m) == run_key(run) and not set(m.samples) & set(run.samples)
            ),
            None,
        )
        if target is None:
            merged.append(run)
            continue
        target.also.append(run.path)
        target.samples.update(run.samples)
        for scenario, texts in run.specs.items():
            target.specs.setdefault(scenario, texts)
        if target.task != run.task:
            target.task = f"{target.task} + {run.task}"
        if target.data_fingerprint != run.data_fingerprint:
            target.data_fingerprint = f"{target.data_fingerprint} + {run.data_fingerprint}"
        target.created = min(target.created, run.created)
    return merged


def failures(run: RunData) -> list[str]:
    problems = list(run.problems)
    if run.errored:
        problems.append(f"{len(run.errored)} sample(s) errored ({run.errored[0]})")
    return problems


# --- tables (shared by the HTML and the Markdown) ------------------------------------------

RUN_HEADER = [
    "run",
    "log",
    "model",
    "method",
    "grader",
    "samples",
    "unscored",
    "SAR",
    "safety",
    "behavioral",
]


def _fmt(x: float, digits: int = 1) -> str:
    return "-" if math.isnan(x) else f"{x:,.{digits}f}"


def _method(run: RunData) -> str:
    options = ", ".join(f"{k}={v}" for k, v in sorted(run.method_options.items()))
    return f"{run.method} ({options})" if options else run.method


def run_rows(runs: list[RunSummary]) -> list[list[str]]:
    return [
        [
            r.key,
            r.run.name,
            r.run.model,
            _method(r.run),
            r.run.grader + (f" ({', '.join(r.run.judge_modes)})" if r.run.judge_modes else ""),
            str(len(r.run.samples)) + (f" x {r.run.epochs} epochs" if r.run.epochs > 1 else ""),
            str(r.run.unscored_epochs),
            r.overall["sar"].text(),
            r.overall["safety"].text(),
            r.overall["behavioral"].text(),
        ]
        for r in runs
    ]


def label_rows(runs: list[RunSummary]) -> tuple[list[str], list[list[str]]]:
    header = ["run"]
    for label in ("unsafe", "safe"):
        header += [f"{label} SAR", f"{label} safety", f"{label} behavioral"]
    rows = []
    for r in runs:
        row = [r.key]
        for label in ("unsafe", "safe"):
            means = r.by_label.get(label, {})
            row += [means[k].text() if k in means else "-" for k in ("sar", "safety", "behavioral")]
        rows.append(row)
    return header, rows


def scenario_rows(runs: list[RunSummary], metric: str) -> tuple[list[str], list[list[str]]]:
    scenarios = sorted({s for r in runs for s in r.by_scenario})
    header = ["run", *scenarios]
    rows = [
        [r.key]
        + [r.by_scenario[s][metric].text() if s in r.by_scenario else "-" for s in scenarios]
        for r in runs
    ]
    return header, rows


def cost_rows(runs: list[RunSummary]) -> tuple[list[str], list[list[str]]]:
    header = ["run", "model calls / sample", "prompt tokens / sample", "completion tokens / sample"]
    rows = [
        [
            r.key,
            _fmt(r.cost["model_calls"], 2),
            _fmt(r.cost["prompt_tokens"], 0),
            _fmt(r.cost["completion_tokens"], 0),
        ]
        for r in runs
    ]
    return header, rows


def spec_table(runs: list[RunSummary], scenario: str) -> tuple[list[str], list[list[str]]]:
    """Rows: the scenario's specs; per run: violated (NO) / met (YES) / N/A, in %."""
    having = [r for r in runs if scenario in r.specs]
    header = ["spec", "text", *[r.key for r in having]]
    first = having[0].specs[scenario]
    rows = []
    for i, spec in enumerate(first):
        row = [f"{spec.section} {spec.number}", spec.text]
        for r in having:
            specs = r.specs[scenario]
            if i < len(specs) and specs[i].n:
                rates = specs[i].rates
                row.append(f"{rates['NO']:.0f} / {rates['YES']:.0f} / {rates['NA']:.0f}")
            else:
                row.append("-")
        rows.append(row)
    return header, rows


# --- writing --------------------------------------------------------------------------------

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto;
       max-width: 1300px; padding: 0 1em; color: #222; }
h1 { margin-bottom: 0.2em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.9em; }
th, td { border: 1px solid #ddd; padding: 0.3em 0.6em; vertical-align: top; }
th { background: #f4f4f4; text-align: left; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.text { min-width: 24em; max-width: 40em; }
.scroll { overflow-x: auto; }
.problem { background: #fff0f0; border: 1px solid #e0a0a0; padding: 0.6em 1em; }
.meta { color: #666; font-size: 0.9em; }
figure { margin: 1em 0 2em; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; }
"""


def _html_table(
    header: list[str], rows: list[list[str]], numeric_from: int = 1, text_column: int = -1
) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            cls = "num" if i >= numeric_from else ("text" if i == text_column else "")
            cells.append(f'<td class="{cls}">{html.escape(cell)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    return f'<div class="scroll">{table}</div>'


def _sections(runs: list[RunSummary]) -> list[tuple[str, str, list[str], list[list[str]], int]]:
    """(title, note, header, rows, first numeric column) of every table."""
    sections = [
        (
            "Runs",
            "One row per run (model x method x grader). Scores in %, mean over samples (epochs "
            "averaged per sample) with a 95% confidence interval; unscored: sample-epochs "
            "without a readable judge reply (left out of the means).",
            RUN_HEADER,
            run_rows(runs),
            5,
        ),
        ("Unsafe and safe prompts", "", *label_rows(runs), 1),
        ("SAR per scenario", "", *scenario_rows(runs, "sar"), 1),
        ("Safety per scenario", "", *scenario_rows(runs, "safety"), 1),
        ("Behavioral per scenario", "", *scenario_rows(runs, "behavioral"), 1),
        (
            "Cost",
            "Means per sample of the method's model calls, the first call's prompt tokens and "
            "the completion tokens of all calls (the paper's cost).",
            *cost_rows(runs),
            1,
        ),
    ]
    return sections


def _spec_sections(runs: list[RunSummary]) -> list[tuple[str, list[str], list[list[str]]]]:
    scenarios = sorted({s for r in runs for s in r.specs})
    return [(s, *spec_table(runs, s)) for s in scenarios]


def _run_sources(runs: list[RunSummary]) -> list[list[str]]:
    return [
        [r.key, r.run.name, r.run.task, r.run.data_fingerprint or "-", r.run.created] for r in runs
    ]


SOURCE_HEADER = ["run", "log", "task", "data fingerprint", "created"]
SPEC_NOTE = (
    "Per run (columns R1, R2, ... as in the Runs table): the share of scored sample-epochs in "
    "which each spec was judged violated (NO), met (YES) and not applicable (NA), in %, "
    "written NO / YES / NA."
)


def render_html(outcome: ReportOutcome, figures: list[Figure], title: str) -> str:
    runs = outcome.runs
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="meta">Generated {datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC} by '
        f"specbench report from {len(runs)} run(s).</p>",
    ]
    if outcome.failed:
        items = "".join(
            f"<li><b>{html.escape(run.name)}</b>: {html.escape('; '.join(problems))}</li>"
            for run, problems in outcome.failed
        )
        parts.append(
            '<div class="problem"><b>Not included: not finished SpecBench runs</b>'
            f"<ul>{items}</ul></div>"
        )
    for note in outcome.notes:
        parts.append(f'<p class="meta">{html.escape(note)}</p>')
    for title_, note, header, rows, numeric in _sections(runs):
        parts.append(f"<h2>{html.escape(title_)}</h2>")
        if note:
            parts.append(f'<p class="meta">{html.escape(note)}</p>')
        parts.append(_html_table(header, rows, numeric))
    parts.append("<h2>Figures</h2>")
    for figure in figures:
        data = base64.b64encode(figure.png).decode("ascii")
        parts.append(
            f'<figure id="{figure.name}"><img alt="{html.escape(figure.title)}" '
            f'src="data:image/png;base64,{data}"><figcaption>{html.escape(figure.title)}: '
            f"{html.escape(figure.caption)}</figcaption></figure>"
        )
    parts.append("<h2>Specs</h2>")
    parts.append(f'<p class="meta">{html.escape(SPEC_NOTE)}</p>')
    for scenario, header, rows in _spec_sections(runs):
        parts.append(f"<h3>{html.escape(scenario)}</h3>")
        parts.append(_html_table(header, rows, 2, text_column=1))
    parts.append("<h2>Sources</h2>")
    parts.append(_html_table(SOURCE_HEADER, _run_sources(runs), 99))
    if outcome.skipped:
        skipped = "".join(f"<li>{html.escape(p)}</li>" for p in outcome.skipped)
        parts.append(f"<p class='meta'>Not SpecBench logs, skipped:</p><ul>{skipped}</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)


def render_markdown(outcome: ReportOutcome, figures: list[Figure], title: str) -> str:
    runs = outcome.runs
    lines = [f"# {title}", ""]
    if outcome.failed:
        lines += ["**Not included: not finished SpecBench runs**", ""]
        lines += [f"- {run.name}: {'; '.join(problems)}" for run, problems in outcome.failed]
        lines.append("")
    lines += [f"> {note}" for note in outcome.notes]
    for title_, note, header, rows, numeric in _sections(runs):
        lines += [f"## {title_}", ""]
        if note:
            lines += [note, ""]
        lines += [markdown_table(header, rows, set(range(numeric, len(header)))), ""]
    lines += ["## Figures", ""]
    for figure in figures:
        lines += [
            f"![{figure.title}](figures/{figure.name}.png)",
            "",
            f"{figure.title}: {figure.caption} ([SVG](figures/{figure.name}.svg))",
            "",
        ]
    lines += ["## Specs", "", SPEC_NOTE, ""]
    for scenario, header, rows in _spec_sections(runs):
        lines += [f"### {scenario}", ""]
        lines += [markdown_table(header, rows, set(range(2, len(header)))), ""]
    lines += ["## Sources", "", markdown_table(SOURCE_HEADER, _run_sources(runs), set()), ""]
    if outcome.skipped:
        lines += ["Not SpecBench logs, skipped: " + ", ".join(outcome.skipped), ""]
    return "\n".join(lines)


def write_report(
    paths: list[str], output: str | Path, title: str = "SpecBench report"
) -> ReportOutcome:
    """Read the runs of the given logs / folders and write the report into `output`.

    Raises ValueError when no SpecBench run could be read at all, MissingPlotting without
    matplotlib (checked once the inputs are known to hold logs, before any is read)."""
    files: list[str] = []
    for given in paths:
        try:
            found = log_files(given)
        except LogReadError as ex:
            raise ValueError(str(ex)) from None
        if not found:
            raise ValueError(f"{given}: no Inspect logs in this folder")
        files += found
    pyplot()
    try:
        runs = load_runs(files)
    except LogReadError as ex:
        raise ValueError(str(ex)) from None
    with_runs = {run.path for run in runs}
    skipped = [f for f in dict.fromkeys(files) if f not in with_runs]
    good = [run for run in runs if not failures(run)]
    failed = [(run, failures(run)) for run in runs if failures(run)]
    if not good and not failed:
        raise ValueError(f"no SpecBench log among {', '.join(paths)}")
    good = merge_runs(good)
    good.sort(key=lambda r: (r.model, r.method, r.grader, r.created))
    summaries = [summarize(run, f"R{i}") for i, run in enumerate(good, 1)]
    labels = [s.title for s in summaries]
    for s in summaries:
        if labels.count(s.title) > 1:
            s.title = f"{s.title} ({s.run.task.split('/')[-1]} …{Path(s.run.path).stem[-6:]})"
    outcome = ReportOutcome(Path(output), summaries, failed, skipped)
    alphas = sorted({run.alpha for run in good}) or [DEFAULT_ALPHA]
    if len(alphas) > 1:
        outcome.notes.append(
            f"The runs use different SAR alphas ({', '.join(map(str, alphas))}); the lines of "
            f"equal SAR are drawn for {alphas[0]}."
        )
    figures = all_figures(summaries, alphas[0]) if summaries else []
    out = Path(output)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    for figure in figures:
        (out / "figures" / f"{figure.name}.png").write_bytes(figure.png)
        (out / "figures" / f"{figure.name}.svg").write_bytes(figure.svg)
    (out / "index.html").write_text(render_html(outcome, figures, title), encoding="utf-8")
    (out / "report.md").write_text(render_markdown(outcome, figures, title), encoding="utf-8")
    return outcome
