"""Task options (`-T name=value`): one definition, checked strictly.

Inspect only warns about a `-T` option a task does not take; here a misspelt option is an
error that lists the valid ones, so a run never silently falls back to a default.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..datasets.scenario import Label
from ..scorers.judge import DEFAULT_ATTEMPTS
from ..solvers import DEFAULT_METHOD, METHODS, method_options


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
    source: Literal["github", "hf"] = Field(
        "github", description="Where to fetch the published data from."
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
    judge_template: str | None = Field(None, description="Text file replacing the judge prompt.")
    templates: str | None = Field(None, description="YAML/JSON file replacing named templates.")

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


def parse_options(
    options: dict[str, Any], extra: tuple[str, ...] = ()
) -> tuple[TaskOptions, dict[str, Any], dict[str, Any]]:
    """Split `-T` options into (task options, the method's options, task-specific `extra`).

    Raises ValueError naming the option at fault and what is accepted.
    """
    method = str(options.get("method", DEFAULT_METHOD))
    own = method_options(method) if method in METHODS else []
    task_fields = set(TaskOptions.model_fields)
    unknown = [k for k in options if k not in task_fields and k not in own and k not in extra]
    if unknown:
        valid = sorted(task_fields | set(extra))
        method_note = f"; method {method!r} takes {', '.join(own)}" if own else ""
        raise ValueError(
            f"unknown task option {', '.join('-T ' + k for k in unknown)} "
            f"(task options: {', '.join(valid)}{method_note})"
        )
    try:
        parsed = TaskOptions(**{k: v for k, v in options.items() if k in task_fields})
    except ValidationError as ex:
        problems = "; ".join(
            f"-T {'.'.join(map(str, e['loc']))}={e.get('input')!r}: {e['msg']}" for e in ex.errors()
        )
        raise ValueError(f"invalid task option: {problems}") from None
    method_args = {k: v for k, v in options.items() if k in own}
    extras = {k: v for k, v in options.items() if k in extra}
    return parsed, method_args, extras
