"""Running the real `specbench` command of the installed package, as a user would: from a
folder outside the checkout, without PYTHONPATH (reinstall the package after changing it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def specbench_executable() -> str:
    """The `specbench` script beside this interpreter (where the package is installed)."""
    candidate = Path(sys.executable).parent / "specbench"
    found = str(candidate) if candidate.exists() else shutil.which("specbench")
    assert found, "the specbench command is not installed"
    return found


def run_specbench_cli(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **env}
    environment.pop("PYTHONPATH", None)
    return subprocess.run(
        [specbench_executable(), *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
