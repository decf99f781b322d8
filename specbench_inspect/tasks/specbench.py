"""The SpecBench tasks: one per scenario and `specbench` for several (`-T scenarios=...`).

Every task takes the options `TaskOptions` declares, as typed parameters that
`with_task_options` makes from it (so `inspect.signature`, Inspect's registry, the eval log's
`task_args` and `help()` see them); they are documented once, on `specbench`.
"""

from __future__ import annotations

from collections.abc import Sequence

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
from ..errors import SpecBenchError
from ..scorers import spec_judge
from ..solvers import method_generation, method_solver
from ..solvers import method_options as options_of
from .options import TaskArguments, TaskConfig, with_task_options
from .preflight import check_panel_now, grader_preflight
from .viewer import specbench_viewer

TASK_VERSION = "1.0.0"


def scenarios_task(
    scenarios: Sequence[Scenario], config: TaskConfig, source: str, name: str
) -> Task:
    """A task over the given scenarios' samples, with the chosen method and the judge."""
    options = config.options
    samples = [
        sample
        for scenario in scenarios
        for sample in scenario_samples(
            scenario, adversarial=options.adversarial, label=options.label
        )
    ]
    if not samples:
        raise SpecBenchError(f"no samples: no prompt with label {options.label!r}")
    checked = check_panel_now(options.graders, options.min_graders)
    method_args = dict(config.method_options)
    if "reward_attempts" in options_of(options.method):
        # the reward grader follows the judge's rules, its attempts too unless set
        method_args.setdefault("reward_attempts", options.max_judge_attempts)
    solver = method_solver(options.method, config.templates, **method_args)
    data = data_provenance(scenarios, source)
    return Task(
        dataset=MemoryDataset(samples, name=name),
        setup=None if checked else grader_preflight(options.graders, options.min_graders),
        solver=solver,
        scorer=spec_judge(
            judge=options.judge,
            max_attempts=options.max_judge_attempts,
            prompts=config.templates,
            graders=options.graders,
            min_graders=options.min_graders,
            behavioral_na=options.behavioral_na,
        ),
        version=TASK_VERSION,
        viewer=specbench_viewer(),
        metadata={
            "specbench": {
                "data": data,
                # comparable with the paper only if both the data and the wording are its own
                "published": all(s["published"] is True for s in data["scenarios"].values())
                and config.templates.is_paper,
                **config.log_record(),
                # The task's own solver: `inspect eval --solver` replaces it, and then
                # `eval.solver` and each score's `generation.method` say what ran.
                "generation": method_generation(solver, options.method),
            }
        },
    )


def published_task(keys: Sequence[str], config: TaskConfig, name: str) -> Task:
    options = config.options
    source = options.source or "github"
    scenarios = load_scenarios(
        keys, source=source, data_dir=options.data_dir, revision=options.revision
    )
    described = describe_source(source, options.data_dir, options.revision)
    return scenarios_task(scenarios, config, described, name)


@task
@in_namespace
@with_task_options("scenarios")
def specbench(call: TaskArguments) -> Task:
    """SpecBench, all five scenarios (1,500 prompts), or those named in `scenarios`.

    Args:
        scenarios: Comma-separated scenario keys (biochem, child, code, health, travel).
        method: Generation method: raw, vanilla, zero_think, more_think, self_refine, align3.
        label: Only `safe` or only `unsafe` prompts (default: both).
        adversarial: Ask `adversarial_prompt` (true) or the original `prompt` (false).
        data_dir: Local data folder in the upstream layout (else $SPECBENCH_DATA_DIR, else
            the pinned, checksum-verified download).
        source: Where the published data is fetched from: `github` (pinned) or `hf`.
        revision: Hugging Face dataset revision (`source=hf` only).
        judge: `joint` (one grader call per sample) or `sequential` (one per spec).
        max_judge_attempts: Grader calls per judgement before the sample is left unscored.
        graders: A panel: comma-separated model roles or model names (default: the
            `grader` role).
        min_graders: Readable graders a panel needs to score a sample.
        behavioral_na: A behavioral N/A `count`s as not met (the reference code, default)
            or is `exclude`d from the denominator (the paper's Section 3.3).
        judge_template_file: Text file replacing the joint judge prompt (`judge_joint`).
        prompts: The wording of every prompt: `paper` (the reference's own, read from the
            pinned upstream source), `builtin` (this package's), or a templates file
            (YAML/JSON, template name to text, over the wording its `base` key names).
        **method_options: The chosen method's own options (see README, Methods).
    """
    return published_task(parse_scenarios(call.selection), call.config(), "specbench")


# The five scenario tasks take the same options as `specbench` (documented there).


@task
@in_namespace
@with_task_options()
def biochem(call: TaskArguments) -> Task:
    """SpecBench Biochem (Biochemical Procedure Instruction): 300 prompts, 11 + 9 specs.

    Options as for `specbench` (see its Args)."""
    return published_task(["biochem"], call.config(), "biochem")


@task
@in_namespace
@with_task_options()
def child(call: TaskArguments) -> Task:
    """SpecBench Child (Child-Oriented Storytelling Generation): 300 prompts, 12 + 10 specs.

    Options as for `specbench` (see its Args)."""
    return published_task(["child"], call.config(), "child")


@task
@in_namespace
@with_task_options()
def code(call: TaskArguments) -> Task:
    """SpecBench Code (Code Development & Secure Operation): 300 prompts, 11 + 10 specs.

    Options as for `specbench` (see its Args)."""
    return published_task(["code"], call.config(), "code")


@task
@in_namespace
@with_task_options()
def health(call: TaskArguments) -> Task:
    """SpecBench Health (Personal Health Education Instruction): 300 prompts, 9 + 10 specs.

    Options as for `specbench` (see its Args)."""
    return published_task(["health"], call.config(), "health")


@task
@in_namespace
@with_task_options()
def travel(call: TaskArguments) -> Task:
    """SpecBench Travel (Travel Itinerary Planning): 300 prompts, 10 + 11 specs.

    Options as for `specbench` (see its Args)."""
    return published_task(["travel"], call.config(), "travel")
