"""What a score alone would hide about an answer: truncation, and signs of a failed pre-fill.

Every model call of a method is recorded as a stage (`Generation.stages`: name, stop reason,
output tokens); a call cut at the token limit is also listed in `Generation.truncated`. A
pre-filled method whose server does not continue the turn (it ignores
`continue_final_message` and starts a new one, as llama.cpp's server does) still produces
text, and a grader that can read it scores it like any other: an unclosed thought, an empty
final answer or a continuation that restates the pre-fill is flagged on the sample
(`Generation.flags`), with a warning naming the likely cause (once per kind and method).
"""

from __future__ import annotations

import logging
import re

from inspect_ai.model import ModelOutput

from ..generation import Generation
from ..thinking import THINK_CLOSE, THINK_OPEN, strip_think_tags

logger = logging.getLogger(__name__)

TRUNCATING_STOPS = ("max_tokens", "model_length")
"""Stop reasons of an output cut short: the token limit, or the context window."""

IGNORED_CAUSE = (
    "the server ignores continue_final_message and started a new turn instead of continuing "
    "the pre-filled one (llama.cpp's server does; vLLM honours it); use a server that "
    "continues a turn, or -T continuation=turns"
)
IGNORED_CONTINUATION = f"likely cause: {IGNORED_CAUSE}"
RESTATED = "the continuation restates the pre-fill instead of continuing it"
"""The flag of a stage whose reply started the turn over (evidence of a new turn)."""
RESTATED_HEAD = 40
"""Characters of a stage's own text (tags and spacing aside) whose repetition in the model's
continuation counts as restating the pre-fill."""

_warned: set[tuple[str, str]] = set()


def record_call(record: Generation, stage: str, output: ModelOutput) -> None:
    """One model call in `record.stages`; in `record.truncated` too if it was cut short."""
    tokens = output.usage.output_tokens if output.usage is not None else None
    record.stages.append({"stage": stage, "stop_reason": output.stop_reason, "tokens": tokens})
    if output.stop_reason in TRUNCATING_STOPS:
        record.truncated.append(stage)


def flag(record: Generation, kind: str, message: str) -> None:
    """Flag the sample; warn once per kind of problem and method."""
    record.flags.append(message)
    key = (kind, record.method)
    if key not in _warned:
        _warned.add(key)
        logger.warning("%s (further samples with this problem are flagged silently)", message)


def _spaced(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def restates_prefill(turn: str, stage_text: str, added: str) -> bool:
    """Whether a continuation starts the turn over instead of continuing it: it opens a new
    thinking block inside an already open one, or repeats the stage's own opening words."""
    if THINK_OPEN in turn and added.lstrip().startswith(THINK_OPEN):
        return True
    head = _spaced(strip_think_tags(stage_text))[:RESTATED_HEAD]
    return len(head) == RESTATED_HEAD and head in _spaced(added)


def flag_restated(record: Generation, stage: str) -> None:
    flag(
        record,
        "restated",
        f"stage {stage!r}: {RESTATED}; {IGNORED_CONTINUATION}",
    )


def flag_answer(record: Generation, text: str) -> None:
    """Flag an unclosed thought or an empty final answer in the text a method produced.

    A stage cut at the token limit explains an empty answer by itself; when a stage's reply
    also started the turn over (a server ignoring continue_final_message), both are named."""
    if record.answer.strip():
        return
    cut = record.truncated[-1:] if record.truncated else []
    new_turn = any(RESTATED in message for message in record.flags)
    if cut and new_turn:
        cause = (
            f"likely causes: stage {cut[0]!r} was cut off at the token limit, and {IGNORED_CAUSE}"
        )
    elif cut:
        cause = f"likely cause: stage {cut[0]!r} was cut off at the token limit"
    elif record.continuation in ("server", "prefill"):
        cause = IGNORED_CONTINUATION
    elif text.strip():
        cause = "likely cause: the model wrote nothing after its thought"
    else:
        cause = "likely cause: the model returned no text"
    opened = text.lstrip().startswith(THINK_OPEN) and THINK_CLOSE not in text
    if opened:
        flag(
            record,
            "unclosed",
            f"the thought never closed (no {THINK_CLOSE}), so the answer is empty; {cause}",
        )
    else:
        flag(record, "empty", f"the final answer is empty; {cause}")
