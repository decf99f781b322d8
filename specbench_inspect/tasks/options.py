"""Task options (`-T name=value`): declared once, validated once into one `TaskConfig`.

`TaskOptions` is the one declaration of the options every task takes. `with_task_options`
makes each task's signature from it (names, defaults, types, in field order), so that
`inspect.signature`, Inspect's registry (`-T` names, the eval log's `task_args`) and `help()`
see every option as a typed parameter; the chosen method's own options (its solver factory's
keyword arguments) come through `**method_options`. `task_config` checks everything in one
place: a bad value names the option; an option neither the task nor the chosen method takes
is an error that lists the valid ones (Inspect itself would only warn and run with the
default); the template files are read and checked once, and the loaded templates travel in
the config to the solver and the scorer.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from inspect_ai import Task
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
    source: Source | None = Field(
        None, description="Where to fetch the published data from (default github)."
    )
    revision: str | None = Field(None, description="Hugging Face dataset revision (source=hf).")
    judge: Judge = Field(
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


PUBLISHED_DATA_OPTIONS = ("data_dir", "source", "revision")
"""Options that choose the published data: `specbench/custom` does not take them."""

SELECTION_TYPE = "str | list[str] | None"
"""The annotation of a task's selector parameter (`scenarios`, `scenario_dir`)."""

PARAMETER_TYPES = {"label": "LabelOption | None"}
"""Task parameters typed otherwise than their `TaskOptions` field: `-T label=all` (both labels)
is a valid value that the model reads as None."""

METHOD_OPTIONS = "method_options"
"""The name of every task's `**` parameter: the chosen method's own options."""


@dataclass(frozen=True)
class TaskArguments:
    """One call of a task: its selector's value (`scenarios`, `scenario_dir`; None if it has
    none), its declared options with their defaults, and the rest (the method's options)."""

    selection: Any
    options: dict[str, Any]
    method_options: dict[str, Any]

    def config(self) -> TaskConfig:
        """The options checked (see `task_config`)."""
        return task_config(self.options, self.method_options)


def task_signature(
    selector: str | None = None, *, published_data: bool = True
) -> inspect.Signature:
    """A task's signature, made from `TaskOptions`: the selector parameter first (if any),
    then every field (in order, with its default and type; the published-data options only if
    `published_data`), then `**method_options`.

    The annotations are the fields' own (strings, as `from __future__ import annotations`
    leaves them), so the signature reads as if each task had written its parameters out.
    """
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    types = inspect.get_annotations(TaskOptions)
    params = (
        [inspect.Parameter(selector, kind, default=None, annotation=SELECTION_TYPE)]
        if selector
        else []
    )
    for name, info in TaskOptions.model_fields.items():
        if published_data or name not in PUBLISHED_DATA_OPTIONS:
            annotation = PARAMETER_TYPES.get(name, types[name])
            params.append(
                inspect.Parameter(name, kind, default=info.default, annotation=annotation)
            )
    params.append(
        inspect.Parameter(METHOD_OPTIONS, inspect.Parameter.VAR_KEYWORD, annotation="Any")
    )
    return inspect.Signature(params, return_annotation="Task")


TaskBody = Callable[[TaskArguments], Task]


def with_task_options(
    selector: str | None = None, *, published_data: bool = True
) -> Callable[[TaskBody], Callable[..., Task]]:
    """Give a task body (`def travel(call: TaskArguments) -> Task`, with its docstring) the
    signature `task_signature` makes; apply it under `@task` (and `@in_namespace`), which read
    the signature, name, module and docstring of what this returns.

    The task binds its arguments as a function with that signature would (positional or
    keyword, defaults filled in, anything undeclared into `**method_options`) and passes them
    to the body as one `TaskArguments`.
    """
    signature = task_signature(selector, published_data=published_data)

    def declare(body: TaskBody) -> Callable[..., Task]:
        def task_function(*args: Any, **kwargs: Any) -> Task:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            values = dict(bound.arguments)
            method_args = values.pop(METHOD_OPTIONS)
            selection = values.pop(selector) if selector else None
            return body(TaskArguments(selection, values, method_args))

        task_function.__name__ = body.__name__
        task_function.__qualname__ = body.__qualname__
        task_function.__module__ = body.__module__
        task_function.__doc__ = body.__doc__
        task_function.__annotations__ = {
            **{name: param.annotation for name, param in signature.parameters.items()},
            "return": signature.return_annotation,
        }
        setattr(task_function, "__signature__", signature)  # noqa: B010 (not a declared attribute)
        return task_function

    return declare
