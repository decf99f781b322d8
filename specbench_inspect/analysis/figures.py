"""The report's figures (matplotlib, a dependency of the package):
safety against behavioral with lines of equal SAR, SAR per scenario, SAR against tokens."""

from __future__ import annotations

import io
import math
import textwrap
from dataclasses import dataclass
from typing import Any

from .. import escape
from .summary import RunSummary


class MissingPlotting(Exception):
    """matplotlib is not installed."""


def pyplot() -> Any:
    """matplotlib's pyplot on the file-only Agg backend, or MissingPlotting saying how to get
    it."""
    try:
        import matplotlib
    except ImportError:
        raise MissingPlotting(
            "the report's figures need matplotlib, a dependency of specbench-inspect that is "
            "missing from this environment: pip install matplotlib (or reinstall the package)"
        ) from None
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


@dataclass(frozen=True)
class Figure:
    name: str
    title: str
    caption: str
    png: bytes
    svg: bytes


def _render(plt: Any, fig: Any) -> tuple[bytes, bytes]:
    png, svg = io.BytesIO(), io.BytesIO()
    fig.savefig(png, format="png", dpi=110, bbox_inches="tight")
    fig.savefig(svg, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return png.getvalue(), svg.getvalue()


def _errors(center: float, low: float, high: float) -> list[list[float]]:
    if math.isnan(low) or math.isnan(high):
        return [[0.0], [0.0]]
    return [[center - low], [high - center]]


def _unscored(run: RunSummary) -> str:
    """A note for a run with no scored sample (it is in the legend but has no point)."""
    return " (no scored sample: not drawn)" if math.isnan(run.overall["sar"].mean) else ""


def _legend(ax: Any, handles: list[Any], runs: list[RunSummary]) -> None:
    if not handles:
        return
    ax.legend(
        handles,
        [f"{r.key}: {escape.figure(r.title)}{_unscored(r)}" for r in runs],
        loc="upper left",
        bbox_to_anchor=(1.1, 1.0),
        fontsize=8,
        frameon=False,
    )


def _label_points(ax: Any, points: list[tuple[str, float, float]]) -> None:
    """Annotate each point with its run key; keys of points that fall together are stacked
    instead of drawn over each other. A point without a value (a run whose samples are all
    unscored) is not drawn, so it gets no key."""
    seen: dict[tuple[int, int], int] = {}
    for key, x, y in points:
        if not (math.isfinite(x) and math.isfinite(y)):
            continue
        spot = (round(x), round(y))
        stacked = seen.get(spot, 0)
        seen[spot] = stacked + 1
        offset = (6, 4 + 11 * stacked)
        ax.annotate(key, (x, y), xytext=offset, textcoords="offset points", fontsize=8)


def safety_vs_behavioral(plt: Any, runs: list[RunSummary], alpha: float) -> Figure:
    """Each run a point (behavioral, safety) with its 95% intervals, over lines of equal SAR
    (`SAR = S * (alpha + (1 - alpha) * B)`, the paper's picture)."""
    fig, ax = plt.subplots(figsize=(8.5, 5.5))
    grid = [i / 100 for i in range(0, 101)]
    for level in range(10, 100, 10):
        xs, ys = [], []
        for b in grid:
            s = (level / 100) / (alpha + (1 - alpha) * b)
            if s <= 1:
                xs.append(100 * b)
                ys.append(100 * s)
        if xs:
            ax.plot(xs, ys, color="#bbbbbb", linewidth=0.8, zorder=1)
            ax.annotate(
                f"SAR {level}",
                (xs[-1], ys[-1]),
                fontsize=7,
                color="#888888",
                xytext=(2, 2),
                textcoords="offset points",
            )
    published_note = draw_published(ax, runs)
    handles = []
    points: list[tuple[str, float, float]] = []
    for r in runs:
        safe, met = r.overall["safety"], r.overall["behavioral"]
        handle = ax.errorbar(
            met.mean,
            safe.mean,
            xerr=_errors(met.mean, met.low, met.high),
            yerr=_errors(safe.mean, safe.low, safe.high),
            fmt="o",
            capsize=3,
            zorder=3,
        )
        handles.append(handle)
        points.append((r.key, met.mean, safe.mean))
    _label_points(ax, points)
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 102)
    ax.set_xlabel("behavioral (%)")
    ax.set_ylabel("safety (%)")
    ax.set_title(f"Safety against behavioral (grey: equal SAR, alpha {alpha:g})")
    ax.grid(alpha=0.2)
    _legend(ax, handles, runs)
    png, svg = _render(plt, fig)
    return Figure(
        "safety_vs_behavioral",
        "Safety against behavioral",
        "Each run a point with its 95% intervals; grey lines join points of equal SAR. "
        + published_note,
        png,
        svg,
    )


def _place_labels(
    ax: Any, points: list[tuple[str, float, float]], fontsize: float, color: str
) -> None:
    """Label many points without drawing labels over each other or over the points: each
    label goes to the first free spot of a ring of offsets around its point (greedy, in
    display units); a label that finds none is drawn at its last candidate with a thin line."""
    fig = ax.figure
    scale = fig.dpi / 72
    width_of = 0.52 * fontsize * scale  # an average character, in pixels
    height = 1.15 * fontsize * scale
    where = [ax.transData.transform((x, y)) for _, x, y in points]
    taken: list[tuple[float, float, float, float]] = [
        (px - 3 * scale, py - 3 * scale, px + 3 * scale, py + 3 * scale) for px, py in where
    ]
    gap = 3 * scale
    for (text, x, y), (px, py) in zip(points, where, strict=True):
        width = width_of * len(text)
        candidates = []
        for ring in (1, 2, 3, 4):
            d = gap * ring
            candidates += [
                (px + d, py - height / 2),
                (px + d, py + d * 0.3),
                (px + d, py - height - d * 0.3),
                (px - d - width, py - height / 2),
                (px - width / 2, py + d),
                (px - width / 2, py - d - height),
                (px - d - width, py + d * 0.3),
                (px - d - width, py - height - d * 0.3),
            ]
        chosen = candidates[-1]
        for left, bottom in candidates:
            box = (left, bottom, left + width, bottom + height)
            if not any(
                box[0] < t[2] and t[0] < box[2] and box[1] < t[3] and t[1] < box[3] for t in taken
            ):
                chosen = left, bottom
                break
        left, bottom = chosen
        taken.append((left, bottom, left + width, bottom + height))
        free = chosen != candidates[-1]
        ax.annotate(
            text,
            (x, y),
            xytext=((left - px) / scale, (bottom - py) / scale),
            textcoords="offset points",
            fontsize=fontsize,
            color=color,
            ha="left",
            va="bottom",
            zorder=2,
            arrowprops=None if free else {"arrowstyle": "-", "color": "#cccccc", "lw": 0.5},
        )


def _literal(text: str) -> str:
    """`text` drawn as written: matplotlib reads `$...$` as mathematics."""
    return text.replace("$", r"\$")


PUBLISHED_STYLE = {
    "instruct": {"marker": "o", "color": "#b0b0b0", "label": "published instruct"},
    "reasoning": {"marker": "^", "color": "#707070", "label": "published reasoning"},
}


def draw_published(ax: Any, runs: list[RunSummary]) -> str:
    """The paper's 33 models as labelled grey points under the runs, in the column of the
    runs' grader (GPT-4.1 first), when a run is comparable with them (see
    `reproduction.comparability`); otherwise a note in the figure saying why they are not
    shown. Returns the sentence for the caption."""
    from ..paper_results import GRADERS, GraderKey, published_models
    from .reproduction import comparability

    verdicts = {r.key: comparability(r.run) for r in runs}
    columns = {column for column, _ in verdicts.values() if column is not None}
    column: GraderKey | None = (
        "gpt-4.1" if "gpt-4.1" in columns else ("qwen3-32b" if columns else None)
    )
    if column is None:
        why = "; ".join(f"{key}: {'; '.join(reasons)}" for key, (_, reasons) in verdicts.items())
        note = f"The paper's published models are not shown: {why}."
        ax.text(
            1.1,
            0.0,
            _literal(textwrap.fill(note, 60)),
            transform=ax.transAxes,
            fontsize=7,
            color="#444444",
            va="bottom",
            ha="left",
        )
        return note
    grader = GRADERS[column]
    ax.figure.set_size_inches(12, 8)
    ax.set_xlim(0, 100)  # as the figure sets them: the labels are placed in display units
    ax.set_ylim(0, 102)
    handles = []
    labelled: list[tuple[str, float, float]] = []
    for kind, style in PUBLISHED_STYLE.items():
        models = [m for m in published_models() if m.type == kind]
        xs = [m.scores(column).behavioral for m in models]
        ys = [m.scores(column).safety for m in models]
        handles.append(
            ax.scatter(xs, ys, s=16, marker=style["marker"], color=style["color"], zorder=2)
        )
        labelled += [(m.model, x, y) for m, x, y in zip(models, xs, ys, strict=True)]
    _place_labels(ax, labelled, fontsize=5.5, color="#777777")
    legend = ax.legend(
        handles,
        [f"{PUBLISHED_STYLE[k]['label']} ({grader.name} grader)" for k in PUBLISHED_STYLE],
        loc="lower left",
        fontsize=7,
        frameon=False,
    )
    ax.add_artist(legend)
    others = [(key, reasons) for key, (c, reasons) in verdicts.items() if c != column]
    note = (
        f"Grey: the paper's 33 models (arXiv 2509.14760) judged by {grader.description}, "
        "circles instruct, triangles reasoning."
    )
    if others:
        apart = "; ".join(
            f"{key}: {'; '.join(reasons) or 'judged by the other published grader'}"
            for key, reasons in others
        )
        note += f" Not comparable with the grey points: {apart}."
        ax.text(
            1.1,
            0.0,
            _literal(textwrap.fill(f"Not comparable with the grey points: {apart}", 60)),
            transform=ax.transAxes,
            fontsize=7,
            color="#a04040",
            va="bottom",
            ha="left",
        )
    return note


def sar_by_scenario(plt: Any, runs: list[RunSummary]) -> Figure:
    scenarios = sorted({s for r in runs for s in r.by_scenario})
    columns = [*scenarios, "all"]
    fig, ax = plt.subplots(figsize=(max(7.0, 1.3 * len(columns) + 3), 5))
    width = 0.8 / max(len(runs), 1)
    for i, r in enumerate(runs):
        means = [r.by_scenario.get(s, {}).get("sar") for s in scenarios] + [r.overall["sar"]]
        xs = [c + (i - (len(runs) - 1) / 2) * width for c in range(len(columns))]
        heights = [m.mean if m is not None else math.nan for m in means]
        lows = [m.mean - m.low if m is not None and not math.isnan(m.low) else 0 for m in means]
        highs = [m.high - m.mean if m is not None and not math.isnan(m.high) else 0 for m in means]
        label = f"{r.key}: {escape.figure(r.title)}"
        ax.bar(xs, heights, width, yerr=[lows, highs], capsize=2, label=label)
    ax.set_xticks(range(len(columns)), [escape.figure(c) for c in columns])
    ax.set_ylabel("SAR (%)")
    ax.set_ylim(0, 100)
    ax.set_title("SAR per scenario (95% intervals)")
    ax.grid(axis="y", alpha=0.2)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8, frameon=False)
    png, svg = _render(plt, fig)
    return Figure(
        "sar_by_scenario",
        "SAR per scenario",
        "SAR of each run in each scenario and over all its samples, with 95% intervals.",
        png,
        svg,
    )


def sar_vs_tokens(plt: Any, runs: list[RunSummary]) -> Figure:
    fig, ax = plt.subplots(figsize=(8.5, 5.5))
    tokens = [r.cost.get("completion_tokens", math.nan) for r in runs]
    handles, shown = [], []
    points: list[tuple[str, float, float]] = []
    for r, x in zip(runs, tokens, strict=True):
        sar = r.overall["sar"]
        if math.isnan(x):
            continue
        yerr = _errors(sar.mean, sar.low, sar.high)
        handles.append(ax.errorbar(x, sar.mean, yerr=yerr, fmt="o", capsize=3))
        shown.append(r)
        points.append((r.key, x, sar.mean))
    finite = [t for t in tokens if not math.isnan(t) and t > 0]
    if finite and max(finite) / min(finite) > 20:
        ax.set_xscale("log")
    elif finite:
        ax.set_xlim(0, 1.15 * max(finite))
    ax.set_xlabel("completion tokens per sample (all calls of the method)")
    ax.set_ylabel("SAR (%)")
    ax.set_ylim(0, 100)
    _label_points(ax, points)
    ax.set_title("SAR against cost")
    ax.grid(alpha=0.2)
    _legend(ax, handles, shown)
    png, svg = _render(plt, fig)
    return Figure(
        "sar_vs_tokens",
        "SAR against tokens per sample",
        "Each run's SAR (95% interval) against the completion tokens its method spent per "
        "sample (runs without a generation record are left out).",
        png,
        svg,
    )


def all_figures(runs: list[RunSummary], alpha: float) -> list[Figure]:
    plt = pyplot()
    plt.rcParams["svg.hashsalt"] = "specbench"
    return [
        safety_vs_behavioral(plt, runs, alpha),
        sar_by_scenario(plt, runs),
        sar_vs_tokens(plt, runs),
    ]
