"""Running a pre-filled method's stages: the model continues its own (pre-filled) turn.

ZeroThink, MoreThink and Align3 write the start of the model's reply (an opened or empty
thinking block, first-person reflection turns) and let the model continue it, stage by stage.
How a provider continues a turn is the plan (`plan.py`); how the added text is read back from
the provider's reply is `continuation_text.py`; the chat templates are `chat_template.py`.

A pre-filled method's solver checks its options once, when it is created, and makes the plan
once per model: at creation when the evaluated model is already known (as with `inspect eval`,
so an unsupported provider is refused before any sample runs), else at the first sample. The
task reads the same plan for its metadata (`PrefilledSolver.generation`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageUser,
    Model,
    ModelName,
    ModelOutput,
    get_model,
)
from inspect_ai.solver import Generate, TaskState

from ..generation import Generation
from ..prompts import PromptsArg, Templates
from ..thinking import strip_think_tags
from .answer_checks import flag_restated, restates_prefill
from .common import (
    counted_generate,
    finish_joined,
    finish_single,
    load_templates,
    opening_messages,
    reasoning_text,
)
from .continuation_text import continuation_text
from .plan import ContinuationOptions, ContinuationPlan, model_in_context

logger = logging.getLogger(__name__)

WITHHELD_DEVIATION = (
    "continuation=prefill: trailing whitespace of a pre-fill was withheld from the request "
    "(the API refuses it) and restored when the continuation was joined"
)


@dataclass(frozen=True)
class Stage:
    """One model call of a pre-filled method."""

    name: str
    text: str
    """Appended to the assistant turn before this call (the first stage's text opens it)."""
    final: bool = False
    """The last stage runs without the `</think>` stop: the model closes its thought and
    answers."""


StageBuilder = Callable[[TaskState, Templates], list[Stage]]
"""A method's stages for one sample."""


def refused_for_length(record: Generation, stage: Stage, output: ModelOutput) -> bool:
    """Whether the provider refused a stage's request for the context window (its text is
    then an error message, not the model's): recorded as a deviation."""
    if output.stop_reason == "model_length" and output.usage is None:
        record.deviations.append(
            f"stage {stage.name!r} exceeded the context window; it and any later stages "
            f"produced nothing"
        )
        return True
    return False


async def run_stages(
    state: TaskState,
    record: Generation,
    plan: ContinuationPlan,
    stages: Sequence[Stage],
    prompts: Templates,
) -> TaskState:
    """Run a pre-filled method's stages on the model under evaluation; the sample's output is
    the joined turn (or, with `turns`, the last reply). Each stage's text follows the previous
    continuation with its trailing whitespace removed, as the reference joins them."""
    plan.stamp(record)
    model = get_model()
    opening = opening_messages(state, prompts, with_specs=True)
    if plan.mode == "turns":
        return await _run_turns(state, record, plan, stages, prompts, model, opening)

    turn = ""
    last: ModelOutput | None = None
    for stage in stages:
        turn += stage.text
        sent = turn.rstrip() if plan.mode == "prefill" else turn
        withheld = turn[len(sent) :]
        if withheld and WITHHELD_DEVIATION not in record.deviations:
            record.deviations.append(WITHHELD_DEVIATION)
        messages: list[ChatMessage] = [*opening, ChatMessageAssistant(content=sent)]
        last = await counted_generate(
            model,
            messages,
            record,
            stage=f"{plan.method}: {stage.name}",
            config=plan.request_config(model, stop=not stage.final),
        )
        if refused_for_length(record, stage, last):
            break
        added = continuation_text(last)
        if restates_prefill(turn, stage.text, added):
            flag_restated(record, stage.name)
        if not stage.final:  # the next stage's text follows it without trailing whitespace
            added = added.rstrip()
        turn += added.lstrip() if withheld else added
    assert last is not None, "a method has at least one stage"
    state.messages = opening
    return finish_joined(state, record, turn, last)


async def _run_turns(
    state: TaskState,
    record: Generation,
    plan: ContinuationPlan,
    stages: Sequence[Stage],
    prompts: Templates,
    model: Model,
    opening: list[ChatMessage],
) -> TaskState:
    """Emulation: each stage's text, without thinking tags, is a user turn (the first stage's
    is added to the question); intermediate replies are the thought, the last is the answer."""
    messages = list(opening)
    earlier: list[str] = []
    last: ModelOutput | None = None
    for index, stage in enumerate(stages):
        instruction = strip_think_tags(stage.text)
        if instruction:
            name = "turns_final_stage" if stage.final else "turns_stage"
            turn = prompts.render(name, stage=instruction)
            if index == 0:
                messages[-1] = ChatMessageUser(content=f"{messages[-1].text}\n\n{turn}")
            else:
                messages.append(ChatMessageUser(content=turn))
        last = await counted_generate(
            model, messages, record, stage=f"{plan.method}: {stage.name} (turn)"
        )
        if not stage.final:
            thought = "\n\n".join(p for p in (reasoning_text(last), last.completion) if p)
            earlier.append(thought)
            messages.append(last.message)
    assert last is not None, "a method has at least one stage"
    state.messages = messages
    finish_single(state, record, last)
    record.thought = "\n\n".join(p for p in (*earlier, record.thought) if p)
    record.save()
    return state


class PrefilledSolver:
    """The solver of a pre-filled method: options checked when it is created, the plan made
    once per model (when it is created if the evaluated model is known, else at the first
    sample) and kept for the task's metadata."""

    def __init__(
        self, method: str, stages: StageBuilder, prompts: Templates, options: ContinuationOptions
    ) -> None:
        self.method = method
        self.stages = stages
        self.prompts = prompts
        self.options = options
        self._plans: dict[str, ContinuationPlan] = {}
        model = model_in_context()
        self.planned = self.plan_for(model) if model is not None else None
        """The plan for the model known when the solver was created (None if none was)."""

    def plan_for(self, model: Model) -> ContinuationPlan:
        """The plan for `model`, made the first time it is asked for."""
        key = str(ModelName(model))
        plan = self._plans.get(key)
        if plan is None:
            plan = self.options.plan(self.method, model)
            self._plans[key] = plan
            logger.info("%s on %s: %s", self.method, key, "; ".join(plan.reasons))
        return plan

    def generation(self) -> dict[str, Any]:
        """For the task metadata: the plan for the model known at creation, if any."""
        if self.planned is None:
            return {
                "method": self.method,
                "continuation": "per sample (the model was not known when the task was created)",
                "deviations": [],
            }
        return self.planned.describe()

    async def __call__(self, state: TaskState, generate: Generate) -> TaskState:
        plan = self.plan_for(get_model())
        record = Generation(method=self.method)
        return await run_stages(state, record, plan, self.stages(state, self.prompts), self.prompts)


def prefill_solver(
    method: str,
    stages: StageBuilder,
    templates: PromptsArg | None,
    continuation: str,
    chat_template: str,
) -> PrefilledSolver:
    """A pre-filled method's solver (see `PrefilledSolver`)."""
    prompts = load_templates(templates)
    options = ContinuationOptions.check(continuation, chat_template)
    return PrefilledSolver(method, stages, prompts, options)


__all__ = [
    "WITHHELD_DEVIATION",
    "PrefilledSolver",
    "Stage",
    "StageBuilder",
    "prefill_solver",
    "run_stages",
]
