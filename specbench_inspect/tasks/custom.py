"""`specbench/custom`: SpecBench on the user's own scenario folders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inspect_ai import Task, task

from .._namespace import in_namespace
from ..datasets import load_scenario_dir
from .options import parse_options
from .specbench import scenarios_task

PUBLISHED_DATA_OPTIONS = ("data_dir", "source", "revision")
"""Options that choose the published data: they do not apply to a custom scenario."""


def scenario_dirs(scenario_dir: Any) -> list[Path]:
    """`-T scenario_dir=PATH` (or several, comma-separated) as folders."""
    if scenario_dir is None or scenario_dir == "" or scenario_dir == []:
        raise ValueError(
            "-T scenario_dir: required: a folder holding scenario.json, specifications.json "
            "and prompts.json (check it with `specbench validate PATH`)"
        )
    values = scenario_dir if isinstance(scenario_dir, list) else str(scenario_dir).split(",")
    return [Path(str(value).strip()).expanduser() for value in values if str(value).strip()]


@task
@in_namespace
def custom(scenario_dir: str | list[str] | None = None, **options: Any) -> Task:
    """SpecBench on your own scenario: a folder with scenario.json, specifications.json and
    prompts.json in the published format (check it with `specbench validate PATH`).

    Args:
        scenario_dir: The scenario folder (several: comma-separated); sample ids are
            `<folder key>-<index in prompts.json>`, the key being the folder name in lower case.
        **options: Task options (see README): method, label, adversarial, judge,
            max_judge_attempts, graders, min_graders, judge_template, templates, and the chosen
            method's own options.
    """
    parsed, method_args, extras = parse_options(
        {**options, "scenario_dir": scenario_dir}, extra=("scenario_dir",)
    )
    misplaced = [name for name in PUBLISHED_DATA_OPTIONS if name in options]
    if misplaced:
        raise ValueError(
            f"{', '.join('-T ' + name for name in misplaced)}: chooses the published data and "
            "does not apply to specbench/custom (use -T scenario_dir=PATH)"
        )
    folders = scenario_dirs(extras["scenario_dir"])
    scenarios = [load_scenario_dir(folder) for folder in folders]
    keys = [scenario.key for scenario in scenarios]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise ValueError(
            f"-T scenario_dir: several folders make scenario key {', '.join(repeated)} "
            "(sample ids would clash; rename a folder)"
        )
    source = ",".join(f"dir:{folder}" for folder in folders)
    name = keys[0] if len(keys) == 1 else "custom"
    return scenarios_task(scenarios, parsed, method_args, source, name)
