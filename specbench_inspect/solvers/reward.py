"""Reward sources for the reward-model baselines (`best_of_n`, `tpo`): what scores a response.

- `PoolingReward`: a reward model served by vLLM (`-T reward_url=... -T reward_model=...`), as
  in the paper (FsfairX-LLaMA3-RM-v0.1, a sequence classifier). Each response is sent to the
  server's `/pooling` endpoint as a conversation (the question as the user asked it, the
  response as the assistant's reply) so that the server applies the reward model's own chat
  template; the score is the one value the endpoint returns for the sequence.
- `GraderReward`: without `reward_url`, an LLM grader (model role `reward`, else `grader`, else
  the judge's default grader) rates each response against the scenario's specs on a fixed
  1-10 scale (templates `reward_grader_system`, `reward_grader`). Recorded as a deviation.

A reply without a usable score is an `UnusableReward` naming the server or model: never a
zero. A request that fails after the client's retries is a `RewardError` and errors the
sample, as a failed grader request does.
The LLM grader follows the judge's rules: an unusable reply is asked again with a follow-up
turn naming the problem (`reward_retry`), up to `reward_attempts` calls (by default the task's
`max_judge_attempts`). A response left without a score makes the method stop without an answer:
the sample keeps its `generation` record (with the failure) and its `reward_candidates`, and
the judge leaves it unscored with the reason (see `best_of_n.fail_reward`).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any, Protocol

from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageUser,
    Model,
    get_model,
    model_roles,
)
from inspect_ai.util import collect, concurrency
from openai import APIError, AsyncOpenAI

from ..errors import SpecBenchError
from ..generation import Generation
from ..prompts import Templates
from ..scorers.judge import DEFAULT_ATTEMPTS, DEFAULT_GRADER, GRADER_CONFIG, token_limit

REWARD_ROLE = "reward"
"""The model role of the LLM grader that stands in for a reward model."""
GRADER_ROLE = "grader"
API_KEY_ENV = "REWARD_API_KEY"
"""Environment variable holding the reward server's API key (optional)."""
POOLING_PATH = "/pooling"
"""vLLM serves the pooling API at the server root, not under `/v1`."""
MAX_RETRIES = 5
"""Retries of a reward request on transient errors (connection, 408, 409, 429, 5xx)."""
SCALE = (1, 10)
"""The LLM grader's rating scale."""
_SCORE = re.compile(r"<score>\s*(-?\d+(?:\.\d+)?)\s*</score>", re.IGNORECASE)


class RewardError(RuntimeError):
    """A reward source gave no usable score (a request that failed after the client's
    retries errors the sample, as a failed grader request does)."""


class UnusableReward(RewardError):
    """A reward source answered without a usable score (the LLM grader after its attempts, a
    pooling reply without one number): the sample is left unscored, its records kept."""


@dataclass(frozen=True)
class Scored:
    """What a reward source is asked to score."""

    question: str
    """The question as the user asked it (the sample's input, without the specs)."""
    response: str
    """The response's answer (the text after any thinking block)."""
    fields: dict[str, str] = field(default_factory=dict)
    """The sample's template fields (`question`, `safety_specs`, `behavioral_specs`)."""


class RewardSource(Protocol):
    def plan(self) -> dict[str, Any]:
        """For the task metadata: the reward source the options chose (no eval needed)."""
        ...

    def describe(self) -> dict[str, Any]:
        """For the sample's Store: which reward source scored the responses."""
        ...

    def deviations(self, model: str | None = None) -> list[str]:
        """Ways this source departs from the paper's reward model (naming the grader in
        force, `model`, when known)."""
        ...

    async def score_all(
        self, items: list[Scored], record: Generation
    ) -> list[float | UnusableReward]:
        """The rewards of `items`, in order, scored concurrently (each call counted in
        `record.reward_calls`); an item without a usable score gets the `UnusableReward`
        saying why, so that the others keep theirs."""
        ...


def server_root(url: str) -> str:
    """The server's root from a base URL given as `http://host:port/v1` (or without `/v1`)."""
    root = url.strip().rstrip("/")
    if root.endswith("/v1"):
        root = root[: -len("/v1")]
    if not re.match(r"^https?://[^/]", root):
        raise SpecBenchError(
            f"reward_url: expected an http(s) URL such as http://host:8001/v1, got {url!r}"
        )
    return root


def pooling_score(reply: Any) -> float:
    """The sequence's score in a vLLM pooling response (`{"data": [{"data": [score]}]}`).

    Raises ValueError describing what is missing or unusable."""
    if not isinstance(reply, dict):
        raise ValueError(f"expected a JSON object, got {type(reply).__name__}")
    items = reply.get("data")
    if not isinstance(items, list) or len(items) != 1 or not isinstance(items[0], dict):
        raise ValueError(f"expected 'data' to hold one result, got {_short(items)}")
    value = items[0].get("data")
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(
            f"expected one number in data[0].data, got {_short(value)} (per-token or multi-label "
            "output: serve the reward model as a sequence classifier, e.g. --runner pooling)"
        )
    if not math.isfinite(value):
        raise ValueError(f"the score is not a finite number: {value!r}")
    return float(value)


def _short(value: Any, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


class PoolingReward:
    """A reward model behind vLLM's pooling API."""

    def __init__(self, url: str, model: str, connections: int) -> None:
        self.root = server_root(url)
        self.model = model
        self.connections = connections

    def plan(self) -> dict[str, Any]:
        return {"source": "pooling", "model": self.model, "url": self.root + POOLING_PATH}

    def describe(self) -> dict[str, Any]:
        return self.plan()

    def deviations(self, model: str | None = None) -> list[str]:
        return []

    def client(self) -> AsyncOpenAI:
        """An OpenAI client for the server (its retries and timeouts); close it after use."""
        return AsyncOpenAI(
            base_url=self.root,
            api_key=os.environ.get(API_KEY_ENV) or "EMPTY",
            max_retries=MAX_RETRIES,
        )

    async def score_all(
        self, items: list[Scored], record: Generation
    ) -> list[float | UnusableReward]:
        client = self.client()
        try:
            return await collect(*(caught(self.score(item, record, client)) for item in items))
        finally:
            await client.close()

    async def score(self, item: Scored, record: Generation, client: AsyncOpenAI) -> float:
        body = {
            "model": self.model,
            "messages": [
                {"role": "user", "content": item.question},
                {"role": "assistant", "content": item.response},
            ],
        }
        where = f"reward model {self.model} at {self.root}{POOLING_PATH}"
        try:
            async with concurrency(f"reward/{self.model}", self.connections):
                record.reward_calls += 1
                reply = await client.post(POOLING_PATH, body=body, cast_to=object)
        except APIError as ex:
            raise RewardError(f"{where}: request failed: {ex}") from ex
        try:
            return pooling_score(reply)
        except ValueError as ex:
            raise UnusableReward(f"{where} returned no usable score: {ex}") from None


class GraderReward:
    """An LLM grader rating each response against the specs on a 1-10 scale."""

    def __init__(self, templates: Templates, attempts: int = DEFAULT_ATTEMPTS) -> None:
        self.templates = templates
        self.attempts = attempts
        """Grader calls per response before it is left without a score (`reward_attempts`,
        by default the task's `max_judge_attempts`)."""

    def model(self) -> Model:
        """The `reward` role, else the `grader` role, else the judge's default grader (looked
        up in the running eval's roles each time: Inspect caches the models)."""
        if REWARD_ROLE in model_roles():
            return get_model(role=REWARD_ROLE, config=GRADER_CONFIG)
        return get_model(role=GRADER_ROLE, default=DEFAULT_GRADER, config=GRADER_CONFIG)

    def plan(self) -> dict[str, Any]:
        return {
            "source": "llm_grader",
            "model": f"model role '{REWARD_ROLE}', else '{GRADER_ROLE}', else {DEFAULT_GRADER}",
            "scale": list(SCALE),
            "attempts": self.attempts,
        }

    def describe(self) -> dict[str, Any]:
        return {
            "source": "llm_grader",
            "model": str(self.model()),
            "scale": list(SCALE),
            "attempts": self.attempts,
        }

    def deviations(self, model: str | None = None) -> list[str]:
        grader = f"the LLM grader {model}" if model else "an LLM grader"
        return [
            f"reward: no reward_url, so {grader} rated each response on a {SCALE[0]}-{SCALE[1]} "
            "scale against the scenario's specs instead of the paper's reward model "
            "(FsfairX-LLaMA3-RM-v0.1)"
        ]

    async def score_all(
        self, items: list[Scored], record: Generation
    ) -> list[float | UnusableReward]:
        return await collect(*(caught(self.score(item, record)) for item in items))

    async def score(self, item: Scored, record: Generation) -> float:
        """Ask the grader up to `attempts` times, as the judge asks: the first request alone,
        each retry the request, the rejected reply and a `reward_retry` turn naming the
        problem; `UnusableReward` naming the last problem if no reply holds a usable score."""
        model = self.model()
        request: list[ChatMessage] = [
            ChatMessageSystem(content=self.templates.render("reward_grader_system")),
            ChatMessageUser(
                content=self.templates.render(
                    "reward_grader", **{**item.fields, "response": item.response}
                )
            ),
        ]
        messages = request
        last = problem = ""
        for _ in range(self.attempts):
            record.reward_calls += 1
            output = await model.generate(messages)
            last = output.completion
            value, problem = rating(last)
            if value is not None:
                return value
            if output.stop_reason == "max_tokens":
                problem = f"cut off at {token_limit(model, output)} tokens: {problem}"
            messages = [
                *request,
                ChatMessageAssistant(content=last),
                ChatMessageUser(content=self.templates.render("reward_retry", problem=problem)),
            ]
        calls = f"{self.attempts} attempt" + ("" if self.attempts == 1 else "s")
        raise UnusableReward(
            f"reward grader {model} gave no <score>N</score> from {SCALE[0]} to {SCALE[1]} in "
            f"{calls} (last: {problem}; last reply: {_short(last)})"
        )


def rating(reply: str) -> tuple[float | None, str]:
    """The grader's rating (the last `<score>N</score>` of the reply), or None and what is
    wrong with the reply."""
    found = _SCORE.findall(reply)
    if not found:
        return None, "no <score>N</score> in the reply"
    value = float(found[-1])
    if not SCALE[0] <= value <= SCALE[1]:
        return None, f"the score {found[-1]} is outside {SCALE[0]} to {SCALE[1]}"
    return value, ""


async def caught(scoring: Awaitable[float]) -> float | UnusableReward:
    """The reward, or the `UnusableReward` that says why there is none."""
    try:
        return await scoring
    except UnusableReward as ex:
        return ex


def reward_source(
    templates: Templates,
    reward_url: str | None,
    reward_model: str | None,
    reward_connections: int,
    reward_attempts: int | None = None,
) -> PoolingReward | GraderReward:
    """The reward source the options select (checked now, before any sample runs).
    `reward_attempts`: the LLM grader's calls per response (default `DEFAULT_ATTEMPTS`, the
    judge's; the tasks pass their `max_judge_attempts`)."""
    if reward_attempts is not None and (
        isinstance(reward_attempts, bool)
        or not isinstance(reward_attempts, int)
        or reward_attempts < 1
    ):
        raise SpecBenchError(
            f"reward_attempts: expected a whole number >= 1, got {reward_attempts!r}"
        )
    if (
        isinstance(reward_connections, bool)
        or not isinstance(reward_connections, int)
        or (reward_connections < 1)
    ):
        raise SpecBenchError(
            f"reward_connections: expected a whole number >= 1, got {reward_connections!r}"
        )
    if reward_url:
        if not reward_model:
            raise SpecBenchError(
                "reward_model: required with reward_url (the name the server serves the reward "
                "model under, e.g. sfairXC/FsfairX-LLaMA3-RM-v0.1)"
            )
        return PoolingReward(str(reward_url), str(reward_model), reward_connections)
    if reward_model:
        raise SpecBenchError(
            f"reward_model={reward_model!r} needs reward_url (the vLLM server's base URL, e.g. "
            "http://host:8001/v1); without reward_url the LLM grader (model role 'reward') scores"
        )
    return GraderReward(templates, DEFAULT_ATTEMPTS if reward_attempts is None else reward_attempts)
