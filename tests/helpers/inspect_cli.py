"""Running the real `inspect` CLI of the installed package against the loopback server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from inspect_ai.log import EvalLog, list_eval_logs, read_eval_log

from helpers.data import DATA_DIR


def inspect_executable() -> str:
    """The `inspect` script beside this interpreter (where the package is installed)."""
    candidate = Path(sys.executable).parent / "inspect"
    found = str(candidate) if candidate.exists() else shutil.which("inspect")
    assert found, "the inspect CLI is not installed"
    return found


def run_inspect(
    args: list[str], base_url: str, cwd: Path, **env: str
) -> subprocess.CompletedProcess[str]:
    """`inspect <args>` with the `openai-api/loop/...` service pointed at `base_url`.

    The working directory is outside the checkout and PYTHONPATH is cleared, so the CLI sees
    the installed distribution, as a user would.
    """
    environment = {
        **os.environ,
        "LOOP_BASE_URL": base_url,
        "LOOP_API_KEY": "loopback",
        "INSPECT_DISPLAY": "none",
        **env,
    }
    environment.pop("PYTHONPATH", None)
    return subprocess.run(
        [inspect_executable(), *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )


def command_lines(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, list[str]]:
    """Run `args` in `cwd` with exactly `env`: the exit status and the non-blank lines of
    stdout and stderr together (what a user sees of a one-line error)."""
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    return done.returncode, [
        line for line in (done.stdout + done.stderr).splitlines() if line.strip()
    ]


def travel_eval_args(model: str, log_dir: Path, *extra: str) -> list[str]:
    """`inspect eval specbench/travel` on the shared data, graded by the loopback `judge`."""
    return [
        "eval",
        "specbench/travel",
        "--model",
        model,
        "--model-role",
        "grader=openai-api/loop/judge",
        "-T",
        f"data_dir={DATA_DIR}",
        "--log-dir",
        str(log_dir),
        *extra,
    ]


def only_log(log_dir: Path) -> EvalLog:
    logs = list_eval_logs(str(log_dir))
    assert len(logs) == 1, f"expected one log in {log_dir}, found {len(logs)}"
    return read_eval_log(logs[0])
