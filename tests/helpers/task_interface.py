"""What Inspect, `help()` and IDEs read of each SpecBench task, as plain JSON.

For every task: its signature (as `inspect.signature` prints it and parameter by parameter),
its resolved type hints, its docstring, its name and module, and Inspect's registry record
(the registered name and the parameter names `-T` is checked against). `task_interface.json`
beside this file holds these values as they were when each task wrote its parameters out.
Run as a script, this file prints them for the installed copy of the package; after changing
an option on purpose (and reinstalling), record the new interface with
`.venv/bin/python tests/helpers/task_interface.py > tests/helpers/task_interface.json`.
"""

from __future__ import annotations

import inspect
import json
import sys
import typing
from pathlib import Path
from typing import Any

from inspect_ai.util import registry_info

TASKS = ("specbench", "biochem", "child", "code", "health", "travel", "custom")
SNAPSHOT = Path(__file__).with_name("task_interface.json")


def describe_tasks() -> dict[str, Any]:
    """Each task's interface (see the module docstring), from `specbench_inspect._registry`."""
    from specbench_inspect import _registry

    described: dict[str, Any] = {}
    for name in TASKS:
        function = getattr(_registry, name)
        signature = inspect.signature(function)
        info = registry_info(function)
        described[name] = {
            "signature": str(signature),
            "params": [
                {
                    "name": p.name,
                    "kind": p.kind.name,
                    "default": repr(p.default),
                    "annotation": repr(p.annotation),
                }
                for p in signature.parameters.values()
            ],
            "type_hints": {k: repr(v) for k, v in typing.get_type_hints(function).items()},
            "doc": function.__doc__,
            "inspect_getdoc": inspect.getdoc(function),
            "name": function.__name__,
            "qualname": function.__qualname__,
            "module": function.__module__,
            "registry": {"name": info.name, "type": info.type, "metadata": info.metadata},
        }
    return described


def snapshot() -> dict[str, Any]:
    recorded: dict[str, Any] = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    return recorded


if __name__ == "__main__":
    json.dump(describe_tasks(), sys.stdout, indent=1, sort_keys=True)
