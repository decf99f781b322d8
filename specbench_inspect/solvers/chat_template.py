"""Chat templates sent to an OpenAI-compatible server with a continued turn (`chat_template`).

A server continues a pre-filled assistant turn only if its chat template renders that turn
verbatim at the end of the prompt. The stock Qwen3 template inserts an empty thinking block
before a final assistant message, which breaks Align3 and MoreThink, so the package ships
templates that render every message as given (`chat_templates/NAME.jinja`) and sends one in
the request body.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..errors import SpecBenchError

CHAT_TEMPLATES = ("qwen3", "deepseek_r1")
"""Chat templates shipped with the package (solvers/chat_templates/NAME.jinja)."""
CHAT_TEMPLATE_CHOICES = ("auto", "none", *CHAT_TEMPLATES)


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
def template_file(path: str) -> ChatTemplate:
    """A user's template file, read once per path; a clear error if it cannot be read."""
    file = Path(path).expanduser()
    try:
        return ChatTemplate(path, file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecBenchError(f"chat_template: file not found: {file}") from None
    except (OSError, UnicodeDecodeError) as ex:
        raise SpecBenchError(f"chat_template: cannot read {file}: {ex}") from None


def check_chat_template(option: object) -> str:
    """A valid `chat_template` option (a choice, or a readable file): refused otherwise."""
    if not isinstance(option, str) or not option:
        raise SpecBenchError(
            f"chat_template: expected {', '.join(CHAT_TEMPLATE_CHOICES)} or a file path, "
            f"got {option!r}"
        )
    if option not in CHAT_TEMPLATE_CHOICES:
        template_file(option)  # a path: it must be readable now
    return option


def resolve_chat_template(option: str, model_name: str) -> tuple[ChatTemplate | None, str]:
    """The template an option selects for a model, and why: `auto` (from the model's name),
    `none` (the server's own), a shipped template's name, or a file path."""
    if option == "auto":
        chosen = template_for_model(model_name)
        if chosen is None:
            return None, (
                "chat_template=auto: no shipped template fits this model name (the server's "
                "own template must render a final assistant message verbatim)"
            )
        return packaged_template(chosen), f"chat_template=auto: {chosen} from the model name"
    if option == "none":
        return None, "chat_template=none: the server's own template"
    if option in CHAT_TEMPLATES:
        return packaged_template(option), f"chat_template={option}"
    return template_file(option), "chat_template: the given file"
