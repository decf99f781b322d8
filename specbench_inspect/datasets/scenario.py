"""A scenario's data (specs and prompts), read and validated from its three JSON files."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import jsonschema

Label = Literal["safe", "unsafe"]

SCENARIO_FILE = "scenario.json"
SPECIFICATIONS_FILE = "specifications.json"
PROMPTS_FILE = "prompts.json"
DATA_FILES = (SCENARIO_FILE, SPECIFICATIONS_FILE, PROMPTS_FILE)


class SpecBenchDataError(ValueError):
    """A scenario file that cannot be used, with the file, item index and field at fault."""

    def __init__(
        self,
        file: str | Path,
        problem: str,
        *,
        index: int | None = None,
        field: str | None = None,
    ) -> None:
        self.file = str(file)
        self.problem = problem
        self.index = index
        self.field = field
        where = [self.file]
        if index is not None:
            where.append(f"item {index}")
        if field is not None:
            where.append(f"field '{field}'")
        super().__init__(f"{', '.join(where)}: {problem}")


@dataclass(frozen=True)
class PromptItem:
    """One prompt of a scenario, as in `prompts.json`."""

    label: Label
    prompt: str
    adversarial_prompt: str
    source: str = ""
    answer: str = ""


@dataclass(frozen=True)
class Scenario:
    """A scenario: its key, name, specs and prompts."""

    key: str
    name: str
    description: str
    safety_specs: tuple[str, ...]
    behavioral_specs: tuple[str, ...]
    prompts: tuple[PromptItem, ...]
    origin: str = field(default="", compare=False)
    """Where the data came from (a folder, a cache entry or a dataset revision)."""

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the canonical specs and prompts (name and description excluded)."""
        return content_fingerprint(self)


# --- reading ----------------------------------------------------------------------------


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


def json_path_at(text: str, position: int) -> list[str | int]:
    """Where in a JSON document character `position` lies: the keys and list indexes leading
    to it (read up to that point, even if the rest is malformed)."""
    path: list[str | int] = []
    containers: list[str] = []
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
                    key = json.loads(text[i : end + 1])
                except ValueError:
                    key = text[i + 1 : end]
                path[-1] = str(key)
                expecting_key = False
            if end >= position:
                break
            i = end + 1
            continue
        if char in "[{":
            containers.append(char)
            path.append(0 if char == "[" else "")
            expecting_key = char == "{"
        elif char in "]}" and containers:
            containers.pop()
            path.pop()
            expecting_key = False
        elif char == "," and containers:
            if containers[-1] == "[":
                last = path[-1]
                path[-1] = last + 1 if isinstance(last, int) else 0
            else:
                expecting_key = True
        i += 1
    return [p for p in path if p != ""]


def _place(path: list[str | int]) -> dict[str, Any]:
    """The item index (first list index) and field (first key) of a JSON path."""
    return {
        "index": next((p for p in path if isinstance(p, int)), None),
        "field": next((p for p in path if isinstance(p, str)), None),
    }


def read_json(path: Path) -> Any:
    """Read a JSON file strictly as UTF-8, naming the file and, where it can be told, the item
    and field in any error."""
    if not path.is_file():
        raise SpecBenchDataError(path, "file not found")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as ex:
        decoded = raw.decode("utf-8", errors="surrogateescape")
        at = len(raw[: ex.start].decode("utf-8", errors="surrogateescape"))
        line = raw[: ex.start].count(b"\n") + 1
        raise SpecBenchDataError(
            path,
            f"not valid UTF-8 (line {line}, byte {ex.start}: {raw[ex.start : ex.start + 1]!r})",
            **_place(json_path_at(decoded, at)),
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as ex:
        raise SpecBenchDataError(
            path,
            f"not valid JSON (line {ex.lineno}, column {ex.colno}: {ex.msg})",
            **_place(json_path_at(text, ex.pos)),
        ) from None


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


def check_schema(file: str | Path, name: str, data: Any) -> None:
    """Validate `data` against the schema of file `name`; the first error names index and field."""
    problems = schema_problems(file, name, data)
    if problems:
        raise problems[0]


def duplicate_problems(
    names: Mapping[str, str], specifications: Any, prompts: Any
) -> list[SpecBenchDataError]:
    """Specs repeated across both lists, and prompts (or adversarial prompts) repeated, in
    schema-valid data; specs compare without case and extra whitespace."""
    problems: list[SpecBenchDataError] = []
    seen_specs: dict[str, tuple[str, int]] = {}
    for section in ("safety_specifications", "behavioral_specifications"):
        for i, spec in enumerate(specifications[section]):
            normal = " ".join(spec.split()).casefold()
            if normal in seen_specs:
                first_section, first = seen_specs[normal]
                problems.append(
                    SpecBenchDataError(
                        names[SPECIFICATIONS_FILE],
                        f"duplicate spec (same as {first_section}[{first}])",
                        index=i,
                        field=section,
                    )
                )
            else:
                seen_specs[normal] = (section, i)
    seen_prompts: dict[tuple[str, str], int] = {}
    for i, raw in enumerate(prompts):
        for name in ("prompt", "adversarial_prompt"):
            text = raw.get(name, raw["prompt"])
            if (name, text) in seen_prompts:
                problems.append(
                    SpecBenchDataError(
                        names[PROMPTS_FILE],
                        f"duplicate prompt (same as item {seen_prompts[(name, text)]})",
                        index=i,
                        field=name,
                    )
                )
            else:
                seen_prompts[(name, text)] = i
    return problems


def file_names(files: Mapping[str, str | Path] | None) -> dict[str, str]:
    return {name: str((files or {}).get(name, name)) for name in DATA_FILES}


def scenario_problems(
    scenario: Any,
    specifications: Any,
    prompts: Any,
    *,
    files: Mapping[str, str | Path] | None = None,
) -> list[SpecBenchDataError]:
    """Every problem of the three files' parsed contents (schema first, then duplicates)."""
    names = file_names(files)
    problems = [
        *schema_problems(names[SCENARIO_FILE], SCENARIO_FILE, scenario),
        *schema_problems(names[SPECIFICATIONS_FILE], SPECIFICATIONS_FILE, specifications),
        *schema_problems(names[PROMPTS_FILE], PROMPTS_FILE, prompts),
    ]
    if problems:
        return problems
    return duplicate_problems(names, specifications, prompts)


def scenario_from_objects(
    key: str,
    scenario: Any,
    specifications: Any,
    prompts: Any,
    *,
    origin: str,
    files: Mapping[str, str | Path] | None = None,
) -> Scenario:
    """Validate the three files' parsed contents and build a `Scenario`.

    `files` maps each file name to how errors should name it (a path, or a dataset split).
    Raises the first problem found (see `scenario_problems`).
    """
    names = file_names(files)
    check_schema(names[SCENARIO_FILE], SCENARIO_FILE, scenario)
    check_schema(names[SPECIFICATIONS_FILE], SPECIFICATIONS_FILE, specifications)
    check_schema(names[PROMPTS_FILE], PROMPTS_FILE, prompts)
    duplicates = duplicate_problems(names, specifications, prompts)
    if duplicates:
        raise duplicates[0]
    items = [
        PromptItem(
            label=raw["label"],
            prompt=raw["prompt"],
            adversarial_prompt=raw.get("adversarial_prompt", raw["prompt"]),
            source=raw.get("source", ""),
            answer=raw.get("answer", ""),
        )
        for raw in prompts
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


def load_scenario_dir(folder: str | Path, key: str | None = None) -> Scenario:
    """Read and validate a folder holding scenario.json, specifications.json, prompts.json."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SpecBenchDataError(folder, "scenario folder not found")
    paths = {name: folder / name for name in DATA_FILES}
    objects = {name: read_json(path) for name, path in paths.items()}
    return scenario_from_objects(
        key or scenario_key(folder.name),
        objects[SCENARIO_FILE],
        objects[SPECIFICATIONS_FILE],
        objects[PROMPTS_FILE],
        origin=str(folder),
        files=paths,
    )


@dataclass(frozen=True)
class ScenarioReport:
    """What `validate_scenario_dir` found: the scenario if it loads, else every problem."""

    folder: Path
    scenario: Scenario | None
    problems: tuple[SpecBenchDataError, ...]


def validate_scenario_dir(folder: str | Path, key: str | None = None) -> ScenarioReport:
    """Check a scenario folder and collect every problem (each file is read and checked on its
    own, so one bad file does not hide another's problems)."""
    folder = Path(folder)
    if not folder.is_dir():
        problem = SpecBenchDataError(folder, "scenario folder not found")
        return ScenarioReport(folder, None, (problem,))
    paths = {name: folder / name for name in DATA_FILES}
    objects: dict[str, Any] = {}
    problems: list[SpecBenchDataError] = []
    for name, path in paths.items():
        try:
            objects[name] = read_json(path)
        except SpecBenchDataError as ex:
            problems.append(ex)
            continue
        problems += schema_problems(path, name, objects[name])
    if problems:
        return ScenarioReport(folder, None, tuple(problems))
    duplicates = duplicate_problems(
        file_names(paths), objects[SPECIFICATIONS_FILE], objects[PROMPTS_FILE]
    )
    if duplicates:
        return ScenarioReport(folder, None, tuple(duplicates))
    try:
        scenario = load_scenario_dir(folder, key)
    except (SpecBenchDataError, ValueError) as ex:
        error = ex if isinstance(ex, SpecBenchDataError) else SpecBenchDataError(folder, str(ex))
        return ScenarioReport(folder, None, (error,))
    return ScenarioReport(folder, scenario, ())


def scenario_key(name: str) -> str:
    """A lower-case identifier for a scenario folder name (`My Bot` -> `my_bot`)."""
    key = re.sub(r"[^0-9a-z]+", "_", name.casefold()).strip("_")
    if not key:
        raise ValueError(f"cannot make a scenario key from folder name {name!r}")
    return key


# --- fingerprint ------------------------------------------------------------------------


def canonical_content(scenario: Scenario) -> dict[str, Any]:
    """The specs and prompts in a canonical form (defaults filled in, fixed field order)."""
    return {
        "safety_specifications": list(scenario.safety_specs),
        "behavioral_specifications": list(scenario.behavioral_specs),
        "prompts": [
            {
                "label": p.label,
                "prompt": p.prompt,
                "adversarial_prompt": p.adversarial_prompt,
                "source": p.source,
                "answer": p.answer,
            }
            for p in scenario.prompts
        ],
    }


def content_fingerprint(scenario: Scenario) -> str:
    text = json.dumps(
        canonical_content(scenario), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def combined_fingerprint(scenarios: Sequence[Scenario]) -> str:
    """One fingerprint for several scenarios: a hash over their keys and fingerprints."""
    text = "\n".join(f"{s.key}:{s.fingerprint}" for s in scenarios)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
