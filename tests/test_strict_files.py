"""Strict file reading (`files.py`): repeated keys, bad bytes and malformed text are refused
naming the file and the place, for data files and template files alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from specbench_inspect.files import (
    FileFormatError,
    read_json,
    read_json_reporting,
    read_text,
    read_yaml,
)
from specbench_inspect.prompts import TemplateError, Templates


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_repeated_json_key_is_refused_naming_key_line_and_place(tmp_path: Path) -> None:
    path = write(tmp_path / "a.json", '[{"x": 1}, {"y": 2,\n "z": {"k": 1}, "y": 3}]')
    with pytest.raises(FileFormatError) as raised:
        read_json(path)
    assert str(raised.value) == f"{path}: duplicate key 'y' (line 2)"
    assert raised.value.path == [1, "y"]


def test_every_repeated_json_key_is_reported_and_nested_objects_are_separate(
    tmp_path: Path,
) -> None:
    text = '{"a": {"k": 1}, "b": {"k": 2, "k": 3}, "a": 4, "c": "\\"a\\""}'
    data, repeated = read_json_reporting(write(tmp_path / "b.json", text))
    assert data == {"a": 4, "b": {"k": 3}, "c": '"a"'}  # what a plain reader would keep
    assert [(e.problem, e.path) for e in repeated] == [
        ("duplicate key 'k' (line 1)", ["b", "k"]),
        ("duplicate key 'a' (line 1)", ["a"]),
    ]
    # the same key in different objects, or as a value, is not a repeat
    assert read_json_reporting(write(tmp_path / "c.json", '[{"k": "k"}, {"k": 1}]'))[1] == []


def test_a_repeated_yaml_key_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "t.yaml", "a: one\nb:\n  c: 1\n  c: 2\n")
    with pytest.raises(FileFormatError, match=r"t.yaml: duplicate key 'c' \(line 4\)$"):
        read_yaml(path)
    assert read_yaml(write(tmp_path / "ok.yaml", "a: {c: 1}\nb: {c: 2}\n")) == {
        "a": {"c": 1},
        "b": {"c": 2},
    }


def test_bad_bytes_missing_files_and_folders_are_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'[{"a": "ok"}, {"b": "caf\xe9"}]')
    with pytest.raises(FileFormatError) as raised:
        read_json(bad)
    assert raised.value.problem == "not valid UTF-8 (line 1, byte 24: b'\\xe9')"
    assert raised.value.path == [1, "b"]
    with pytest.raises(FileFormatError, match=r"nothing.txt: file not found$"):
        read_text(tmp_path / "nothing.txt")
    with pytest.raises(FileFormatError, match=r": is a folder, not a file$"):
        read_text(tmp_path)


@pytest.mark.parametrize(
    ("name", "text", "key"),
    [
        (
            "templates.yaml",
            "judge_joint: 'A {response}'\njudge_joint: 'B {response}'\n",
            "judge_joint",
        ),
        ("templates.json", '{"judge_joint": "A {response}", "judge_joint": "B"}', "judge_joint"),
    ],
)
def test_a_templates_file_with_a_repeated_key_is_refused(
    name: str, text: str, key: str, tmp_path: Path
) -> None:
    path = write(tmp_path / name, text)
    with pytest.raises(TemplateError) as raised:
        Templates.load(str(path))
    message = str(raised.value)
    assert message.startswith(f"{path}: templates file: duplicate key '{key}' (line ")
