"""Every mistake in a user's input is one line naming it, and a non-zero exit.

The walk covers every option of every task (`TaskOptions`' fields, `-T scenarios`,
`-T scenario_dir`, and each method's own options) and every option of every `specbench`
subcommand, each given a bad value. In-process, every task x option; through the real
`inspect` and `specbench` commands (marked slow), every option once. Every case fails before
anything is generated (the model is mockllm and no log may be written). docs/errors.md lists
the same messages and exit codes.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers.data import DATA_DIR
from helpers.inspect_cli import command_lines, inspect_executable

from specbench_inspect import _registry
from specbench_inspect.errors import SpecBenchError
from specbench_inspect.solvers import METHODS, method_options
from specbench_inspect.tasks import preflight
from specbench_inspect.tasks.options import TaskOptions

MISSING = "/nonexistent/specbench-walk"

BAD_TASK_OPTIONS: dict[str, tuple[str, str]] = {
    # option: (bad value, a text the one line must hold)
    "method": ("chain_of_thought", "unknown method 'chain_of_thought'"),
    "label": ("benign", "-T label='benign'"),
    "adversarial": ("maybe", "-T adversarial='maybe'"),
    "data_dir": (MISSING, f"{MISSING}: -T data_dir: not a folder"),
    "source": ("gitlab", "-T source='gitlab'"),
    "revision": ("v1", "-T revision=v1"),
    "judge": ("parallel", "-T judge='parallel'"),
    "max_judge_attempts": ("0", "-T max_judge_attempts=0"),
    "graders": ("nobody", "graders: 'nobody' is neither a model role"),
    "min_graders": ("0", "-T min_graders=0"),
    "behavioral_na": ("ignore", "-T behavioral_na='ignore'"),
    "judge_template_file": (f"{MISSING}/judge.txt", f"{MISSING}/judge.txt"),
    "prompts": (
        "papre",
        "-T prompts: 'papre' is neither a wording (paper, builtin) nor an existing templates "
        "file; did you mean paper?",
    ),
}
"""A bad value for every `TaskOptions` field (a test checks that none is left out)."""

SELECTOR_OPTIONS: dict[str, dict[str, tuple[str, str]]] = {
    "specbench": {"scenarios": ("travle", "did you mean travel?")},
    "custom": {"scenario_dir": (MISSING, MISSING)},
}
"""The options that choose the samples, per task."""

CUSTOM_REFUSES = ("data_dir", "source", "revision")
"""Options of the published data that `specbench/custom` refuses whatever their value."""

BAD_METHOD_OPTIONS: dict[str, tuple[str, str]] = {
    "rethink_count": ("0", "rethink_count: expected a whole number >= 1"),
    "continuation": ("telepathy", "telepathy"),
    "chat_template": (f"{MISSING}.jinja", f"{MISSING}.jinja"),
    "max_iters": ("-1", "max_iters: expected a whole number >= 0"),
    "history": ("0", "history: expected a whole number >= 1"),
    "n": ("0", "n: expected a whole number >= 1"),
    "reward_url": ("not a url", "reward_url"),
    "reward_model": ("orm-model", "reward_model"),
    "reward_connections": ("0", "reward_connections: expected a whole number >= 1"),
    "reward_attempts": ("0", "reward_attempts: expected a whole number >= 1"),
    "samples": ("1", "samples: expected a whole number >= 2"),
    "iterations": ("-1", "iterations: expected a whole number >= 0"),
}
"""A bad value for every method's own options (a test checks that none is left out)."""


def method_cases() -> list[tuple[str, str]]:
    return [(method, option) for method in METHODS for option in method_options(method)]


def typed(value: str) -> Any:
    """A `-T` value as Inspect's CLI parses it (YAML scalars)."""
    import yaml

    return yaml.safe_load(value)


def task_options(task: str) -> dict[str, tuple[str, str]]:
    options = dict(BAD_TASK_OPTIONS)
    if task == "custom":
        for name in CUSTOM_REFUSES:
            options[name] = ("x", f"-T {name}: chooses the published data")
    return {**options, **SELECTOR_OPTIONS.get(task, {})}


def base_args(task: str) -> dict[str, Any]:
    """What a task needs besides the option under test to get as far as checking it."""
    if task == "custom":
        return {"scenario_dir": str(DATA_DIR / "Travel")}
    return {"data_dir": str(DATA_DIR)}


def test_the_command_names_the_scenario_files_as_the_data_modules_do() -> None:
    from specbench_inspect import cli
    from specbench_inspect.datasets import DATA_FILES

    assert cli.DATA_FILES == DATA_FILES


def test_every_option_has_a_bad_value() -> None:
    assert sorted(BAD_TASK_OPTIONS) == sorted(TaskOptions.model_fields)
    assert sorted(BAD_METHOD_OPTIONS) == sorted({o for _, o in method_cases()})
    assert len(_registry.TASKS) == 7
    assert tuple(METHODS) == _registry.SOLVERS


def one_line(ex: BaseException) -> str:
    text = str(ex)
    assert "\n" not in text and text.strip(), repr(text)
    return text


@pytest.mark.parametrize("task", _registry.TASKS)
def test_every_task_option_mistake_is_one_line_naming_it(
    task: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # as on Inspect's command line, where the grader panel is checked at task creation
    monkeypatch.setattr(preflight, "on_inspect_cli", lambda: True)
    factory = getattr(_registry, task)
    cases = task_options(task)
    assert len(cases) >= len(TaskOptions.model_fields)
    for option, (value, expected) in cases.items():
        args = {**base_args(task), option: typed(value)}
        with pytest.raises(SpecBenchError) as info:
            factory(**args)
        assert expected in one_line(info.value), (task, option, str(info.value))


@pytest.mark.parametrize(("method", "option"), method_cases())
def test_every_method_option_mistake_is_one_line_naming_it(method: str, option: str) -> None:
    value, expected = BAD_METHOD_OPTIONS[option]
    args = {"data_dir": str(DATA_DIR), "method": method, "prompts": "builtin"}
    if option == "reward_model":  # a reward model without a server to run it on
        args[option] = value
    elif option == "reward_url":
        args[option] = value
        args["reward_model"] = "orm-model"
    else:
        args[option] = typed(value)
    with pytest.raises(SpecBenchError) as info:
        _registry.travel(**args)
    assert expected in one_line(info.value), str(info.value)


# --- through the real command lines ---------------------------------------------------------


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.pop("INSPECT_DISPLAY", None)  # what a user sees by default
    env.update(extra)
    return env


def run(args: list[str], cwd: Path, **env: str) -> tuple[int, list[str]]:
    """Exit status and the non-blank lines of stdout and stderr together."""
    return command_lines(args, cwd, cli_env(**env))


def method_args(method: str) -> list[str]:
    return ["-T", f"data_dir={DATA_DIR}", "-T", f"method={method}"]


def inspect_cases() -> list[tuple[str, list[str], str]]:
    """(task, -T/-other arguments, expected text): every option once, on one task each."""
    cases = [
        ("travel", ["-T", f"data_dir={DATA_DIR}", "-T", f"{option}={value}"], expected)
        for option, (value, expected) in BAD_TASK_OPTIONS.items()
        if option != "data_dir"
    ]
    data_value, data_expected = BAD_TASK_OPTIONS["data_dir"]
    cases.append(("travel", ["-T", f"data_dir={data_value}"], data_expected))
    cases.append(("specbench", ["-T", f"data_dir={DATA_DIR}", "-T", "scenarios=travle"], "travel"))
    cases.append(("custom", ["-T", f"scenario_dir={MISSING}"], MISSING))
    cases.append(("travle", [], "did you mean specbench/travel?"))
    cases.append(
        (
            "travel",
            ["-T", f"data_dir={DATA_DIR}", "--solver", "specbench/vanila"],
            "--solver specbench/vanila: no such solver; did you mean specbench/vanilla?",
        )
    )
    cases.append(("travel", ["-T", f"data_dir={DATA_DIR}", "-T", "nosuch=1"], "-T nosuch"))
    for method, option in method_cases():
        value, expected = BAD_METHOD_OPTIONS[option]
        extra = ["-T", "reward_model=orm-model"] if option == "reward_url" else []
        cases.append(
            (
                "travel",
                [*method_args(method), "-T", f"{option}={value}", *extra],
                expected,
            )
        )
    return cases


@pytest.mark.slow
@pytest.mark.parametrize(
    ("task", "args", "expected"),
    inspect_cases(),
    ids=[" ".join(c[1][-2:]) + f" {c[0]}" for c in inspect_cases()],
)
def test_inspect_eval_mistakes_are_one_line_and_exit_non_zero(
    task: str, args: list[str], expected: str, tmp_path: Path
) -> None:
    status, lines = run(
        [
            inspect_executable(),
            "eval",
            f"specbench/{task}",
            *args,
            "--model",
            "mockllm/model",
            "--model-role",
            "grader=mockllm/model",
            "--log-dir",
            str(tmp_path / "logs"),
        ],
        tmp_path,
    )
    assert status == 1
    if "--solver" in args:  # found once the eval has started, after Inspect's own banner
        assert lines[0].startswith("Monitor from another shell: inspect ctl"), lines
        lines = lines[1:]
    assert len(lines) == 1, lines
    assert lines[0].startswith("specbench: error: ") and expected in lines[0], lines[0]
    if "--solver" not in args:  # a solver is resolved once the eval (and its log) has started
        assert not (tmp_path / "logs").exists(), "refused before any log was written"


@pytest.mark.slow
def test_no_grader_and_no_key_is_one_line_before_anything_runs(tmp_path: Path) -> None:
    env = cli_env()
    env.pop("OPENAI_API_KEY", None)
    code, lines = command_lines(
        [
            inspect_executable(),
            "eval",
            "specbench/travel",
            "-T",
            f"data_dir={DATA_DIR}",
            "--model",
            "mockllm/model",
            "--log-dir",
            str(tmp_path / "logs"),
        ],
        tmp_path,
        env,
    )
    assert code == 1
    assert len(lines) == 1, lines
    assert lines[0].startswith("specbench: error: graders: the default grader")
    assert "openai/gpt-4.1 cannot be used" in lines[0] and "OPENAI_API_KEY" in lines[0]
    assert not (tmp_path / "logs").exists(), "refused before any log was written"


def specbench_cases(tmp: Path) -> list[tuple[list[str], int, str]]:
    """(arguments, exit status, expected text): every subcommand's every option, bad."""
    text = tmp / "notalog.txt"
    log = tmp / "run.eval"
    return [
        ([], 2, "the following arguments are required: command"),
        (["nosuch"], 2, "invalid choice: 'nosuch'"),
        (["validate"], 2, "the following arguments are required: PATH"),
        (["validate", MISSING], 1, f"{MISSING}: folder not found"),
        (["validate", str(tmp), "--nosuch"], 2, "unrecognized arguments: --nosuch"),
        (["schema", "scenarios"], 2, "invalid choice: 'scenarios'"),
        (["schema", "--path=1"], 2, "ignored explicit argument '1'"),
        (["compare", str(text), str(log)], 2, "notalog.txt: not an Inspect log"),
        (["compare", MISSING, str(log)], 2, "no such log file or folder"),
        (["compare", str(log)], 2, "the following arguments are required: CANDIDATE"),
        (["compare", str(log), str(log), "--metric", "sarr"], 2, "invalid choice: 'sarr'"),
        (["compare", str(log), str(log), "--max-drop", "x"], 2, "--max-drop: invalid float"),
        (["compare", str(log), str(log), "--max-drop", "-1"], 2, "--max-drop: must be"),
        (["compare", str(log), str(log), "--alpha", "2"], 2, "--alpha: must be between 0"),
        (["compare", str(log), str(log), "--per-scenario=1"], 2, "ignored explicit argument"),
        (["compare", str(log), str(log), "--max-unscored", "200"], 2, "--max-unscored: must"),
        (["compare", str(log), str(log), "--seed", "x"], 2, "--seed: invalid int"),
        (["compare", str(log), str(log), "--resamples", "5"], 2, "--resamples: at least 100"),
        (["compare", str(log), str(log), "--top-specs", "x"], 2, "--top-specs: invalid int"),
        (["compare", str(log), str(log), "--scorer"], 2, "--scorer: expected one argument"),
        (["compare", str(log), str(log), "--format", "html"], 2, "invalid choice: 'html'"),
        (["compare", str(log), str(log), "--output"], 2, "--output: expected one argument"),
        (["report", str(text), "--output", str(tmp / "o")], 2, "not an Inspect log"),
        (["report", str(tmp / "empty"), "--output", str(tmp / "o")], 2, "no Inspect logs"),
        (["report", str(log)], 2, "the following arguments are required: --output"),
        (["report", str(log), "--output", str(tmp / "o"), "--title"], 2, "--title: expected"),
        (["list", "extra"], 2, "unrecognized arguments: extra"),
        (["fetch", "--cache-dir"], 2, "--cache-dir: expected one argument"),
        (["fetch", "--cache-dir", str(text)], 2, "cannot create the cache folder"),
        (["report", str(log), "--output", str(tmp / "o"), "--label", "x"], 2, "write LOG=TEXT"),
        (["check"], 2, "the following arguments are required: LOG_OR_DIR"),
        (["check", str(log), "--max-unscored", "x"], 2, "--max-unscored: 'x' is not a limit"),
        (["check", str(log), "--max-flagged", "0.5"], 2, "--max-flagged: '0.5' is not a limit"),
        (["check", str(log), "--require-published=1"], 2, "ignored explicit argument '1'"),
        (["paper", "--table", "x"], 2, "invalid choice: 'x'"),
        (["paper", "--sort", "nosuch"], 2, "--sort 'nosuch': no such column"),
        (["paper", "--desc=1"], 2, "ignored explicit argument '1'"),
        (["paper", "--format", "html"], 2, "invalid choice: 'html'"),
        (["agreement"], 2, "the following arguments are required: LOG"),
        (["agreement", str(text)], 2, "notalog.txt: not an Inspect log"),
        (["agreement", str(log), "--reference"], 2, "--reference: expected one argument"),
        (["agreement", str(log), "--candidate"], 2, "--candidate: expected one argument"),
        (["agreement", str(log), "--labels"], 2, "--labels: expected one argument"),
        (["agreement", str(log), "--export-labels"], 2, "--export-labels: expected one"),
        (["agreement", str(log), "--top-specs", "x"], 2, "--top-specs: invalid int"),
        (["agreement", str(log), "--seed", "x"], 2, "--seed: invalid int"),
        (["agreement", str(log), "--resamples", "x"], 2, "--resamples: invalid int"),
        (["agreement", str(log), "--format", "html"], 2, "invalid choice: 'html'"),
        (["agreement", str(log), "--output"], 2, "--output: expected one argument"),
    ]


SPECBENCH_CASES = len(specbench_cases(Path("/tmp")))


def test_the_specbench_walk_covers_every_subcommand_and_option() -> None:
    import argparse

    from specbench_inspect.cli import parser

    [subparsers] = [a for a in parser()._actions if isinstance(a, argparse._SubParsersAction)]
    cases = specbench_cases(Path("/tmp"))
    named = " ".join(" ".join(args) for args, _, _ in cases)
    assert len(subparsers.choices) >= 6
    for name, sub in subparsers.choices.items():
        assert f"{name}" in named, name
        for action in sub._actions:
            flags = [f for f in action.option_strings if f.startswith("--") and f != "--help"]
            assert not flags or any(f in named for f in flags), (name, flags)


@pytest.mark.slow
@pytest.mark.parametrize("index", range(SPECBENCH_CASES))
def test_specbench_mistakes_are_one_line_and_exit_non_zero(index: int, tmp_path: Path) -> None:
    (tmp_path / "notalog.txt").write_text("not a log\n", encoding="utf-8")
    (tmp_path / "run.eval").write_bytes(b"never read: the command is refused first")
    (tmp_path / "empty").mkdir()
    args, status, expected = specbench_cases(tmp_path)[index]
    executable = Path(sys.executable).parent / "specbench"
    code, lines = run([str(executable), *args], tmp_path)
    assert code == status
    assert len(lines) == 1, lines
    assert " error: " in lines[0] and expected in lines[0], lines[0]


AUDIT_MISTAKES = {
    "prompts": ("papr", "papr"),
    "families": ("forged", "-T families: unknown family 'forged'"),
    "probes": ("no-such-probes.json", "no-such-probes.json"),
    "max_judge_attempts": (0, "-T max_judge_attempts: must be at least 1"),
    "source": ("gitlab", "gitlab"),
    "revision": ("main", "revision"),
    "data_dir": ("no-such-folder", "no-such-folder"),
}


def test_every_grader_audit_option_mistake_is_one_line_naming_it() -> None:
    """The audit task has its own options (not TaskOptions): each has a bad value too."""
    import inspect as python_inspect

    declared = set(python_inspect.signature(_registry.grader_audit).parameters)
    assert declared == set(AUDIT_MISTAKES)
    for option, (value, expected) in AUDIT_MISTAKES.items():
        args: dict[str, Any] = {option: value}
        if option not in ("data_dir", "source", "revision"):
            args["data_dir"] = str(DATA_DIR)
        with pytest.raises(SpecBenchError) as info:
            _registry.grader_audit(**args)
        assert expected in one_line(info.value), (option, str(info.value))
