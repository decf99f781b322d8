"""Every scenario end to end with mockllm: generation, scripted judge, scores and metrics."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.data import DATA_DIR
from helpers.models import answer_model, grader_model
from helpers.scripted import expected_scores, verdicts_for
from inspect_ai import eval

from specbench_inspect.tasks import biochem, child, code, health, travel

TASKS = {"biochem": biochem, "child": child, "code": code, "health": health, "travel": travel}


@pytest.mark.parametrize("scenario", list(TASKS))
def test_scenario_end_to_end(scenario: str, tmp_path: Path) -> None:
    [log] = eval(
        TASKS[scenario](data_dir=str(DATA_DIR)),
        model=answer_model(),
        model_roles={"grader": grader_model()},
        limit=12,
        display="none",
        log_dir=str(tmp_path),
    )
    assert log.status == "success", log.error
    assert log.samples is not None and len(log.samples) == 12
    assert {sample.id for sample in log.samples} == {f"{scenario}-{i}" for i in range(12)}
    for sample in log.samples:
        meta = sample.metadata
        score = sample.scores["spec_judge"]  # type: ignore[index]
        expected = expected_scores(
            verdicts_for(meta["prompt"], len(meta["safety_specs"]), "safety"),
            verdicts_for(meta["prompt"], len(meta["behavioral_specs"]), "behavioral"),
        )
        assert score.value == pytest.approx(expected)
        assert score.metadata["judge_attempts"] == 1
        assert score.answer.startswith("Here is my answer")  # the thought is never judged
    metrics = log.results.scores[0].metrics  # type: ignore[union-attr]
    sars = [s.scores["spec_judge"].value["sar"] for s in log.samples]  # type: ignore[index]
    assert metrics["sar"].value == pytest.approx(sum(sars) / len(sars))
    assert metrics["unscored"].value == 0 and metrics["judge_retries"].value == 0
    assert "sar_unsafe" in metrics and "sar_safe" not in metrics  # the first 12 are unsafe
    assert metrics["model_calls"].value == 1
    generated = [s.scores["spec_judge"].metadata["generation"] for s in log.samples]  # type: ignore[index]
    assert metrics["completion_tokens"].value == pytest.approx(
        sum(g["completion_tokens"] for g in generated) / len(generated)
    )
