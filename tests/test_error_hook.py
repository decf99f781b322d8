"""The one-line error hook: installed on Inspect's command line when there is a mistake to
show, never by importing the package or loading Inspect's entry points."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.data import DATA_DIR
from helpers.inspect_cli import command_lines, inspect_executable

from specbench_inspect import errors
from specbench_inspect.errors import SpecBenchError, install_cli_error_hook, user_error


def python(code: str, *argv: str) -> str:
    """Run `code` in a fresh interpreter (the installed package, as a user's program sees it)
    and return what it printed."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-c", code, *argv],
        env=env,
        cwd=Path(__file__).parent.parent.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_importing_the_entry_point_leaves_the_exception_hook_alone() -> None:
    code = (
        "import sys\n"
        "import specbench_inspect._registry\n"
        "print(sys.excepthook is sys.__excepthook__, "
        "getattr(sys.excepthook, '_specbench', False))"
    )
    assert python(code, "specbench/travle") == "True False"


def test_loading_inspects_entry_points_leaves_the_exception_hook_alone() -> None:
    """As Inspect loads them in any program that names a registered object."""
    code = (
        "import sys\n"
        "from importlib.metadata import entry_points\n"
        "eps = [ep for ep in entry_points(group='inspect_ai') if ep.name == 'specbench']\n"
        "loaded = [ep.load() for ep in eps]\n"
        "print(len(loaded), sys.excepthook is sys.__excepthook__)"
    )
    assert python(code) == "1 True"


def test_a_mistake_in_a_program_of_ones_own_is_an_ordinary_exception() -> None:
    code = (
        "import sys\n"
        "from specbench_inspect.tasks import travel\n"
        "try:\n"
        "    travel(method='chain_of_thought')\n"
        "except ValueError as ex:\n"
        "    print(type(ex).__name__, sys.excepthook is sys.__excepthook__)"
    )
    assert python(code) == "SpecBenchError True"


def test_the_hook_finds_a_mistake_inside_an_exception_group() -> None:
    import builtins

    group_type = getattr(builtins, "ExceptionGroup", None)
    if group_type is None:
        pytest.skip("no ExceptionGroup before Python 3.11")
    mistake = SpecBenchError("-T label='benign': Input should be 'safe' or 'unsafe'")
    group = group_type("unhandled errors in a TaskGroup", [RuntimeError("other"), mistake])
    assert user_error(group) is mistake
    try:
        try:
            raise group
        except Exception as ex:
            raise RuntimeError("raised while handling") from ex
    except RuntimeError as outer:
        assert user_error(outer) is mistake
    assert user_error(RuntimeError("no mistake")) is None


def test_a_misspelt_task_is_named_with_the_valid_ones(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """What the hook prints for Inspect's "no tasks found" after a misspelt `specbench/`."""
    seen: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, ex, tb: seen.append(ex))
    monkeypatch.setattr(sys, "argv", ["inspect", "eval", "specbench/travle", "--model", "m/x"])
    monkeypatch.setattr(errors, "on_inspect_cli", lambda: True)
    monkeypatch.setattr(errors, "_unknown_tasks", [])
    errors.hint_unknown_tasks(("specbench", "travel"), ["travel", "vanilla"])
    assert getattr(sys.excepthook, "_specbench", False)

    class NoTasks(Exception):  # Inspect's prerequisite errors carry a `message`
        message = "Error: No inspect tasks were found at the specified paths."

    sys.excepthook(NoTasks, NoTasks(), None)
    err = capsys.readouterr().err
    assert err == (
        "specbench: error: no task specbench/travle; did you mean specbench/travel? "
        "(tasks: specbench/specbench, specbench/travel; `specbench list` shows them all)\n"
    )
    other = RuntimeError("a real crash")
    sys.excepthook(RuntimeError, other, None)
    assert seen == [other]

    monkeypatch.setattr(sys, "argv", ["inspect", "eval", "specbench/vanilla"])
    errors.hint_unknown_tasks(("specbench", "travel"), ["travel", "vanilla"])
    sys.excepthook(NoTasks, NoTasks(), None)
    assert capsys.readouterr().err == (
        "specbench: error: specbench/vanilla is a solver or scorer, not a task (a method is "
        "chosen with -T method=NAME) (tasks: specbench/specbench, specbench/travel; "
        "`specbench list` shows them all)\n"
    )


def test_a_misspelt_solver_is_named_with_the_valid_ones(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "excepthook", lambda kind, ex, tb: None)
    argv = ["inspect", "eval", "specbench/travel", "--solver", "specbench/vanila"]
    monkeypatch.setattr(sys, "argv", argv)
    monkeypatch.setattr(errors, "on_inspect_cli", lambda: True)
    monkeypatch.setattr(errors, "_unknown_tasks", [])
    monkeypatch.setattr(errors, "_unknown_solvers", [])
    errors.hint_unknown_tasks(("travel",), ["travel", "vanilla"], ("raw", "vanilla"))
    # Inspect's own message for a solver it cannot find
    problem = ValueError("Unknown solver specbench/vanila (not registered as a @solver or @agent)")
    sys.excepthook(ValueError, problem, None)
    assert capsys.readouterr().err == (
        "specbench: error: --solver specbench/vanila: no such solver; did you mean "
        "specbench/vanilla? (solvers: specbench/raw, specbench/vanilla)\n"
    )


def test_known_names_install_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    before = sys.excepthook
    monkeypatch.setattr(sys, "excepthook", before)  # restored after the test
    argv = ["inspect", "eval", "specbench/travel", "--solver", "specbench/vanila"]
    monkeypatch.setattr(sys, "argv", argv)
    monkeypatch.setattr(errors, "on_inspect_cli", lambda: True)
    errors.hint_unknown_tasks(("travel",), ["travel"])
    assert sys.excepthook is before
    install_cli_error_hook()  # the installer itself (see also test_options)
    assert getattr(sys.excepthook, "_specbench", False)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["inspect", "python -m inspect_ai"])
def test_one_line_errors_through_the_real_inspect_cli(how: str, tmp_path: Path) -> None:
    command = [inspect_executable()] if how == "inspect" else [sys.executable, "-m", "inspect_ai"]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "INSPECT_DISPLAY")}
    for task, expected in (
        ("specbench/travel", "unknown method 'chain_of_thought'"),
        ("specbench/travle", "no task specbench/travle; did you mean specbench/travel?"),
    ):
        code, lines = command_lines(
            [
                *command,
                "eval",
                task,
                "-T",
                f"data_dir={DATA_DIR}",
                "-T",
                "method=chain_of_thought",
                "--model",
                "mockllm/model",
                "--model-role",
                "grader=mockllm/model",
                "--log-dir",
                str(tmp_path / "logs"),
            ],
            tmp_path,
            env,
        )
        assert code == 1, lines
        assert len(lines) == 1 and lines[0].startswith("specbench: error: "), lines
        assert expected in lines[0], lines[0]
