"""`zero_think`: the assistant turn starts with an empty thinking block (one call)."""

from __future__ import annotations

from inspect_ai.solver import Solver, TaskState, solver

from .._namespace import in_namespace
from ..prompts import PromptsArg, Templates
from .continuation import Stage, prefill_solver
from .strict import strict_options


def zero_think_stages(state: TaskState, prompts: Templates) -> list[Stage]:
    return [Stage("answer", prompts.render("zero_think_prefill"), final=True)]


@solver
@in_namespace
@strict_options
def zero_think(
    prompts: PromptsArg | None = None, continuation: str = "auto", chat_template: str = "auto"
) -> Solver:
    """ZeroThink: pre-fill `<think>\\n</think>` after the spec-augmented prompt, so the model
    answers without thinking (one call).

    Args:
        prompts: The wording: `paper` (default), `builtin`, or a templates file.
        continuation: How the model continues its pre-filled turn: `auto` (from the provider),
            `server` (OpenAI-compatible server, continue_final_message), `prefill` (native
            assistant pre-fill), `turns` (emulation, recorded as a deviation).
        chat_template: Chat template sent to a server: `auto` (from the model name), `qwen3`,
            `deepseek_r1`, `none` (the server's own) or a Jinja file path.
    """
    return prefill_solver("zero_think", zero_think_stages, prompts, continuation, chat_template)
