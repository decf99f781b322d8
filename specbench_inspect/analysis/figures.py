"""The report's figures (matplotlib, a dependency of the package):
safety against behavioral with lines of equal SAR, SAR per scenario, SAR against tokens."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Any

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


def _legend(ax: Any, handles: list[Any], runs: list[RunSummary]) -> None:
    if not handles:
        return
    ax.legend(
        handles,
        [f"{r.key}: {r.title}" for r in runs],
        loc="upper left",
        bbox_to_anchor=(1.1, 1.0),
        fontsize=8,
        frameon=False,
    )


def _label_points(ax: Any, points: list[tuple[str, float, float]]) -> None:
    """Annotate each point with its run key; keys of points that fall together are stacked
    instead of drawn over each other."""
    seen: dict[tuple[int, int], int] = {}
    for key, x, y in points:
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
        "Each run a point with its 95% intervals; grey lines join points of equal SAR.",
        png,
        svg,
    )


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
        ax.bar(xs, heights, width, yerr=[lows, highs], capsize=2, label=f"{r.key}: {r.title}")
    ax.set_xticks(range(len(columns)), columns)
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
