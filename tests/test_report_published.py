"""The report beside the paper: the published models in the safety-against-behavioral figure
(only for comparable runs, else a note saying why not), the runs table's published
neighbours, and the reproduction check section; on scripted logs edited to look like a run
of the paper's Qwen3-14B."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from helpers.logs import run_specbench
from helpers.paper_runs import paper_copy

from specbench_inspect.analysis.report import write_report
from specbench_inspect.paper_results import published_models

FIGURE = "safety_vs_behavioral"


@pytest.fixture(scope="module")
def scripted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("published")
    return run_specbench(root / "source", per_scenario=6)


def svg_texts(out: Path) -> set[str]:
    """The texts matplotlib drew in the figure (its SVG names each text in a comment)."""
    svg = (out / "figures" / f"{FIGURE}.svg").read_text(encoding="utf-8")
    return set(re.findall(r"<!-- (.*?) -->", svg))


def page_text(out: Path) -> str:
    # <wbr>: where the report lets a long name break; not a gap in the text a person reads
    page = (out / "index.html").read_text(encoding="utf-8").replace("<wbr>", "")
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.mark.slow
def test_comparable_run_is_drawn_among_the_published_models(scripted: Path, tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    paper_copy(scripted, logs / "qwen.eval")
    out = tmp_path / "out"
    outcome = write_report([str(logs)], out)
    assert len(outcome.runs) == 1
    texts = svg_texts(out)
    names = [m.model for m in published_models()]
    assert len(names) == 33
    assert all(name in texts for name in names), sorted(set(names) - texts)
    assert "published instruct (GPT-4.1 grader)" in texts
    assert "published reasoning (GPT-4.1 grader)" in texts
    text = page_text(out)
    assert "Grey: the paper's 33 models (arXiv 2509.14760) judged by GPT-4.1" in text
    assert "not shown" not in text
    # the neighbours of the run's SAR in the GPT-4.1 column, and the reproduction section
    summary = outcome.runs[0]
    sar = summary.overall["sar"].mean
    points = sorted((m.gpt41.sar, m.model) for m in published_models())
    below = [name for value, name in points if value <= sar]
    assert f"below: {below[-1]}" in text if below else "below: none" in text
    assert "(GPT-4.1 column)" in text
    assert "Reproduction check" in text
    assert "is the paper's Qwen3-14B" in text
    assert "covers 2 of the 5 scenarios" in text
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "## Reproduction check" in md and "\n```\nReproduction check (" in md


@pytest.mark.slow
def test_published_models_are_not_shown_beside_another_graders_run(
    scripted: Path, tmp_path: Path
) -> None:
    logs = tmp_path / "logs"
    paper_copy(scripted, logs / "other.eval", grader="anthropic/claude-sonnet-4-5")
    out = tmp_path / "out"
    write_report([str(logs)], out)
    texts = svg_texts(out)
    assert "GPT-5-chat" not in texts and "Qwen3-14B" not in texts
    assert "R1" in texts  # the run itself is drawn
    note = [t for t in texts if t.startswith("The paper's published models are not shown")]
    assert len(note) == 1  # the note, one comment per line of the wrapped text
    svg = (out / "figures" / f"{FIGURE}.svg").read_text(encoding="utf-8")
    assert "anthropic/claude-sonnet-4-5" in " ".join(re.findall(r"<!-- (.*?) -->", svg))
    text = page_text(out)
    assert (
        "The paper's published models are not shown: R1: grader anthropic/claude-sonnet-4-5" in text
    )
    assert "not comparable: grader anthropic/claude-sonnet-4-5" in text


@pytest.mark.slow
def test_a_mix_draws_the_published_points_and_names_the_run_apart(
    scripted: Path, tmp_path: Path
) -> None:
    logs = tmp_path / "logs"
    paper_copy(scripted, logs / "qwen.eval")
    paper_copy(scripted, logs / "other.eval", grader="anthropic/claude-sonnet-4-5")
    out = tmp_path / "out"
    outcome = write_report([str(logs)], out)
    assert len(outcome.runs) == 2
    texts = svg_texts(out)
    assert "GPT-5-chat" in texts
    svg = (out / "figures" / f"{FIGURE}.svg").read_text(encoding="utf-8")
    drawn = " ".join(re.findall(r"<!-- (.*?) -->", svg))
    assert drawn.count("Not comparable with the grey points") == 1
    other = next(r.key for r in outcome.runs if "claude" in r.run.grader)
    assert f"{other}: grader anthropic/claude-sonnet-4-5" in drawn


@pytest.mark.slow
def test_a_run_with_other_wording_is_not_set_beside_the_paper(tmp_path: Path) -> None:
    builtin = run_specbench(
        tmp_path / "source", scenarios=("travel",), per_scenario=3, prompts="builtin"
    )
    logs = tmp_path / "logs"
    paper_copy(builtin, logs / "builtin.eval")
    out = tmp_path / "out"
    write_report([str(logs)], out)
    texts = svg_texts(out)
    assert "GPT-5-chat" not in texts
    text = page_text(out)
    assert (
        "The paper's published models are not shown: R1: not the paper's wording "
        "(prompts='builtin')" in text
    )
    assert "not comparable: not the paper's wording" in text
    assert "NOT a reproduction" in text
