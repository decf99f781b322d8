"""Reading a scenario's three files and finding every problem with them: one path.

Each file is read once (`files.read_json_reporting`: strict UTF-8, JSON, repeated keys). The
problems are then found once, from the objects already read (`check_scenario`): per file,
in the order scenario, specifications, prompts, its reading problem or its schema problems
(translated to name the item index and field), then the repeated specs and prompts of every
file whose schema holds. Loading raises the first problem; `specbench validate` reports them
all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from ..files import FileFormatError, read_json_reporting
from ..keys import scenario_key
from .scenario import (
    DATA_FILES,
    PROMPTS_FILE,
    SCENARIO_FILE,
    SPECIFICATIONS_FILE,
    PromptItem,
    Scenario,
    SpecBenchDataError,
)

# --- schemas --------------------------------------------------------------------------------


def schema_file(file_name: str) -> Path:
    """Where the installed package keeps the JSON Schema of `file_name` (`prompts.json`, or
    just `prompts`)."""
    stem = file_name.removesuffix(".json")
    if f"{stem}.json" not in DATA_FILES:
        raise ValueError(
            f"no schema for {file_name!r} (schemas: {', '.join(n[:-5] for n in DATA_FILES)})"
        )
    return Path(str(resources.files(__package__).joinpath(f"schemas/{stem}.schema.json")))


@cache
def schema(file_name: str) -> dict[str, Any]:
    """The published JSON Schema of one of the three scenario files."""
    loaded: dict[str, Any] = json.loads(schema_file(file_name).read_text(encoding="utf-8"))
    return loaded


_JSON_TYPES = {
    dict: "object",
    list: "array",
    str: "string",
    bool: "boolean",
    int: "number",
    float: "number",
    type(None): "null",
}


def schema_problems(file: str | Path, name: str, data: Any) -> list[SpecBenchDataError]:
    """Every way `data` breaks the schema of file `name`, in document order, each naming the
    item index and field."""
    validator = jsonschema.Draft202012Validator(schema(name))
    errors = sorted(
        validator.iter_errors(data),
        key=lambda e: [(0, p, "") if isinstance(p, int) else (1, 0, p) for p in e.absolute_path],
    )
    return [_schema_problem(file, error) for error in errors]


def _schema_problem(file: str | Path, error: jsonschema.ValidationError) -> SpecBenchDataError:
    path = list(error.absolute_path)
    index = next((p for p in path if isinstance(p, int)), None)
    key = next((p for p in path if isinstance(p, str)), None)
    if error.validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        key = missing[0] if missing else key
        problem = "missing"
    elif error.validator == "additionalProperties":
        unknown = re.findall(r"'([^']+)'", error.message)
        key = unknown[0] if unknown else key
        properties = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        problem = "unknown field (allowed: " + ", ".join(properties) + ")"
    elif error.validator == "enum":
        values = error.validator_value if isinstance(error.validator_value, list) else []
        allowed = ", ".join(repr(v) for v in values)
        problem = f"{error.instance!r} is not one of {allowed}"
    elif error.validator == "pattern":
        problem = "must not be empty"
    elif error.validator == "minItems":
        problem = "must not be an empty list"
    elif error.validator == "type":
        got = _JSON_TYPES.get(type(error.instance), type(error.instance).__name__)
        problem = f"expected {error.validator_value}, got {got}"
    else:
        problem = error.message
    return SpecBenchDataError(file, problem, index=index, field=key)


# --- repeated specs and prompts ---------------------------------------------------------------


def duplicate_specs(file: str, specifications: Any) -> list[SpecBenchDataError]:
    """Specs repeated within or across both lists (compared without case and extra whitespace),
    in a schema-valid `specifications.json`."""
    problems: list[SpecBenchDataError] = []
    seen: dict[str, tuple[str, int]] = {}
    for section in ("safety_specifications", "behavioral_specifications"):
        for i, spec in enumerate(specifications[section]):
            normal = " ".join(spec.split()).casefold()
            if normal in seen:
                first_section, first = seen[normal]
                same = f"same as {first_section}[{first}]"
                problems.append(
                    SpecBenchDataError(file, f"duplicate spec ({same})", index=i, field=section)
                )
            else:
                seen[normal] = (section, i)
    return problems


def duplicate_prompts(file: str, prompts: Any) -> list[SpecBenchDataError]:
    """Prompts (or adversarial prompts) repeated, in a schema-valid `prompts.json`."""
    problems: list[SpecBenchDataError] = []
    seen: dict[tuple[str, str], int] = {}
    for i, raw in enumerate(prompts):
        for name in ("prompt", "adversarial_prompt"):
            text = raw.get(name, raw["prompt"])
            if (name, text) in seen:
                same = f"same as item {seen[(name, text)]}"
                problems.append(
                    SpecBenchDataError(file, f"duplicate prompt ({same})", index=i, field=name)
                )
            else:
                seen[(name, text)] = i
    return problems


# --- one path: the files read, their problems, the scenario -----------------------------------


@dataclass
class FileRead:
    """One data file as read: its parsed contents (if it could be parsed) and the problems
    found while reading it (unreadable, malformed, repeated keys)."""

    data: Any = None
    readable: bool = True
    problems: list[SpecBenchDataError] = field(default_factory=list)


@dataclass(frozen=True)
class ScenarioReport:
    """A scenario folder checked: the scenario if it has no problem, else every problem."""

    folder: Path
    scenario: Scenario | None
    problems: tuple[SpecBenchDataError, ...]


def check_scenario(
    key: str, files: Mapping[str, FileRead], *, origin: str, names: Mapping[str, str]
) -> tuple[Scenario | None, list[SpecBenchDataError]]:
    """Every problem of the three files as read, and the scenario if there is none.

    `names` maps each file name to how problems name it (a path, or a dataset split).
    """
    problems: list[SpecBenchDataError] = []
    valid: dict[str, Any] = {}
    for name in DATA_FILES:
        read = files[name]
        problems += read.problems
        if read.readable:
            found = schema_problems(names[name], name, read.data)
            problems += found
            if not found:
                valid[name] = read.data
    if SPECIFICATIONS_FILE in valid:
        problems += duplicate_specs(names[SPECIFICATIONS_FILE], valid[SPECIFICATIONS_FILE])
    if PROMPTS_FILE in valid:
        problems += duplicate_prompts(names[PROMPTS_FILE], valid[PROMPTS_FILE])
    if problems:
        return None, problems
    return _scenario(key, valid, origin), []


def _scenario(key: str, objects: Mapping[str, Any], origin: str) -> Scenario:
    scenario, specifications = objects[SCENARIO_FILE], objects[SPECIFICATIONS_FILE]
    items = [
        PromptItem(
            label=raw["label"],
            prompt=raw["prompt"],
            adversarial_prompt=raw.get("adversarial_prompt", raw["prompt"]),
            source=raw.get("source", ""),
            answer=raw.get("answer", ""),
        )
        for raw in objects[PROMPTS_FILE]
    ]
    return Scenario(
        key=key,
        name=scenario["name"],
        description=scenario["description"],
        safety_specs=tuple(specifications["safety_specifications"]),
        behavioral_specs=tuple(specifications["behavioral_specifications"]),
        prompts=tuple(items),
        origin=origin,
    )


def scenario_from_objects(
    key: str,
    objects: Mapping[str, Any],
    *,
    origin: str,
    names: Mapping[str, str],
) -> Scenario:
    """A scenario from the three files' contents built elsewhere (e.g. from dataset rows);
    raises the first problem (see `check_scenario`)."""
    files = {name: FileRead(objects[name]) for name in DATA_FILES}
    scenario, problems = check_scenario(key, files, origin=origin, names=names)
    if scenario is None:
        raise problems[0]
    return scenario


def read_file(path: Path) -> FileRead:
    """One data file, read once; reading problems are recorded, not raised."""
    try:
        data, repeated = read_json_reporting(path)
    except FileFormatError as ex:
        return FileRead(readable=False, problems=[data_error(ex)])
    return FileRead(data, problems=[data_error(ex) for ex in repeated])


def data_error(error: FileFormatError) -> SpecBenchDataError:
    """A file reading error as a data error naming the item index and field."""
    return SpecBenchDataError(
        error.file,
        error.problem,
        index=next((p for p in error.path if isinstance(p, int)), None),
        field=next((p for p in error.path if isinstance(p, str)), None),
    )


def validate_scenario_dir(folder: str | Path, key: str | None = None) -> ScenarioReport:
    """Read a folder holding scenario.json, specifications.json and prompts.json (each file
    once) and check it: the scenario, or every problem (one bad file does not hide another's).
    The key is `key`, else made from the folder name."""
    folder = Path(folder)
    if not folder.is_dir():
        return ScenarioReport(
            folder, None, (SpecBenchDataError(folder, "scenario folder not found"),)
        )
    try:
        key = key or scenario_key(folder.name)
    except ValueError as ex:
        return ScenarioReport(folder, None, (SpecBenchDataError(folder, str(ex)),))
    paths = {name: folder / name for name in DATA_FILES}
    files = {name: read_file(path) for name, path in paths.items()}
    names = {name: str(path) for name, path in paths.items()}
    scenario, problems = check_scenario(key, files, origin=str(folder), names=names)
    return ScenarioReport(folder, scenario, tuple(problems))


def load_scenario_dir(folder: str | Path, key: str | None = None) -> Scenario:
    """The scenario in `folder` (see `validate_scenario_dir`); raises its first problem."""
    report = validate_scenario_dir(folder, key)
    if report.scenario is None:
        raise report.problems[0]
    return report.scenario
