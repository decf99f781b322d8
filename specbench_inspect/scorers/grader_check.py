"""The grader panel, resolved and checked when the task is created, before any generation.

A run whose grader cannot work (a role never bound, a misspelt panel entry, a provider without
its API key) would otherwise generate every sample first and fail at the judge. Inspect binds
`--model-role` before it creates tasks (`model_roles()` is set in the task factory's context
by `inspect eval`), so the task can check the panel up front. `inspect score` creates scorers
before it binds roles, so the scorer factory itself cannot do this check: the task calls it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from inspect_ai.model import Model, get_model, model_roles

from ..errors import SpecBenchError
from .judge import DEFAULT_GRADER
from .panel import GRADER_ROLE, check_quorum, parse_graders

_MARKUP = re.compile(r"\[/?[a-z ]+\]")
"""Rich console markup in provider error messages (`[bold][blue]...`)."""


def usable(name: str, why: str) -> str:
    """`name` (provider/model) if its provider can be set up here (credentials present);
    else a `SpecBenchError` naming the grader and what is missing."""
    try:
        get_model(name)
    except Exception as ex:  # the provider's own setup error, re-raised in one line
        problem = " ".join(_MARKUP.sub("", str(ex)).split()).removeprefix("ERROR: ")
        raise SpecBenchError(
            f"graders: {why} {name} cannot be used: {problem} (set what is missing, or name "
            "another grader with --model-role grader=provider/model)"
        ) from ex
    return name


def role_models(bound: Model | list[Model]) -> list[str]:
    return [str(m) for m in bound] if isinstance(bound, list) else [str(bound)]


def check_grader_panel(
    graders: str | Sequence[str] | None,
    min_graders: int | None = None,
    roles: Mapping[str, Model | list[Model]] | None = None,
) -> list[str]:
    """The graders a run will use (model names), checked: every entry of `graders` a bound
    model role or a usable model name; without `graders`, the `grader` role, else the default
    grader (`openai/gpt-4.1`, which needs `OPENAI_API_KEY`); `min_graders` possible for the
    panel. `roles`: the bound model roles (default: those of the eval being set up)."""
    entries = parse_graders(graders)
    if graders is not None and not entries:
        raise SpecBenchError(f"graders: {graders!r} names no grader")
    bound = dict(model_roles() if roles is None else roles)
    if not entries:
        if GRADER_ROLE in bound:
            panel = role_models(bound[GRADER_ROLE])
        else:
            panel = [usable(DEFAULT_GRADER, "the default grader (no --model-role grader=...)")]
        check_quorum(min_graders, panel)
        return panel
    panel = []
    for entry in entries:
        if entry in bound:
            panel += role_models(bound[entry])[:1]
        elif entry == GRADER_ROLE:
            panel.append(usable(DEFAULT_GRADER, "the default grader (role `grader` unbound)"))
        elif "/" in entry:
            panel.append(usable(entry, "grader"))
        else:
            raise SpecBenchError(
                f"graders: {entry!r} is neither a model role bound with --model-role (bound "
                f"roles: {', '.join(sorted(bound)) or 'none'}) nor a model name (provider/model)"
            )
    check_quorum(min_graders, entries)
    return panel
