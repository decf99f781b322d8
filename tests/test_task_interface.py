"""Every task's options are made from the one `TaskOptions` declaration, and what Inspect,
`help()` and IDEs read of each task (signature, types, docstring, registry record) is what it
was when each task wrote its 14 parameters out (`helpers/task_interface.json`)."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any

import pytest
from helpers.data import DATA_DIR
from helpers.task_interface import SNAPSHOT, TASKS, describe_tasks, snapshot
from inspect_ai import Task

from specbench_inspect.tasks import biochem, child, code, custom, health, specbench, travel
from specbench_inspect.tasks.options import (
    METHOD_OPTIONS,
    PARAMETER_TYPES,
    PUBLISHED_DATA_OPTIONS,
    TaskArguments,
    TaskOptions,
    with_task_options,
)

PREFIX = "specbench/"


def _unprefixed(described: dict[str, Any]) -> dict[str, Any]:
    """The interface with the registered names' `specbench/` prefix taken off: only the
    installed distribution has it (the slow tests below check it there)."""
    unprefixed = json.loads(json.dumps(described))
    for entry in unprefixed.values():
        entry["registry"]["name"] = entry["registry"]["name"].removeprefix(PREFIX)
    return typing.cast(dict[str, Any], unprefixed)


def test_each_task_reads_as_it_did_when_it_wrote_its_parameters_out() -> None:
    recorded = snapshot()
    assert sorted(recorded) == sorted(TASKS)
    assert len(recorded["travel"]["params"]) == 14
    assert _unprefixed(describe_tasks()) == _unprefixed(recorded)


def test_every_signature_is_made_from_the_task_options() -> None:
    """Each task's parameters are the `TaskOptions` fields, in order, with their defaults and
    types, between its selector (if any) and `**method_options`."""
    fields = TaskOptions.model_fields
    field_types = typing.get_type_hints(TaskOptions)
    selectors = {specbench: "scenarios", custom: "scenario_dir"}
    tasks = (biochem, child, code, health, travel, specbench, custom)
    assert len(fields) == 13
    for task_function in tasks:
        params = list(inspect.signature(task_function).parameters.values())
        hints = typing.get_type_hints(task_function)
        selector = selectors.get(task_function)
        if selector:
            assert params[0].name == selector and params[0].default is None
            params = params[1:]
        *declared, rest = params
        assert rest.name == METHOD_OPTIONS and rest.kind is inspect.Parameter.VAR_KEYWORD
        expected = [
            name
            for name in fields
            if task_function is not custom or name not in PUBLISHED_DATA_OPTIONS
        ]
        assert [p.name for p in declared] == expected, task_function.__name__
        for param in declared:
            assert param.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
            assert param.default == fields[param.name].default, param.name
            if param.name not in PARAMETER_TYPES:
                assert hints[param.name] == field_types[param.name], param.name
        assert hints["return"] is Task
    label = typing.get_type_hints(travel)["label"]
    assert typing.get_args(typing.get_args(label)[0]) == ("safe", "unsafe", "all")


def test_a_task_binds_its_arguments_as_its_signature_says() -> None:
    seen: list[TaskArguments] = []

    def body(call: TaskArguments) -> Task:
        """A docstring."""
        seen.append(call)
        return Task()

    made = with_task_options("scenarios")(body)
    made("travel", "align3", judge="sequential", rethink_count=2)
    made()
    assert len(seen) == 2
    first, second = seen
    assert first.selection == "travel" and first.method_options == {"rethink_count": 2}
    assert first.options["method"] == "align3" and first.options["judge"] == "sequential"
    assert list(first.options) == list(TaskOptions.model_fields)
    assert second.selection is None and second.method_options == {}
    assert second.options == {name: f.default for name, f in TaskOptions.model_fields.items()}
    assert made.__name__ == "body" and made.__doc__ == "A docstring."
    with pytest.raises(TypeError):
        made("travel", "align3", "safe", True, None, None, None, "joint", 5, None, None, "count",
             None, "paper", "one too many")  # fmt: skip


def _installed_python(script: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run `script` with this interpreter outside the checkout (PYTHONPATH cleared), so that it
    imports the installed distribution, as `inspect eval specbench/...` does."""
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_the_installed_tasks_read_as_they_did(tmp_path: Path) -> None:
    """The same check on the installed copy, with the registered names' prefix."""
    helper = Path(__file__).parent / "helpers" / "task_interface.py"
    script = f"import runpy; runpy.run_path({str(helper)!r}, run_name='__main__')"
    result = _installed_python(script, tmp_path)
    assert result.returncode == 0, result.stderr
    installed = json.loads(result.stdout)
    assert installed["travel"]["registry"]["name"] == PREFIX + "travel"
    assert installed == snapshot(), f"the installed tasks differ from {SNAPSHOT.name}"


PREFIX_CHECK = """
import json, site, sys
import inspect_ai
import specbench
from inspect_ai.util import registry_create, registry_info

report = {"inspect_ai": inspect_ai.__version__, "where": specbench.__file__}
report["installed"] = any(specbench.__file__.startswith(p) for p in site.getsitepackages())
try:  # what `inspect eval specbench/travel` does: look the name up, loading the entry point
    report["created"] = registry_info(registry_create("task", "specbench/travel", **ARGS)).name
except Exception as ex:
    report["created"] = f"{type(ex).__name__}: {ex}"
from specbench_inspect import _registry
report["names"] = {n: registry_info(getattr(_registry, n)).name for n in _registry.__all__}
print(json.dumps(report))
"""


@pytest.mark.slow
def test_the_installed_objects_are_named_under_the_specbench_prefix(tmp_path: Path) -> None:
    """`inspect eval specbench/travel` finds the tasks only under the `specbench/` prefix,
    which rests on how inspect-ai names a registered object (see the failure message)."""
    script = PREFIX_CHECK.replace("**ARGS", f"data_dir={str(DATA_DIR)!r}")
    result = _installed_python(script, tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["installed"], (
        f"the `specbench` package was imported from {report['where']}, not site-packages: "
        "install the distribution first (`pip install .`, as the README's test command does)"
    )
    names: dict[str, str] = report["names"]
    from specbench_inspect import _registry

    assert len(names) == len(_registry.__all__) >= 20  # every object the entry point registers
    wrong = [f"{name} as {got!r}" for name, got in sorted(names.items()) if got != PREFIX + name]
    if report["created"] != PREFIX + "travel":
        wrong.insert(0, f"looking up specbench/travel: {report['created']}")
    assert not wrong, (
        "the installed specbench-inspect is not registered under the `specbench/` prefix "
        f"with inspect-ai {report['inspect_ai']} ({'; '.join(wrong)}). The prefix exists only "
        "because specbench_inspect/_namespace.py (`in_namespace`) rewrites each registered "
        "object's `__module__` to 'specbench', and inspect-ai names a registered object after "
        "the top-level package of the module it claims, when that package is installed. This "
        "inspect-ai no longer does so: adapt _namespace.py to how it names registered objects "
        "(its `registry_name`), then move the inspect-ai bound in pyproject.toml."
    )
