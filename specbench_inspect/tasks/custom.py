"""`specbench/custom`: SpecBench on the user's own scenario folders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inspect_ai import Task, task

from .._namespace import in_namespace
from ..datasets import load_scenario_dir
from ..errors import SpecBenchError
from .options import PUBLISHED_DATA_OPTIONS, TaskArguments, with_task_options
from .specbench import scenarios_task


def scenario_dirs(scenario_dir: Any) -> list[Path]:
    """`-T scenario_dir=PATH` (or several, comma-separated) as folders."""
    if scenario_dir is None or scenario_dir == "" or scenario_dir == []:
        raise SpecBenchError(
            "-T scenario_dir: required: a folder holding scenario.json, specifications.json "
            "and prompts.json (check it with `specbench validate PATH`)"
        )
    values = scenario_dir if isinstance(scenario_dir, list) else str(scenario_dir).split(",")
    return [Path(str(value).strip()).expanduser() for value in values if str(value).strip()]


@task
@in_namespace
@with_task_options("scenario_dir", published_data=False)
def custom(call: TaskArguments) -> Task:
    """SpecBench on your own scenario: a folder with scenario.json, specifications.json and
    prompts.json in the published format (check it with `specbench validate PATH`).

    Args:
        scenario_dir: The scenario folder (several: comma-separated); sample ids are
            `<folder key>-<index in prompts.json>`, the key being the folder name in lower case.
        method: Generation method (see `specbench`).
        label: Only `safe` or only `unsafe` prompts (default: both).
        adversarial: Ask `adversarial_prompt` (true) or the original `prompt` (false).
        judge: `joint` (one grader call per sample) or `sequential` (one per spec).
        max_judge_attempts: Grader calls per judgement before the sample is left unscored.
        graders: A panel: comma-separated model roles or model names.
        min_graders: Readable graders a panel needs to score a sample.
        behavioral_na: Behavioral N/A `count` (not met) or `exclude` (see `specbench`).
        judge_template_file: Text file replacing the joint judge prompt (`judge_joint`).
        prompts: The wording: `paper` (default), `builtin`, or a templates file.
        **method_options: The chosen method's own options; `data_dir`, `source` and
            `revision` (which choose the published data) are refused here.
    """
    misplaced = [name for name in PUBLISHED_DATA_OPTIONS if name in call.method_options]
    if misplaced:
        raise SpecBenchError(
            f"{', '.join('-T ' + name for name in misplaced)}: chooses the published data and "
            "does not apply to specbench/custom (use -T scenario_dir=PATH)"
        )
    config = call.config()
    folders = scenario_dirs(call.selection)
    scenarios = [load_scenario_dir(folder) for folder in folders]
    keys = [scenario.key for scenario in scenarios]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise SpecBenchError(
            f"-T scenario_dir: several folders make scenario key {', '.join(repeated)} "
            "(sample ids would clash; rename a folder)"
        )
    source = ",".join(f"dir:{folder}" for folder in folders)
    name = keys[0] if len(keys) == 1 else "custom"
    return scenarios_task(scenarios, config, source, name)
