"""Which of the paper's models a run's model is: the name-matching rule.

A run's model is an Inspect model name (`provider/[organisation/]model`) plus the settings
that choose a thinking mode. It is matched to a paper name as follows:

1. Keep the last part of the name (`vllm/Qwen/Qwen3-14B` -> `Qwen3-14B`, `openai/gpt-4.1` ->
   `gpt-4.1`); compare without case, with `_` read as `-`.
2. Drop a dated snapshot suffix `-YYYY-MM-DD` (`gpt-4.1-2025-04-14` is GPT-4.1) and Meta's
   older repository prefix `Meta-` (`Meta-Llama-3.1-8B-Instruct`). One alias:
   `gpt-5-chat-latest` (OpenAI's name of GPT-5-chat).
3. A model the paper lists in two modes gets its mode from the run:
   - Qwen3 (`Qwen3-<size>`): `chat_template_kwargs.enable_thinking` in the model's
     `extra_body` (false: `Qwen3-14B`; true: `Qwen3-14B-thinking`); unset, Qwen3's chat
     template thinks, so `-thinking` (the same reading as the reference decoding defaults);
   - Gemini 2.5 Flash and Flash-Lite: `reasoning_tokens` (0: off; more: `-thinking`); unset,
     the API's default (Flash thinks, Flash-Lite does not).
4. The result must then equal one of the 33 paper names. Nothing else matches: base models
   (`Qwen3-14B-Base`, `Llama-3.1-8B`), quantised builds (`Qwen3-14B-AWQ`, `-FP8`), later
   releases (`Qwen3-4B-Instruct-2507`), siblings (`gpt-4.1-mini` is GPT-4.1-mini, not GPT-4.1;
   `gpt-4.1-nano` is none), and moving API aliases whose model changed since the paper
   (`deepseek-chat`, `deepseek-reasoner`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from . import published_models

SNAPSHOT = re.compile(r"-\d{4}-\d{2}-\d{2}$")
ALIASES = {"gpt-5-chat-latest": "gpt-5-chat"}
MOVING_ALIASES = {
    "deepseek-chat": "DeepSeek's API alias, since moved to later models than the paper's "
    "DeepSeek-V3",
    "deepseek-reasoner": "DeepSeek's API alias, since moved to later models than the paper's "
    "DeepSeek-R1",
}
QWEN3 = re.compile(r"^qwen3-\d+(\.\d+)?b$")
GEMINI_TWO_MODES = {"gemini-2.5-flash": True, "gemini-2.5-flash-lite": False}
"""Gemini models the paper lists with and without thinking -> whether the API thinks by
default."""


@dataclass(frozen=True)
class NameMatch:
    """A run's model matched to the paper: `name` (the paper's spelling) or None, and why."""

    name: str | None
    why: str


def _enable_thinking(extra_body: dict[str, Any] | None) -> Any:
    kwargs = (extra_body or {}).get("chat_template_kwargs")
    return kwargs.get("enable_thinking") if isinstance(kwargs, dict) else None


def base_name(model: str) -> str:
    """Rules 1 and 2: the model's own name, lower case, without snapshot date or `meta-`."""
    name = model.strip().split("/")[-1].lower().replace("_", "-").replace(" ", "-")
    name = SNAPSHOT.sub("", name)
    if name.startswith("meta-llama"):
        name = name[len("meta-") :]
    return ALIASES.get(name, name)


def paper_name(
    model: str, extra_body: dict[str, Any] | None = None, reasoning_tokens: int | None = None
) -> NameMatch:
    """The paper's name for `model` run with these settings (see the module docstring)."""
    name = base_name(model)
    papers = {m.model.lower(): m.model for m in published_models()}
    if name in MOVING_ALIASES:
        return NameMatch(None, f"{model}: {MOVING_ALIASES[name]}")
    if name.endswith("-thinking"):
        return NameMatch(
            None, f"{model}: the thinking mode is read from the run's settings, not the name"
        )
    mode = ""
    if QWEN3.match(name):
        thinking = _enable_thinking(extra_body)
        if thinking is None:
            mode = " (thinking: Qwen3's default; enable_thinking is not set)"
            name += "-thinking"
        else:
            mode = f" (chat_template_kwargs.enable_thinking={str(bool(thinking)).lower()})"
            name += "-thinking" if thinking else ""
    elif name in GEMINI_TWO_MODES:
        if reasoning_tokens is None:
            thinks = GEMINI_TWO_MODES[name]
            mode = f" (reasoning_tokens unset: the API {'thinks' if thinks else 'does not think'})"
        else:
            thinks = reasoning_tokens > 0
            mode = f" (reasoning_tokens={reasoning_tokens})"
        name += "-thinking" if thinks else ""
    if name in papers:
        return NameMatch(papers[name], f"{model}{mode} is the paper's {papers[name]}")
    return NameMatch(None, f"{model}{mode}: not one of the paper's 33 models")
