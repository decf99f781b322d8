"""Solver options checked by name: `-S nosuch=1` is a one-line error listing the options.

Inspect calls a registered solver factory with the `-S` options as keyword arguments, so a
misspelt option would otherwise be Python's raw `TypeError` ("got an unexpected keyword
argument") under a long traceback.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar, cast

from ..errors import SpecBenchError

F = TypeVar("F", bound=Callable[..., Any])


def strict_options(factory: F) -> F:
    """Refuse options `factory` does not take, naming the solver and the options it takes.

    The wrapper keeps the factory's signature (`functools.wraps`), so Inspect and
    `method_options` still read the options from it."""
    parameters = inspect.signature(factory).parameters
    name = factory.__name__

    @functools.wraps(factory)
    def checked(*args: Any, **options: Any) -> Any:
        unknown = [key for key in options if key not in parameters]
        if unknown:
            takes = ", ".join(parameters) if parameters else "no options"
            raise SpecBenchError(
                f"solver specbench/{name} does not take option "
                f"{', '.join(map(repr, unknown))} (it takes {takes}; -S name=value)"
            )
        return factory(*args, **options)

    return cast(F, checked)
