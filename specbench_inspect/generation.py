"""The per-sample record of how the answer was produced, shared by solvers and the judge.

A SpecBench method saves one `Generation` in the sample's Store (key `generation`, shown in
the Store tab of `inspect view`); the judge reads it back for the cost and the flags it
reports with the score.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from inspect_ai.util import store

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
    reward_calls: int = 0
    """Calls to a reward model (Best-of-N, TPO)."""
    decoding: dict[str, Any] = field(default_factory=dict)
    """The reference's decoding defaults for the model's family, as applied to the method's
    calls: `family`, `reason`, `defaults` (the settings the user left unset) and
    `user_settings` (the user's own, which replaced a default)."""
    stages: list[dict[str, Any]] = field(default_factory=list)
    """One entry per model call, in order: `{"stage": name, "stop_reason": ..., "tokens": n}`."""
    truncated: list[str] = field(default_factory=list)
    """The stages whose output was cut at the token limit (`stop_reason` `max_tokens`)."""
    flags: list[str] = field(default_factory=list)
    """Problems found in the answer that the judge's score alone would hide (for example an
    unclosed thought or an empty final answer), each a short sentence naming the likely cause."""
    failure: str = ""
    """Why the method produced no answer (a reward source that gave no usable score), empty if
    it did; the judge leaves such a sample unscored with this reason."""

    def save(self) -> None:
        store().set(STORE_KEY, asdict(self))

    @classmethod
    def saved(cls) -> Generation | None:
        """The record a SpecBench method saved for the current sample, if any."""
        data = store().get(STORE_KEY)
        return cls(**data) if isinstance(data, dict) else None
