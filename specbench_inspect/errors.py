"""The error a user's input mistake raises, and how the command lines show it.

A bad option, data file, scenario folder or template is the user's to fix, not a crash: it
should read as one line naming the option, file or value at fault. The `specbench` command
catches `SpecBenchError` itself (`cli.main`). On the `inspect` command line the exception
reaches Inspect's own exception hook, which prints its prerequisite errors as one line but
only for a class of its private API; for everything else it falls back to Python's full
traceback (120 to 290 lines for an option mistake).

Inspect offers no public way for a package to say how its exceptions are shown (no error
hook, no public exception class to raise), so `install_cli_error_hook` wraps whatever
`sys.excepthook` is in force (Inspect's own, once its CLI has started) and prints a
`SpecBenchError` as one line; every other exception goes to the wrapped hook unchanged.
The hook is installed only on Inspect's command line (`on_inspect_cli`), and only once this
package has something to show there: when a `SpecBenchError` is created, or when the command
line names a `specbench/...` task that does not exist (`hint_unknown_tasks`, called by the
entry point). Importing the package, or loading Inspect's entry points in another program,
leaves `sys.excepthook` alone.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

ERROR_PREFIX = "specbench: error: "

NO_TASKS_FOUND = "No inspect tasks were found"
"""The start of the message Inspect gives when a task name resolves to nothing."""


def on_inspect_cli() -> bool:
    """Whether this process is Inspect's command line (`inspect ...`, `python -m inspect_ai`).

    There the model roles are bound before any task is created, and an exception that ends
    the command is shown by `sys.excepthook`."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and str(getattr(spec, "name", "")).startswith("inspect_ai"):
        return True
    program = sys.argv[0] if sys.argv else ""
    return Path(program).stem == "inspect"


class SpecBenchError(ValueError):
    """A mistake in the user's input (options, data, scenario folders, templates)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        if on_inspect_cli():
            install_cli_error_hook()


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """`"; did you mean X?"` for the choice closest to a misspelt `value`, else ``""``."""
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""


def user_error(exception: BaseException | None) -> SpecBenchError | None:
    """The `SpecBenchError` behind `exception` (itself, a cause, or in an exception group)."""
    seen: set[int] = set()
    pending = [exception]
    while pending:
        current = pending.pop(0)
        if current is None or id(current) in seen:
            continue
        if isinstance(current, SpecBenchError):
            return current
        seen.add(id(current))
        pending += list(getattr(current, "exceptions", None) or [])
        pending.append(current.__cause__ or current.__context__)
    return None


_unknown_tasks: list[str] = []
"""`specbench/...` names on Inspect's command line that are no task (see `hint_unknown_tasks`)."""
_task_names: list[str] = []
_other_names: list[str] = []
"""What else the package registers (solvers, scorers, metrics)."""
_unknown_solvers: list[str] = []
"""`--solver specbench/...` names on Inspect's command line that are no solver."""
_solver_names: list[str] = []


def unknown_task_line(exception: BaseException) -> str | None:
    """The one line shown instead of Inspect's "no tasks found" for a misspelt task name."""
    message = getattr(exception, "message", None)
    if not _unknown_tasks or not isinstance(message, str) or NO_TASKS_FOUND not in message:
        return None
    names = [f"specbench/{name}" for name in _task_names]
    problems = [
        f"{given} is a solver or scorer, not a task (a method is chosen with -T method=NAME)"
        if given.split("/", 1)[1] in _other_names
        else f"no task {given}{did_you_mean(given, names)}"
        for given in _unknown_tasks
    ]
    return f"{'; '.join(problems)} (tasks: {', '.join(names)}; `specbench list` shows them all)"


def unknown_solver_line(exception: BaseException) -> str | None:
    """The one line shown instead of Inspect's "Unknown solver" for a misspelt solver name."""
    text = str(exception)
    names = [f"specbench/{name}" for name in _solver_names]
    for given in _unknown_solvers:
        if text.startswith(f"Unknown solver {given} "):
            return f"--solver {given}: no such solver{did_you_mean(given, names)} (solvers: " + (
                f"{', '.join(names)})"
            )
    return None


def hint_unknown_tasks(
    tasks: Sequence[str], registered: Iterable[str], solvers: Sequence[str] = ()
) -> None:
    """On Inspect's command line, remember any `specbench/NAME` task or `--solver` that names
    nothing this package registers, and install the hook that names it with the valid ones."""
    if not on_inspect_cli():
        return
    args = sys.argv[1:]
    pairs = list(zip(["", *args[:-1]], args, strict=True))
    named_solvers = [arg for before, arg in pairs if before == "--solver"] + [
        arg.removeprefix("--solver=") for arg in args if arg.startswith("--solver=")
    ]
    unknown_solvers = [
        name
        for name in named_solvers
        if name.startswith("specbench/") and name.split("/", 1)[1] not in solvers
    ]
    if unknown_solvers and solvers:
        _solver_names[:] = list(solvers)
        _unknown_solvers[:] = unknown_solvers
        install_cli_error_hook()
    unknown = [
        arg
        for before, arg in pairs
        # a task is a positional argument; `--solver specbench/...` names something else
        if arg.startswith("specbench/")
        and not (before.startswith("-") and "=" not in before)
        and arg.split("/", 1)[1].split("@")[0] not in tasks
    ]
    if unknown:
        _task_names[:] = list(tasks)
        _other_names[:] = [name for name in registered if name not in tasks]
        _unknown_tasks[:] = unknown
        install_cli_error_hook()


def install_cli_error_hook() -> None:
    """Print a `SpecBenchError` that reaches the top of the program as one line (idempotent)."""
    previous = sys.excepthook
    if getattr(previous, "_specbench", False):
        return

    def hook(
        kind: type[BaseException], exception: BaseException, trace: TracebackType | None
    ) -> None:
        mistake = user_error(exception)
        line = (
            f"{mistake}"
            if mistake is not None
            else unknown_task_line(exception) or unknown_solver_line(exception)
        )
        if line is None:
            previous(kind, exception, trace)
            return
        print(f"{ERROR_PREFIX}{line}", file=sys.stderr)

    hook._specbench = True  # type: ignore[attr-defined]
    sys.excepthook = hook
