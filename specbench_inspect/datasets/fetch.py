"""Download the pinned upstream data files once into a per-user cache, verified by SHA-256.

Files are fetched from `{base_url}/{Folder}/{file}`: by default the upstream repository's
`data/` folder at `PINNED_COMMIT` (`GITHUB_RAW_URL`); `$SPECBENCH_DATA_URL` points
elsewhere (a mirror, or a loopback server in tests). The cache is
`$SPECBENCH_CACHE_DIR`, else `$XDG_CACHE_HOME/specbench-inspect`, else
`~/.cache/specbench-inspect`, with one subfolder per pinned commit.

A file is only ever put into the cache whole and verified: it is downloaded to a temporary
file beside its final place and renamed over it (`os.replace`, atomic) once its checksum
matches, so concurrent fetches are safe and an interrupted one leaves nothing behind. A
cached file whose checksum matches is used without any network access.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import logging
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import BinaryIO

from .catalog import FILE_SHA256, GITHUB_RAW_URL, PINNED_COMMIT
from .scenario import DATA_FILES, SpecBenchDataError

logger = logging.getLogger(__name__)

DATA_URL_ENV = "SPECBENCH_DATA_URL"
CACHE_DIR_ENV = "SPECBENCH_CACHE_DIR"
TIMEOUT = 30.0
"""Seconds to wait for the server to connect or send more data."""
_CHUNK = 64 * 1024

LOCAL_DATA_HINT = (
    "To run without downloading, put a copy of the SpecBench data (one folder per "
    "scenario, e.g. Travel/, each with scenario.json, specifications.json and "
    "prompts.json) somewhere and pass -T data_dir=PATH or set SPECBENCH_DATA_DIR=PATH."
)


def default_cache_dir() -> Path:
    """The cache root: `$SPECBENCH_CACHE_DIR`, else the per-user cache folder."""
    configured = os.environ.get(CACHE_DIR_ENV)
    if configured:
        return Path(configured).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    root = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return root / "specbench-inspect"


def data_base_url() -> str:
    """The base URL files are fetched from: `$SPECBENCH_DATA_URL`, else the pinned GitHub data."""
    return (os.environ.get(DATA_URL_ENV) or GITHUB_RAW_URL).rstrip("/")


def fetch_scenario(
    folder: str, *, cache_dir: Path | None = None, base_url: str | None = None
) -> Path:
    """A local folder holding the verified data files of upstream scenario `folder` (`Travel`).

    `cache_dir` is the cache root (default `default_cache_dir()`); files live in
    `<cache_dir>/<PINNED_COMMIT>/<folder>/`. Raises `SpecBenchDataError` when a file cannot
    be downloaded or does not match its published checksum.
    """
    if f"{folder}/{DATA_FILES[0]}" not in FILE_SHA256:
        known = sorted({name.split("/")[0] for name in FILE_SHA256})
        raise SpecBenchDataError(
            folder, f"not a published SpecBench scenario folder (known: {', '.join(known)})"
        )
    base = (base_url or data_base_url()).rstrip("/")
    target = (cache_dir or default_cache_dir()) / PINNED_COMMIT / folder
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as ex:
        raise SpecBenchDataError(
            target,
            f"cannot create the data cache folder ({ex}); set {CACHE_DIR_ENV} to a writable "
            f"folder. {LOCAL_DATA_HINT}",
        ) from None
    for name in DATA_FILES:
        _ensure_file(target / name, f"{base}/{folder}/{name}", FILE_SHA256[f"{folder}/{name}"])
    return target


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


def _ensure_file(path: Path, url: str, expected: str) -> None:
    """Make `path` hold the file with SHA-256 `expected`, downloading it from `url` if needed."""
    actual = file_sha256(path)
    if actual == expected:
        return
    if actual is not None:
        logger.warning(
            "SpecBench cache file %s is corrupt (sha256 %s): downloading it again", path, actual
        )
    label = f"{path.parent.name}/{path.name}"
    try:
        _download_verified(url, path, expected, label)
    except OSError as ex:  # the cache folder itself (temp file, rename), not the network
        raise SpecBenchDataError(
            label,
            f"cannot write {path} ({ex}); set {CACHE_DIR_ENV} to a writable folder. "
            f"{LOCAL_DATA_HINT}",
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
                f"(the file differs from the pinned SpecBench data). {LOCAL_DATA_HINT}",
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
            logger.warning("SpecBench download of %s failed (%s); trying once more", url, problem)
    raise SpecBenchDataError(label, f"download failed from {url}: {problem}. {LOCAL_DATA_HINT}")


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
