"""`align3`: behavior, safety and audit reflections inside the thinking trace (three calls)."""

from __future__ import annotations

from inspect_ai.solver import Solver, TaskState, solver

from .._namespace import in_namespace
from ..prompts import PromptsArg, Templates
from .common import spec_fields
from .continuation import Stage, prefill_solver
from .strict import strict_options


def align3_stages(state: TaskState, prompts: Templates) -> list[Stage]:
    """1. behavior optimisation opens the thought; 2. safety-guided refinement and 3. holistic
    audit follow the previous stage's text (trailing whitespace removed by the runner) after
    `align3_separator` (a blank line); 3 runs without a stop."""
    fields = spec_fields(state, prompts)
    separator = prompts.render("align3_separator")
    return [
        Stage("behavior", prompts.render("align3_behavior", **fields)),
        Stage("safety", separator + prompts.render("align3_safety", **fields)),
        Stage("audit", separator + prompts.render("align3_audit", **fields), final=True),
    ]


@solver
@in_namespace
@strict_options
def align3(
    prompts: PromptsArg | None = None, continuation: str = "auto", chat_template: str = "auto"
) -> Solver:
    """Align3 (the paper's test-time deliberation): three continuations of one thinking trace,
    steered by behavior, safety and audit reflections that quote the scenario's specs.

    Args:
        prompts: The wording: `paper` (default), `builtin`, or a templates file.
        continuation: How the model continues its pre-filled turn: `auto` (from the provider),
            `server` (OpenAI-compatible server, continue_final_message), `prefill` (native
            assistant pre-fill), `turns` (emulation, recorded as a deviation).
        chat_template: Chat template sent to a server: `auto` (from the model name), `qwen3`,
            `deepseek_r1`, `none` (the server's own) or a Jinja file path.
    """
    return prefill_solver("align3", align3_stages, prompts, continuation, chat_template)
