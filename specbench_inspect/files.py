"""Reading files strictly: UTF-8 only, JSON and YAML with no duplicate keys.

Every error is a `FileFormatError` naming the file and, where it can be told, the place in it
(`path`: the keys and list indexes leading to the fault). Data files (`datasets/`) and
template files (`prompts.py`) are read through here, so a file is never half-read, decoded
with a guess, or read with a repeated key silently taking the last value.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from .errors import SpecBenchError

JsonPath = list[str | int]


class FileFormatError(SpecBenchError):
    """A file that cannot be read as asked, with where in it the fault lies (if known)."""

    def __init__(self, file: str | Path, problem: str, *, path: Sequence[str | int] = ()) -> None:
        self.file = str(file)
        self.problem = problem
        self.path: JsonPath = list(path)
        super().__init__(f"{self.file}: {problem}")


def read_bytes(path: Path) -> bytes:
    """The bytes of `path`; a missing file or a folder is a `FileFormatError` naming it."""
    if path.is_dir():
        raise FileFormatError(path, "is a folder, not a file")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise FileFormatError(path, "file not found") from None
    except OSError as ex:
        raise FileFormatError(path, f"cannot be read ({ex.strerror or ex})") from None


def read_text(path: Path) -> str:
    """A text file, strictly as UTF-8 (an error names the line and byte at fault)."""
    return _decode(path, read_bytes(path), locate=None)


def read_json(path: Path) -> Any:
    """A JSON file, strictly UTF-8, with no repeated key in any object."""
    data, duplicates = read_json_reporting(path)
    if duplicates:
        raise duplicates[0]
    return data


def read_json_reporting(path: Path) -> tuple[Any, list[FileFormatError]]:
    """A JSON file and every repeated key in it (each a `FileFormatError` naming the key and
    where it is), so that a checker can report them beside other problems. Unreadable or
    malformed files raise `FileFormatError`; a repeated key keeps its last value in `data`."""
    text = _decode(path, read_bytes(path), locate=json_path_at)
    repeated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in items]
        repeated.extend(key for i, key in enumerate(keys) if key in keys[:i])
        return dict(items)

    try:
        data = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as ex:
        raise FileFormatError(
            path,
            f"not valid JSON (line {ex.lineno}, column {ex.colno}: {ex.msg})",
            path=json_path_at(text, ex.pos),
        ) from None
    if not repeated:
        return data, []
    return data, [
        FileFormatError(path, f"duplicate key '{key}' (line {line})", path=place)
        for key, line, place in repeated_json_keys(text)
    ]


def read_yaml(path: Path) -> Any:
    """A YAML file (safe loading), strictly UTF-8, with no repeated key in any mapping."""
    text = read_text(path)
    try:
        return yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass
    except _DuplicateKey as ex:
        raise FileFormatError(path, f"duplicate key '{ex.key}' (line {ex.line})") from None
    except yaml.YAMLError as ex:
        raise FileFormatError(path, f"not valid YAML: {ex}") from None


def _decode(path: Path, raw: bytes, locate: Any) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as ex:
        line = raw[: ex.start].count(b"\n") + 1
        place: JsonPath = []
        if locate is not None:
            decoded = raw.decode("utf-8", errors="surrogateescape")
            place = locate(decoded, len(raw[: ex.start].decode("utf-8", errors="surrogateescape")))
        raise FileFormatError(
            path,
            f"not valid UTF-8 (line {line}, byte {ex.start}: {raw[ex.start : ex.start + 1]!r})",
            path=place,
        ) from None


# --- where in a JSON document -------------------------------------------------------------


def json_path_at(text: str, position: int) -> JsonPath:
    """Where in a JSON document character `position` lies: the keys and list indexes leading
    to it (read up to that point, even if the rest is malformed)."""
    return _scan(text, position)[0]


def repeated_json_keys(text: str) -> list[tuple[str, int, JsonPath]]:
    """Every key that repeats an earlier key of the same object: (key, line, path to it)."""
    return _scan(text, len(text))[1]


def _scan(text: str, position: int) -> tuple[JsonPath, list[tuple[str, int, JsonPath]]]:
    """Walk `text` up to `position`, tracking the path and each object's keys."""
    path: list[str | int] = []
    containers: list[str] = []
    keys_seen: list[set[str]] = []
    repeated: list[tuple[str, int, JsonPath]] = []
    expecting_key = False
    i = 0
    while i < min(position, len(text)):
        char = text[i]
        if char == '"':
            end = i + 1
            while end < len(text) and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            if containers and containers[-1] == "{" and expecting_key:
                try:
                    key = str(json.loads(text[i : end + 1]))
                except ValueError:
                    key = text[i + 1 : end]
                path[-1] = key
                expecting_key = False
                if key in keys_seen[-1]:
                    line = text.count("\n", 0, i) + 1
                    repeated.append((key, line, [p for p in path if p != ""]))
                keys_seen[-1].add(key)
            if end >= position:
                break
            i = end + 1
            continue
        if char in "[{":
            containers.append(char)
            keys_seen.append(set())
            path.append(0 if char == "[" else "")
            expecting_key = char == "{"
        elif char in "]}" and containers:
            containers.pop()
            keys_seen.pop()
            path.pop()
            expecting_key = False
        elif char == "," and containers:
            if containers[-1] == "[":
                last = path[-1]
                path[-1] = last + 1 if isinstance(last, int) else 0
            else:
                expecting_key = True
        i += 1
    return [p for p in path if p != ""], repeated


# --- YAML without repeated keys -----------------------------------------------------------


class _DuplicateKey(yaml.YAMLError):
    def __init__(self, key: Any, line: int) -> None:
        super().__init__(f"duplicate key {key!r}")
        self.key = key
        self.line = line


class _StrictLoader(yaml.SafeLoader):
    """`yaml.SafeLoader` that refuses a mapping with a repeated key."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                repeated = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key: SafeLoader reports it below
                continue
            if repeated:
                raise _DuplicateKey(key, key_node.start_mark.line + 1)
        return super().construct_mapping(node, deep=deep)
