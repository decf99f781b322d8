"""Best-of-N and TPO in process with mockllm (a provider without `num_choices`: N single
requests) and an LLM grader as reward (model role `reward`, else `grader`); the reward grader
following the judge's rules (retries naming the problem, `max_judge_attempts`, a failure left
unscored with its records); the reading of a vLLM pooling reply; option mistakes; a transient
reward-server error retried."""

from __future__ import annotations

import math
import re
import threading
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from helpers.data import DATA_DIR
from helpers.models import grader_model, scripted_model
from helpers.openai_server import LoopbackServer, default_reward
from helpers.protocol import PROMPTS, spec_fields, spec_prompt
from helpers.rewarded import check_judged
from helpers.samples import samples_of
from helpers.scripted import JUDGE_MARK, grader_reply
from inspect_ai import eval
from inspect_ai.log import EvalLog
from inspect_ai.model import ChatMessage, GenerateConfig, Model

from specbench_inspect.errors import SpecBenchError
from specbench_inspect.scorers.judge import DEFAULT_ATTEMPTS
from specbench_inspect.solvers import best_of_n, tpo
from specbench_inspect.solvers.reward import pooling_score, server_root
from specbench_inspect.tasks import travel

SAMPLES = 2
QUALITY = [3, 8, 5, 8]
"""The grader's rating of the k-th response to a question (k counted per question)."""
RATED = re.compile(r"\[quality (\d+)\]")


class Policy:
    """The model under test: the k-th call for a question answers with quality QUALITY[k]
    (concurrent identical requests can only differ by order); records every call."""

    def __init__(self) -> None:
        self.calls: dict[str, list[GenerateConfig]] = defaultdict(list)
        self.lock = threading.Lock()

    def reply(self, messages: list[ChatMessage], config: GenerateConfig) -> str:
        prompt = messages[-1].text
        with self.lock:
            k = len(self.calls[prompt])
            self.calls[prompt].append(config)
        return f"<think>scratch-{k}</think>\n\nAnswer {k} [quality {QUALITY[k]}]"


def rating_reply(messages: list[ChatMessage]) -> str:
    """The reward grader: rates a response by its `[quality q]` marker."""
    prompt = messages[-1].text
    response = prompt.split("RESPONSE:\n", 1)[1]
    quality = RATED.search(response)
    assert quality, "reward prompt without a scripted response"
    return f"The response is rated by its marker.\n<score>{quality.group(1)}</score>"


def run(policy: Model, roles: dict[str, Model], tmp_path: Path, **options: Any) -> EvalLog:
    [log] = eval(
        travel(data_dir=str(DATA_DIR), **options),
        model=policy,
        model_roles=roles,
        limit=SAMPLES,
        display="none",
        log_dir=str(tmp_path),
    )
    return log


def test_best_of_n_with_reward_role_and_single_requests(tmp_path: Path) -> None:
    policy = Policy()
    rated: list[list[ChatMessage]] = []

    def reward(messages: list[ChatMessage], config: GenerateConfig) -> str:
        rated.append(messages)
        return rating_reply(messages)

    log = run(
        scripted_model(policy.reply),
        {"reward": scripted_model(reward), "grader": grader_model()},
        tmp_path,
        method="best_of_n",
        n=4,
    )
    assert log.status == "success", log.error
    assert len(rated) == 4 * SAMPLES
    plan = log.eval.metadata["specbench"]["generation"]  # type: ignore[index]
    assert plan["reward"]["source"] == "llm_grader"
    [planned] = plan["deviations"]
    assert planned.startswith("reward: no reward_url, so an LLM grader rated each response")
    for sample in samples_of(log, SAMPLES):
        meta, question = sample.metadata, str(sample.input)
        fields = spec_fields(meta, question)
        # mockllm takes no num_choices: four single requests on the spec-augmented prompt
        configs = policy.calls[spec_prompt(meta, question)]
        assert len(configs) == 4 and all(c.num_choices is None for c in configs)
        # each answer (never the thought) rated once with our prompt
        prompts = [m[-1].text for m in rated if question in m[-1].text]
        expected = {
            PROMPTS.render("reward_grader", **fields, response=f"Answer {k} [quality {q}]")
            for k, q in enumerate(QUALITY)
        }
        assert len(prompts) == 4 and set(prompts) == expected
        assert all("scratch-" not in p for p in prompts)
        record = sample.store["generation"]
        assert record["model_calls"] == 4 and record["reward_calls"] == 4
        [deviation] = record["deviations"]
        assert "LLM grader mockllm/model" in deviation and "1-10 scale" in deviation
        # every response kept with its rating; 8 twice: the first sampled of the two wins
        # (concurrent identical requests: which call came k-th is up to the scheduler)
        kept = sample.store["reward_candidates"]
        scores = [c["score"] for c in kept["candidates"]]
        assert sorted(scores) == sorted(QUALITY)
        for c in kept["candidates"]:
            assert c["score"] == int(RATED.findall(c["answer"])[0])
        assert kept["chosen"] == scores.index(8.0)
        answer = kept["candidates"][kept["chosen"]]["answer"]
        assert record["answer"] == answer and answer.endswith("[quality 8]")
        assert kept["reward"]["source"] == "llm_grader"
        check_judged(sample, answer)


def test_tpo_falls_back_to_the_grader_role(tmp_path: Path) -> None:
    """Without a `reward` role the `grader` role rates; TPO's counts with mockllm."""
    calls = {"judge": 0, "reward": 0}

    def grader(messages: list[ChatMessage], config: GenerateConfig) -> str:
        prompt = messages[-1].text
        if JUDGE_MARK in prompt:
            calls["judge"] += 1
            return grader_reply(prompt)
        calls["reward"] += 1
        return rating_reply(messages)

    def policy(messages: list[ChatMessage], config: GenerateConfig) -> str:
        prompt = messages[-1].text
        if prompt.startswith(("Two responses", "Here is a response")):
            return "notes"
        return "Fine answer [quality 6]"

    log = run(
        scripted_model(policy),
        {"grader": scripted_model(grader)},
        tmp_path,
        method="tpo",
        samples=2,
        iterations=1,
    )
    assert log.status == "success", log.error
    assert calls == {"judge": SAMPLES, "reward": 4 * SAMPLES}
    for sample in samples_of(log, SAMPLES):
        record = sample.store["generation"]
        # 2 samples, critique, suggestions, 2 updates; all tie: the first sampled is the answer
        assert record["model_calls"] == 6 and record["reward_calls"] == 4
        assert sample.store["reward_candidates"]["chosen"] == 0
        assert len(record["deviations"]) == 1


def off_scale(messages: list[ChatMessage], config: GenerateConfig) -> str:
    return "This response looks fine to me. <score>11</score>"


def recorded(reply: Any, calls: list[list[ChatMessage]]) -> Model:
    def respond(messages: list[ChatMessage], config: GenerateConfig) -> str:
        calls.append(list(messages))
        return str(reply(messages, config))

    return scripted_model(respond)


RETRY_OFF_SCALE = (
    "Your reply above could not be used: the score 11 is outside 1 to 10. Rate the response "
    "again and end your reply with the rating alone on the last line, written as "
    "<score>N</score> with N a whole number from 1 to 10."
)


def test_a_reward_grader_failure_leaves_the_sample_unscored_with_its_records(
    tmp_path: Path,
) -> None:
    """The grader never gives a usable score: each sample is unscored with the reason and
    counted, keeps its generation record and candidates, and the judge is never asked; the
    attempts are the task's max_judge_attempts, each retry a turn naming the problem."""
    rewards: list[list[ChatMessage]] = []
    judged: list[list[ChatMessage]] = []
    log = run(
        scripted_model(Policy().reply),
        {"reward": recorded(off_scale, rewards), "grader": recorded(lambda m, c: "", judged)},
        tmp_path,
        method="best_of_n",
        n=2,
        max_judge_attempts=3,
    )
    assert log.status == "success", log.error
    assert len(rewards) == 3 * 2 * SAMPLES and judged == []
    assert log.samples is not None and len(log.samples) == SAMPLES
    for sample in log.samples:
        score = sample.scores["spec_judge"]  # type: ignore[index]
        assert score.reason == "generation_failed"
        assert all(math.isnan(v) for v in score.value.values())  # type: ignore[union-attr]
        failure = (
            "reward grader mockllm/model gave no <score>N</score> from 1 to 10 in 3 attempts "
            "(last: the score 11 is outside 1 to 10; last reply: 'This response looks fine to "
            "me. <score>11</score>') (2 of 2 responses without a score)"
        )
        assert score.explanation == f"Unscored: the method produced no answer: {failure}."
        record = sample.store["generation"]
        assert record["failure"] == failure and record["answer"] == ""
        assert record["model_calls"] == 2 and record["reward_calls"] == 6
        assert score.metadata["generation"]["failure"] == failure  # type: ignore[index]
        assert score.metadata["judge_attempts"] == 0  # type: ignore[index]
        kept = sample.store["reward_candidates"]
        assert kept["chosen"] is None and kept["reward"]["attempts"] == 3
        assert len(kept["candidates"]) == 2
        assert all(c["score"] is None for c in kept["candidates"])
    metrics = log.results.scores[0].metrics  # type: ignore[union-attr]
    assert metrics["unscored"].value == SAMPLES and metrics["reward_calls"].value == 6
    # per response: the request alone, then twice the request, the reply and the named problem
    by_request: dict[str, list[list[ChatMessage]]] = defaultdict(list)
    for messages in rewards:
        by_request[messages[1].text].append(messages)
    assert len(by_request) == 2 * SAMPLES
    for calls in by_request.values():
        first, *retries = sorted(calls, key=len)
        assert [m.role for m in first] == ["system", "user"] and len(retries) == 2
        for retry in retries:
            assert [m.role for m in retry] == ["system", "user", "assistant", "user"]
            assert retry[:2] == first
            assert retry[2].text == off_scale([], GenerateConfig())
            assert retry[3].text == RETRY_OFF_SCALE


def test_a_reward_retry_that_names_the_problem_can_succeed(tmp_path: Path) -> None:
    """A deterministic grader answers the same request the same way: only the follow-up turn
    naming the problem gets a usable score."""
    rewards: list[list[ChatMessage]] = []

    def deterministic(messages: list[ChatMessage], config: GenerateConfig) -> str:
        if len(messages) > 2:
            assert messages[3].text.startswith("Your reply above could not be used: no <score>")
            return rating_reply(messages[:2])
        return "I would rather not give a number."

    log = run(
        scripted_model(Policy().reply),
        {"reward": recorded(deterministic, rewards), "grader": grader_model()},
        tmp_path,
        method="best_of_n",
        n=2,
    )
    assert log.status == "success", log.error
    assert len(rewards) == 2 * 2 * SAMPLES
    for sample in log.samples or []:
        assert sample.store["generation"]["reward_calls"] == 4
        kept = sample.store["reward_candidates"]
        assert sorted(c["score"] for c in kept["candidates"]) == sorted(QUALITY[:2])
        check_judged(sample, kept["candidates"][kept["chosen"]]["answer"])


@pytest.mark.parametrize("attempts", [1, 2])
def test_reward_attempts_overrides_max_judge_attempts(attempts: int, tmp_path: Path) -> None:
    rewards: list[list[ChatMessage]] = []
    log = run(
        scripted_model(Policy().reply),
        {"reward": recorded(off_scale, rewards), "grader": grader_model()},
        tmp_path,
        method="best_of_n",
        n=1,
        max_judge_attempts=4,
        reward_attempts=attempts,
    )
    assert log.status == "success", log.error
    assert len(rewards) == attempts * SAMPLES
    plan = log.eval.metadata["specbench"]["generation"]  # type: ignore[index]
    assert plan["reward"]["attempts"] == attempts
    calls = "1 attempt " if attempts == 1 else f"{attempts} attempts "
    for sample in log.samples or []:
        assert f"from 1 to 10 in {calls}(last: " in sample.store["generation"]["failure"]


def test_the_reward_attempts_default_is_the_judges() -> None:
    assert best_of_n().reward.attempts == DEFAULT_ATTEMPTS  # type: ignore[attr-defined]


def test_tpo_failing_in_an_update_keeps_every_candidate(tmp_path: Path) -> None:
    """TPO's first responses are scored; the update's are not: the sample is unscored, its
    candidates kept with the scores they got."""

    def reward(messages: list[ChatMessage], config: GenerateConfig) -> str:
        if "Improved" in messages[1].text:
            return "No rating today."
        return rating_reply(messages)

    def policy(messages: list[ChatMessage], config: GenerateConfig) -> str:
        prompt = messages[-1].text
        if prompt.startswith(("Two responses", "Here is a response")):
            return "notes"
        if "Suggestions for improving it:" in prompt:
            return "Improved answer [quality 9]"
        return "Fine answer [quality 6]"

    log = run(
        scripted_model(policy),
        {"reward": scripted_model(reward), "grader": grader_model()},
        tmp_path,
        method="tpo",
        samples=2,
        iterations=2,
        max_judge_attempts=2,
    )
    assert log.status == "success", log.error
    assert log.samples is not None and len(log.samples) == SAMPLES
    for sample in log.samples:
        score = sample.scores["spec_judge"]  # type: ignore[index]
        assert score.reason == "generation_failed"
        kept = sample.store["reward_candidates"]
        assert [(c["stage"], c["score"]) for c in kept["candidates"]] == [
            ("tpo: sample", 6.0),
            ("tpo: sample", 6.0),
            ("tpo: update 1", None),
            ("tpo: update 1", None),
        ]
        record = sample.store["generation"]
        # 2 samples, critique, suggestions, 2 updates; then the second round never starts
        assert record["model_calls"] == 6 and record["reward_calls"] == 2 + 2 * 2
        assert record["failure"].startswith("reward grader mockllm/model gave no <score>N")
        assert "(last: no <score>N</score> in the reply; " in record["failure"]


@pytest.mark.parametrize(
    "reply, score",
    [
        ({"data": [{"index": 0, "object": "pooling", "data": [1.25]}]}, 1.25),
        ({"data": [{"index": 0, "data": -3}]}, -3.0),
    ],
)
def test_pooling_score_reads_one_number(reply: Any, score: float) -> None:
    assert pooling_score(reply) == score


@pytest.mark.parametrize(
    "reply, problem",
    [
        ("not json", "expected a JSON object"),
        ({"error": "x"}, "expected 'data' to hold one result"),
        ({"data": [{"data": [1.0]}, {"data": [2.0]}]}, "expected 'data' to hold one result"),
        ({"data": [{"data": [0.2, 0.8]}]}, "expected one number"),
        ({"data": [{"data": [[0.1], [0.2]]}]}, "per-token or multi-label"),
        ({"data": [{"data": [True]}]}, "expected one number"),
        ({"data": [{"data": [float("nan")]}]}, "not a finite number"),
    ],
)
def test_pooling_score_refuses_anything_else(reply: Any, problem: str) -> None:
    with pytest.raises(ValueError, match=re.escape(problem)):
        pooling_score(reply)


def test_server_root_drops_v1() -> None:
    assert server_root("http://rm:8001/v1") == "http://rm:8001"
    assert server_root("http://rm:8001/v1/") == "http://rm:8001"
    assert server_root("https://rm.example/api") == "https://rm.example/api"


@pytest.mark.parametrize(
    "make, problem",
    [
        (lambda: best_of_n(n=0), "n: expected a whole number >= 1, got 0"),
        (lambda: tpo(samples=1), "samples: expected a whole number >= 2, got 1"),
        (lambda: tpo(iterations=-1), "iterations: expected a whole number >= 0"),
        (lambda: best_of_n(reward_url="http://rm:8001/v1"), "reward_model: required"),
        (lambda: best_of_n(reward_model="rm"), "needs reward_url"),
        (lambda: tpo(reward_url="rm:8001", reward_model="rm"), "reward_url: expected an http"),
        (lambda: best_of_n(reward_connections=0), "reward_connections: expected a whole"),
        (lambda: best_of_n(samples=3), "does not take option 'samples'"),
    ],
)
def test_option_mistakes_are_refused(make: Any, problem: str) -> None:
    with pytest.raises(SpecBenchError, match=re.escape(problem)):
        make()


def test_transient_reward_error_is_retried(tmp_path: Path) -> None:
    """The first pooling request fails (HTTP 500): the client retries it, the run succeeds and
    the retry is not counted as a second reward call."""
    failed: list[int] = []

    def flaky(body: dict[str, Any]) -> Any:
        if not failed:
            failed.append(1)
            raise RuntimeError("engine overloaded")
        return default_reward(body)

    with LoopbackServer(reward=flaky) as server:
        log = run(
            scripted_model(Policy().reply),
            {"grader": grader_model()},
            tmp_path,
            method="best_of_n",
            n=2,
            reward_url=server.base_url,
            reward_model="rm",
        )
        served = len(server.pooling_requests)
    assert log.status == "success", log.error
    assert failed == [1] and served == 2 * SAMPLES
    for sample in samples_of(log, SAMPLES):
        assert sample.store["generation"]["reward_calls"] == 2
