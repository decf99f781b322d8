"""`vanilla`: the spec-augmented prompt (one call). The default method."""

from __future__ import annotations

from inspect_ai.solver import Solver, solver

from .._namespace import in_namespace
from .common import one_call_solver
from .strict import strict_options


@solver
@in_namespace
@strict_options
def vanilla(templates: str | None = None) -> Solver:
    """Ask the question followed by the scenario's safety and behavioral specs.

    Args:
        templates: YAML/JSON file replacing named prompt templates.
    """
    return one_call_solver("vanilla", templates, with_specs=True)
