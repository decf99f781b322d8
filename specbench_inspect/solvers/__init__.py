"""Generation methods, one solver each, selected by name with `-T method=NAME`."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from inspect_ai.solver import Solver

from .align3 import align3
from .continuation import early_plan
from .more_think import more_think
from .raw import raw
from .self_refine import self_refine
from .vanilla import vanilla
from .zero_think import zero_think

METHODS: dict[str, Callable[..., Solver]] = {
    "raw": raw,
    "vanilla": vanilla,
    "zero_think": zero_think,
    "more_think": more_think,
    "self_refine": self_refine,
    "align3": align3,
}
"""Method name -> solver factory. A method's options are its factory's keyword arguments."""

PREFILLED_METHODS = ("zero_think", "more_think", "align3")
"""Methods that make the model continue a pre-filled assistant turn (see `continuation`)."""

DEFAULT_METHOD = "vanilla"


def method_options(name: str) -> list[str]:
    """The options a method takes (besides `templates`, which every method takes)."""
    params = inspect.signature(METHODS[name]).parameters
    return [p for p in params if p != "templates"]


def method_solver(name: str, templates: str | None = None, **options: Any) -> Solver:
    """The solver for method `name`; unknown methods or options are refused with the choices."""
    if name not in METHODS:
        raise ValueError(f"method: unknown method {name!r} (choose from {', '.join(METHODS)})")
    allowed = method_options(name)
    unknown = [key for key in options if key not in allowed]
    if unknown:
        takes = ", ".join(allowed) if allowed else "no options"
        raise ValueError(
            f"method {name!r} does not take option {', '.join(map(repr, unknown))} "
            f"(it takes {takes})"
        )
    return METHODS[name](templates=templates, **options)


def method_generation(name: str, **options: Any) -> dict[str, Any]:
    """For the task metadata: how the method generates on the model under evaluation.

    For a pre-filled method this is the continuation plan (provider, continuation, chat
    template, deviations) when the model is known as the task is created; otherwise each
    sample's store records it (`Generation.continuation`, `.chat_template`, `.deviations`).
    """
    if name not in PREFILLED_METHODS:
        return {"method": name, "continuation": None, "deviations": []}
    plan = early_plan(
        name,
        str(options.get("continuation", "auto")),
        str(options.get("chat_template", "auto")),
    )
    if plan is None:
        return {
            "method": name,
            "continuation": "per sample (the model was not known when the task was created)",
            "deviations": [],
        }
    return plan.describe()


__all__ = [
    "DEFAULT_METHOD",
    "METHODS",
    "PREFILLED_METHODS",
    "align3",
    "method_generation",
    "method_options",
    "method_solver",
    "more_think",
    "raw",
    "self_refine",
    "vanilla",
    "zero_think",
]
