"""Inspect samples from a scenario, and the per-sample metadata solvers and scorers read."""

from __future__ import annotations

from inspect_ai.dataset import Sample
from pydantic import BaseModel, ConfigDict

from .scenario import Label, PromptItem, Scenario


class SpecBenchMetadata(BaseModel):
    """What every SpecBench sample carries in `Sample.metadata`.

    The specs travel with each sample so that a log can be re-judged (`inspect score`) and a
    user's own scenario judged without the data files.
    """

    model_config = ConfigDict(frozen=True, extra="allow")

    scenario: str
    """Scenario key (`travel`, ... or a custom scenario's folder key)."""
    scenario_name: str
    label: Label
    source: str
    prompt: str
    """The original question: the judge always sees this one."""
    answer: str
    """Reference answer (often empty)."""
    safety_specs: list[str]
    behavioral_specs: list[str]


def item_metadata(scenario: Scenario, item: PromptItem) -> SpecBenchMetadata:
    """The metadata of a sample asking `item` of `scenario` (its specs included)."""
    return SpecBenchMetadata(
        scenario=scenario.key,
        scenario_name=scenario.name,
        label=item.label,
        source=item.source,
        prompt=item.prompt,
        answer=item.answer,
        safety_specs=list(scenario.safety_specs),
        behavioral_specs=list(scenario.behavioral_specs),
    )


def sample_id(scenario_key: str, index: int) -> str:
    return f"{scenario_key}-{index}"


def scenario_samples(
    scenario: Scenario, *, adversarial: bool = True, label: Label | None = None
) -> list[Sample]:
    """One sample per prompt (id `<scenario>-<index in prompts.json>`), optionally one label."""
    samples: list[Sample] = []
    for index, item in enumerate(scenario.prompts):
        if label is not None and item.label != label:
            continue
        metadata = item_metadata(scenario, item)
        samples.append(
            Sample(
                id=sample_id(scenario.key, index),
                input=item.adversarial_prompt if adversarial else item.prompt,
                target=item.answer,
                metadata=metadata.model_dump(),
            )
        )
    return samples
