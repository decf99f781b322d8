"""What every generation method shares: prompts, counted model calls, answer and thought."""

from __future__ import annotations

from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageUser,
    ContentReasoning,
    GenerateConfig,
    Model,
    ModelOutput,
    get_model,
)
from inspect_ai.solver import Generate, Solver, TaskState
from inspect_ai.util import span

from ..datasets.samples import SpecBenchMetadata
from ..generation import Generation
from ..prompts import PromptsArg, Templates, resolve_wording
from ..thinking import split_thought
from .answer_checks import flag_answer, record_call
from .decoding import decoding_for

BUILTIN = Templates()
"""The builtin wording, for callers of `spec_fields` that pass no templates."""


def load_templates(templates: PromptsArg | None) -> Templates:
    """The templates a solver's `prompts` argument stands for (see `prompts.resolve_wording`)."""
    return resolve_wording(templates)


def spec_fields(state: TaskState, templates: Templates | None = None) -> dict[str, str]:
    """Template values for the sample: the question and its specs, each list laid out with
    the wording's `spec_item` / `spec_separator` (without `templates`: the builtin layout)."""
    meta = state.metadata_as(SpecBenchMetadata)
    layout = templates or BUILTIN
    return {
        "question": state.input_text,
        "safety_specs": layout.render_list("spec_item", "spec_separator", meta.safety_specs),
        "behavioral_specs": layout.render_list(
            "spec_item", "spec_separator", meta.behavioral_specs
        ),
    }


def opening_messages(
    state: TaskState, templates: Templates, *, with_specs: bool
) -> list[ChatMessage]:
    """System message and the user turn (the spec-augmented prompt unless `with_specs` is False)."""
    user = (
        templates.render("spec_prompt", **spec_fields(state, templates))
        if with_specs
        else state.input_text
    )
    return [
        ChatMessageSystem(content=templates.render("system")),
        ChatMessageUser(content=user),
    ]


def reasoning_text(output: ModelOutput) -> str:
    """Reasoning the provider returned separately from the text (e.g. vLLM's reasoning parser)."""
    if not output.choices:
        return ""
    content = output.message.content
    if isinstance(content, str):
        return ""
    return "\n".join(c.reasoning for c in content if isinstance(c, ContentReasoning))


async def counted_generate(
    model: Model,
    messages: list[ChatMessage],
    record: Generation,
    *,
    stage: str | None,
    config: GenerateConfig | None = None,
) -> ModelOutput:
    """One model call, counted in `record` (and listed in its stages, named `stage` or after
    the method); inside a transcript span named after the stage when there is one
    (multi-stage methods). The reference's decoding for the model's family fills the settings
    the user left unset (see `decoding`)."""
    decoding = decoding_for(model)
    config = decoding.apply(config or GenerateConfig(), model)
    if not record.decoding:
        record.decoding = decoding.describe()
    if stage is None:
        output = await model.generate(messages, config=config)
    else:
        async with span(stage):
            output = await model.generate(messages, config=config)
    if record.model_calls == 0 and output.usage is not None:
        record.prompt_tokens = output.usage.input_tokens
    record.model_calls += 1
    if output.usage is not None:
        record.completion_tokens += output.usage.output_tokens
    record_call(record, stage or record.method, output)
    return output


def record_answer(record: Generation, text: str, reasoning: str = "") -> None:
    """Store the answer and the thought (separate reasoning first, then inline thinking);
    flag an unclosed thought or an empty answer."""
    thought, answer = split_thought(text)
    record.thought = "\n\n".join(part for part in (reasoning, thought) if part)
    record.answer = answer
    flag_answer(record, text)
    record.save()


def finish_single(state: TaskState, record: Generation, output: ModelOutput) -> TaskState:
    """A one-call method: the call's output is the sample's output."""
    state.output = output
    state.messages.append(output.message)
    record_answer(record, output.completion, reasoning_text(output))
    return state


def finish_joined(state: TaskState, record: Generation, text: str, last: ModelOutput) -> TaskState:
    """A pre-filled or multi-stage method: `text` (pre-fills and continuations joined, with any
    reasoning the server returned separately already folded in) becomes the assistant turn and
    the sample's output."""
    record_answer(record, text)
    state.messages.append(ChatMessageAssistant(content=text, model=last.model))
    output = ModelOutput.from_content(model=last.model, content=text)
    output.usage = last.usage
    output.choices[0].stop_reason = last.stop_reason
    state.output = output
    return state


def one_call_solver(method: str, templates: PromptsArg | None, *, with_specs: bool) -> Solver:
    """A method that asks once: system message, question (with specs or not), answer."""
    prompts = load_templates(templates)

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        record = Generation(method=method)
        state.messages = opening_messages(state, prompts, with_specs=with_specs)
        output = await counted_generate(get_model(), state.messages, record, stage=None)
        return finish_single(state, record, output)

    return solve
