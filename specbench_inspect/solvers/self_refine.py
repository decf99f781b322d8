"""`self_refine`: a draft, then feedback and refinement rounds (1 + 2 * max_iters calls)."""

from __future__ import annotations

from inspect_ai.model import ChatMessage, ChatMessageSystem, ChatMessageUser, get_model
from inspect_ai.solver import Generate, Solver, TaskState, solver

from .._namespace import in_namespace
from ..errors import SpecBenchError
from ..generation import Generation
from ..prompts import PromptsArg, Templates
from ..thinking import answer_text
from .common import (
    counted_generate,
    finish_single,
    load_templates,
    opening_messages,
    spec_fields,
)
from .strict import strict_options


def _whole_number(name: str, value: object, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise SpecBenchError(f"{name}: expected a whole number >= {least}, got {value!r}")
    return value


def feedback_messages(
    prompts: Templates, fields: dict[str, str], response: str
) -> list[ChatMessage]:
    """The feedback call: an expert reviewer given the query and specs, then the response."""
    return [
        ChatMessageSystem(content=prompts.render("self_refine_feedback_system", **fields)),
        ChatMessageUser(content=prompts.render("self_refine_feedback_user", response=response)),
    ]


def refine_messages(
    prompts: Templates, fields: dict[str, str], pairs: list[tuple[str, str]]
) -> list[ChatMessage]:
    """The refine call: the query, then the (response, feedback) pairs shown, numbered from 1."""
    history = prompts.text("self_refine_history_separator").join(
        prompts.render("self_refine_history_item", response=r, feedback=f, index=i)
        for i, (r, f) in enumerate(pairs, 1)
    )
    return [
        ChatMessageSystem(content=prompts.render("self_refine_refine_system", **fields)),
        ChatMessageUser(content=prompts.render("self_refine_refine_user", history=history)),
    ]


@solver
@in_namespace
@strict_options
def self_refine(max_iters: int = 3, history: int = 1, prompts: PromptsArg | None = None) -> Solver:
    """Self-Refine: answer the spec-augmented prompt, then `max_iters` times ask the model for
    per-spec feedback on its latest response and for an improved response.

    Args:
        max_iters: Feedback-and-refine rounds (two calls each).
        history: How many of the latest response / feedback pairs the refine call sees.
        prompts: The wording: `paper` (default), `builtin`, or a templates file.
    """
    rounds = _whole_number("max_iters", max_iters, 0)
    keep = _whole_number("history", history, 1)
    wording = load_templates(prompts)

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        record = Generation(method="self_refine")
        model = get_model()
        fields = spec_fields(state, wording)
        state.messages = opening_messages(state, wording, with_specs=True)
        output = await counted_generate(model, state.messages, record, stage="self_refine: draft")
        messages: list[ChatMessage] = state.messages
        pairs: list[tuple[str, str]] = []
        response = answer_text(output.completion)
        for i in range(1, rounds + 1):
            feedback = await counted_generate(
                model,
                feedback_messages(wording, fields, response),
                record,
                stage=f"self_refine: feedback {i}",
            )
            pairs.append((response, answer_text(feedback.completion)))
            messages = refine_messages(wording, fields, pairs[-keep:])
            output = await counted_generate(
                model, messages, record, stage=f"self_refine: refine {i}"
            )
            response = answer_text(output.completion)
        state.messages = messages
        return finish_single(state, record, output)

    return solve
