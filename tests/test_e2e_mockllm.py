"""Every scenario end to end with mockllm: generation, scripted judge, scores and metrics."""

from __future__ import annotations

import pytest
from inspect_ai import eval
from support import (
    DATA_DIR,
    expected_scores,
    grader_for_queries,
    scripted_model,
    verdicts_for,
)

from specbench_inspect.tasks import biochem, child, code, health, travel

TASKS = {"biochem": biochem, "child": child, "code": code, "health": health, "travel": travel}


def answer_model():  # type: ignore[no-untyped-def]
    return scripted_model(lambda messages, config: f"<think>plan</think>Answer to: {messages[-1].text[:40]}")


@pytest.mark.parametrize("scenario", list(TASKS))
def test_scenario_end_to_end(scenario: str) -> None:
    task = TASKS[scenario](data_dir=str(DATA_DIR))
    [log] = eval(
        task,
        model=answer_model(),
        model_roles={"grader": grader_for_queries()},
        limit=12,
        display="none",
        log_dir=None,
    )
    assert log.status == "success", log.error
    assert log.samples and len(log.samples) == 12
    for sample in log.samples:
        assert sample.id == f"{scenario}-{sample.id.split('-')[1]}"  # type: ignore[union-attr]
        query = sample.metadata["prompt"]
        score = sample.scores["spec_judge"]  # type: ignore[index]
        n_s, n_b = len(sample.metadata["safety_specs"]), len(sample.metadata["behavioral_specs"])
        expected = expected_scores(
            verdicts_for(query, n_s, "safety"), verdicts_for(query, n_b, "behavioral")
        )
        assert score.value == pytest.approx(expected)
        assert score.metadata["judge_attempts"] == 1
        assert "<think>" not in score.answer
