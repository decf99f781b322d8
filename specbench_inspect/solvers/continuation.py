"""How a pre-filled method makes the model continue its own turn, per provider.

ZeroThink, MoreThink and Align3 write the start of the model's reply (an opened or empty
thinking block, first-person reflection turns) and let the model continue it. Providers do
that in different ways, or not at all:

- `server`: an OpenAI-compatible server that continues a final assistant message when asked
  (vLLM: `continue_final_message=true`, `add_generation_prompt=false`). The partial turn is
  the last message; the flags and, optionally, a chat template that renders assistant content
  verbatim travel in the request body. Chosen for `vllm/...` and `openai-api/...` models.
- `prefill`: the API itself continues a final assistant message (Anthropic). Such APIs refuse
  a pre-fill ending in whitespace, so trailing whitespace is withheld from the request and put
  back when the continuation is joined. Chosen for `anthropic/...` models.
- `turns`: an emulation for providers that cannot continue a turn (opt-in only): each stage is
  a separate user turn. Not the paper's protocol; recorded as a deviation.

Any other provider is refused with a message naming the alternatives, before any model call
(while the task is created when the model is already known, as with `inspect eval`, else at
the start of each sample).

A stage's continuation is the text the model added to the partial turn. Servers return it
either inline (`...</think>answer` in the content) or split by a reasoning parser (vLLM's
`reasoning_content`, which Inspect gives as `ContentReasoning`): then the reasoning is the
part before `</think>` and the content the part after, so the continuation is rebuilt as
reasoning + `</think>` + content (reasoning alone when there is no content).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, cast, get_args

from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageUser,
    ContentReasoning,
    ContentText,
    GenerateConfig,
    Model,
    ModelName,
    ModelOutput,
    get_model,
)
from inspect_ai.solver import Generate, Solver, TaskState

from ..generation import Generation
from ..prompts import Templates
from ..thinking import THINK_CLOSE, THINK_OPEN, strip_think_tags
from .common import (
    counted_generate,
    finish_joined,
    finish_single,
    load_templates,
    opening_messages,
    reasoning_text,
)

Mode = Literal["server", "prefill", "turns"]
MODES: tuple[Mode, ...] = get_args(Mode)
CONTINUATION_CHOICES = ("auto", *MODES)

SERVER_PROVIDERS = ("vllm", "openai-api")
"""Providers whose servers continue a final assistant message when the request asks."""
PREFILL_PROVIDERS = ("anthropic",)
"""Providers whose API continues a final assistant message natively."""

CHAT_TEMPLATES = ("qwen3", "deepseek_r1")
"""Chat templates shipped with the package (solvers/chat_templates/NAME.jinja)."""
CHAT_TEMPLATE_CHOICES = ("auto", "none", *CHAT_TEMPLATES)

CONTINUE_FLAGS: dict[str, Any] = {"continue_final_message": True, "add_generation_prompt": False}

TURNS_DEVIATION = (
    "continuation=turns: the provider cannot continue the model's own turn, so each stage was "
    "sent as a separate user turn (the paper pre-fills the assistant turn and lets the model "
    "continue it)"
)
WITHHELD_DEVIATION = (
    "continuation=prefill: trailing whitespace of a pre-fill was withheld from the request "
    "(the API refuses it) and restored when the continuation was joined"
)


class ContinuationUnsupported(ValueError):
    """The model's provider cannot continue a pre-filled turn and no emulation was chosen."""


# --- chat templates -------------------------------------------------------------------------


@dataclass(frozen=True)
class ChatTemplate:
    """A Jinja chat template sent with each request (`chat_template` in the body)."""

    name: str
    """`qwen3`, `deepseek_r1`, or the path of a user's template file."""
    text: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


def packaged_template(name: str) -> ChatTemplate:
    """One of the chat templates shipped with the package."""
    path = resources.files("specbench_inspect.solvers") / "chat_templates" / f"{name}.jinja"
    return ChatTemplate(name, path.read_text(encoding="utf-8"))


def template_for_model(model_name: str) -> str | None:
    """The shipped template that fits a model, from its name (`auto`), or None."""
    name = model_name.lower().replace("_", "-")
    if "deepseek-r1" in name or "r1-distill" in name:
        return "deepseek_r1"
    if "qwen3" in name:
        return "qwen3"
    return None


@lru_cache(maxsize=32)
def _template_file(path: str) -> ChatTemplate:
    file = Path(path).expanduser()
    try:
        return ChatTemplate(path, file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"chat_template: file not found: {file}") from None
    except (OSError, UnicodeDecodeError) as ex:
        raise ValueError(f"chat_template: cannot read {file}: {ex}") from None


def resolve_chat_template(option: str, model_name: str) -> ChatTemplate | None:
    """The template an option selects for a model: `auto` (from the model's name), `none`
    (the server's own), a shipped template's name, or a file path."""
    if option == "auto":
        chosen = template_for_model(model_name)
        return packaged_template(chosen) if chosen else None
    if option == "none":
        return None
    if option in CHAT_TEMPLATES:
        return packaged_template(option)
    return _template_file(option)


# --- options and the plan -------------------------------------------------------------------


def check_options(continuation: Any, chat_template: Any) -> None:
    """Refuse bad `continuation` / `chat_template` values when the solver is created."""
    if continuation not in CONTINUATION_CHOICES:
        raise ValueError(
            f"continuation: unknown value {continuation!r} "
            f"(choose from {', '.join(CONTINUATION_CHOICES)})"
        )
    if not isinstance(chat_template, str) or not chat_template:
        raise ValueError(
            f"chat_template: expected {', '.join(CHAT_TEMPLATE_CHOICES)} or a file path, "
            f"got {chat_template!r}"
        )
    if chat_template not in CHAT_TEMPLATE_CHOICES:
        _template_file(chat_template)  # a path: it must be readable now
    if chat_template not in ("auto", "none") and continuation not in ("auto", "server"):
        raise ValueError(
            f"chat_template: a chat template is only sent to OpenAI-compatible servers "
            f"(continuation=server), not with continuation={continuation}"
        )


@dataclass(frozen=True)
class ContinuationPlan:
    """How one method continues the model's turn on one model."""

    method: str
    model: str
    provider: str
    mode: Mode
    chat_template: ChatTemplate | None = None
    deviations: tuple[str, ...] = field(default=())

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


def plan_continuation(
    method: str,
    model: Model | str,
    continuation: str = "auto",
    chat_template: str = "auto",
) -> ContinuationPlan:
    """Decide how `method` continues turns on `model` (a Model or `provider/name`).

    Raises ContinuationUnsupported for a provider that cannot continue a turn (with `auto`),
    ValueError for options that do not fit the provider.
    """
    check_options(continuation, chat_template)
    name = ModelName(model)
    provider, full = name.api, str(name)
    if continuation == "auto":
        if provider in SERVER_PROVIDERS:
            mode: Mode = "server"
        elif provider in PREFILL_PROVIDERS:
            mode = "prefill"
        else:
            raise ContinuationUnsupported(unsupported_message(method, full, provider))
    else:
        mode = cast(Mode, continuation)
    template = None
    if mode == "server":
        template = resolve_chat_template(chat_template, name.name)
    elif chat_template not in ("auto", "none"):
        raise ValueError(
            f"chat_template={chat_template}: a chat template is only sent to OpenAI-compatible "
            f"servers (continuation=server); model {full} continues with {mode}"
        )
    deviations = (TURNS_DEVIATION,) if mode == "turns" else ()
    return ContinuationPlan(method, full, provider, mode, template, deviations)


def early_plan(method: str, continuation: str, chat_template: str) -> ContinuationPlan | None:
    """The plan for the model under evaluation, if it is known while the solver is created.

    Inspect creates a task (and so its solver) inside the evaluation's model context when the
    task is named (`inspect eval specbench/travel`, `eval("specbench/travel")`): a provider
    that cannot continue a turn is then refused before any sample runs. A task object built
    beforehand has no model yet (None here): the same check runs at the start of each sample.
    With INSPECT_EVAL_MODEL set, the model found here might not be the one evaluated, so the
    decision is left to the samples.
    """
    if os.environ.get("INSPECT_EVAL_MODEL"):
        return None
    try:
        model = get_model()
    except Exception:
        return None
    return plan_continuation(method, model, continuation, chat_template)


# --- continuation text ----------------------------------------------------------------------


def continuation_text(output: ModelOutput) -> str:
    """The text the model added to a partial turn, with any separately returned reasoning put
    back where it was generated (before the `</think>` that ended it)."""
    if not output.choices:
        return ""
    content = output.message.content
    if isinstance(content, str):
        return content
    separate: list[str] = []
    tagged: list[str] = []
    texts: list[str] = []
    for part in content:
        if isinstance(part, ContentReasoning):
            # `think`: Inspect parsed a `<think>...</think>` block out of the content itself
            (tagged if part.internal == "think" else separate).append(part.reasoning)
        elif isinstance(part, ContentText):
            texts.append(part.text)
    body = "".join(texts)
    if tagged:
        body = "".join(f"{THINK_OPEN}\n{r}\n{THINK_CLOSE}\n\n" for r in tagged) + body
    if separate:
        reasoning = "".join(separate)
        return reasoning + (THINK_CLOSE + body if body else "")
    return body


# --- running the stages ---------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    """One model call of a pre-filled method."""

    name: str
    text: str
    """Appended to the assistant turn before this call (the first stage's text opens it)."""
    final: bool = False
    """The last stage runs without the `</think>` stop: the model closes its thought and
    answers."""


async def run_stages(
    state: TaskState,
    record: Generation,
    plan: ContinuationPlan,
    stages: Sequence[Stage],
    prompts: Templates,
) -> TaskState:
    """Run a pre-filled method's stages on the model under evaluation; the sample's output is
    the joined turn (or, with `turns`, the last reply)."""
    record.continuation = plan.mode
    record.chat_template = plan.chat_template.name if plan.chat_template else ""
    record.deviations.extend(plan.deviations)
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
        if last.stop_reason == "model_length" and last.usage is None:
            # the provider refused the request (context window): its text is an error message
            record.deviations.append(
                f"stage {stage.name!r} exceeded the context window; it and any later stages "
                f"produced nothing"
            )
            break
        added = continuation_text(last)
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


StageBuilder = Callable[[TaskState, Templates], list[Stage]]
"""A method's stages for one sample."""


def prefill_solver(
    method: str,
    stages: StageBuilder,
    templates: str | None,
    continuation: str,
    chat_template: str,
) -> Solver:
    """A pre-filled method: options checked now, the provider checked as early as possible
    (now if the evaluated model is known, else before each sample's first call)."""
    prompts = load_templates(templates)
    check_options(continuation, chat_template)
    early_plan(method, continuation, chat_template)

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        plan = plan_continuation(method, get_model(), continuation, chat_template)
        record = Generation(method=method)
        return await run_stages(state, record, plan, stages(state, prompts), prompts)

    return solve


__all__ = [
    "CHAT_TEMPLATES",
    "CONTINUATION_CHOICES",
    "ChatTemplate",
    "ContinuationPlan",
    "ContinuationUnsupported",
    "Stage",
    "check_options",
    "continuation_text",
    "early_plan",
    "packaged_template",
    "plan_continuation",
    "prefill_solver",
    "resolve_chat_template",
    "run_stages",
    "template_for_model",
]
