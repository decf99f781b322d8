"""Generation methods, one solver each, selected by name with `-T method=NAME`."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from inspect_ai.solver import Solver

from .raw import raw
from .vanilla import vanilla

METHODS: dict[str, Callable[..., Solver]] = {
    "raw": raw,
    "vanilla": vanilla,
}
"""Method name -> solver factory. A method's options are its factory's keyword arguments."""

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


__all__ = ["DEFAULT_METHOD", "METHODS", "method_options", "method_solver", "raw", "vanilla"]
