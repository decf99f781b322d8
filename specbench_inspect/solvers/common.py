"""What every generation method shares: prompts, counted model calls, answer and thought."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import lru_cache

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
from inspect_ai.util import span, store

from ..datasets.samples import SpecBenchMetadata
from ..prompts import Templates, bullet_list

THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"


@lru_cache(maxsize=16)
def load_templates(templates: str | None) -> Templates:
    """Templates from a `-T templates=FILE` path (read once per path)."""
    return Templates.load(templates)


STORE_KEY = "generation"
"""The sample's Store entry holding its `Generation` record."""


@dataclass
class Generation:
    """Per-sample record of how the answer was produced, saved once in the sample's Store
    (`generation`, shown in the Store tab of `inspect view`)."""

    method: str = ""
    answer: str = ""
    """The text the judge rates: what follows the thinking block."""
    thought: str = ""
    """The reasoning: text before the last `</think>` and any separate reasoning content."""
    model_calls: int = 0
    prompt_tokens: int = 0
    """Input tokens of the first call (the paper's accounting)."""
    completion_tokens: int = 0
    """Output tokens summed over all calls."""
    deviations: list[str] = field(default_factory=list)
    """Ways this run departs from the paper's protocol (for example emulated continuation)."""
    continuation: str = ""
    """How a pre-filled method continued the model's turn: `server` (continue_final_message),
    `prefill` (native assistant pre-fill) or `turns` (emulated); empty for other methods."""
    chat_template: str = ""
    """The chat template sent with each request (`server` continuation), empty if none."""

    def save(self) -> None:
        store().set(STORE_KEY, asdict(self))

    @classmethod
    def saved(cls) -> Generation | None:
        """The record a SpecBench method saved for the current sample, if any."""
        data = store().get(STORE_KEY)
        return cls(**data) if isinstance(data, dict) else None


def spec_fields(state: TaskState) -> dict[str, str]:
    """Template values for the sample: the question and its specs as bullet lists."""
    meta = state.metadata_as(SpecBenchMetadata)
    return {
        "question": state.input_text,
        "safety_specs": bullet_list(meta.safety_specs),
        "behavioral_specs": bullet_list(meta.behavioral_specs),
    }


def opening_messages(
    state: TaskState, templates: Templates, *, with_specs: bool
) -> list[ChatMessage]:
    """System message and the user turn (the spec-augmented prompt unless `with_specs` is False)."""
    user = templates.render("spec_prompt", **spec_fields(state)) if with_specs else state.input_text
    return [
        ChatMessageSystem(content=templates.render("system")),
        ChatMessageUser(content=user),
    ]


def split_thought(text: str) -> tuple[str, str]:
    """(thought, answer): the answer is the text after the last `</think>`, else all of it.

    A text that opens a thinking block it never closes (a thought cut off by the token limit)
    is all thought: its answer is empty, so the judge never rates reasoning."""
    head, sep, tail = text.rpartition(THINK_CLOSE)
    if not sep:
        if text.lstrip().startswith(THINK_OPEN):
            return text, ""
        return "", text
    return head + sep, tail.strip()


def answer_text(completion: str) -> str:
    """The part of a completion the judge sees: never the reasoning."""
    return split_thought(completion)[1]


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
    """One model call, counted in `record`; inside a transcript span named after the stage
    when there is one (multi-stage methods)."""
    if stage is None:
        output = await model.generate(messages, config=config or GenerateConfig())
    else:
        async with span(stage):
            output = await model.generate(messages, config=config or GenerateConfig())
    if record.model_calls == 0 and output.usage is not None:
        record.prompt_tokens = output.usage.input_tokens
    record.model_calls += 1
    if output.usage is not None:
        record.completion_tokens += output.usage.output_tokens
    return output


def record_answer(record: Generation, text: str, reasoning: str = "") -> None:
    """Store the answer and the thought (separate reasoning first, then inline thinking)."""
    thought, answer = split_thought(text)
    record.thought = "\n\n".join(part for part in (reasoning, thought) if part)
    record.answer = answer
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


def one_call_solver(method: str, templates: str | None, *, with_specs: bool) -> Solver:
    """A method that asks once: system message, question (with specs or not), answer."""
    prompts = load_templates(templates)

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        record = Generation(method=method)
        state.messages = opening_messages(state, prompts, with_specs=with_specs)
        output = await counted_generate(get_model(), state.messages, record, stage=None)
        return finish_single(state, record, output)

    return solve
