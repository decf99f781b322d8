"""Best-of-N through the real `inspect` CLI and the installed package, as a user runs it:
`-T method=best_of_n -T reward_url=http://127.0.0.1:PORT/v1 -T reward_model=...`, the model
under test and the reward model both served by the loopback server."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.inspect_cli import only_log, run_inspect, travel_eval_args
from helpers.judging import judged_answer
from helpers.openai_server import LoopbackServer, reward_of, text_of
from helpers.rewarded import BON_REWARDS, MODEL, script, user_text
from helpers.samples import samples_of
from helpers.scripted import expected_scores, verdicts_for

SAMPLES = 5
RM = "sfairXC/FsfairX-LLaMA3-RM-v0.1"


@pytest.mark.slow
def test_best_of_n_through_the_cli(tmp_path: Path) -> None:
    with LoopbackServer(script=script) as server:
        result = run_inspect(
            travel_eval_args(
                f"openai-api/loop/{MODEL}",
                tmp_path / "logs",
                *("-T", "method=best_of_n", "-T", "n=4", "--limit", str(SAMPLES)),
                *("-T", f"reward_url={server.base_url}", "-T", f"reward_model={RM}"),
            ),
            server.base_url,
            tmp_path,
            REWARD_API_KEY="cli-secret",
        )
        assert result.returncode == 0, result.stderr[-3000:]
        requests = [r for r in server.requests if r["body"]["model"] == MODEL]
        pooled = list(server.pooling_requests)

    log = only_log(tmp_path / "logs")
    assert log.status == "success", log.error
    assert log.samples is not None and len(log.samples) == SAMPLES
    assert len(requests) == SAMPLES and all(r["body"]["n"] == 4 for r in requests)
    assert len(pooled) == 4 * SAMPLES
    assert all(
        p["body"]["model"] == RM and p["authorization"] == "Bearer cli-secret" for p in pooled
    )
    for sample in samples_of(log, SAMPLES):
        meta, question = sample.metadata, str(sample.input)
        [request] = [r for r in requests if question in user_text(r["body"])]
        answers = [x["content"].split("</think>\n\n", 1)[1] for x in request["replies"]]
        rated = [
            text_of(p["body"]["messages"][1])
            for p in pooled
            if p["body"]["messages"][0]["content"] == question
        ]
        assert sorted(rated) == sorted(answers)
        assert [reward_of(a) for a in answers] == BON_REWARDS
        score = sample.scores["spec_judge"]  # type: ignore[index]
        assert judged_answer(sample) == answers[1]  # 3.0 twice: the first sampled
        assert score.value == pytest.approx(
            expected_scores(
                verdicts_for(meta["prompt"], len(meta["safety_specs"]), "safety"),
                verdicts_for(meta["prompt"], len(meta["behavioral_specs"]), "behavioral"),
            )
        )
        record = sample.store["generation"]
        assert record["model_calls"] == 1 and record["reward_calls"] == 4
        assert record["method"] == "best_of_n" and record["deviations"] == []
