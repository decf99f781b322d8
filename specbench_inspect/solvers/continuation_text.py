"""Rebuilding the text a model added to a partial turn from what the provider returned.

Servers return a continuation either inline (`...</think>answer` in the content) or split by a
reasoning parser (vLLM's `reasoning_content`, which Inspect gives as `ContentReasoning`): then
the reasoning is the part before `</think>` and the content the part after, so the
continuation is rebuilt as reasoning + `</think>` + content (reasoning alone when there is no
content).
"""

from __future__ import annotations

from inspect_ai.model import ContentReasoning, ContentText, ModelOutput

from ..thinking import THINK_CLOSE, THINK_OPEN


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
