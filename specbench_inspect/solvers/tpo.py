"""`tpo`: test-time preference optimisation with a reward model.

Sample `samples` responses to the spec-augmented prompt and score them; then, `iterations`
times: take the best- and worst-scored responses so far, ask the model to compare them (the
textual loss, template `tpo_critique`), then for concrete suggestions (the textual gradient,
`tpo_suggest`), then for `samples` improved responses (`tpo_update`), which are scored and
kept. The answer is the best-scored response of all (ties: the first sampled).
"""

from __future__ import annotations

from inspect_ai.model import ChatMessage, ChatMessageSystem, ChatMessageUser, get_model
from inspect_ai.solver import Generate, Solver, TaskState, solver

from .._namespace import in_namespace
from ..generation import Generation
from ..prompts import PromptsArg
from ..thinking import answer_text
from .best_of_n import (
    RewardSolver,
    best,
    fail_reward,
    finish_best,
    sample_candidates,
    score_candidates,
    whole_number,
    worst,
)
from .common import counted_generate, load_templates, opening_messages, spec_fields
from .reward import UnusableReward, reward_source
from .strict import strict_options


@solver
@in_namespace
@strict_options
def tpo(
    samples: int = 5,
    iterations: int = 2,
    reward_url: str | None = None,
    reward_model: str | None = None,
    reward_connections: int = 10,
    reward_attempts: int | None = None,
    prompts: PromptsArg | None = None,
) -> Solver:
    """TPO: sample and score `samples` responses, then `iterations` rounds of critique of the
    best- against the worst-scored response, suggestions, and `samples` improved responses;
    answer with the best-scored response of all.

    Args:
        samples: Responses sampled per step (one request with `num_choices` where supported).
        iterations: Critique / suggestions / update rounds (2 + 1 or `samples` calls each).
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
    per_step = whole_number("samples", samples, 2)
    rounds = whole_number("iterations", iterations, 0)
    wording = load_templates(prompts)
    reward = reward_source(wording, reward_url, reward_model, reward_connections, reward_attempts)

    def ask(text: str) -> list[ChatMessage]:
        return [ChatMessageSystem(content=wording.render("system")), ChatMessageUser(content=text)]

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        record = Generation(method="tpo")
        model = get_model()
        fields = spec_fields(state, wording)
        messages = opening_messages(state, wording, with_specs=True)
        pool = await sample_candidates(model, messages, record, per_step, "tpo: sample")
        try:
            await score_candidates(reward, state, fields, pool, record)
        except UnusableReward as ex:
            return fail_reward(state, record, reward, pool, ex)
        for i in range(1, rounds + 1):
            chosen, rejected = best(pool).answer, worst(pool).answer
            critique = await counted_generate(
                model,
                ask(wording.render("tpo_critique", **fields, chosen=chosen, rejected=rejected)),
                record,
                stage=f"tpo: critique {i}",
            )
            suggest = await counted_generate(
                model,
                ask(
                    wording.render(
                        "tpo_suggest",
                        **fields,
                        chosen=chosen,
                        critique=answer_text(critique.completion),
                    )
                ),
                record,
                stage=f"tpo: suggest {i}",
            )
            update = ask(
                wording.render(
                    "tpo_update",
                    **fields,
                    chosen=chosen,
                    suggestions=answer_text(suggest.completion),
                )
            )
            fresh = await sample_candidates(model, update, record, per_step, f"tpo: update {i}")
            pool += fresh
            try:
                await score_candidates(reward, state, fields, fresh, record)
            except UnusableReward as ex:
                return fail_reward(state, record, reward, pool, ex)
        return finish_best(state, record, reward, pool)

    return RewardSolver("tpo", reward, solve)
