"""`raw`: the question alone, no specs (one call)."""

from __future__ import annotations

from inspect_ai.solver import Solver, solver

from .._namespace import in_namespace
from ..prompts import PromptsArg
from .common import one_call_solver
from .strict import strict_options


@solver
@in_namespace
@strict_options
def raw(prompts: PromptsArg | None = None) -> Solver:
    """Ask the question with the system message only: the baseline without specifications.

    Args:
        prompts: The wording: `paper` (default), `builtin`, or a templates file.
    """
    return one_call_solver("raw", prompts, with_specs=False)
