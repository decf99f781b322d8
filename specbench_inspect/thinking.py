"""Thinking blocks: where a response's reasoning ends and its answer begins.

Both sides need this: the solvers split what the model wrote into thought and answer, and the
judge must only ever see the answer. It lives here so neither imports the other.
"""

from __future__ import annotations

THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"


def split_thought(text: str) -> tuple[str, str]:
    """(thought, answer): the answer is the text after the last `</think>`, else all of it,
    without its leading newlines (as the reference cuts it: the judge sees the same bytes).

    A text that opens a thinking block it never closes (a thought cut off by the token limit)
    is all thought: its answer is empty, so the judge never rates reasoning. (The reference
    would judge the whole text; the solvers flag such an answer, see `answer_checks`.)"""
    head, sep, tail = text.rpartition(THINK_CLOSE)
    if not sep:
        if text.lstrip().startswith(THINK_OPEN):
            return text, ""
        return "", text.lstrip("\n")
    return head + sep, tail.lstrip("\n")


def answer_text(completion: str) -> str:
    """The part of a completion the judge sees: never the reasoning."""
    return split_thought(completion)[1]


def strip_think_tags(text: str) -> str:
    """`text` without thinking-block tags (a pre-fill shown as plain text)."""
    return text.replace(THINK_OPEN, "").replace(THINK_CLOSE, "").strip()
