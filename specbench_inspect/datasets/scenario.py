"""A scenario's data model: its prompts and specs, and the error a bad data file raises.

Reading and checking the files is `validation.py`; the content fingerprint is
`fingerprint.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..errors import SpecBenchError
from .fingerprint import content_fingerprint

Label = Literal["safe", "unsafe"]

SCENARIO_FILE = "scenario.json"
SPECIFICATIONS_FILE = "specifications.json"
PROMPTS_FILE = "prompts.json"
DATA_FILES = (SCENARIO_FILE, SPECIFICATIONS_FILE, PROMPTS_FILE)


class SpecBenchDataError(SpecBenchError):
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
