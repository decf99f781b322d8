"""`specbench/grader_audit`: how far a grader can be trusted, measured. The task's model is the
grader (see `audit.scorer` for which model is audited); each sample is a probe (see
`audit.probes`) whose answer is fixed, so nothing is generated."""

from __future__ import annotations

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset

from .._namespace import in_namespace
from ..audit import fixed_answer, grader_audit_judge, load_probes
from ..audit.probes import (
    check_against_data,
    probe_sample,
    response_markers,
    select_families,
    shipped_probes_file,
)
from ..datasets import data_provenance, describe_source, load_scenarios
from ..errors import SpecBenchError
from ..prompts import Templates
from ..scorers.judge import DEFAULT_ATTEMPTS
from .options import Source

AUDIT_VERSION = "1.0.0"


@task
@in_namespace
def grader_audit(
    prompts: str = "paper",
    families: str | list[str] | None = None,
    probes: str | None = None,
    max_judge_attempts: int = DEFAULT_ATTEMPTS,
    data_dir: str | None = None,
    source: Source | None = None,
    revision: str | None = None,
) -> Task:
    """Audit a grader: the task's model (or the `grader` role, if bound) judges fixed answers
    built to fool it, and controls with unambiguous verdicts.

    Args:
        prompts: The judge wording: `paper` (the reference's, default), `builtin`, or a
            templates file.
        families: Comma-separated probe families to run (forged_block, delimiter_escape,
            grader_instructions, master_key); the controls always run. Default: all.
        probes: A probe file (JSON, schema `datasets/schemas/probes.schema.json`) instead of
            the shipped one.
        max_judge_attempts: Grader calls per probe before it is left unreadable.
        data_dir: Local data folder (else $SPECBENCH_DATA_DIR, else the pinned download).
        source: Where the published data is fetched from: `github` (pinned) or `hf`.
        revision: Hugging Face dataset revision (`source=hf` only).
    """
    if max_judge_attempts < 1:
        raise SpecBenchError(f"-T max_judge_attempts: must be at least 1, got {max_judge_attempts}")
    templates = Templates.load(prompts)
    file = probes or str(shipped_probes_file())
    chosen = select_families(load_probes(file), families)
    keys = list(dict.fromkeys(p.scenario for p in chosen))
    scenarios = {
        s.key: s for s in load_scenarios(keys, source=source, data_dir=data_dir, revision=revision)
    }
    for probe in chosen:
        check_against_data(probe, scenarios[probe.scenario], file)
    markers = response_markers(templates)
    samples = [probe_sample(p, scenarios[p.scenario], markers) for p in chosen]
    data = data_provenance(list(scenarios.values()), describe_source(source, data_dir, revision))
    return Task(
        dataset=MemoryDataset(samples, name="grader_audit"),
        solver=fixed_answer(),
        scorer=grader_audit_judge(prompts=templates, max_attempts=max_judge_attempts),
        version=AUDIT_VERSION,
        metadata={
            "specbench": {
                "audit": {
                    "probes": file,
                    "families": sorted({p.family for p in chosen}),
                    "markers": markers,
                },
                "data": data,
                "templates": templates.describe(),
            }
        },
    )
