"""The reference's decoding settings as defaults for the model families it names.

The reference generates with max_tokens 4,200 for instruct models and 8,400 for reasoning
models, and with Qwen's recommended sampling for Qwen3: temperature 0.7, top_p 0.8, top_k 20
without thinking; 0.6, 0.95, 20 with thinking. Where a model's name shows one of those
families, a method's calls use these settings for every field the user left unset: anything
the user set (`--max-tokens`, `--temperature`, `--top-p`, `--top-k`, or `top_k` in
`--extra-body`) always wins, and an unrecognised model gets no defaults of ours.

Whether Qwen3 thinks is what the server is told: `chat_template_kwargs.enable_thinking` in the
model's `extra_body` (`--extra-body '{"chat_template_kwargs": {"enable_thinking": false}}'`,
as the reference sends for its instruct rows). Unset, Qwen3's own chat template thinks, so the
thinking settings apply; a name with `thinking` or `instruct` (Qwen3-...-2507) decides too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from inspect_ai.model import GenerateConfig, Model, ModelName

logger = logging.getLogger(__name__)

INSTRUCT_MAX_TOKENS = 4200
REASONING_MAX_TOKENS = 8400

TOP_K_IN_EXTRA_BODY = ("vllm", "openai-api")
"""Providers for which Inspect does not send `top_k` (OpenAI's API has none): vLLM reads it
from the request body's extra fields, where the reference puts it too."""

REASONING_NAMES = ("deepseek-r1", "r1-distill", "deepseek-reasoner", "realsafe-r1", "stair-")
"""Reasoning models of the reference's configuration (by name)."""
INSTRUCT_NAMES = ("gpt-4.1", "gpt-5-chat", "deepseek-chat", "deepseek-v3")
"""Instruct models of the reference's configuration that do not say `instruct` in their name."""


@dataclass(frozen=True)
class Family:
    """A model family's reference decoding."""

    name: str
    max_tokens: int
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None


QWEN3_INSTRUCT = Family("qwen3 (no thinking)", INSTRUCT_MAX_TOKENS, 0.7, 0.8, 20)
QWEN3_THINKING = Family("qwen3 (thinking)", REASONING_MAX_TOKENS, 0.6, 0.95, 20)
REASONING = Family("reasoning", REASONING_MAX_TOKENS)
INSTRUCT = Family("instruct", INSTRUCT_MAX_TOKENS)


def _enable_thinking(extra_body: dict[str, Any] | None) -> Any:
    kwargs = (extra_body or {}).get("chat_template_kwargs")
    return kwargs.get("enable_thinking") if isinstance(kwargs, dict) else None


def recognise(model_name: str, extra_body: dict[str, Any] | None) -> tuple[Family, str] | None:
    """The family a model's name shows, and why; None if it shows none the reference names."""
    name = model_name.lower().replace("_", "-")
    if "qwen3" in name:
        thinking = _enable_thinking(extra_body)
        if thinking is not None:
            said = f"chat_template_kwargs.enable_thinking={str(bool(thinking)).lower()}"
            return (QWEN3_THINKING if thinking else QWEN3_INSTRUCT), f"Qwen3 with {said}"
        if "instruct" in name:
            return QWEN3_INSTRUCT, "a Qwen3 instruct model (by name)"
        if "thinking" in name:
            return QWEN3_THINKING, "a Qwen3 thinking model (by name)"
        return QWEN3_THINKING, (
            "Qwen3 without chat_template_kwargs.enable_thinking: its chat template thinks by "
            "default (pass enable_thinking=false in --extra-body for the instruct settings)"
        )
    if any(part in name for part in REASONING_NAMES):
        return REASONING, "a reasoning model of the reference (by name)"
    if "instruct" in name or any(part in name for part in INSTRUCT_NAMES):
        return INSTRUCT, "an instruct model (by name)"
    return None


@dataclass(frozen=True)
class Decoding:
    """The defaults a method's calls get on one model: only fields the user left unset."""

    model: str
    family: str | None
    reason: str
    defaults: dict[str, Any] = field(default_factory=dict)
    """Settings applied (`top_k` in `extra_body` where the provider needs it there)."""
    kept: dict[str, Any] = field(default_factory=dict)
    """The user's own settings that replaced a family default."""

    def apply(self, config: GenerateConfig, model: Model) -> GenerateConfig:
        """`config` (one call's own settings) with the defaults filled in."""
        if not self.defaults:
            return config
        settings = {k: v for k, v in self.defaults.items() if k != "extra_body"}
        filled = GenerateConfig(**settings).merge(config)
        extra = self.defaults.get("extra_body")
        if extra:
            # keep the user's extra_body and the call's own (continuation flags) over ours
            filled.extra_body = {
                **extra,
                **(model.config.extra_body or {}),
                **(config.extra_body or {}),
            }
        return filled

    def describe(self) -> dict[str, Any]:
        """For the log: the family, why, what was applied, and what the user set instead."""
        return {
            "family": self.family,
            "reason": self.reason,
            "defaults": self.defaults,
            "user_settings": self.kept,
        }


def plan_decoding(model: Model) -> Decoding:
    """The reference's decoding for `model`'s family, minus what the user set."""
    name = ModelName(model)
    user = model.config
    found = recognise(name.name, user.extra_body)
    if found is None:
        return Decoding(
            str(name), None, "not a family the reference configures: no defaults of ours"
        )
    family, reason = found
    wanted: dict[str, Any] = {
        "max_tokens": family.max_tokens,
        "temperature": family.temperature,
        "top_p": family.top_p,
        "top_k": family.top_k,
    }
    defaults: dict[str, Any] = {}
    kept: dict[str, Any] = {}
    user_extra = user.extra_body or {}
    for key, value in wanted.items():
        if value is None:
            continue
        own = getattr(user, key)
        if key == "top_k" and own is None:
            own = user_extra.get("top_k")
        if own is not None:
            kept[key] = own
        elif key == "top_k" and name.api in TOP_K_IN_EXTRA_BODY:
            defaults["extra_body"] = {"top_k": value}
        else:
            defaults[key] = value
    return Decoding(str(name), family.name, reason, defaults, kept)


_planned: dict[tuple[str, str], Decoding] = {}


def decoding_for(model: Model) -> Decoding:
    """`plan_decoding`, once per model and configuration (logged when first made)."""
    key = (str(ModelName(model)), model.config.model_dump_json(exclude_none=True))
    decoding = _planned.get(key)
    if decoding is None:
        decoding = plan_decoding(model)
        _planned[key] = decoding
        logger.info(
            "decoding for %s: %s (%s); defaults %s; user settings %s",
            decoding.model,
            decoding.family or "no family",
            decoding.reason,
            decoding.defaults or "none",
            decoding.kept or "none",
        )
    return decoding
