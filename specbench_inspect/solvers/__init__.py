"""Generation methods, one solver each, selected by name with `-T method=NAME`."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from inspect_ai.solver import Solver

from ..errors import SpecBenchError
from ..prompts import PromptsArg
from .align3 import align3
from .best_of_n import RewardSolver, best_of_n
from .continuation import PrefilledSolver
from .decoding import decoding_for
from .more_think import more_think
from .plan import model_in_context
from .raw import raw
from .self_refine import self_refine
from .tpo import tpo
from .vanilla import vanilla
from .zero_think import zero_think

METHODS: dict[str, Callable[..., Solver]] = {
    "raw": raw,
    "vanilla": vanilla,
    "zero_think": zero_think,
    "more_think": more_think,
    "self_refine": self_refine,
    "align3": align3,
    "best_of_n": best_of_n,
    "tpo": tpo,
}
"""Method name -> solver factory. A method's options are its factory's keyword arguments."""

PREFILLED_METHODS = ("zero_think", "more_think", "align3")
"""Methods that make the model continue a pre-filled assistant turn (see `continuation`)."""

DEFAULT_METHOD = "vanilla"


def method_options(name: str) -> list[str]:
    """The options a method takes (besides `prompts`, the wording, which every method takes)."""
    params = inspect.signature(METHODS[name]).parameters
    return [p for p in params if p != "prompts"]


def method_solver(name: str, prompts: PromptsArg | None = None, **options: Any) -> Solver:
    """The solver for method `name` (checked by the task's options); every factory refuses
    an option it does not take itself (`strict.strict_options`)."""
    if name not in METHODS:
        raise SpecBenchError(f"method: unknown method {name!r} (choose from {', '.join(METHODS)})")
    return METHODS[name](prompts=prompts, **options)


def method_generation(solver: Solver, method: str) -> dict[str, Any]:
    """For the task metadata: how the task's solver generates on the model under evaluation.

    A pre-filled method's solver made its continuation plan (provider, continuation, chat
    template, deviations, and why) when it was created, if the model was known then: this is
    that plan, not a second one. `decoding` is the reference's decoding for the model's family
    as the method's calls apply it. Each sample's store records what ran in every case
    (`Generation.method`, `.continuation`, `.chat_template`, `.deviations`, `.decoding`).
    """
    described = (
        solver.generation()
        if isinstance(solver, (PrefilledSolver, RewardSolver))
        else {"method": method, "continuation": None, "deviations": []}
    )
    model = model_in_context()
    described["decoding"] = (
        decoding_for(model).describe()
        if model is not None
        else "per sample (the model was not known when the task was created)"
    )
    return described


__all__ = [
    "DEFAULT_METHOD",
    "METHODS",
    "PREFILLED_METHODS",
    "align3",
    "best_of_n",
    "method_generation",
    "method_options",
    "method_solver",
    "more_think",
    "raw",
    "self_refine",
    "tpo",
    "vanilla",
    "zero_think",
]
