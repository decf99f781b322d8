"""Scripted mockllm models for the tests: replies keyed on the input, never on call order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from inspect_ai.model import (
    ChatMessage,
    GenerateConfig,
    Model,
    ModelOutput,
    ModelUsage,
    get_model,
)

from helpers.scripted import JUDGE_MARK, answer_reply, grader_reply

Reply = Callable[[list[ChatMessage], GenerateConfig], str]


def output(text: str, model: str = "mockllm/model") -> ModelOutput:
    """A scripted output, always with usage (mockllm would otherwise count tokens with tiktoken,
    which tries to download offline)."""
    out = ModelOutput.from_content(model=model, content=text)
    tokens = len(text.split()) + 1
    out.usage = ModelUsage(input_tokens=10, output_tokens=tokens, total_tokens=10 + tokens)
    return out


def scripted_model(reply: Reply) -> Model:
    """A mockllm model answering `reply(messages, config)` for each call."""

    def custom(
        messages: list[ChatMessage], tools: Any, tool_choice: Any, config: GenerateConfig
    ) -> ModelOutput:
        return output(reply(messages, config))

    return get_model("mockllm/model", custom_outputs=custom)


def answer_model() -> Model:
    """The model under test: answers every question with a thought and a short answer."""
    return scripted_model(lambda messages, config: answer_reply(messages[-1].text))


def grader_model() -> Model:
    """A grader whose verdicts are a function of the query it is shown (see scripted.py)."""

    def reply(messages: list[ChatMessage], config: GenerateConfig) -> str:
        prompt = messages[1].text  # the judge prompt (a retry adds turns after it)
        assert JUDGE_MARK in prompt, "grader called with something other than a judge prompt"
        return grader_reply(prompt)

    return scripted_model(reply)
