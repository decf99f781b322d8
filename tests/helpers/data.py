"""Where the tests read the SpecBench data (and the upstream reference files) from.

In order: `$SPECBENCH_DATA_DIR`; `$SPECBENCH_UPSTREAM_DIR/data`; the shared upstream copy
`../shared/specbench-upstream` beside the checkout (CI); `../shared/specbench-data`; else the
pinned, checksum-verified download into the cache (the code users run). When none can be
had the test run stops with one line saying how to provide the data.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
SHARED_UPSTREAM = SHARED / "specbench-upstream"

HOW_TO_PROVIDE = (
    "SpecBench test data not found: set SPECBENCH_DATA_DIR (a folder with Biochem/ ... Travel/) "
    "or SPECBENCH_UPSTREAM_DIR (a copy of the upstream repository), or allow the pinned "
    "download from the upstream repository"
)


def _has_scenarios(folder: Path) -> bool:
    return (folder / "Travel" / "prompts.json").is_file()


def _upstream_dir() -> Path | None:
    configured = os.environ.get("SPECBENCH_UPSTREAM_DIR")
    if configured:
        return Path(configured).expanduser()
    return SHARED_UPSTREAM if SHARED_UPSTREAM.is_dir() else None


def find_data_dir() -> Path:
    """The data folder the tests use (see the module docstring)."""
    configured = os.environ.get("SPECBENCH_DATA_DIR")
    candidates = [Path(configured).expanduser()] if configured else []
    upstream = _upstream_dir()
    if upstream is not None:
        candidates.append(upstream / "data")
    candidates.append(SHARED / "specbench-data")
    for folder in candidates:
        if _has_scenarios(folder):
            return folder
    from specbench_inspect.datasets.catalog import SCENARIOS
    from specbench_inspect.datasets.fetch import fetch_scenario
    from specbench_inspect.datasets.scenario import SpecBenchDataError

    try:
        folders = [fetch_scenario(name) for name in SCENARIOS.values()]
        return folders[0].parent
    except SpecBenchDataError as ex:
        pytest.exit(f"{HOW_TO_PROVIDE} ({ex})", returncode=4)


def find_upstream_dir() -> Path | None:
    """A local copy of the upstream repository, if there is one."""
    return _upstream_dir()


DATA_DIR = find_data_dir()
"""The benchmark data every test reads."""

if find_upstream_dir() is not None:
    # the paper's wording (the default) is read from the upstream copy too: no network, and
    # the `inspect` CLI subprocesses of the tests inherit it
    os.environ.setdefault("SPECBENCH_UPSTREAM_DIR", str(find_upstream_dir()))
