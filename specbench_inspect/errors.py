"""The error a user's input mistake raises, and how the `inspect` CLI shows it.

A bad option, data file, scenario folder or template is the user's to fix, not a crash: it
should read as one line naming the option, file or value at fault. Inspect prints its own
prerequisite errors that way, but only for a class of its private API; for everything else
its exception hook falls back to Python's full traceback (120 to 290 lines for an option
mistake). So `install_cli_error_hook` wraps whatever `sys.excepthook` is in force (Inspect's
own, once its CLI has started) and prints a `SpecBenchError` as one line; every other
exception goes to the wrapped hook unchanged.
"""

from __future__ import annotations

import sys
from types import TracebackType

ERROR_PREFIX = "specbench: error: "


class SpecBenchError(ValueError):
    """A mistake in the user's input (options, data, scenario folders, templates)."""


def user_error(exception: BaseException | None) -> SpecBenchError | None:
    """The `SpecBenchError` behind `exception` (itself or a cause), if any."""
    seen: set[int] = set()
    while exception is not None and id(exception) not in seen:
        if isinstance(exception, SpecBenchError):
            return exception
        seen.add(id(exception))
        exception = exception.__cause__ or exception.__context__
    return None


def install_cli_error_hook() -> None:
    """Print a `SpecBenchError` that reaches the top of the program as one line (idempotent)."""
    previous = sys.excepthook
    if getattr(previous, "_specbench", False):
        return

    def hook(
        kind: type[BaseException], exception: BaseException, trace: TracebackType | None
    ) -> None:
        mistake = user_error(exception)
        if mistake is None:
            previous(kind, exception, trace)
            return
        print(f"{ERROR_PREFIX}{mistake}", file=sys.stderr)

    hook._specbench = True  # type: ignore[attr-defined]
    sys.excepthook = hook
