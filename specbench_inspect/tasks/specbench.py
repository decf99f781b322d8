"""The SpecBench tasks: one per scenario and `specbench` for several (`-T scenarios=...`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset

from .._namespace import in_namespace
from ..datasets import (
    Scenario,
    data_provenance,
    describe_source,
    load_scenarios,
    parse_scenarios,
    scenario_samples,
)
from ..prompts import Templates
from ..scorers import spec_judge
from ..solvers import method_generation, method_solver
from .options import TaskOptions, parse_options

TASK_VERSION = "1.0.0"


def scenarios_task(
    scenarios: Sequence[Scenario],
    options: TaskOptions,
    method_args: dict[str, Any],
    source: str,
    name: str,
) -> Task:
    """A task over the given scenarios' samples, with the chosen method and the judge."""
    templates = Templates.load(options.templates, options.judge_template)  # bad ones refused now
    samples = [
        sample
        for scenario in scenarios
        for sample in scenario_samples(
            scenario, adversarial=options.adversarial, label=options.label
        )
    ]
    if not samples:
        raise ValueError(f"no samples: no prompt with label {options.label!r}")
    return Task(
        dataset=MemoryDataset(samples, name=name),
        solver=method_solver(options.method, options.templates, **method_args),
        scorer=spec_judge(
            judge=options.judge,
            max_attempts=options.max_judge_attempts,
            templates=options.templates,
            judge_template=options.judge_template,
            graders=options.graders,
            min_graders=options.min_graders,
        ),
        version=TASK_VERSION,
        metadata={
            "specbench": {
                "data": data_provenance(scenarios, source),
                "options": options.model_dump(),
                "method_options": method_args,
                "generation": method_generation(options.method, **method_args),
                "templates": templates.describe(),
            }
        },
    )


def published_task(keys: Sequence[str], options: dict[str, Any], name: str) -> Task:
    parsed, method_args, _ = parse_options(options)
    scenarios = load_scenarios(
        keys, source=parsed.source, data_dir=parsed.data_dir, revision=parsed.revision
    )
    source = describe_source(parsed.source, parsed.data_dir, parsed.revision)
    return scenarios_task(scenarios, parsed, method_args, source, name)


@task
@in_namespace
def specbench(scenarios: str | list[str] | None = None, **options: Any) -> Task:
    """SpecBench, all five scenarios (1,500 prompts), or those named in `scenarios`.

    Args:
        scenarios: Comma-separated scenario keys (biochem, child, code, health, travel).
        **options: Task options (see README): method, label, adversarial, data_dir, source,
            revision, judge, max_judge_attempts, graders, min_graders, judge_template,
            templates, and the chosen method's own options.
    """
    return published_task(parse_scenarios(scenarios), options, "specbench")


@task
@in_namespace
def biochem(**options: Any) -> Task:
    """SpecBench Biochem (Biochemical Procedure Instruction): 300 prompts, 11 + 9 specs."""
    return published_task(["biochem"], options, "biochem")


@task
@in_namespace
def child(**options: Any) -> Task:
    """SpecBench Child (Child-Oriented Storytelling Generation): 300 prompts, 12 + 10 specs."""
    return published_task(["child"], options, "child")


@task
@in_namespace
def code(**options: Any) -> Task:
    """SpecBench Code (Code Development & Secure Operation): 300 prompts, 11 + 10 specs."""
    return published_task(["code"], options, "code")


@task
@in_namespace
def health(**options: Any) -> Task:
    """SpecBench Health (Personal Health Education Instruction): 300 prompts, 9 + 10 specs."""
    return published_task(["health"], options, "health")


@task
@in_namespace
def travel(**options: Any) -> Task:
    """SpecBench Travel (Travel Itinerary Planning): 300 prompts, 10 + 11 specs."""
    return published_task(["travel"], options, "travel")
