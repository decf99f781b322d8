"""Best-of-N and TPO against the loopback server acting as both vLLM servers: the model under
test (`openai-api`, which passes `n` on) and the reward model (`/pooling`, scores a known
function of the response). Per sample: the exact generations and reward calls, the chosen
answer is the best-scored, TPO's stages see the right chosen / rejected pair, a broken reward
reply leaves the sample unscored with its records, an unreachable server is a clear error, and
the judged answer's scores are exact."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.data import DATA_DIR
from helpers.openai_server import LoopbackServer, pooling_reply, reward_of, text_of
from helpers.protocol import PROMPTS, spec_fields, spec_prompt
from helpers.rewarded import BON_REWARDS, MODEL, TPO_REWARDS, check_judged, script, user_text
from helpers.samples import samples_of
from inspect_ai import eval
from inspect_ai.log import EvalLog, EvalSample
from inspect_ai.model import Model, get_model

from specbench_inspect.tasks import travel

SAMPLES = 2
RM = "rm/FsfairX"


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer(script=script) as server:
        yield server


def loop_model(server: LoopbackServer, name: str) -> Model:
    return get_model(f"openai-api/loop/{name}", base_url=server.base_url, api_key="loopback")


def run(server: LoopbackServer, tmp_path: Path, **task_args: Any) -> EvalLog:
    server.requests.clear()
    server.pooling_requests.clear()
    [log] = eval(
        travel(data_dir=str(DATA_DIR), **task_args),
        model=loop_model(server, MODEL),
        model_roles={"grader": loop_model(server, "judge")},
        limit=SAMPLES,
        display="none",
        log_dir=str(tmp_path),
    )
    return log


def sample_requests(server: LoopbackServer, sample: EvalSample) -> list[dict[str, Any]]:
    """The sample's requests to the model under test, in order."""
    question = str(sample.input)
    return [
        r
        for r in server.requests
        if r["body"]["model"] == MODEL and question in user_text(r["body"])
    ]


def sample_rewards(server: LoopbackServer, sample: EvalSample) -> list[dict[str, Any]]:
    question = str(sample.input)
    return [r for r in server.pooling_requests if text_of(r["body"]["messages"][0]) == question]


def answer_of(text: str) -> str:
    return text.split("</think>\n\n", 1)[1]


def check_cost(sample: EvalSample, requests: list[dict[str, Any]], reward_calls: int) -> None:
    record = sample.store["generation"]
    assert record["model_calls"] == len(requests)
    assert record["prompt_tokens"] == sum(
        len(text_of(m).split()) for m in requests[0]["body"]["messages"]
    )
    replies = [one for r in requests for one in r.get("replies", [r["reply"]])]
    assert record["completion_tokens"] == sum(len(x["content"].split()) + 1 for x in replies)
    assert record["reward_calls"] == reward_calls
    cost = sample.scores["spec_judge"].metadata["generation"]  # type: ignore[index]
    assert cost["model_calls"] == len(requests) and cost["reward_calls"] == reward_calls
    assert cost["completion_tokens"] == record["completion_tokens"]


def test_best_of_n_one_request_n_rewards_best_answer(
    server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REWARD_API_KEY", "rm-secret")
    log = run(
        server, tmp_path, method="best_of_n", n=4, reward_url=server.base_url, reward_model=RM
    )
    assert log.status == "success", log.error
    assert log.samples is not None and len(log.samples) == SAMPLES
    for sample in log.samples:
        meta, question = sample.metadata, str(sample.input)
        requests = sample_requests(server, sample)
        # one request for all four samples, on the spec-augmented prompt
        assert len(requests) == 1 and requests[0]["body"]["n"] == 4
        assert user_text(requests[0]["body"]) == spec_prompt(meta, question)
        texts = [x["content"] for x in requests[0]["replies"]]
        # every answer scored once, thought stripped, as the user's question and the reply
        rewards = sample_rewards(server, sample)
        assert len(rewards) == 4
        assert sorted(text_of(r["body"]["messages"][1]) for r in rewards) == sorted(
            answer_of(t) for t in texts
        )
        for r in rewards:
            assert r["body"]["model"] == RM
            assert [m["role"] for m in r["body"]["messages"]] == ["user", "assistant"]
            assert r["authorization"] == "Bearer rm-secret"
        # the best (a tie of 3.0: the first sampled, index 1)
        answer = answer_of(texts[1])
        assert reward_of(answer) == max(BON_REWARDS)
        check_judged(sample, answer)
        record = sample.store["generation"]
        assert record["method"] == "best_of_n" and record["answer"] == answer
        assert record["thought"] == "drafting sample 1"  # the provider splits the thought off
        assert record["deviations"] == []
        kept = sample.store["reward_candidates"]
        assert [c["score"] for c in kept["candidates"]] == BON_REWARDS
        assert kept["chosen"] == 1 and kept["reward"]["model"] == RM
        check_cost(sample, requests, reward_calls=4)
    metrics = log.results.scores[0].metrics  # type: ignore[union-attr]
    assert metrics["reward_calls"].value == 4 and metrics["model_calls"].value == 1
    plan = log.eval.metadata["specbench"]["generation"]  # type: ignore[index]
    assert plan["method"] == "best_of_n" and plan["deviations"] == []
    assert plan["reward"] == {
        "source": "pooling",
        "model": RM,
        "url": f"http://127.0.0.1:{server.port}/pooling",
    }


def test_tpo_stages_see_best_and_worst(server: LoopbackServer, tmp_path: Path) -> None:
    log = run(
        server,
        tmp_path,
        method="tpo",
        samples=3,
        iterations=2,
        reward_url=server.base_url + "/",
        reward_model=RM,
    )
    assert log.status == "success", log.error
    for sample in samples_of(log, SAMPLES):
        meta, question = sample.metadata, str(sample.input)
        fields = spec_fields(meta, question)
        requests = sample_requests(server, sample)
        stages = [user_text(r["body"]).split("\n", 1)[0] for r in requests]
        assert len(requests) == 7, stages  # sample, then (critique, suggest, update) x 2
        sample_req, crit1, sugg1, upd1, crit2, sugg2, upd2 = requests
        for r in (sample_req, upd1, upd2):
            assert r["body"]["n"] == 3
        for r in (crit1, sugg1, crit2, sugg2):
            assert r["body"].get("n") in (None, 1)
        answers = {
            step: [answer_of(x["content"]) for x in r["replies"]]
            for step, r in (("sample", sample_req), ("update 1", upd1), ("update 2", upd2))
        }
        # iteration 1: best 5.0 (sample #1), worst 1.0 (sample #2)
        assert user_text(crit1["body"]) == PROMPTS.render(
            "tpo_critique", **fields, chosen=answers["sample"][1], rejected=answers["sample"][2]
        )
        assert user_text(sugg1["body"]) == PROMPTS.render(
            "tpo_suggest", **fields, chosen=answers["sample"][1], critique=crit1["reply"]["content"]
        )
        assert user_text(upd1["body"]) == PROMPTS.render(
            "tpo_update",
            **fields,
            chosen=answers["sample"][1],
            suggestions=sugg1["reply"]["content"],
        )
        # iteration 2 over all six so far: best 7.0 (update 1 #1), worst 0.5 (update 1 #2)
        assert user_text(crit2["body"]) == PROMPTS.render(
            "tpo_critique",
            **fields,
            chosen=answers["update 1"][1],
            rejected=answers["update 1"][2],
        )
        assert user_text(upd2["body"]) == PROMPTS.render(
            "tpo_update",
            **fields,
            chosen=answers["update 1"][1],
            suggestions=sugg2["reply"]["content"],
        )
        # nine responses scored; the answer: 7.0, first reached in update 1 (update 2 ties)
        assert len(sample_rewards(server, sample)) == 9
        answer = answers["update 1"][1]
        check_judged(sample, answer)
        kept = sample.store["reward_candidates"]
        assert [c["score"] for c in kept["candidates"]] == [
            *TPO_REWARDS["sample"],
            *TPO_REWARDS["update 1"],
            *TPO_REWARDS["update 2"],
        ]
        assert kept["chosen"] == 4
        check_cost(sample, requests, reward_calls=9)
        assert sample.store["generation"]["method"] == "tpo"


@pytest.mark.parametrize(
    "data, problem",
    [
        ([[0.1], [0.2]], "expected one number in data[0].data, got [[0.1], [0.2]] (per-token"),
        ("AAAA", "expected one number in data[0].data, got 'AAAA'"),
    ],
)
def test_broken_reward_reply_leaves_the_sample_unscored_with_its_records(
    data: Any, problem: str, tmp_path: Path
) -> None:
    """A reply without one score: the run completes; each sample is unscored with a reason
    naming the server, the model and the problem, and keeps its generation record and its
    candidates (none scored); the judge is never asked."""
    with LoopbackServer(script=script, reward=lambda body: pooling_reply(body, data)) as server:
        log = run(
            server, tmp_path, method="best_of_n", n=4, reward_url=server.base_url, reward_model=RM
        )
        judged = [r for r in server.requests if r["body"]["model"] == "judge"]
    assert log.status == "success", log.error
    assert judged == []
    assert log.samples is not None and len(log.samples) == SAMPLES
    for sample in log.samples:
        score = sample.scores["spec_judge"]  # type: ignore[index]
        assert score.reason == "generation_failed"
        reason = (
            f"reward model {RM} at http://127.0.0.1:{server.port}/pooling returned no usable "
            f"score: {problem}"
        )
        assert str(score.explanation).startswith(
            f"Unscored: the method produced no answer: {reason}"
        )
        assert str(score.explanation).endswith(" (4 of 4 responses without a score).")
        record = sample.store["generation"]
        assert record["failure"].startswith(reason) and record["reward_calls"] == 4
        assert record["model_calls"] == 1
        kept = sample.store["reward_candidates"]
        assert kept["chosen"] is None and len(kept["candidates"]) == 4
        assert all(c["score"] is None for c in kept["candidates"])
    metrics = log.results.scores[0].metrics  # type: ignore[union-attr]
    assert metrics["unscored"].value == SAMPLES


def test_unreachable_route_names_server_and_model(tmp_path: Path) -> None:
    """A reward URL whose server has no `/pooling` (404) fails naming both."""

    def missing(body: dict[str, Any]) -> Any:
        raise AssertionError("not reached")

    with LoopbackServer(script=script, reward=missing) as server:
        url = f"http://127.0.0.1:{server.port}/other/v1"
        log = run(server, tmp_path, method="best_of_n", n=2, reward_url=url, reward_model=RM)
    assert log.status == "error"
    message = str(log.error.message if log.error else "")
    assert f"reward model {RM} at http://127.0.0.1:{server.port}/other/pooling" in message
    assert "request failed" in message and "404" in message


RATER = "rater"
"""The LLM reward grader's name on the loopback server."""


def rater_script(body: dict[str, Any]) -> dict[str, Any]:
    """The reward grader answers the same request the same way (no usable score); only the
    follow-up turn naming the problem gets a rating (the response's `[reward X]`, clamped)."""
    if body["model"] != RATER:
        return script(body)
    messages = body["messages"]
    if len(messages) == 2:
        return {"content": "A fine response overall."}
    response = text_of(messages[1]).split("RESPONSE:\n", 1)[1]
    rating = min(10, max(1, round(reward_of(response))))
    return {"content": f"Rated again.\n<score>{rating}</score>"}


def test_the_llm_reward_grader_retries_with_a_turn_naming_the_problem(tmp_path: Path) -> None:
    """Through the `openai-api` provider: each response's first rating request gets no score;
    the retry sends the request, the reply and the `reward_retry` turn, and is rated."""
    with LoopbackServer(script=rater_script) as server:
        [log] = eval(
            travel(data_dir=str(DATA_DIR), method="best_of_n", n=4, max_judge_attempts=2),
            model=loop_model(server, MODEL),
            model_roles={
                "grader": loop_model(server, "judge"),
                "reward": loop_model(server, RATER),
            },
            limit=SAMPLES,
            display="none",
            log_dir=str(tmp_path),
        )
        rated = [r["body"]["messages"] for r in server.requests if r["body"]["model"] == RATER]
    assert log.status == "success", log.error
    assert len(rated) == 2 * 4 * SAMPLES
    firsts = [m for m in rated if len(m) == 2]
    retries = [m for m in rated if len(m) == 4]
    assert len(firsts) == len(retries) == 4 * SAMPLES
    retry_turn = PROMPTS.render("reward_retry", problem="no <score>N</score> in the reply")
    for messages in retries:
        assert messages[:2] in firsts
        assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
        assert text_of(messages[2]) == "A fine response overall."
        assert text_of(messages[3]) == retry_turn
    assert retry_turn.startswith("Your reply above could not be used: no <score>N</score> in")
    for sample in log.samples or []:
        record = sample.store["generation"]
        assert record["reward_calls"] == 8 and record["failure"] == ""
        kept = sample.store["reward_candidates"]
        assert all(isinstance(c["score"], float) for c in kept["candidates"])
        check_judged(sample, kept["candidates"][kept["chosen"]]["answer"])


class IgnoresN(LoopbackServer):
    """A server that ignores `n` (one choice per request)."""

    def complete(self, body: dict[str, Any]) -> dict[str, Any]:
        return super().complete({k: v for k, v in body.items() if k != "n"})


def test_best_of_n_tops_up_when_the_server_ignores_n(tmp_path: Path) -> None:
    with IgnoresN(script=script) as server:
        log = run(
            server, tmp_path, method="best_of_n", n=4, reward_url=server.base_url, reward_model=RM
        )
        assert log.status == "success", log.error
        for sample in samples_of(log, SAMPLES):
            requests = sample_requests(server, sample)
            assert len(requests) == 4  # the n=4 request answered once, then three single ones
            assert len(sample_rewards(server, sample)) == 4
            record = sample.store["generation"]
            assert record["model_calls"] == 4 and record["reward_calls"] == 4
            # the three single requests run concurrently: their stages in any order
            assert sorted(s["stage"] for s in record["stages"]) == [
                "best_of_n: sample",
                "best_of_n: sample 2",
                "best_of_n: sample 3",
                "best_of_n: sample 4",
            ]
