"""The reproduction check on scripted runs: runs placed inside and outside the paper's value,
runs with recorded deviations, runs that are not comparable, and the published neighbours."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from specbench_inspect.analysis.logs import RunData, SampleResult
from specbench_inspect.analysis.reproduction import (
    Provenance,
    comparability,
    neighbours,
    neighbours_text,
    reproduction,
    reproduction_lines,
)
from specbench_inspect.analysis.summary import Mean, RunSummary

SCENARIOS = ("biochem", "child", "code", "health", "travel")
OFF = {"chat_template_kwargs": {"enable_thinking": False}}
ON = {"chat_template_kwargs": {"enable_thinking": True}}
QWEN3_OFF_DECODING = {"max_tokens": 4200, "temperature": 0.7, "top_p": 0.8, "extra_body": OFF}


def samples(per_scenario: int = 300, scenarios: tuple[str, ...] = SCENARIOS) -> dict[str, Any]:
    found = {}
    for scenario in scenarios:
        for i in range(per_scenario):
            sid = f"{scenario}-{i}"
            label = "unsafe" if i < 200 else "safe"
            found[sid] = SampleResult(sid, scenario, label, 1, 0, (0.5, 1.0, 0.5), {}, None)
    return found


def scripted_run(
    model: str = "vllm/Qwen/Qwen3-14B",
    method: str = "vanilla",
    grader: str = "openai/gpt-4.1",
    grader_config: dict[str, Any] | None = None,
    method_options: dict[str, Any] | None = None,
    per_scenario: int = 300,
    scenarios: tuple[str, ...] = SCENARIOS,
) -> RunData:
    return RunData(
        path="scripted.eval",
        scorer="spec_judge",
        task="specbench",
        status="success",
        model=model,
        created="2026-12-07",
        method=method,
        method_options=method_options or {},
        graders=(grader,),
        grader_config={"model": grader, **(grader_config or {})},
        judge_modes=("joint",),
        adversarial=True,
        samples=samples(per_scenario, scenarios),
    )


def provenance(model_config: dict[str, Any] | None = None, **changes: Any) -> Provenance:
    base = Provenance(
        published=True,
        unpublished_scenarios=(),
        wording_is_paper=True,
        deviations=(),
        model_config=QWEN3_OFF_DECODING if model_config is None else model_config,
        options={"behavioral_na": "count", "label": None, "prompts": "paper"},
        scenarios=SCENARIOS,
    )
    return replace(base, **changes)


def summary(
    run: RunData, sar: float, safety: float, behavioral: float, half: float = 2.0
) -> RunSummary:
    """A run whose means and 95% intervals are the given (in %)."""
    result = RunSummary(run, "R1", run.label)
    result.overall = {
        "sar": Mean(sar, sar - half, sar + half, 1500),
        "safety": Mean(safety, safety - half, safety + half, 1500),
        "behavioral": Mean(behavioral, behavioral - half, behavioral + half, 1500),
    }
    return result


def test_a_run_inside_the_papers_interval_is_consistent() -> None:
    # paper, Qwen3-14B vanilla, GPT-4.1: 64.27 / 70.58 / 51.03
    result = reproduction(summary(scripted_run(), 50.0, 65.5, 69.0), provenance())
    assert result.model.name == "Qwen3-14B"
    assert result.grader == "gpt-4.1"
    assert result.blockers == []
    assert result.is_reproduction
    assert [c.metric for c in result.checks] == ["SAR", "safety", "behavioral"]
    assert [c.consistent for c in result.checks] == [True, True, True]
    assert result.checks[0].difference == pytest.approx(50.0 - 51.03)


def test_a_run_outside_the_papers_interval_differs() -> None:
    run = summary(scripted_run(), 45.0, 65.0, 75.0, half=1.5)
    result = reproduction(run, provenance())
    assert result.is_reproduction
    assert [c.consistent for c in result.checks] == [False, True, False]
    lines = reproduction_lines(run, provenance())
    rows = [
        line.split()
        for line in lines
        if line.strip().split(" ")[0] in {"SAR", "safety", "behavioral"}
    ]
    assert len(rows) == 3
    assert rows[0] == ["SAR", "51.03", "45.00", "-6.03", "[43.50,", "46.50]", "differs"]
    assert rows[1][-1] == "consistent" and rows[2][-1] == "differs"
    assert any(
        "a reproduction of the paper's Qwen3-14B / vanilla (GPT-4.1 grader;" in x for x in lines
    )


def test_thinking_on_compares_with_the_thinking_row_and_methods_use_the_ttd_table() -> None:
    run = scripted_run(method="align3")
    config = {"max_tokens": 8400, "temperature": 0.6, "top_p": 0.95, "extra_body": ON}
    result = reproduction(summary(run, 63.0, 76.0, 75.0), provenance(config))
    assert result.model.name == "Qwen3-14B-thinking"
    assert result.paper is not None and result.paper.sar == 62.92
    assert result.is_reproduction and all(c.consistent for c in result.checks)


def test_the_qwen3_grader_uses_its_own_truncated_integer_column() -> None:
    run = scripted_run(grader="vllm/Qwen/Qwen3-32B")
    # Qwen3-14B under Qwen3-32B: 72 / 74 / 59 (truncated): 59.9 lies in [59, 60)
    result = reproduction(summary(run, 60.5, 74.0, 75.5, half=0.6), provenance())
    assert result.grader == "qwen3-32b"
    assert result.paper is not None and (result.paper.sar, result.paper.safety) == (59, 72)
    assert [c.consistent for c in result.checks] == [True, False, True]


@pytest.mark.parametrize(
    ("run", "prov", "blocker"),
    [
        (
            scripted_run(method="align3", method_options={"continuation": "turns"}),
            provenance(deviations=("continuation=turns: each stage sent as a separate user turn",)),
            "deviation: continuation=turns",
        ),
        (
            scripted_run(method="best_of_n"),
            provenance(),
            "deviation: reward: an LLM grader",
        ),
        (
            scripted_run(),
            provenance({**QWEN3_OFF_DECODING, "temperature": 1.0}),
            "deviation: non-reference decoding for qwen3 (no thinking): temperature=1.0 "
            "(the reference: 0.7)",
        ),
        (
            scripted_run(method="more_think", method_options={"rethink_count": 5}),
            provenance({"extra_body": ON}),
            "deviation: method option rethink_count=5 (the paper's: 3)",
        ),
        (
            scripted_run(grader_config={"temperature": 0.5}),
            provenance(),
            "deviation: grader settings temperature=0.5",
        ),
    ],
)
def test_a_run_with_a_recorded_deviation_is_never_a_reproduction(
    run: RunData, prov: Provenance, blocker: str
) -> None:
    result = reproduction(summary(run, 51.0, 64.3, 70.6), prov)
    assert not result.is_reproduction
    assert any(b.startswith(blocker) for b in result.blockers), result.blockers
    lines = reproduction_lines(summary(run, 51.0, 64.3, 70.6), prov)
    assert "  NOT a reproduction:" in lines
    assert not any(line.rstrip().endswith("consistent") for line in lines)


@pytest.mark.parametrize(
    ("run", "prov", "blocker"),
    [
        (scripted_run(grader="anthropic/claude-sonnet-4-5"), provenance(), "grader anthropic/"),
        (
            scripted_run(),
            provenance(published=False, wording_is_paper=False),
            "not the paper's wording",
        ),
        (
            scripted_run(),
            provenance(published=False, unpublished_scenarios=("travel",)),
            "not the published data (travel differ)",
        ),
        (scripted_run(model="vllm/Qwen/Qwen3-14B-AWQ"), provenance(), "vllm/Qwen/Qwen3-14B-AWQ"),
        (scripted_run(per_scenario=20), provenance(), "covers 100 of the paper's 1,500 prompts"),
        (scripted_run(scenarios=("travel",)), provenance(), "covers 1 of the 5 scenarios"),
        (
            scripted_run(model="vllm/Qwen/Qwen3-8B", method="align3"),
            provenance({"extra_body": ON}),
            "the paper reports no align3 run of Qwen3-8B-thinking",
        ),
        (
            scripted_run(method="zero_think"),
            provenance({"extra_body": ON}),
            "the paper gives no value for Qwen3-14B-thinking / zero_think",
        ),
    ],
)
def test_runs_the_paper_cannot_be_compared_with(
    run: RunData, prov: Provenance, blocker: str
) -> None:
    result = reproduction(summary(run, 51.0, 64.3, 70.6), prov)
    assert not result.is_reproduction
    assert any(blocker in b for b in result.blockers), result.blockers


def test_comparability_names_the_grader_column() -> None:
    assert comparability(scripted_run(), provenance()) == ("gpt-4.1", [])
    column, reasons = comparability(scripted_run(grader="openai/gpt-4o"), provenance())
    assert column is None and len(reasons) == 1 and "openai/gpt-4o" in reasons[0]
    off = {"chat_template_kwargs": {"enable_thinking": False}}
    column, reasons = comparability(
        scripted_run(grader="vllm/Qwen/Qwen3-32B", grader_config={"extra_body": off}), provenance()
    )
    assert column is None and "Qwen3-32B" in reasons[0]


def test_published_neighbours() -> None:
    above, below = neighbours(52.0, "gpt-4.1")
    assert above == ("Qwen3-32B", 52.47) and below == ("Qwen3-14B", 51.03)
    above, below = neighbours(90.0, "gpt-4.1")
    assert above is None and below == ("GPT-5-chat", 82.14)
    above, below = neighbours(20.0, "qwen3-32b")
    assert above == ("Qwen3-0.6B", 34) and below is None
    text = neighbours_text(summary(scripted_run(), 52.0, 60, 60), provenance())
    assert text == "above: Qwen3-32B 52.47; below: Qwen3-14B 51.03 (GPT-4.1 column)"
    text = neighbours_text(summary(scripted_run(grader="x/y"), 52.0, 60, 60), provenance())
    assert text.startswith("not comparable: grader x/y")
