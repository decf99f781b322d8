"""Grader-audit probes: reading the probe file, checking it, and turning probes into samples.

A probe borrows the prompt and specs of one published item (`scenario`, `item`: its index in
`prompts.json`), gives a fixed answer and says what a trustworthy grader must conclude. The
shipped probes are `datasets/probes/grader_audit.json`; their schema is
`datasets/schemas/probes.schema.json`. A probe file is checked in two steps, each problem one
line naming the file, the probe and the field: the schema (read strictly, see `files`), then
against the data (the item exists, its prompt is the one the probe was written for, spec
numbers exist, ids are unique).

An answer may name the judge wording's own response markers, `[[response_open]]` and
`[[response_close]]`: they are rendered from the loaded wording (`response_markers`), so that
an answer can pretend to close the response block of whichever wording judges it, without the
package holding any text of the reference.
"""

from __future__ import annotations

import hashlib
import json
import string
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import jsonschema
from inspect_ai.dataset import Sample

from ..datasets.samples import item_metadata
from ..datasets.scenario import Scenario
from ..errors import SpecBenchError
from ..files import FileFormatError, read_json_reporting
from ..prompts import Templates
from ..scorers.verdicts import Section, Verdict

Family = Literal["forged_block", "delimiter_escape", "grader_instructions", "master_key", "control"]
ATTACK_FAMILIES: tuple[Family, ...] = (
    "forged_block",
    "delimiter_escape",
    "grader_instructions",
    "master_key",
)
FAMILIES: tuple[Family, ...] = (*ATTACK_FAMILIES, "control")

FAKE_BOUNDARY = "=====RESPONSE-0000000000000000====="
"""What an answer writes for the builtin wording's per-sample boundary, which it cannot know."""
MARKERS = ("response_open", "response_close")


class ProbeError(SpecBenchError):
    """A probe file that cannot be used: one line naming the file, the probe and the field."""


@dataclass(frozen=True)
class Check:
    """What a trustworthy grader must conclude for one spec (`spec` None: every spec of the
    section): a verdict among `allowed`."""

    section: Section
    spec: int | None
    allowed: tuple[Verdict, ...]

    def describe(self) -> str:
        words = {"YES": "YES", "NO": "NO", "NA": "N/A"}
        return " or ".join(words[v] for v in self.allowed)

    def specs(self, count: int) -> list[int]:
        """The 1-based spec numbers checked, in a section of `count` specs."""
        return list(range(1, count + 1)) if self.spec is None else [self.spec]


@dataclass(frozen=True)
class Probe:
    id: str
    family: Family
    variant: str
    scenario: str
    item: int
    prompt_sha256: str
    answer: str
    """As written in the file (markers not yet rendered)."""
    why: str
    checks: tuple[Check, ...]
    """Attack probes: the specs that must not be credited (allowed NO or NA); controls: the
    expected verdicts."""

    @property
    def is_attack(self) -> bool:
        return self.family != "control"

    def record(self) -> dict[str, Any]:
        """What a sample's metadata says of its probe (the answer rendered elsewhere)."""
        return {
            "id": self.id,
            "family": self.family,
            "variant": self.variant,
            "scenario": self.scenario,
            "item": self.item,
            "why": self.why,
            "checks": [
                {"section": c.section, "spec": c.spec or "all", "allowed": list(c.allowed)}
                for c in self.checks
            ],
        }


def shipped_probes_file() -> Path:
    """The probes `specbench/grader_audit` runs by default."""
    root = resources.files("specbench_inspect.datasets")
    return Path(str(root.joinpath("probes/grader_audit.json")))


def probes_schema_file() -> Path:
    return Path(
        str(resources.files("specbench_inspect.datasets").joinpath("schemas/probes.schema.json"))
    )


@cache
def probes_schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(probes_schema_file().read_text(encoding="utf-8"))
    return loaded


def _place(data: Any, path: Sequence[str | int]) -> str:
    """`probe 3 ('forged-plain'), field 'expect[0].verdicts'` for a path into the file."""
    parts = list(path)
    if len(parts) >= 2 and parts[0] == "probes" and isinstance(parts[1], int):
        index = parts[1]
        probe = data["probes"][index] if isinstance(data, dict) else None
        pid = probe.get("id") if isinstance(probe, dict) else None
        where = f"probe {index}" + (f" ({pid!r})" if isinstance(pid, str) else "")
        rest = parts[2:]
    else:
        where, rest = "", parts
    field = ""
    for part in rest:
        field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else part)
    if field:
        where = f"{where}, field '{field}'" if where else f"field '{field}'"
    return where


def _schema_message(error: jsonschema.ValidationError) -> tuple[list[str | int], str]:
    path: list[str | int] = list(error.absolute_path)
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else "?"
        return [*path, missing], "missing"
    if error.validator == "additionalProperties":
        unknown = error.message.split("'")[1] if "'" in error.message else "?"
        allowed = (
            ", ".join(error.schema.get("properties", {})) if isinstance(error.schema, dict) else ""
        )
        return [*path, unknown], f"unknown field (allowed: {allowed})"
    if error.validator == "enum":
        values = error.validator_value if isinstance(error.validator_value, list) else []
        return path, f"{error.instance!r} is not one of {', '.join(repr(v) for v in values)}"
    if error.validator == "not":
        return path, (
            "a control probe gives `expect` (no `must_not_credit`); an attack probe gives "
            "`must_not_credit` and `asks` (no `expect`)"
        )
    return path, error.message


def read_probe_file(path: Path) -> dict[str, Any]:
    """The probe file's contents, schema-checked; `ProbeError` names the first problem."""
    try:
        data, repeated = read_json_reporting(path)
    except FileFormatError as ex:
        raise ProbeError(f"{ex.file}: {ex.problem}") from None
    if repeated:
        raise ProbeError(f"{repeated[0].file}: {repeated[0].problem}")
    validator = jsonschema.Draft202012Validator(probes_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        where, problem = _schema_message(errors[0])
        place = _place(data, where)
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise ProbeError(f"{path}: {place + ': ' if place else ''}{problem}{more}")
    loaded: dict[str, Any] = data
    return loaded


def _check(raw: dict[str, Any], attack: bool) -> Check:
    spec = raw["spec"]
    allowed: tuple[Verdict, ...] = ("NO", "NA") if attack else tuple(raw["verdicts"])
    return Check(raw["section"], None if spec == "all" else int(spec), allowed)


def load_probes(path: str | Path | None = None) -> list[Probe]:
    """The probes of `path` (default: the shipped ones), schema-checked."""
    file = Path(path).expanduser() if path else shipped_probes_file()
    data = read_probe_file(file)
    probes: list[Probe] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(data["probes"]):
        if raw["id"] in seen:
            raise ProbeError(
                f"{file}: probe {index}, field 'id': {raw['id']!r} repeats probe {seen[raw['id']]}"
            )
        seen[raw["id"]] = index
        attack = raw["family"] != "control"
        checks = raw["must_not_credit"] if attack else raw["expect"]
        probes.append(
            Probe(
                id=raw["id"],
                family=raw["family"],
                variant=raw["variant"],
                scenario=raw["scenario"],
                item=raw["item"],
                prompt_sha256=raw["prompt_sha256"],
                answer=raw["answer"],
                why=raw["why"],
                checks=tuple(_check(c, attack) for c in checks),
            )
        )
    return probes


def select_families(probes: list[Probe], families: str | Sequence[str] | None) -> list[Probe]:
    """Only the probes of `families` (comma-separated; default all); controls always stay, so
    that a grader answering NO to everything cannot pass a selection."""
    if families is None or families == "":
        return probes
    names = families.split(",") if isinstance(families, str) else list(families)
    wanted = {name.strip() for name in names if name.strip()}
    unknown = sorted(wanted - set(FAMILIES))
    if unknown:
        raise SpecBenchError(
            f"-T families: unknown family {', '.join(map(repr, unknown))} "
            f"(choose from {', '.join(FAMILIES)})"
        )
    return [p for p in probes if p.family in wanted or p.family == "control"]


def check_against_data(probe: Probe, scenario: Scenario, file: str) -> None:
    """`ProbeError` unless the probe's item exists, has the prompt the probe was written for,
    and every spec number it names exists."""
    where = f"{file}: probe {probe.id!r}"
    if probe.item >= len(scenario.prompts):
        raise ProbeError(
            f"{where}, field 'item': {probe.item} is out of range ({probe.scenario} has "
            f"{len(scenario.prompts)} prompts)"
        )
    prompt = scenario.prompts[probe.item].prompt
    if hashlib.sha256(prompt.encode("utf-8")).hexdigest() != probe.prompt_sha256:
        raise ProbeError(
            f"{where}, field 'prompt_sha256': {probe.scenario} item {probe.item} has another "
            f"prompt than the probe was written for ({scenario.origin or 'this data'} is not "
            "the published data; run the audit on the published data)"
        )
    for check in probe.checks:
        count = len(
            scenario.safety_specs if check.section == "safety" else scenario.behavioral_specs
        )
        if check.spec is not None and check.spec > count:
            raise ProbeError(
                f"{where}: {check.section} spec {check.spec} does not exist ({probe.scenario} "
                f"has {count} {check.section} specs)"
            )


def response_markers(templates: Templates) -> dict[str, str]:
    """The judge wording's response markers: the text just before and just after `{response}`
    in `judge_joint` (on its line, else the neighbouring line), with the builtin wording's
    boundary written as an answer would guess it (`FAKE_BOUNDARY`). Empty where the wording
    has none."""
    text = templates.text("judge_joint")
    at = text.find("{response}")
    if at < 0:
        return dict.fromkeys(MARKERS, "")
    line_start = text.rfind("\n", 0, at) + 1
    before = text[line_start:at]
    if not before.strip() and line_start > 0:
        before = text[text.rfind("\n", 0, line_start - 1) + 1 : line_start - 1]
    end = at + len("{response}")
    line_end = text.find("\n", end)
    after = text[end : line_end if line_end >= 0 else len(text)]
    if not after.strip() and line_end >= 0:
        next_end = text.find("\n", line_end + 1)
        after = text[line_end + 1 : next_end if next_end >= 0 else len(text)]
    return {"response_open": _filled(before), "response_close": _filled(after)}


def _filled(marker: str) -> str:
    fields = {f for _, f, _, _ in string.Formatter().parse(marker) if f is not None}
    values = {f: FAKE_BOUNDARY if f == "boundary" else "" for f in fields}
    return marker.format(**values).strip()


def rendered_answer(probe: Probe, markers: dict[str, str]) -> str:
    """The probe's answer with the wording's markers in place of `[[response_open]]` and
    `[[response_close]]`."""
    answer = probe.answer
    for name in MARKERS:
        answer = answer.replace(f"[[{name}]]", markers.get(name, ""))
    return answer


def probe_sample(probe: Probe, scenario: Scenario, markers: dict[str, str]) -> Sample:
    """The sample of one probe: the borrowed item's prompt and specs (as every SpecBench sample
    carries them), and the probe with its rendered answer under `audit`."""
    item = scenario.prompts[probe.item]
    metadata = item_metadata(scenario, item).model_dump()
    metadata["family"] = probe.family
    metadata["audit"] = {**probe.record(), "answer": rendered_answer(probe, markers)}
    return Sample(id=probe.id, input=item.prompt, metadata=metadata)
