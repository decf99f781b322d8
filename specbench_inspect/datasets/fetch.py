"""Files of the pinned upstream repository, verified by SHA-256: from a local copy, the
per-user cache, or downloaded once into it.

`upstream_file(repo_path)` serves any file the package uses by its path in the upstream
repository (`data/Travel/prompts.json`, `specbench/prompt_eval.py`, `config/config_ttd.yaml`,
...; see `catalog.UPSTREAM_SHA256`). Where it comes from, in order:

1. `$SPECBENCH_UPSTREAM_DIR`, a local copy of the upstream repository in its own layout: used
   with no network access; the file must still match its checksum (a changed or missing file
   is an error naming it).
2. The cache, `<cache>/<PINNED_COMMIT>/<repo_path>`, when the cached file's checksum matches.
   The cache is `$SPECBENCH_CACHE_DIR`, else `$XDG_CACHE_HOME/specbench-inspect`, else
   `~/.cache/specbench-inspect`.
3. A download from `{root}/{repo_path}`: `root` is `$SPECBENCH_UPSTREAM_URL` (a mirror of the
   repository's files), else the raw GitHub URL of the repository at `PINNED_COMMIT`. Data
   files come from `$SPECBENCH_DATA_URL/{Folder}/{file}` instead when that is set.

`fill_cache` (`specbench fetch`) puts every one of these files into the cache at once, on a
connected machine; the folder it fills, `<cache>/<PINNED_COMMIT>/`, is in the upstream
repository's layout, so a copy of it on an air-gapped machine serves as
`$SPECBENCH_UPSTREAM_DIR` (or as the cache again, under `$SPECBENCH_CACHE_DIR`).

A file is only ever put into the cache whole and verified: it is downloaded to a temporary
file beside its final place and renamed over it (`os.replace`, atomic) once its checksum
matches, so concurrent fetches are safe and an interrupted one leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import logging
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import BinaryIO

from .catalog import DATA_PREFIX, GITHUB_RAW_ROOT, PINNED_COMMIT, UPSTREAM_SHA256
from .scenario import DATA_FILES, SpecBenchDataError

logger = logging.getLogger(__name__)

DATA_URL_ENV = "SPECBENCH_DATA_URL"
UPSTREAM_URL_ENV = "SPECBENCH_UPSTREAM_URL"
UPSTREAM_DIR_ENV = "SPECBENCH_UPSTREAM_DIR"
CACHE_DIR_ENV = "SPECBENCH_CACHE_DIR"
TIMEOUT = 30.0
"""Seconds to wait for the server to connect or send more data."""
_CHUNK = 64 * 1024


def default_cache_dir() -> Path:
    """The cache root: `$SPECBENCH_CACHE_DIR`, else the per-user cache folder."""
    configured = os.environ.get(CACHE_DIR_ENV)
    if configured:
        return Path(configured).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    root = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return root / "specbench-inspect"


def offline_fix(repo_path: str) -> str:
    """What to do when the pinned upstream file `repo_path` cannot be had here.

    Every file the package uses (the data, the paper's wording, chat templates) comes from
    the pinned upstream repository, so one fix covers them all: a local copy of it. A data
    folder alone (`-T data_dir`) provides the data but not the paper's wording, so it is only
    named for a data file."""
    fix = (
        f"To run without the network, set {UPSTREAM_DIR_ENV}=PATH to a copy of the upstream "
        f"repository at commit {PINNED_COMMIT[:12]}: run `specbench fetch` on a connected "
        "machine and copy the folder it prints (see docs/offline.md)."
    )
    if repo_path.startswith(DATA_PREFIX):
        fix += (
            " For the data alone, -T data_dir=PATH or SPECBENCH_DATA_DIR=PATH (a folder with "
            "Travel/ ... holding scenario.json, specifications.json and prompts.json) also works."
        )
    return fix


def upstream_dir() -> Path | None:
    """The local copy of the upstream repository named by `$SPECBENCH_UPSTREAM_DIR`, if set."""
    configured = os.environ.get(UPSTREAM_DIR_ENV)
    return Path(configured).expanduser() if configured else None


def upstream_root_url() -> str:
    """Where upstream files are downloaded from: `$SPECBENCH_UPSTREAM_URL`, else GitHub (pinned)."""
    return (os.environ.get(UPSTREAM_URL_ENV) or GITHUB_RAW_ROOT).rstrip("/")


def data_base_url() -> str:
    """Where data files are downloaded from (`{url}/{Folder}/{file}`): `$SPECBENCH_DATA_URL`,
    else the upstream root's `data/`."""
    configured = os.environ.get(DATA_URL_ENV)
    return configured.rstrip("/") if configured else f"{upstream_root_url()}/data"


def upstream_file(
    repo_path: str, *, cache_dir: Path | None = None, base_url: str | None = None
) -> Path:
    """A local, checksum-verified copy of the upstream file `repo_path` at `PINNED_COMMIT`.

    `repo_path` is the file's path in the upstream repository, e.g. `specbench/prompt_eval.py`,
    `specbench/chat_templates/Qwen3.jinja`, `config/config_ttd.yaml` or
    `data/Travel/prompts.json` (the keys of `catalog.UPSTREAM_SHA256`). The file comes from
    `$SPECBENCH_UPSTREAM_DIR/<repo_path>` when that is set (no network), else from the cache
    `<cache_dir>/<PINNED_COMMIT>/<repo_path>`, else it is downloaded from
    `{base_url}/{repo_path}` (default: `$SPECBENCH_UPSTREAM_URL`, else the pinned raw GitHub
    URL) into the cache. `cache_dir` defaults to `default_cache_dir()`.

    Raises `SpecBenchDataError` (a `ValueError`) naming the file when it is not an upstream
    file the package knows, is missing, differs from its published SHA-256, or cannot be
    downloaded. The returned file's bytes are exactly the pinned upstream file's.
    """
    return _verified_file(repo_path, _file_url(repo_path, base_url), cache_dir)


def _file_url(repo_path: str, base_url: str | None) -> str:
    if base_url is None and repo_path.startswith(DATA_PREFIX) and os.environ.get(DATA_URL_ENV):
        return f"{data_base_url()}/{repo_path.removeprefix(DATA_PREFIX)}"
    return f"{(base_url or upstream_root_url()).rstrip('/')}/{repo_path}"


def fill_cache(cache_dir: Path | None = None, base_url: str | None = None) -> Path:
    """Every pinned upstream file the package uses (`catalog.UPSTREAM_SHA256`: the data, the
    sources the paper's wording is read from, chat templates, configs), verified, into
    `<cache_dir>/<PINNED_COMMIT>/`, which is returned. Files already there and intact are
    kept; with `$SPECBENCH_UPSTREAM_DIR` set they are copied from that copy, else downloaded
    (see `upstream_file`). Raises `SpecBenchDataError` naming the first file that cannot be
    had."""
    root = (cache_dir or default_cache_dir()) / PINNED_COMMIT
    local = upstream_dir()
    for repo_path, expected in UPSTREAM_SHA256.items():
        path = root / repo_path
        _make_folder(path.parent, repo_path)
        if local is None:
            _ensure_file(path, _file_url(repo_path, base_url), expected, repo_path)
        elif file_sha256(path) != expected:
            _copy_verified(_local_upstream_file(local, repo_path, expected), path, expected)
    return root


def _copy_verified(source: Path, path: Path, expected: str) -> None:
    """Copy `source` (already verified) over `path` through a temporary file beside it."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        shutil.copyfile(source, tmp)
        if file_sha256(tmp) != expected:
            raise SpecBenchDataError(source, f"changed while it was copied to {path}")
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _make_folder(folder: Path, repo_path: str) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as ex:
        raise SpecBenchDataError(
            folder,
            f"cannot create the cache folder ({ex}); set {CACHE_DIR_ENV} to a writable "
            f"folder. {offline_fix(repo_path)}",
        ) from None


def fetch_scenario(
    folder: str, *, cache_dir: Path | None = None, base_url: str | None = None
) -> Path:
    """A local folder holding the verified data files of upstream scenario `folder` (`Travel`).

    The folder is `$SPECBENCH_UPSTREAM_DIR/data/<folder>` when that is set, else
    `<cache_dir>/<PINNED_COMMIT>/data/<folder>/` (see `upstream_file`); `base_url` is where
    the data files are downloaded from (`{base_url}/{folder}/{file}`, default
    `data_base_url()`). Raises `SpecBenchDataError` when a file cannot be had or does not
    match its published checksum.
    """
    if f"{DATA_PREFIX}{folder}/{DATA_FILES[0]}" not in UPSTREAM_SHA256:
        known = sorted({p.split("/")[1] for p in UPSTREAM_SHA256 if p.startswith(DATA_PREFIX)})
        raise SpecBenchDataError(
            folder, f"not a published SpecBench scenario folder (known: {', '.join(known)})"
        )
    base = (base_url or data_base_url()).rstrip("/")
    paths = [
        _verified_file(f"{DATA_PREFIX}{folder}/{name}", f"{base}/{folder}/{name}", cache_dir)
        for name in DATA_FILES
    ]
    return paths[0].parent


def _verified_file(repo_path: str, url: str, cache_dir: Path | None) -> Path:
    """`repo_path` from the upstream copy, else the cache, else downloaded from `url`."""
    expected = UPSTREAM_SHA256.get(repo_path)
    if expected is None:
        raise SpecBenchDataError(
            repo_path,
            f"not a file of the pinned upstream repository {PINNED_COMMIT[:12]} that this "
            "package uses (see specbench_inspect.datasets.catalog.UPSTREAM_SHA256)",
        )
    local = upstream_dir()
    if local is not None:
        return _local_upstream_file(local, repo_path, expected)
    path = (cache_dir or default_cache_dir()) / PINNED_COMMIT / repo_path
    _make_folder(path.parent, repo_path)
    _ensure_file(path, url, expected, repo_path)
    return path


def _local_upstream_file(root: Path, repo_path: str, expected: str) -> Path:
    path = root / repo_path
    actual = file_sha256(path)
    where = f"{UPSTREAM_DIR_ENV}={root}"
    if actual is None:
        raise SpecBenchDataError(
            path,
            f"file not found in the upstream copy {where} (it must hold the upstream "
            f"repository at commit {PINNED_COMMIT} in its own layout)",
        )
    if actual != expected:
        raise SpecBenchDataError(
            path,
            f"changed: sha256 {actual}, but the pinned upstream file ({repo_path} at commit "
            f"{PINNED_COMMIT}) has sha256 {expected}; restore it or unset {UPSTREAM_DIR_ENV} "
            "(a changed file is never used)",
        )
    return path


def file_sha256(path: Path) -> str | None:
    """SHA-256 of a file's bytes, or None if it cannot be read."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(_CHUNK), b""):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def _ensure_file(path: Path, url: str, expected: str, label: str) -> None:
    """Make `path` hold the file with SHA-256 `expected`, downloading it from `url` if needed."""
    actual = file_sha256(path)
    if actual == expected:
        return
    if actual is not None:
        logger.warning(
            "SpecBench cache file %s is corrupt (sha256 %s): downloading it again", path, actual
        )
    try:
        _download_verified(url, path, expected, label)
    except OSError as ex:  # the cache folder itself (temp file, rename), not the network
        raise SpecBenchDataError(
            label,
            f"cannot write {path} ({ex}); set {CACHE_DIR_ENV} to a writable folder. "
            f"{offline_fix(label)}",
        ) from None


def _download_verified(url: str, path: Path, expected: str, label: str) -> None:
    """Download `url` to a temp file beside `path`, check it, then rename it into place."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            actual = _download_with_retry(url, out, label)
        if actual != expected:
            raise SpecBenchDataError(
                label,
                f"checksum mismatch for {url}: expected sha256 {expected}, got {actual} "
                f"(the file differs from the pinned upstream file). {offline_fix(label)}",
            )
        try:
            os.replace(tmp, path)
        except OSError:
            # Another process may hold the file open (Windows): fine if it put the same bytes.
            if file_sha256(path) != expected:
                raise
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


class _TransientError(Exception):
    """A body shorter than its declared Content-Length (worth one more try)."""


def _download_with_retry(url: str, out: BinaryIO, label: str) -> str:
    """`_download`, tried a second time after a transient failure; errors name file and URL."""
    for attempt in (1, 2):
        out.seek(0)
        out.truncate()
        try:
            return _download(url, out)
        except urllib.error.HTTPError as ex:
            problem = f"HTTP {ex.code} {ex.reason}"
            if ex.code < 500:
                break
        except _TransientError as ex:
            problem = str(ex)
        except (urllib.error.URLError, http.client.HTTPException, OSError) as ex:
            reason = ex.reason if isinstance(ex, urllib.error.URLError) else ex
            problem = f"{type(reason).__name__}: {reason}" if str(reason) else type(reason).__name__
        if attempt == 1:
            # info, not a warning: a second failure is the error the user sees, in one line
            logger.info("SpecBench download of %s failed (%s); trying once more", url, problem)
    raise SpecBenchDataError(
        label,
        f"download failed from {url}: {problem}. {offline_fix(label)}",
    )


def _download(url: str, out: BinaryIO) -> str:
    """Stream `url` into `out` and return the SHA-256 of the bytes; raises on a short body."""
    request = urllib.request.Request(url, headers={"User-Agent": "specbench-inspect"})
    digest = hashlib.sha256()
    received = 0
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        declared = response.headers.get("Content-Length")
        for chunk in iter(lambda: response.read(_CHUNK), b""):
            received += len(chunk)
            digest.update(chunk)
            out.write(chunk)
    if declared is not None and declared.isdigit() and received != int(declared):
        raise _TransientError(f"connection closed early: received {received} of {declared} bytes")
    return digest.hexdigest()
