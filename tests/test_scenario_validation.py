"""Users' own scenario folders: every malformed case is refused naming the file, the item index
and the field; `specbench validate` summarises a folder or lists its problems; the schemas can
be printed and located."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers.data import DATA_DIR
from helpers.judging import write_scenario

from specbench_inspect.cli import main
from specbench_inspect.datasets import (
    SpecBenchDataError,
    load_scenario_dir,
    schema_file,
    validate_scenario_dir,
)


def edit_json(folder: Path, name: str, change: Callable[[Any], None]) -> None:
    path = folder / name
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def set_prompt_field(index: int, field: str, value: Any) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        edit_json(folder, "prompts.json", lambda data: data[index].__setitem__(field, value))

    return apply


def remove_prompts(folder: Path) -> None:
    (folder / "prompts.json").unlink()


def empty_behavioral(folder: Path) -> None:
    edit_json(
        folder, "specifications.json", lambda d: d.__setitem__("behavioral_specifications", [])
    )


def spec_list_is_text(folder: Path) -> None:
    edit_json(folder, "specifications.json", lambda d: d.__setitem__("safety_specifications", "x"))


def duplicate_spec(folder: Path) -> None:
    def change(data: Any) -> None:
        data["behavioral_specifications"][2] = "  " + data["safety_specifications"][0].upper()

    edit_json(folder, "specifications.json", change)


def duplicate_prompt(folder: Path) -> None:
    edit_json(folder, "prompts.json", lambda d: d[4].__setitem__("prompt", d[0]["prompt"]))


def missing_label(folder: Path) -> None:
    edit_json(folder, "prompts.json", lambda d: d[1].pop("label"))


def latin1_answer(folder: Path) -> None:
    path = folder / "prompts.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data[3]["answer"] = "Caf\u00e9 Lumen"
    path.write_bytes(json.dumps(data, indent=2, ensure_ascii=False).encode("latin-1"))


def trailing_comma(folder: Path) -> None:
    path = folder / "prompts.json"
    text = path.read_text(encoding="utf-8")
    marker = '"answer": "At 9 a.m."'
    path.write_text(text.replace(marker, marker + ","), encoding="utf-8")


def prompts_not_a_list(folder: Path) -> None:
    (folder / "prompts.json").write_text('{"label": "safe"}', encoding="utf-8")


def empty_name(folder: Path) -> None:
    edit_json(folder, "scenario.json", lambda d: d.__setitem__("name", " "))


def second_safety_list(folder: Path) -> None:
    """A second "safety_specifications" key (a JSON reader would keep only the last one)."""
    path = folder / "specifications.json"
    text = path.read_text(encoding="utf-8").rstrip()
    path.write_text(text[:-1] + ',\n  "safety_specifications": ["Be kind."]\n}', encoding="utf-8")


def repeated_name(folder: Path) -> None:
    (folder / "scenario.json").write_text(
        '{"name": "Hotel Concierge", "description": "A concierge.", "name": "Other"}',
        encoding="utf-8",
    )


def repeated_answer_key(folder: Path) -> None:
    path = folder / "prompts.json"
    text = path.read_text(encoding="utf-8")
    marker = '"answer": "At 9 a.m."'
    path.write_text(text.replace(marker, marker + ', "answer": "At noon."'), encoding="utf-8")


CASES: dict[str, tuple[Callable[[Path], None], str, int | None, str | None, str]] = {
    # case: (defect, file, item index, field, problem)
    "missing file": (remove_prompts, "prompts.json", None, None, "file not found"),
    "wrong type": (
        set_prompt_field(2, "prompt", 42),
        "prompts.json",
        2,
        "prompt",
        "expected string, got number",
    ),
    "wrong type of a list": (
        spec_list_is_text,
        "specifications.json",
        None,
        "safety_specifications",
        "expected array, got string",
    ),
    "empty spec list": (
        empty_behavioral,
        "specifications.json",
        None,
        "behavioral_specifications",
        "must not be an empty list",
    ),
    "unknown label": (
        set_prompt_field(4, "label", "harmless"),
        "prompts.json",
        4,
        "label",
        "'harmless' is not one of 'safe', 'unsafe'",
    ),
    "missing label": (missing_label, "prompts.json", 1, "label", "missing"),
    "unknown field": (
        set_prompt_field(0, "reference", "x"),
        "prompts.json",
        0,
        "reference",
        "unknown field (allowed: label, prompt, adversarial_prompt, source, answer)",
    ),
    "duplicate spec": (
        duplicate_spec,
        "specifications.json",
        2,
        "behavioral_specifications",
        "duplicate spec (same as safety_specifications[0])",
    ),
    "duplicate prompt": (
        duplicate_prompt,
        "prompts.json",
        4,
        "prompt",
        "duplicate prompt (same as item 0)",
    ),
    "non-UTF-8": (latin1_answer, "prompts.json", 3, "answer", "not valid UTF-8 (line "),
    "empty prompt": (
        set_prompt_field(5, "prompt", "   "),
        "prompts.json",
        5,
        "prompt",
        "must not be empty",
    ),
    "empty adversarial prompt": (
        set_prompt_field(1, "adversarial_prompt", ""),
        "prompts.json",
        1,
        "adversarial_prompt",
        "must not be empty",
    ),
    "invalid JSON": (
        trailing_comma,
        "prompts.json",
        4,
        "answer",
        "not valid JSON (line ",
    ),
    "not a list": (prompts_not_a_list, "prompts.json", None, None, "expected array, got object"),
    "empty name": (empty_name, "scenario.json", None, "name", "must not be empty"),
    "repeated list key": (
        second_safety_list,
        "specifications.json",
        None,
        "safety_specifications",
        "duplicate key 'safety_specifications' (line ",
    ),
    "repeated name key": (
        repeated_name,
        "scenario.json",
        None,
        "name",
        "duplicate key 'name' (line 1)",
    ),
    "repeated key in an item": (
        repeated_answer_key,
        "prompts.json",
        4,
        "answer",
        "duplicate key 'answer' (line ",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_malformed_scenario_is_refused_naming_file_item_and_field(
    case: str, tmp_path: Path
) -> None:
    defect, file, index, field, problem = CASES[case]
    folder = write_scenario(tmp_path / "concierge")
    defect(folder)
    with pytest.raises(SpecBenchDataError) as raised:
        load_scenario_dir(folder)
    error = raised.value
    assert error.file == str(folder / file)
    assert (error.index, error.field) == (index, field)
    assert problem in error.problem
    where = ", ".join(
        [str(folder / file)]
        + ([f"item {index}"] if index is not None else [])
        + ([f"field '{field}'"] if field is not None else [])
    )
    assert str(error).startswith(f"{where}: ")
    # validate reports the same problem, and exits non-zero
    report = validate_scenario_dir(folder)
    assert report.scenario is None and str(error) in [str(p) for p in report.problems]


def test_validate_lists_the_problems_of_every_file(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "concierge")
    set_prompt_field(4, "label", "harmless")(folder)
    set_prompt_field(5, "prompt", "")(folder)
    empty_behavioral(folder)
    report = validate_scenario_dir(folder)
    assert [(p.file.split("/")[-1], p.index, p.field) for p in report.problems] == [
        ("specifications.json", None, "behavioral_specifications"),
        ("prompts.json", 4, "label"),
        ("prompts.json", 5, "prompt"),
    ]


@pytest.mark.parametrize(
    ("defect", "file", "key"),
    [
        (second_safety_list, "specifications.json", "safety_specifications"),
        (repeated_name, "scenario.json", "name"),
    ],
)
def test_specbench_validate_refuses_a_repeated_key(
    defect: Callable[[Path], None],
    file: str,
    key: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = write_scenario(tmp_path / "concierge")
    defect(folder)
    assert main(["validate", str(folder)]) == 1
    out = capsys.readouterr().out
    assert f"  - {folder / file}, field '{key}': duplicate key '{key}' (line " in out
    assert "OK" not in out


def test_validate_reports_schema_problems_and_repeats_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A schema failure in one file does not hide the repeated keys, specs or prompts of
    another (nor the rest of its own problems)."""
    folder = write_scenario(tmp_path / "concierge")
    repeated_name(folder)  # a repeated key: still read, so its schema is checked too
    duplicate_spec(folder)  # specifications.json is schema-valid: its repeats are checked
    set_prompt_field(2, "label", "harmless")(folder)  # prompts.json breaks its schema
    assert main(["validate", str(folder)]) == 1
    out = capsys.readouterr().out
    report = validate_scenario_dir(folder)
    assert [(Path(p.file).name, p.index, p.field, p.problem[:15]) for p in report.problems] == [
        ("scenario.json", None, "name", "duplicate key '"),
        ("prompts.json", 2, "label", "'harmless' is n"),
        ("specifications.json", 2, "behavioral_specifications", "duplicate spec "),
    ]
    assert "  3 problems:\n" in out
    assert all(f"  - {problem}\n" in out for problem in report.problems)


def test_specbench_validate_summarises_a_good_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_scenario(tmp_path / "concierge")
    assert main(["validate", str(folder)]) == 0
    out = capsys.readouterr().out
    scenario = load_scenario_dir(folder)
    assert f"{folder}\n" in out
    assert "scenario:           Hotel Concierge (key concierge" in out
    assert "specs:              3 safety, 4 behavioral" in out
    assert "prompts:            6 (3 unsafe, 3 safe; 2 asked through" in out
    assert "reference answers:  2 of 6 prompts" in out
    assert f"fingerprint:        {scenario.fingerprint}" in out
    assert out.rstrip().endswith("OK")
    # the figures are those of the files written, read here without the package
    written = json.loads((folder / "prompts.json").read_text(encoding="utf-8"))
    specs = json.loads((folder / "specifications.json").read_text(encoding="utf-8"))
    unsafe = sum(1 for item in written if item["label"] == "unsafe")
    assert (len(written), unsafe, len(specs["safety_specifications"])) == (6, 3, 3)
    assert [(p.label, p.prompt) for p in scenario.prompts] == [
        (item["label"], item["prompt"]) for item in written
    ]


def test_specbench_validate_fails_on_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_scenario(tmp_path / "all" / "good")
    bad = write_scenario(tmp_path / "all" / "bad")
    set_prompt_field(2, "label", "harmless")(bad)
    assert main(["validate", str(tmp_path / "all")]) == 1
    out = capsys.readouterr().out
    assert f"{bad}\n  1 problem:\n  - {bad / 'prompts.json'}, item 2, field 'label': " in out
    assert f"{good}\n  scenario:" in out
    assert main(["validate", str(tmp_path / "nowhere")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.endswith("nowhere: folder not found\n")


def test_the_published_data_validates(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(DATA_DIR / "Travel")]) == 0
    out = capsys.readouterr().out
    assert "300 (200 unsafe, 100 safe" in out
    assert "published data:     the same as the published travel scenario" in out


def test_the_schemas_can_be_printed_and_located(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    paths = capsys.readouterr().out.split()
    assert [Path(p).name for p in paths] == [
        "scenario.schema.json",
        "specifications.schema.json",
        "prompts.schema.json",
    ]
    assert all(Path(p).is_file() for p in paths)
    assert main(["schema", "prompts"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["items"]["properties"]["label"]["enum"] == ["safe", "unsafe"]
    assert main(["schema", "prompts", "--path"]) == 0
    assert capsys.readouterr().out.strip() == str(schema_file("prompts.json"))
    with pytest.raises(SystemExit):
        main(["schema", "answers"])
