"""The provider plan: how a pre-filled method makes one model continue its own turn.

- `server`: an OpenAI-compatible server that continues a final assistant message when asked
  (vLLM: `continue_final_message=true`, `add_generation_prompt=false`). The partial turn is
  the last message; the flags and, optionally, a chat template that renders assistant content
  verbatim travel in the request body. Chosen for `vllm/...` and `openai-api/...` models.
- `prefill`: the API itself continues a final assistant message (Anthropic). Such APIs refuse
  a pre-fill ending in whitespace, so trailing whitespace is withheld from the request and put
  back when the continuation is joined. Chosen for `anthropic/...` models.
- `turns`: an emulation for providers that cannot continue a turn (opt-in only): each stage is
  a separate user turn. Not the paper's protocol; recorded as a deviation.

Any other provider is refused with a message naming the alternatives, before any model call.
The options are checked once, when the solver is created (`ContinuationOptions.check`); the
plan is made once per model (`ContinuationOptions.plan`) and says why it chose what it chose.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Literal, cast, get_args

from inspect_ai.model import GenerateConfig, Model, ModelName, get_model

from ..errors import SpecBenchError
from ..generation import Generation
from ..thinking import THINK_CLOSE
from .chat_template import ChatTemplate, check_chat_template, resolve_chat_template

Mode = Literal["server", "prefill", "turns"]
MODES: tuple[Mode, ...] = get_args(Mode)
CONTINUATION_CHOICES = ("auto", *MODES)

SERVER_PROVIDERS = ("vllm", "openai-api")
"""Providers whose servers continue a final assistant message when the request asks."""
PREFILL_PROVIDERS = ("anthropic",)
"""Providers whose API continues a final assistant message natively."""

CONTINUE_FLAGS: dict[str, Any] = {"continue_final_message": True, "add_generation_prompt": False}

TURNS_DEVIATION = (
    "continuation=turns: the provider cannot continue the model's own turn, so each stage was "
    "sent as a separate user turn (the paper pre-fills the assistant turn and lets the model "
    "continue it)"
)


class ContinuationUnsupported(SpecBenchError):
    """The model's provider cannot continue a pre-filled turn and no emulation was chosen."""


@dataclass(frozen=True)
class ContinuationPlan:
    """How one method continues the model's turn on one model, and why."""

    method: str
    model: str
    provider: str
    mode: Mode
    chat_template: ChatTemplate | None = None
    deviations: tuple[str, ...] = field(default=())
    reasons: tuple[str, ...] = field(default=())
    """Why this mode and template were chosen (for the log)."""

    def request_config(self, model: Model, *, stop: bool) -> GenerateConfig:
        """Generation config for one continuation call (stop at `</think>` unless last)."""
        config = GenerateConfig(stop_seqs=[THINK_CLOSE] if stop else None)
        if self.mode == "server":
            # keep whatever extra_body the user configured for the model; add ours on top
            extra: dict[str, Any] = dict(model.config.extra_body or {})
            extra.update(CONTINUE_FLAGS)
            if self.chat_template is not None:
                extra["chat_template"] = self.chat_template.text
            config.extra_body = extra
        return config

    def stamp(self, record: Generation) -> None:
        """Record in a sample's generation record how its turn is continued."""
        record.continuation = self.mode
        record.chat_template = self.chat_template.name if self.chat_template else ""
        record.deviations.extend(self.deviations)

    def describe(self) -> dict[str, Any]:
        """For the eval log (task metadata)."""
        return {
            "method": self.method,
            "model": self.model,
            "provider": self.provider,
            "continuation": self.mode,
            "chat_template": self.chat_template.name if self.chat_template else None,
            "chat_template_sha256": self.chat_template.sha256 if self.chat_template else None,
            "deviations": list(self.deviations),
            "reasons": list(self.reasons),
        }


def unsupported_message(method: str, model: str, provider: str) -> str:
    return (
        f"method {method!r} continues the model's own (pre-filled) assistant turn, which the "
        f"{provider!r} provider (model {model}) cannot do. Alternatives: a provider that can "
        f"(vllm/<model>, also for an existing server via VLLM_BASE_URL; "
        f"openai-api/<service>/<model> for an OpenAI-compatible server that honours "
        f"continue_final_message, such as vLLM; anthropic/<model>); continuation=turns to "
        f"emulate each stage as a separate user turn (recorded as a deviation from the paper's "
        f"protocol); continuation=prefill or continuation=server if this provider does "
        f"continue a final assistant message; or a method that needs no pre-fill (vanilla, "
        f"self_refine). Pass the option as -T continuation=... (or -S with --solver)."
    )


def template_misfit(chat_template: str, mode: str, model: str = "") -> SpecBenchError:
    on = f"; model {model} continues with {mode}" if model else f", not with continuation={mode}"
    return SpecBenchError(
        f"chat_template={chat_template}: a chat template is only sent to OpenAI-compatible "
        f"servers (continuation=server){on}"
    )


@dataclass(frozen=True)
class ContinuationOptions:
    """A method's `continuation` and `chat_template` options, checked."""

    continuation: str = "auto"
    chat_template: str = "auto"

    @classmethod
    def check(cls, continuation: Any, chat_template: Any) -> ContinuationOptions:
        """Refuse bad values (an unknown mode, an unreadable template file, a template with an
        explicit mode other than `server`) when the solver is created."""
        if continuation not in CONTINUATION_CHOICES:
            raise SpecBenchError(
                f"continuation: unknown value {continuation!r} "
                f"(choose from {', '.join(CONTINUATION_CHOICES)})"
            )
        template = check_chat_template(chat_template)
        if continuation not in ("auto", "server") and template not in ("auto", "none"):
            raise template_misfit(template, continuation)
        return cls(continuation, template)

    def plan(self, method: str, model: Model | str) -> ContinuationPlan:
        """Decide how `method` continues turns on `model` (a Model or `provider/name`).

        Raises ContinuationUnsupported for a provider that cannot continue a turn (with
        `auto`), SpecBenchError for a chat template on a provider `auto` did not make a server.
        """
        name = ModelName(model)
        provider, full = name.api, str(name)
        if self.continuation != "auto":
            mode = cast(Mode, self.continuation)
            reason = f"continuation={mode}: chosen by the option"
        elif provider in SERVER_PROVIDERS:
            mode = "server"
            reason = (
                f"continuation=auto: server, as provider {provider!r} continues a final assistant "
                f"message when the request sets continue_final_message (a server that ignores "
                f"the flag starts a new turn: such answers are flagged)"
            )
        elif provider in PREFILL_PROVIDERS:
            mode = "prefill"
            reason = (
                f"continuation=auto: prefill, as provider {provider!r} continues a final "
                f"assistant message natively"
            )
        else:
            raise ContinuationUnsupported(unsupported_message(method, full, provider))
        template, reasons = None, [reason]
        if mode == "server":
            template, template_reason = resolve_chat_template(self.chat_template, name.name)
            reasons.append(template_reason)
        elif self.continuation == "auto" and self.chat_template not in ("auto", "none"):
            raise template_misfit(self.chat_template, mode, full)
        deviations = (TURNS_DEVIATION,) if mode == "turns" else ()
        return ContinuationPlan(method, full, provider, mode, template, deviations, tuple(reasons))


def plan_continuation(
    method: str,
    model: Model | str,
    continuation: str = "auto",
    chat_template: str = "auto",
) -> ContinuationPlan:
    """Check the options and plan in one step (for callers with one model)."""
    return ContinuationOptions.check(continuation, chat_template).plan(method, model)


def model_in_context() -> Model | None:
    """The model under evaluation, if it is known while the solver is created.

    Inspect creates a task (and so its solver) inside the evaluation's model context when the
    task is named (`inspect eval specbench/travel`, `eval("specbench/travel")`): a provider
    that cannot continue a turn is then refused before any sample runs. A task object built
    beforehand has no model yet (None here): the plan is then made at the first sample. With
    INSPECT_EVAL_MODEL set, the model found here might not be the one evaluated, so the
    decision is left to the samples.
    """
    if os.environ.get("INSPECT_EVAL_MODEL"):
        return None
    try:
        return get_model()
    except ValueError:
        # Inspect's "No model specified": no evaluation is running and no model is named
        return None
