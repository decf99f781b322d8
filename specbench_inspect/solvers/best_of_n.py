"""`best_of_n`: sample N responses to the spec-augmented prompt, score each with a reward
source (see `reward`), answer with the best-scored one (ties: the first sampled).

The sampling and selection helpers here are shared with `tpo`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessage,
    ContentReasoning,
    GenerateConfig,
    Model,
    ModelName,
    ModelOutput,
    get_model,
)
from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.util import collect, store

from .._namespace import in_namespace
from ..errors import SpecBenchError
from ..generation import Generation
from ..prompts import PromptsArg
from ..thinking import answer_text
from .common import (
    counted_generate,
    load_templates,
    opening_messages,
    record_answer,
    spec_fields,
)
from .reward import GraderReward, PoolingReward, Scored, UnusableReward, reward_source
from .strict import strict_options

NUM_CHOICES_PROVIDERS = frozenset(
    {"openai", "openai-api", "vllm", "vllm-completions", "sglang", "together"}
)
"""Providers whose Inspect model API passes `num_choices` on as `n` to servers that sample
`n` choices (vLLM, SGLang, OpenAI's chat API): N samples come from one request. Others get N
concurrent requests (Groq takes only n=1, Gemini at most 8 candidates); a reply with fewer
than N choices (a server that ignores `n`, or OpenAI's responses API) is topped up with
single requests."""

CANDIDATES_KEY = "reward_candidates"
"""The sample's Store entry listing every scored response (reward source, stage, score)."""


@dataclass
class Candidate:
    """One sampled response and its reward."""

    stage: str
    """The call that produced it (e.g. `best_of_n: sample`, `tpo: update 1`)."""
    messages: list[ChatMessage]
    """The request that produced it."""
    output: ModelOutput
    """The call's output (usage and model name)."""
    choice: ChatCompletionChoice
    score: float | None = None

    @property
    def text(self) -> str:
        return self.choice.message.text

    @property
    def answer(self) -> str:
        return answer_text(self.text)


def whole_number(name: str, value: object, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise SpecBenchError(f"{name}: expected a whole number >= {least}, got {value!r}")
    return value


def supports_num_choices(model: Model) -> bool:
    return ModelName(model).api in NUM_CHOICES_PROVIDERS


async def sample_candidates(
    model: Model, messages: list[ChatMessage], record: Generation, n: int, stage: str
) -> list[Candidate]:
    """`n` responses to `messages`: one request with `num_choices=n` where the provider passes
    it on, else (or for any choices a server left out) concurrent single requests."""
    candidates: list[Candidate] = []
    if n > 1 and supports_num_choices(model):
        output = await counted_generate(
            model, messages, record, stage=stage, config=GenerateConfig(num_choices=n)
        )
        candidates = [Candidate(stage, messages, output, c) for c in output.choices[:n]]
    missing = n - len(candidates)
    if missing:

        async def one(i: int) -> ModelOutput:
            name = stage if n == 1 else f"{stage} {i}"
            return await counted_generate(model, messages, record, stage=name)

        start = len(candidates) + 1
        outputs = await collect(*(one(i) for i in range(start, n + 1)))
        candidates += [Candidate(stage, messages, out, out.choices[0]) for out in outputs]
    return candidates


async def score_candidates(
    reward: PoolingReward | GraderReward,
    state: TaskState,
    fields: dict[str, str],
    candidates: list[Candidate],
    record: Generation,
) -> None:
    """Score the candidates that have no score yet (concurrently); `UnusableReward` if any is
    left without a score (naming the first problem; the others keep their scores)."""
    todo = [c for c in candidates if c.score is None]
    items = [Scored(state.input_text, c.answer, fields) for c in todo]
    failures: list[UnusableReward] = []
    for candidate, value in zip(todo, await reward.score_all(items, record), strict=True):
        if isinstance(value, UnusableReward):
            failures.append(value)
        else:
            candidate.score = value
    if failures:
        many = f" ({len(failures)} of {len(todo)} responses without a score)"
        raise UnusableReward(f"{failures[0]}{many if len(todo) > 1 else ''}")


def best(candidates: list[Candidate]) -> Candidate:
    """The highest-scored candidate; ties go to the first sampled."""
    top = max(c.score for c in candidates if c.score is not None)
    return next(c for c in candidates if c.score == top)


def worst(candidates: list[Candidate]) -> Candidate:
    """The lowest-scored candidate; ties go to the last sampled (so that best and worst differ
    whenever there are two candidates)."""
    bottom = min(c.score for c in candidates if c.score is not None)
    return next(c for c in reversed(candidates) if c.score == bottom)


def keep_candidates(
    reward: PoolingReward | GraderReward, candidates: list[Candidate], chosen: int | None
) -> None:
    """Every candidate and its score (None: not scored) in the Store (`reward_candidates`)."""
    store().set(
        CANDIDATES_KEY,
        {
            "reward": reward.describe(),
            "chosen": chosen,
            "candidates": [
                {"stage": c.stage, "score": c.score, "answer": c.answer} for c in candidates
            ],
        },
    )


def finish_best(
    state: TaskState,
    record: Generation,
    reward: PoolingReward | GraderReward,
    candidates: list[Candidate],
) -> TaskState:
    """The best-scored candidate becomes the sample's output; every candidate and its score is
    kept in the Store (`reward_candidates`)."""
    chosen = best(candidates)
    keep_candidates(reward, candidates, candidates.index(chosen))
    record.deviations = [*record.deviations, *reward.deviations(reward.describe()["model"])]
    output = ModelOutput(
        model=chosen.output.model, choices=[chosen.choice], usage=chosen.output.usage
    )
    state.messages = [*chosen.messages, chosen.choice.message]
    state.output = output
    record_answer(record, chosen.text, _reasoning(chosen.choice))
    return state


def fail_reward(
    state: TaskState,
    record: Generation,
    reward: PoolingReward | GraderReward,
    candidates: list[Candidate],
    error: UnusableReward,
) -> TaskState:
    """A reward source gave no usable score: the sample gets no answer (its output is left
    as it was, empty: never a guess), keeps every candidate sampled so far with the scores it got
    (`reward_candidates`, `chosen` None) and its `generation` record with the failure, which
    the judge reports as the reason the sample is unscored (as it does a grader failure)."""
    keep_candidates(reward, candidates, None)
    record.deviations = [*record.deviations, *reward.deviations(reward.describe()["model"])]
    record.failure = str(error)
    record.save()
    return state


class RewardSolver:
    """The solver of a reward-model method; `generation()` describes it for the task
    metadata (the reward source, any deviation), like a pre-filled method's plan."""

    def __init__(self, method: str, reward: PoolingReward | GraderReward, solve: Solver) -> None:
        self.method = method
        self.reward = reward
        self.solve = solve

    async def __call__(self, state: TaskState, generate: Generate) -> TaskState:
        return await self.solve(state, generate)

    def generation(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "continuation": None,
            "deviations": self.reward.deviations(),
            "reward": self.reward.plan(),
        }


def _reasoning(choice: ChatCompletionChoice) -> str:
    content = choice.message.content
    if isinstance(content, str):
        return ""
    return "\n".join(c.reasoning for c in content if isinstance(c, ContentReasoning))


@solver
@in_namespace
@strict_options
def best_of_n(
    n: int = 15,
    reward_url: str | None = None,
    reward_model: str | None = None,
    reward_connections: int = 10,
    reward_attempts: int | None = None,
    prompts: PromptsArg | None = None,
) -> Solver:
    """Best-of-N: sample `n` responses to the spec-augmented prompt, score each with the reward
    model, answer with the best-scored one (ties: the first sampled).

    Args:
        n: Responses sampled (one request with `num_choices=n` where the provider supports it).
        reward_url: Base URL of a vLLM server running the reward model (its `/pooling`
            endpoint is used), e.g. http://host:8001/v1. API key from $REWARD_API_KEY.
            Without it an LLM grader (model role `reward`, else `grader`) rates the responses
            against the specs, recorded as a deviation from the paper.
        reward_model: The reward model's name on that server (required with `reward_url`).
        reward_connections: Concurrent requests to the reward server.
        reward_attempts: The LLM grader's calls per response before the sample is left
            unscored (default: the task's `max_judge_attempts`).
        prompts: The wording: `paper` (default), `builtin`, or a templates file.
    """
    count = whole_number("n", n, 1)
    wording = load_templates(prompts)
    reward = reward_source(wording, reward_url, reward_model, reward_connections, reward_attempts)

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        record = Generation(method="best_of_n")
        model = get_model()
        messages = opening_messages(state, wording, with_specs=True)
        candidates = await sample_candidates(model, messages, record, count, "best_of_n: sample")
        try:
            await score_candidates(reward, state, spec_fields(state, wording), candidates, record)
        except UnusableReward as ex:
            return fail_reward(state, record, reward, candidates, ex)
        return finish_best(state, record, reward, candidates)

    return RewardSolver("best_of_n", reward, solve)
