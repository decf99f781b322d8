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


@cache
def schema(file_name: str) -> dict[str, Any]:
    """The published JSON Schema of one of the three scenario files."""
    stem = file_name.removesuffix(".json")
    text = (
        resources.files(__package__)
        .joinpath(f"schemas/{stem}.schema.json")
        .read_text(encoding="utf-8")
    )
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def read_json(path: Path) -> Any:
    """Read a JSON file strictly as UTF-8, naming the file (and place) in any error."""
    if not path.is_file():
        raise SpecBenchDataError(path, "file not found")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as ex:
        raise SpecBenchDataError(
            path, f"not valid UTF-8 (byte {ex.start}: {raw[ex.start : ex.start + 1]!r})"
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as ex:
        raise SpecBenchDataError(
            path, f"not valid JSON (line {ex.lineno}, column {ex.colno}: {ex.msg})"
        ) from None


def check_schema(file: str | Path, name: str, data: Any) -> None:
    """Validate `data` against the schema of file `name`; the first error names index and field."""
    validator = jsonschema.Draft202012Validator(schema(name))
    errors = sorted(
        validator.iter_errors(data),
        key=lambda e: [(0, p, "") if isinstance(p, int) else (1, 0, p) for p in e.absolute_path],
    )
    if not errors:
        return
    error = errors[0]
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
        problem = "unknown field (allowed: " + ", ".join(error.schema.get("properties", {})) + ")"
    elif error.validator == "enum":
        allowed = ", ".join(repr(v) for v in error.validator_value)
        problem = f"{error.instance!r} is not one of {allowed}"
    elif error.validator == "pattern":
        problem = "must not be empty"
    elif error.validator == "minItems":
        problem = "must not be an empty list"
    elif error.validator == "type":
        expected = error.validator_value
        problem = f"expected {expected}, got {type(error.instance).__name__}"
    else:
        problem = error.message
    raise SpecBenchDataError(file, problem, index=index, field=key)


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
    """
    names = {name: str((files or {}).get(name, name)) for name in DATA_FILES}
    check_schema(names[SCENARIO_FILE], SCENARIO_FILE, scenario)
    check_schema(names[SPECIFICATIONS_FILE], SPECIFICATIONS_FILE, specifications)
    check_schema(names[PROMPTS_FILE], PROMPTS_FILE, prompts)

    seen_specs: dict[str, tuple[str, int]] = {}
    for section in ("safety_specifications", "behavioral_specifications"):
        for i, spec in enumerate(specifications[section]):
            normal = " ".join(spec.split()).casefold()
            if normal in seen_specs:
                first_section, first = seen_specs[normal]
                raise SpecBenchDataError(
                    names[SPECIFICATIONS_FILE],
                    f"duplicate spec (same as {first_section}[{first}])",
                    index=i,
                    field=section,
                )
            seen_specs[normal] = (section, i)

    items: list[PromptItem] = []
    seen_prompts: dict[tuple[str, str], int] = {}
    for i, raw in enumerate(prompts):
        item = PromptItem(
            label=raw["label"],
            prompt=raw["prompt"],
            adversarial_prompt=raw.get("adversarial_prompt", raw["prompt"]),
            source=raw.get("source", ""),
            answer=raw.get("answer", ""),
        )
        for name in ("prompt", "adversarial_prompt"):
            text = getattr(item, name)
            if (name, text) in seen_prompts:
                raise SpecBenchDataError(
                    names[PROMPTS_FILE],
                    f"duplicate prompt (same as item {seen_prompts[(name, text)]})",
                    index=i,
                    field=name,
                )
            seen_prompts[(name, text)] = i
        items.append(item)

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
