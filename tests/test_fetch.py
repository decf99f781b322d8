"""Fetching the pinned data into the cache, against a loopback HTTP server of our own."""

from __future__ import annotations

import hashlib
import os
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import BinaryIO

import pytest
from helpers.data import DATA_DIR, find_upstream_dir

from specbench_inspect.datasets import fetch
from specbench_inspect.datasets.catalog import (
    PINNED_COMMIT,
    PUBLISHED_FINGERPRINTS,
    UPSTREAM_SHA256,
)
from specbench_inspect.datasets.fetch import default_cache_dir, fetch_scenario, upstream_file
from specbench_inspect.datasets.scenario import DATA_FILES, SpecBenchDataError

ENV = ("SPECBENCH_UPSTREAM_DIR", "SPECBENCH_UPSTREAM_URL", "SPECBENCH_DATA_URL")


@pytest.fixture(autouse=True)
def no_configured_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test says where files come from (CI may set these for the whole run)."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


class DataServer:
    """Serves `root` on 127.0.0.1, with knobs to misbehave for given paths (`Travel/x.json`)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.corrupt: set[str] = set()
        """Serve these with one byte changed (same length)."""
        self.truncate: set[str] = set()
        """Declare the full Content-Length, send half the body and close."""
        self.missing: set[str] = set()
        """Answer 404."""
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.01,), daemon=True)

    def count(self, name: str | None = None) -> int:
        with self._lock:
            return sum(1 for r in self.requests if name is None or r == name)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                name = self.path.lstrip("/")
                with server._lock:
                    server.requests.append(name)
                file = server.root / name
                if name in server.missing or ".." in name or not file.is_file():
                    self.send_error(404)
                    return
                body = file.read_bytes()
                if name in server.corrupt:
                    body = body[:10] + bytes([body[10] ^ 1]) + body[11:]
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if name in server.truncate:
                    self.wfile.write(body[: len(body) // 2])
                    self.close_connection = True
                else:
                    self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler

    def __enter__(self) -> DataServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join()


@pytest.fixture
def server() -> Iterator[DataServer]:
    with DataServer(DATA_DIR) as s:
        yield s


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_in(folder: Path) -> list[str]:
    """Every entry in the cache folder, hidden temp files included."""
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_first_fetch_downloads_and_verifies_then_uses_cache(
    server: DataServer, tmp_path: Path
) -> None:
    folder = fetch_scenario("Travel", cache_dir=tmp_path, base_url=server.url)

    assert folder == tmp_path / PINNED_COMMIT / "data" / "Travel"
    assert files_in(folder) == sorted(DATA_FILES)
    for name in DATA_FILES:
        assert sha256(folder / name) == UPSTREAM_SHA256[f"data/Travel/{name}"]
    assert sorted(server.requests) == sorted(f"Travel/{name}" for name in DATA_FILES)

    assert fetch_scenario("Travel", cache_dir=tmp_path, base_url=server.url) == folder
    assert server.count() == 3  # the second fetch made no request


def test_corrupt_download_is_rejected_and_not_cached(server: DataServer, tmp_path: Path) -> None:
    server.corrupt.add("Travel/prompts.json")

    with pytest.raises(SpecBenchDataError) as info:
        fetch_scenario("Travel", cache_dir=tmp_path, base_url=server.url)

    message = str(info.value)
    assert "Travel/prompts.json" in message
    assert f"{server.url}/Travel/prompts.json" in message
    assert UPSTREAM_SHA256["data/Travel/prompts.json"] in message  # expected, then actual
    assert "checksum mismatch" in message
    assert "data_dir" in message and "SPECBENCH_DATA_DIR" in message
    folder = tmp_path / PINNED_COMMIT / "data" / "Travel"
    assert files_in(folder) == ["scenario.json", "specifications.json"]  # no prompts, no temp
    assert server.count("Travel/prompts.json") == 1  # a checksum mismatch is not retried


def test_truncated_download_leaves_nothing_behind(server: DataServer, tmp_path: Path) -> None:
    server.truncate.add("Travel/specifications.json")

    with pytest.raises(SpecBenchDataError) as info:
        fetch_scenario("Travel", cache_dir=tmp_path, base_url=server.url)

    message = str(info.value)
    assert "Travel/specifications.json" in message and "download failed" in message
    assert "data_dir" in message
    assert files_in(tmp_path / PINNED_COMMIT / "data" / "Travel") == ["scenario.json"]
    assert 1 <= server.count("Travel/specifications.json") <= 2  # at most one retry


def test_http_404_is_reported(server: DataServer, tmp_path: Path) -> None:
    server.missing.add("Travel/scenario.json")

    with pytest.raises(SpecBenchDataError, match=r"HTTP 404.*data_dir"):
        fetch_scenario("Travel", cache_dir=tmp_path, base_url=server.url)

    assert files_in(tmp_path / PINNED_COMMIT / "data" / "Travel") == []
    assert server.count("Travel/scenario.json") == 1  # a client error is not retried


def test_interrupt_during_download_removes_temp_file(
    server: DataServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(url: str, out: BinaryIO) -> str:
        out.write(b'{"half": ')
        out.flush()
        raise KeyboardInterrupt

    monkeypatch.setattr(fetch, "_download", interrupted)

    with pytest.raises(KeyboardInterrupt):
        fetch_scenario("Travel", cache_dir=tmp_path, base_url=server.url)

    assert files_in(tmp_path / PINNED_COMMIT / "data" / "Travel") == []


def test_corrupt_cache_file_is_downloaded_again(server: DataServer, tmp_path: Path) -> None:
    folder = fetch_scenario("Travel", cache_dir=tmp_path, base_url=server.url)
    (folder / "prompts.json").write_text("[]", encoding="utf-8")

    assert fetch_scenario("Travel", cache_dir=tmp_path, base_url=server.url) == folder

    assert sha256(folder / "prompts.json") == UPSTREAM_SHA256["data/Travel/prompts.json"]
    assert server.count("Travel/prompts.json") == 2
    assert server.count() == 4  # the two good files were not fetched again
    assert files_in(folder) == sorted(DATA_FILES)


def test_unreachable_server_gives_clear_error(tmp_path: Path) -> None:
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"

    with pytest.raises(SpecBenchDataError) as info:
        fetch_scenario("Travel", cache_dir=tmp_path, base_url=url)

    message = str(info.value)
    assert f"{url}/Travel/scenario.json" in message and "download failed" in message
    assert "data_dir" in message
    assert files_in(tmp_path / PINNED_COMMIT / "data" / "Travel") == []


def test_concurrent_fetches_agree(server: DataServer, tmp_path: Path) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        folders = list(
            pool.map(
                lambda _: fetch_scenario("Code", cache_dir=tmp_path, base_url=server.url),
                range(4),
            )
        )

    assert len(set(folders)) == 1
    assert files_in(folders[0]) == sorted(DATA_FILES)
    for name in DATA_FILES:
        assert sha256(folders[0] / name) == UPSTREAM_SHA256[f"data/Code/{name}"]


def test_unknown_folder_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(SpecBenchDataError, match="not a published SpecBench scenario"):
        fetch_scenario("Nope", cache_dir=tmp_path, base_url="http://127.0.0.1:9")


def test_default_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SPECBENCH_CACHE_DIR", str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("SPECBENCH_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "specbench-inspect"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_cache_dir() == Path.home() / ".cache" / "specbench-inspect"


def test_load_scenarios_end_to_end(
    server: DataServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from specbench_inspect.datasets import load_scenarios

    monkeypatch.setenv("SPECBENCH_DATA_URL", server.url + "/")
    monkeypatch.setenv("SPECBENCH_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("SPECBENCH_DATA_DIR", raising=False)

    [travel] = load_scenarios(["travel"])

    assert len(travel.prompts) == 300
    assert travel.fingerprint == PUBLISHED_FINGERPRINTS["travel"]
    assert Path(travel.origin) == tmp_path / PINNED_COMMIT / "data" / "Travel"
    assert server.count() == 3


# --- any upstream file by its repository path --------------------------------------------

PROMPT_FILE = "specbench/prompt_eval.py"
UPSTREAM_ROOT = find_upstream_dir()
"""Looked up when the module is imported: the autouse fixture above clears
`SPECBENCH_UPSTREAM_DIR` for each test, after which a user's own setting could not be seen."""


@pytest.fixture
def upstream_root() -> Path:
    """A local copy of the upstream repository (its own layout)."""
    root = UPSTREAM_ROOT
    if root is None or not (root / PROMPT_FILE).is_file():
        where = "SPECBENCH_UPSTREAM_DIR or ../shared/specbench-upstream"
        if os.environ.get("CI"):  # CI has the shared copy: a skip there would hide a fault
            pytest.fail(f"no local copy of the upstream repository at {root} ({where})")
        pytest.skip(f"no local copy of the upstream repository ({where})")
    return root


@pytest.fixture
def repo_server(upstream_root: Path) -> Iterator[DataServer]:
    """Serves the upstream repository's root, as a mirror (`SPECBENCH_UPSTREAM_URL`) would."""
    with DataServer(upstream_root) as s:
        yield s


def unreachable_url() -> str:
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_upstream_file_is_downloaded_verified_and_cached(
    repo_server: DataServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPECBENCH_UPSTREAM_URL", repo_server.url + "/")
    monkeypatch.setenv("SPECBENCH_CACHE_DIR", str(tmp_path))

    path = upstream_file(PROMPT_FILE)

    assert path == tmp_path / PINNED_COMMIT / "specbench" / "prompt_eval.py"
    assert sha256(path) == UPSTREAM_SHA256[PROMPT_FILE]
    assert repo_server.requests == [PROMPT_FILE]
    assert files_in(path.parent) == ["prompt_eval.py"]
    assert upstream_file(PROMPT_FILE) == path
    assert repo_server.count() == 1  # the second call made no request
    # the data come from the same root when SPECBENCH_DATA_URL is not set
    assert (
        upstream_file("data/Code/scenario.json").read_bytes()
        == (DATA_DIR / "Code" / "scenario.json").read_bytes()
    )
    assert repo_server.requests[-1] == "data/Code/scenario.json"


def test_upstream_file_with_a_bad_checksum_is_refused_and_not_cached(
    repo_server: DataServer, tmp_path: Path
) -> None:
    repo_server.corrupt.add("config/config_ttd.yaml")

    with pytest.raises(SpecBenchDataError) as info:
        upstream_file("config/config_ttd.yaml", cache_dir=tmp_path, base_url=repo_server.url)

    message = str(info.value)
    assert message.startswith("config/config_ttd.yaml: checksum mismatch")
    assert f"{repo_server.url}/config/config_ttd.yaml" in message
    assert UPSTREAM_SHA256["config/config_ttd.yaml"] in message
    assert files_in(tmp_path / PINNED_COMMIT / "config") == []  # nothing, not even a temp file


def test_missing_upstream_file_is_reported(repo_server: DataServer, tmp_path: Path) -> None:
    repo_server.missing.add("specbench/ttd.py")

    with pytest.raises(SpecBenchDataError, match=r"^specbench/ttd.py: download failed .*HTTP 404"):
        upstream_file("specbench/ttd.py", cache_dir=tmp_path, base_url=repo_server.url)

    assert files_in(tmp_path / PINNED_COMMIT / "specbench") == []


def test_upstream_file_offline_is_a_clear_error(tmp_path: Path) -> None:
    url = unreachable_url()

    with pytest.raises(SpecBenchDataError) as info:
        upstream_file("specbench/utils.py", cache_dir=tmp_path, base_url=url)

    message = str(info.value)
    assert f"{url}/specbench/utils.py" in message and "download failed" in message
    assert "SPECBENCH_UPSTREAM_DIR" in message  # how to run without the network


def test_unknown_upstream_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SpecBenchDataError, match=r"^specbench/nothing.py: not a file of the"):
        upstream_file("specbench/nothing.py", cache_dir=tmp_path, base_url=unreachable_url())


def test_upstream_dir_serves_files_without_network(
    upstream_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPECBENCH_UPSTREAM_DIR", str(upstream_root))
    monkeypatch.setenv("SPECBENCH_UPSTREAM_URL", unreachable_url())
    monkeypatch.setenv("SPECBENCH_CACHE_DIR", str(tmp_path))

    assert upstream_file(PROMPT_FILE) == upstream_root / PROMPT_FILE
    assert fetch_scenario("Travel") == upstream_root / "data" / "Travel"
    assert files_in(tmp_path) == []  # nothing cached, nothing downloaded


def test_upstream_dir_with_a_changed_file_is_an_error_naming_it(
    upstream_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "upstream"
    for path in (PROMPT_FILE, "data/Travel/scenario.json"):
        (copy / path).parent.mkdir(parents=True, exist_ok=True)
        (copy / path).write_bytes((upstream_root / path).read_bytes())
    changed = copy / PROMPT_FILE
    changed.write_bytes(changed.read_bytes() + b"\n")
    monkeypatch.setenv("SPECBENCH_UPSTREAM_DIR", str(copy))
    monkeypatch.setenv("SPECBENCH_UPSTREAM_URL", unreachable_url())

    with pytest.raises(SpecBenchDataError) as info:
        upstream_file(PROMPT_FILE, cache_dir=tmp_path / "cache")
    message = str(info.value)
    assert message.startswith(f"{changed}: changed: sha256 {sha256(changed)}")
    assert UPSTREAM_SHA256[PROMPT_FILE] in message

    with pytest.raises(SpecBenchDataError, match="file not found in the upstream copy"):
        fetch_scenario("Travel", cache_dir=tmp_path / "cache")  # prompts.json is missing
    assert not (tmp_path / "cache").exists()  # never falls back to the network
