"""`more_think`: thinking extended N-1 times with `Wait, ` (N calls)."""

from __future__ import annotations

from functools import partial

from inspect_ai.solver import Solver, TaskState, solver

from .._namespace import in_namespace
from ..errors import SpecBenchError
from ..prompts import PromptsArg, Templates
from .continuation import Stage, prefill_solver
from .strict import strict_options


def more_think_stages(state: TaskState, prompts: Templates, rounds: int) -> list[Stage]:
    """Round 1 opens the thinking block; each later round appends the `Wait, ` marker; every
    round but the last stops at `</think>`."""
    opening = Stage("round 1", prompts.render("more_think_prefill"), final=rounds == 1)
    wait = prompts.render("more_think_wait")
    return [opening] + [Stage(f"round {i}", wait, final=i == rounds) for i in range(2, rounds + 1)]


@solver
@in_namespace
@strict_options
def more_think(
    rethink_count: int = 3,
    prompts: PromptsArg | None = None,
    continuation: str = "auto",
    chat_template: str = "auto",
) -> Solver:
    """MoreThink: pre-fill `<think>`; each time the model would close its thought, append
    `Wait, ` and let it go on; the last round closes the thought and answers.

    Args:
        rethink_count: Rounds of thinking, one call each (N in the paper; 1 is plain thinking).
        prompts: The wording: `paper` (default), `builtin`, or a templates file.
        continuation: How the model continues its pre-filled turn: `auto` (from the provider),
            `server` (OpenAI-compatible server, continue_final_message), `prefill` (native
            assistant pre-fill), `turns` (emulation, recorded as a deviation).
        chat_template: Chat template sent to a server: `auto` (from the model name), `qwen3`,
            `deepseek_r1`, `none` (the server's own) or a Jinja file path.
    """
    if isinstance(rethink_count, bool) or not isinstance(rethink_count, int) or rethink_count < 1:
        raise SpecBenchError(f"rethink_count: expected a whole number >= 1, got {rethink_count!r}")
    stages = partial(more_think_stages, rounds=rethink_count)
    return prefill_solver("more_think", stages, prompts, continuation, chat_template)
