"""Options that choose the data: contradictions are errors naming both sides, and the log's
source is the data actually used."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.data import DATA_DIR, find_upstream_dir

from specbench_inspect.datasets.catalog import PINNED_COMMIT, UPSTREAM_REPO
from specbench_inspect.errors import SpecBenchError
from specbench_inspect.tasks import travel


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No data folder from the environment unless a test sets one; the paper wording (and
    the data when no folder is given) from the local upstream copy, with no network."""
    monkeypatch.delenv("SPECBENCH_DATA_DIR", raising=False)
    upstream = find_upstream_dir()
    if upstream is None:
        pytest.skip("no local copy of the upstream repository (SPECBENCH_UPSTREAM_DIR)")
    monkeypatch.setenv("SPECBENCH_UPSTREAM_DIR", str(upstream))
    monkeypatch.setenv("SPECBENCH_UPSTREAM_URL", "http://127.0.0.1:9")  # never reached


def source_of(**options: object) -> str:
    task = travel(**options)
    assert task.metadata is not None
    data = task.metadata["specbench"]["data"]
    return str(data["source"]) + " | " + str(data["scenarios"]["travel"]["origin"])


@pytest.mark.parametrize(
    ("options", "both_sides"),
    [
        ({"source": "hf"}, ("-T source=hf", f"-T data_dir={DATA_DIR}")),
        ({"revision": "v1.0"}, ("-T revision=v1.0", f"-T data_dir={DATA_DIR}")),
        ({"source": "hf", "revision": "v1.0"}, ("-T source=hf", f"-T data_dir={DATA_DIR}")),
    ],
)
def test_a_data_folder_with_source_hf_or_a_revision_is_refused(
    options: dict[str, str], both_sides: tuple[str, str]
) -> None:
    with pytest.raises(SpecBenchError) as raised:
        travel(data_dir=str(DATA_DIR), **options)
    message = str(raised.value)
    assert all(side in message for side in both_sides), message
    assert "give only one" in message


def test_the_environment_data_folder_conflicts_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPECBENCH_DATA_DIR", str(DATA_DIR))
    with pytest.raises(SpecBenchError) as raised:
        travel(source="hf")
    message = str(raised.value)
    assert f"-T source=hf and SPECBENCH_DATA_DIR={DATA_DIR}" in message
    assert "unset SPECBENCH_DATA_DIR" in message
    with pytest.raises(SpecBenchError, match=r"-T revision=main and SPECBENCH_DATA_DIR="):
        travel(revision="main")


def test_a_revision_without_source_hf_is_refused() -> None:
    with pytest.raises(SpecBenchError, match=r"^-T revision=abc: applies only with -T source=hf"):
        travel(revision="abc")
    with pytest.raises(SpecBenchError, match=r"^-T revision=abc: applies only"):
        travel(source="github", revision="abc")


def test_the_log_records_the_data_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    upstream = find_upstream_dir()
    assert upstream is not None
    assert source_of(data_dir=str(DATA_DIR)) == f"dir:{DATA_DIR} | {DATA_DIR / 'Travel'}"
    # the pinned files, from the local upstream copy: the log names the copy
    assert source_of() == (
        f"github:{UPSTREAM_REPO}@{PINNED_COMMIT} (verified copy in "
        f"SPECBENCH_UPSTREAM_DIR={upstream}) | {upstream / 'data' / 'Travel'}"
    )
    # a data folder from the environment decides the data, and the log says where it came from
    folder = tmp_path / "mine"
    (folder / "Travel").mkdir(parents=True)
    for file in ("scenario.json", "specifications.json", "prompts.json"):
        (folder / "Travel" / file).write_bytes((DATA_DIR / "Travel" / file).read_bytes())
    monkeypatch.setenv("SPECBENCH_DATA_DIR", str(folder))
    assert source_of() == f"dir:{folder} (SPECBENCH_DATA_DIR) | {folder / 'Travel'}"
