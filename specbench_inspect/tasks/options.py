"""Task options (`-T name=value`): validated once into one `TaskConfig`.

Every task declares its options as typed parameters, so that `inspect info`, IDEs and the
eval log's `task_args` see them; the chosen method's own options (its solver factory's
keyword arguments) come through `**method_options`. `task_config` checks everything in one
place: a bad value names the option; an option neither the task nor the chosen method takes
is an error that lists the valid ones (Inspect itself would only warn and run with the
default); the template files are read and checked once, and the loaded templates travel in
the config to the solver and the scorer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..datasets.scenario import Label
from ..errors import SpecBenchError
from ..prompts import DEFAULT_WORDING, Templates
from ..scorers.judge import DEFAULT_ATTEMPTS
from ..solvers import DEFAULT_METHOD, METHODS, method_options

LabelOption = Literal["safe", "unsafe", "all"]
Source = Literal["github", "hf"]
Judge = Literal["joint", "sequential"]
BehavioralNA = Literal["count", "exclude"]

SELECTORS = ("scenarios", "scenario_dir", "method_options")
"""Task parameters that choose the samples or carry the method's options, not `TaskOptions`."""


def declared_options(values: dict[str, Any]) -> dict[str, Any]:
    """A task's declared options from its `locals()`."""
    return {name: value for name, value in values.items() if name not in SELECTORS}


class TaskOptions(BaseModel):
    """The options every SpecBench task takes; a method's own options come on top."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    method: str = Field(DEFAULT_METHOD, description="Generation method (see README, Methods).")
    label: Label | None = Field(None, description="Only `safe` or only `unsafe` prompts.")
    adversarial: bool = Field(
        True, description="Ask `adversarial_prompt` (true) or the original `prompt` (false)."
    )
    data_dir: str | None = Field(
        None, description="Local data folder (else $SPECBENCH_DATA_DIR, else the pinned fetch)."
    )
    source: Literal["github", "hf"] | None = Field(
        None, description="Where to fetch the published data from (default github)."
    )
    revision: str | None = Field(None, description="Hugging Face dataset revision (source=hf).")
    judge: Literal["joint", "sequential"] = Field(
        "joint", description="Judge mode: one grader call per sample, or one per spec."
    )
    max_judge_attempts: int = Field(
        DEFAULT_ATTEMPTS, ge=1, description="Grader calls per judgement before unscored."
    )
    graders: str | list[str] | None = Field(
        None, description="A panel of graders: model roles or model names, comma-separated."
    )
    min_graders: int | None = Field(
        None, ge=1, description="Readable graders a panel needs to score a sample."
    )
    behavioral_na: BehavioralNA = Field(
        "count",
        description="Behavioral N/A: `count` as not met (reference code) or `exclude` (paper).",
    )
    judge_template_file: str | None = Field(
        None, description="Text file replacing the joint judge prompt (`judge_joint`)."
    )
    prompts: str = Field(
        DEFAULT_WORDING,
        description="Wording: `paper` (the reference's), `builtin` (ours), or a templates file.",
    )

    @field_validator("label", mode="before")
    @classmethod
    def _all_labels(cls, value: Any) -> Any:
        return None if value in ("all", "") else value

    @field_validator("method")
    @classmethod
    def _known_method(cls, value: str) -> str:
        if value not in METHODS:
            raise ValueError(f"unknown method {value!r} (choose from {', '.join(METHODS)})")
        return value


@dataclass(frozen=True)
class TaskConfig:
    """Everything a task was asked for, checked: the options, the method's own options and
    the templates in force (loaded once)."""

    options: TaskOptions
    method_options: dict[str, Any] = field(default_factory=dict)
    templates: Templates = field(default_factory=Templates)

    def log_record(self) -> dict[str, Any]:
        """What the eval log records of the configuration (`eval.metadata["specbench"]`)."""
        return {
            "options": self.options.model_dump(),
            "method_options": self.method_options,
            "templates": self.templates.describe(),
        }


def task_config(options: dict[str, Any], method_args: dict[str, Any]) -> TaskConfig:
    """Check a task's options (`options`: its declared parameters; `method_args`: the rest)
    and load the templates. Raises `SpecBenchError` naming the option at fault."""
    given = {name: value for name, value in options.items() if value is not None}
    method = str(given.get("method", DEFAULT_METHOD))
    takes = method_options(method) if method in METHODS else []
    unknown = [name for name in method_args if name not in takes]
    if unknown:
        valid = sorted(TaskOptions.model_fields)
        method_note = f"; method {method!r} takes {', '.join(takes)}" if takes else ""
        owners = {name: [m for m in METHODS if name in method_options(m)] for name in unknown}
        belongs = [
            f"-T {name} is an option of method {' and '.join(owners[name])}"
            for name in unknown
            if owners[name]
        ]
        raise SpecBenchError(
            f"unknown task option {', '.join('-T ' + k for k in unknown)} "
            f"(task options: {', '.join(valid)}{method_note})"
            + (f"; {'; '.join(belongs)}" if belongs else "")
        )
    try:
        parsed = TaskOptions(**given)
    except ValidationError as ex:
        problems = "; ".join(
            f"-T {'.'.join(map(str, e['loc']))}={e.get('input')!r}: "
            + e["msg"].removeprefix("Value error, ")
            for e in ex.errors()
        )
        raise SpecBenchError(f"invalid task option: {problems}") from None
    templates = Templates.load(parsed.prompts, parsed.judge_template_file)
    return TaskConfig(parsed, dict(method_args), templates)
