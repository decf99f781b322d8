"""The real CLI, installed package, real OpenAI-compatible provider path, loopback server:
all 300 Travel samples scored exactly as the server scripted."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.inspect_cli import only_log, run_inspect, travel_eval_args
from helpers.openai_server import LoopbackServer
from helpers.scripted import expected_scores, verdicts_for


@pytest.mark.slow
def test_travel_all_samples_through_cli(tmp_path: Path) -> None:
    with LoopbackServer() as server:
        result = run_inspect(
            travel_eval_args(
                "openai-api/loop/model",
                tmp_path / "logs",
                *("--max-connections", "16", "--max-samples", "32"),
            ),
            server.base_url,
            tmp_path,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        requests = list(server.requests)

    log = only_log(tmp_path / "logs")
    assert log.status == "success"
    assert log.eval.task == "specbench/travel"
    assert log.samples is not None and len(log.samples) == 300
    for sample in log.samples:
        meta = sample.metadata
        expected = expected_scores(
            verdicts_for(meta["prompt"], len(meta["safety_specs"]), "safety"),
            verdicts_for(meta["prompt"], len(meta["behavioral_specs"]), "behavioral"),
        )
        score = sample.scores["spec_judge"]  # type: ignore[index]
        assert score.value == pytest.approx(expected), sample.id
        verdicts = score.metadata["spec_verdicts"]
        assert verdicts["safety"] == verdicts_for(meta["prompt"], 10, "safety")

    # one model call and exactly one grader call per sample
    judge_calls = [r for r in requests if r["body"]["model"] == "judge"]
    model_calls = [r for r in requests if r["body"]["model"] == "model"]
    assert len(judge_calls) == 300 and len(model_calls) == 300
    # the judge sees the original prompt and the answer without its thought
    for call in judge_calls:
        prompt = call["body"]["messages"][-1]["content"]
        assert "<think>" not in prompt and "Here is my answer" in prompt
    assert log.results is not None
    assert log.results.scores[0].metrics["unscored"].value == 0
