"""`vanilla`: the spec-augmented prompt (one call). The default method."""

from __future__ import annotations

from inspect_ai.solver import Solver, solver

from .._namespace import in_namespace
from .common import one_call_solver
from .strict import strict_options


@solver
@in_namespace
@strict_options
def vanilla(prompts: str | None = None) -> Solver:
    """Ask the question followed by the scenario's safety and behavioral specs.

    Args:
        prompts: The wording: `paper` (default), `builtin`, or a templates file.
    """
    return one_call_solver("vanilla", prompts, with_specs=True)
