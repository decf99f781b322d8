"""Air-gapped machines: `specbench fetch` fills the cache on a connected one (here: a loopback
mirror of the upstream files), a copy of that folder is all an offline run needs, and without
it the error names the missing file and the one fix. No test touches the network: "offline"
is a loopback port nobody listens on, as in `test_fetch.py`."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.data import DATA_DIR, find_upstream_dir
from helpers.inspect_cli import command_lines, inspect_executable
from test_fetch import DataServer

from specbench_inspect.cli import main
from specbench_inspect.datasets.catalog import PINNED_COMMIT, UPSTREAM_SHA256
from specbench_inspect.datasets.fetch import file_sha256
from specbench_inspect.errors import SpecBenchError
from specbench_inspect.prompts import paper
from specbench_inspect.tasks import travel

UPSTREAM = find_upstream_dir()
"""Read before the fixtures clear the variables that name it."""
SOURCES = (
    "SPECBENCH_UPSTREAM_DIR",
    "SPECBENCH_UPSTREAM_URL",
    "SPECBENCH_DATA_URL",
    "SPECBENCH_DATA_DIR",
    "SPECBENCH_CACHE_DIR",
)


def unreachable_url() -> str:
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """No upstream copy, an empty cache, and downloads that cannot connect; the paper's
    wording is read again (not from this process's memory)."""
    for name in SOURCES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SPECBENCH_UPSTREAM_URL", unreachable_url())
    cache = tmp_path / "empty-cache"
    monkeypatch.setenv("SPECBENCH_CACHE_DIR", str(cache))
    paper.paper_texts.cache_clear()
    yield cache
    paper.paper_texts.cache_clear()


@pytest.fixture
def mirror() -> Iterator[DataServer]:
    """The upstream repository's files on 127.0.0.1, as on a connected machine."""
    if UPSTREAM is None or not (UPSTREAM / "specbench" / "prompt_eval.py").is_file():
        pytest.skip("no local copy of the upstream repository (SPECBENCH_UPSTREAM_DIR)")
    with DataServer(UPSTREAM) as server:
        yield server


def test_offline_without_the_upstream_files_says_what_is_missing_and_the_fix(
    offline: Path,
) -> None:
    with pytest.raises(SpecBenchError) as info:
        travel(data_dir=str(DATA_DIR))  # the data folder is given: the wording still lacks
    message = str(info.value)
    assert "the paper's wording (-T prompts=paper, the default)" in message
    assert "specbench/utils.py: download failed" in message
    assert "a data folder (-T data_dir) does not hold" in message
    assert "SPECBENCH_UPSTREAM_DIR=PATH" in message and "`specbench fetch`" in message
    assert "-T data_dir=PATH" not in message, "the advice must not go in a circle"


def test_offline_data_error_names_the_data_folder_as_a_fix_too(offline: Path) -> None:
    with pytest.raises(SpecBenchError) as info:
        travel(prompts="builtin")
    message = str(info.value)
    assert "data/Travel/" in message and "download failed" in message
    assert "`specbench fetch`" in message and "-T data_dir=PATH" in message


def test_fetch_fills_the_cache_and_a_copy_runs_offline(
    mirror: DataServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name in SOURCES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SPECBENCH_UPSTREAM_URL", mirror.url)
    cache = tmp_path / "connected-cache"

    assert main(["fetch", "--cache-dir", str(cache)]) == 0
    folder = cache / PINNED_COMMIT
    out = capsys.readouterr().out
    assert f"{len(UPSTREAM_SHA256)} pinned upstream files" in out and str(folder) in out
    assert mirror.count() == len(UPSTREAM_SHA256)
    for repo_path, sha in UPSTREAM_SHA256.items():
        assert file_sha256(folder / repo_path) == sha, repo_path
    assert main(["fetch", "--cache-dir", str(cache)]) == 0
    assert mirror.count() == len(UPSTREAM_SHA256), "a filled cache is not fetched again"

    # the air-gapped machine: the copied folder, no network, no other source
    copy = tmp_path / "carried" / "specbench-upstream"
    shutil.copytree(folder, copy)
    monkeypatch.setenv("SPECBENCH_UPSTREAM_URL", unreachable_url())
    monkeypatch.setenv("SPECBENCH_CACHE_DIR", str(tmp_path / "empty-cache"))
    monkeypatch.setenv("SPECBENCH_UPSTREAM_DIR", str(copy))
    paper.paper_texts.cache_clear()
    try:
        task = travel()
        assert len(task.dataset) == 300
        assert task.metadata is not None and task.metadata["specbench"]["published"] is True
    finally:
        paper.paper_texts.cache_clear()
    assert mirror.count() == len(UPSTREAM_SHA256)


def test_fetch_copies_from_an_upstream_copy_without_the_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if UPSTREAM is None or not (UPSTREAM / "specbench" / "prompt_eval.py").is_file():
        pytest.skip("no local copy of the upstream repository (SPECBENCH_UPSTREAM_DIR)")
    for name in SOURCES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SPECBENCH_UPSTREAM_URL", unreachable_url())
    monkeypatch.setenv("SPECBENCH_UPSTREAM_DIR", str(UPSTREAM))
    monkeypatch.setenv("SPECBENCH_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["fetch"]) == 0
    folder = tmp_path / "cache" / PINNED_COMMIT
    assert str(folder) in capsys.readouterr().out
    assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) == sorted(
        UPSTREAM_SHA256
    )


def test_fetch_offline_is_one_line_and_exit_2(
    offline: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fetch"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("specbench fetch: error: ")
    assert "download failed" in err and "SPECBENCH_UPSTREAM_DIR" in err


@pytest.mark.slow
def test_offline_through_the_inspect_cli_is_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in (*SOURCES, "PYTHONPATH")}
    env.update(
        SPECBENCH_UPSTREAM_URL=unreachable_url(),
        SPECBENCH_CACHE_DIR=str(tmp_path / "empty-cache"),
    )
    code, lines = command_lines(
        [
            inspect_executable(),
            "eval",
            "specbench/travel",
            "-T",
            f"data_dir={DATA_DIR}",
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
    assert code != 0
    assert len(lines) == 1, lines
    assert lines[0].startswith("specbench: error: the paper's wording")
    assert "`specbench fetch`" in lines[0] and "-T data_dir=PATH" not in lines[0]
    assert not (tmp_path / "logs").exists(), "refused before any log was written"
