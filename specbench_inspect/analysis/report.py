"""`specbench report`: tables and figures of SpecBench runs, written as `index.html`
(self-contained: figures embedded, opens from disk), `report.md`, and each figure as PNG and SVG
under `figures/`. Every field from the logs (spec texts, model names, file names, error
messages) is escaped for its format (`escape.py`)."""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .. import escape
from .figures import Figure, MissingPlotting, all_figures, pyplot
from .logs import DEFAULT_ALPHA, LogReadError, RunData, log_files, read_all
from .reproduction import neighbours_text, reproduction_lines
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
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    """Log files that cannot be read, with the reason."""

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.unreadable else 0

    def not_included(self) -> list[tuple[str, str]]:
        """(what, why) of every run or file left out of the tables."""
        left = [
            (run.name, f"not a finished SpecBench run: {'; '.join(problems)}")
            for run, problems in self.failed
        ]
        left += [
            (path, f"cannot be read: {why.removeprefix(path + ': ')}")
            for path, why in self.unreadable
        ]
        return left

    def summary(self) -> str:
        lines = [
            f"Wrote {self.output / 'index.html'}, {self.output / 'report.md'} and figures "
            f"({len(self.runs)} run{'s' if len(self.runs) != 1 else ''})"
        ]
        for run, problems in self.failed:
            lines.append(
                "NOT INCLUDED (not a finished SpecBench run): "
                f"{escape.text(run.name)}: {escape.text('; '.join(problems))}"
            )
        for _path, why in self.unreadable:
            lines.append(f"NOT INCLUDED (cannot be read): {escape.text(why)}")
        for path in self.skipped:
            lines.append(f"skipped (not a SpecBench log): {escape.text(path)}")
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
    "label",
    "published neighbours (SAR)",
    "samples",
    "unscored",
    "SAR",
    "safety",
    "behavioral",
]
"""The runs table: what each run is (its label; the Sources table has the details), its
published neighbours, what it holds and its scores; narrow enough for a laptop screen."""


def _fmt(x: float, digits: int = 1) -> str:
    return "-" if math.isnan(x) else f"{x:,.{digits}f}"


def _method(run: RunData) -> str:
    options = ", ".join(f"{k}={v}" for k, v in sorted(run.method_options.items()))
    return f"{run.method} ({options})" if options else run.method


def _grader(run: RunData) -> str:
    return run.grader + (f" ({', '.join(run.judge_modes)})" if run.judge_modes else "")


def scenario_set(run: RunData) -> str:
    return "+".join(sorted({s.scenario for s in run.samples.values()})) or "-"


def run_time(run: RunData) -> str:
    """When the run was made, to the minute (`2026-12-07 00:45`)."""
    return run.created[:16].replace("T", " ")


def run_rows(runs: list[RunSummary]) -> list[list[str]]:
    return [
        [
            r.key,
            r.title,
            neighbours_text(r),
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
table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.9em; max-width: 100%; }
th, td { border: 1px solid #ddd; padding: 0.3em 0.6em; vertical-align: top; }
th { background: #f4f4f4; text-align: left; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.text { min-width: 16em; max-width: 40em; }
.scroll { overflow-x: auto; }
.problem { background: #fff0f0; border: 1px solid #e0a0a0; padding: 0.6em 1em; }
.meta { color: #666; font-size: 0.9em; }
figure { margin: 1em 0 2em; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; }
"""


def _html_table(
    header: list[str], rows: list[list[str]], numeric_from: int = 1, text_column: int = -1
) -> str:
    head = "".join(f"<th>{escape.html(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            cls = "num" if i >= numeric_from else ("text" if i == text_column else "")
            text = escape.html(cell) if cls == "num" else escape.html_wrappable(cell)
            cells.append(f'<td class="{cls}">{text}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    return f'<div class="scroll">{table}</div>'


def _sections(runs: list[RunSummary]) -> list[tuple[str, str, list[str], list[list[str]], int]]:
    """(title, note, header, rows, first numeric column) of every table."""
    sections = [
        (
            "Runs",
            "One row per run (model x method x grader; the Sources table below says what each "
            "is in full). Scores in %, mean over samples (epochs averaged per sample) with a 95% "
            "confidence interval; unscored: sample-epochs without a readable judge reply (left "
            "out of the means). Published neighbours: the paper's models just above and below "
            "the run's SAR, in the column of the run's grader (only for runs comparable with the "
            "paper: see Reproduction check).",
            RUN_HEADER,
            run_rows(runs),
            3,
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
        [
            r.key,
            r.run.name,
            r.run.model,
            _method(r.run),
            _grader(r.run),
            r.run.task,
            scenario_set(r.run),
            r.run.data_fingerprint or "-",
            r.run.created,
        ]
        for r in runs
    ]


SOURCE_HEADER = [
    "run",
    "log",
    "model",
    "method",
    "grader",
    "task",
    "scenarios",
    "data fingerprint",
    "created",
]
SPEC_NOTE = (
    "Per run (columns R1, R2, ... as in the Runs table): the share of scored sample-epochs in "
    "which each spec was judged violated (NO), met (YES) and not applicable (NA), in %, "
    "written NO / YES / NA."
)


REPRODUCTION_NOTE = (
    "Each run against the paper's published numbers (arXiv 2509.14760): its model matched to "
    "a paper model by the documented name rule, its method and grader to a published row; a "
    "reproduction needs the published data and wording, all 1,500 prompts and no recorded "
    "deviation. Consistent: the paper's value lies inside the run's 95% interval."
)


def reproduction_html(runs: list[RunSummary]) -> list[str]:
    """The report's "Reproduction check" section (HTML), one block per run."""
    parts = ["<h2>Reproduction check</h2>", f'<p class="meta">{escape.html(REPRODUCTION_NOTE)}</p>']
    for r in runs:
        text = "\n".join(reproduction_lines(r))
        parts.append(f"<h3>{escape.html(r.key)}</h3><pre>{escape.html(text)}</pre>")
    return parts


def reproduction_markdown(runs: list[RunSummary]) -> list[str]:
    """The report's "Reproduction check" section (Markdown): each run's lines as a code block
    (fenced with more backticks than the text holds, so nothing in it is read as Markdown)."""
    lines = ["## Reproduction check", "", REPRODUCTION_NOTE, ""]
    for r in runs:
        text = "\n".join(reproduction_lines(r))
        longest = max((len(m) for m in re.findall("`+", text)), default=0)
        fence = "`" * max(3, longest + 1)
        lines += [f"### {escape.markdown(r.key)}", "", fence, text, fence, ""]
    return lines


def render_html(outcome: ReportOutcome, figures: list[Figure], title: str) -> str:
    runs = outcome.runs
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape.html(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{escape.html(title)}</h1>",
        f'<p class="meta">Generated {datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC} by '
        f"specbench report from {len(runs)} run(s).</p>",
    ]
    if outcome.not_included():
        items = "".join(
            f"<li><b>{escape.html(what)}</b>: {escape.html(why)}</li>"
            for what, why in outcome.not_included()
        )
        parts.append(
            '<div class="problem"><b>Not included: not finished SpecBench runs or unreadable '
            f"logs</b><ul>{items}</ul></div>"
        )
    for note in outcome.notes:
        parts.append(f'<p class="meta">{escape.html(note)}</p>')
    for title_, note, header, rows, numeric in _sections(runs):
        parts.append(f"<h2>{escape.html(title_)}</h2>")
        if note:
            parts.append(f'<p class="meta">{escape.html(note)}</p>')
        parts.append(_html_table(header, rows, numeric, text_column=1 if title_ == "Runs" else -1))
    parts += reproduction_html(runs)
    parts.append("<h2>Figures</h2>")
    for figure in figures:
        data = base64.b64encode(figure.png).decode("ascii")
        parts.append(
            f'<figure id="{figure.name}"><img alt="{escape.html(figure.title)}" '
            f'src="data:image/png;base64,{data}"><figcaption>{escape.html(figure.title)}: '
            f"{escape.html(figure.caption)}</figcaption></figure>"
        )
    parts.append("<h2>Specs</h2>")
    parts.append(f'<p class="meta">{escape.html(SPEC_NOTE)}</p>')
    for scenario, header, rows in _spec_sections(runs):
        parts.append(f"<h3>{escape.html(scenario)}</h3>")
        parts.append(_html_table(header, rows, 2, text_column=1))
    parts.append("<h2>Sources</h2>")
    parts.append(_html_table(SOURCE_HEADER, _run_sources(runs), 99))
    if outcome.skipped:
        skipped = "".join(f"<li>{escape.html(p)}</li>" for p in outcome.skipped)
        parts.append(f"<p class='meta'>Not SpecBench logs, skipped:</p><ul>{skipped}</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)


def render_markdown(outcome: ReportOutcome, figures: list[Figure], title: str) -> str:
    runs = outcome.runs
    md = escape.markdown
    lines = [f"# {md(title)}", ""]
    if outcome.not_included():
        lines += ["**Not included: not finished SpecBench runs or unreadable logs**", ""]
        lines += [f"- {md(what)}: {md(why)}" for what, why in outcome.not_included()]
        lines.append("")
    lines += [f"> {md(note)}" for note in outcome.notes]
    for title_, note, header, rows, numeric in _sections(runs):
        lines += [f"## {title_}", ""]
        if note:
            lines += [md(note), ""]
        lines += [markdown_table(header, rows, set(range(numeric, len(header)))), ""]
    lines += reproduction_markdown(runs)
    lines += ["## Figures", ""]
    for figure in figures:
        lines += [
            f"![{md(figure.title)}](figures/{figure.name}.png)",
            "",
            f"{md(figure.title)}: {md(figure.caption)} ([SVG](figures/{figure.name}.svg))",
            "",
        ]
    lines += ["## Specs", "", md(SPEC_NOTE), ""]
    for scenario, header, rows in _spec_sections(runs):
        lines += [f"### {md(scenario)}", ""]
        lines += [markdown_table(header, rows, set(range(2, len(header)))), ""]
    lines += ["## Sources", "", markdown_table(SOURCE_HEADER, _run_sources(runs), set()), ""]
    if outcome.skipped:
        lines += ["Not SpecBench logs, skipped: " + ", ".join(map(md, outcome.skipped)), ""]
    return "\n".join(lines)


def _label_matches(name: str, run: RunData) -> bool:
    """Whether `--label NAME=TEXT` names this run: NAME is one of its log files' names or
    paths, or a folder holding one of them."""
    target = Path(name).expanduser()
    for path in [run.path, *run.also]:
        log = Path(path)
        if name == log.name or name == path:
            return True
        if target.is_file() and log.resolve() == target.resolve():
            return True
        if target.is_dir() and log.resolve().is_relative_to(target.resolve()):
            return True
    return False


def parse_labels(given: list[str]) -> dict[str, str]:
    """`--label NAME=TEXT` options as {NAME: TEXT}; ValueError naming a malformed one."""
    labels: dict[str, str] = {}
    for option in given:
        name, sep, text = option.partition("=")
        if not sep or not name.strip() or not text.strip():
            raise ValueError(
                f"--label {option!r}: write LOG=TEXT (LOG a log file's name or path, or a "
                "folder of logs)"
            )
        labels[name.strip()] = text.strip()
    return labels


def run_titles(summaries: list[RunSummary], labels: Mapping[str, str]) -> None:
    """Each run's title in the tables and figures: the `--label` given for it, else model ·
    method · grader, followed, where runs share that, by what tells them apart: the task, the
    scenario set, the time it was made (and, failing those, the log's name)."""
    for s in summaries:
        given = [text for name, text in labels.items() if _label_matches(name, s.run)]
        s.title = given[0] if given else s.run.label
    groups: dict[str, list[RunSummary]] = {}
    for s in summaries:
        groups.setdefault(s.title, []).append(s)
    for group in groups.values():
        if len(group) < 2:
            continue
        kinds: list[Callable[[RunData], str]] = [
            lambda r: r.task.split("/")[-1],
            scenario_set,
            run_time,
            lambda r: r.created,
            lambda r: r.name,
        ]
        chosen: list[list[str]] = []
        for kind in kinds:
            values = [kind(s.run) for s in group]
            if len(set(values)) > 1:
                chosen.append(values)
            if len(set(zip(*chosen, strict=True))) == len(group):
                break
        for i, s in enumerate(group):
            s.title += " (" + ", ".join(values[i] for values in chosen) + ")"


def write_report(
    paths: list[str],
    output: str | Path,
    title: str = "SpecBench report",
    labels: Mapping[str, str] | None = None,
) -> ReportOutcome:
    """Read the runs of the given logs / folders and write the report into `output`. A log
    that cannot be read, or is not a finished run, is listed under "not included" and the
    rest are reported; `labels` ({log name, path or folder: text}) name runs in the tables
    and figures.

    Raises ValueError when no SpecBench run could be read at all, or a label names no run;
    MissingPlotting without matplotlib (checked once the inputs are known to hold logs,
    before any is read)."""
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
    runs, unreadable = read_all(files)
    with_runs = {run.path for run in runs}
    unread = {path for path, _ in unreadable}
    skipped = [f for f in dict.fromkeys(files) if f not in with_runs and f not in unread]
    good = [run for run in runs if not failures(run)]
    failed = [(run, failures(run)) for run in runs if failures(run)]
    if not good and not failed:
        if unreadable:
            raise ValueError("; ".join(why for _, why in unreadable))
        raise ValueError(f"no SpecBench log among {', '.join(paths)}")
    labels = dict(labels or {})
    unused = [name for name in labels if not any(_label_matches(name, run) for run in good)]
    if unused:
        raise ValueError(
            f"--label {unused[0]}=...: no finished run read from a log of that name, path or folder"
        )
    good = merge_runs(good)
    good.sort(key=lambda r: (r.model, r.method, r.grader, r.created))
    summaries = [summarize(run, f"R{i}") for i, run in enumerate(good, 1)]
    run_titles(summaries, labels)
    outcome = ReportOutcome(Path(output), summaries, failed, skipped, unreadable=unreadable)
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
