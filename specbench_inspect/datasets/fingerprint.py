"""The content fingerprint of a scenario: what identifies its data whatever the source.

This module reads a scenario through the fields it hashes (the protocols below) and imports
nothing from `scenario.py`, which depends on it for `Scenario.fingerprint`: one direction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any, Protocol


class PromptContent(Protocol):
    """The fields of a prompt that its scenario's fingerprint covers (`PromptItem`)."""

    @property
    def label(self) -> str: ...
    @property
    def prompt(self) -> str: ...
    @property
    def adversarial_prompt(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def answer(self) -> str: ...


class ScenarioContent(Protocol):
    """The fields of a scenario that its fingerprint covers (`Scenario`)."""

    @property
    def safety_specs(self) -> Sequence[str]: ...
    @property
    def behavioral_specs(self) -> Sequence[str]: ...
    @property
    def prompts(self) -> Sequence[PromptContent]: ...


class Fingerprinted(Protocol):
    """A scenario as `combined_fingerprint` reads it: its key and its own fingerprint."""

    @property
    def key(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...


def canonical_content(scenario: ScenarioContent) -> dict[str, Any]:
    """The specs and prompts in a canonical form (defaults filled in, fixed field order)."""
    return {
        "safety_specifications": list(scenario.safety_specs),
        "behavioral_specifications": list(scenario.behavioral_specs),
        "prompts": [
            {
                "label": p.label,
                "prompt": p.prompt,
                "adversarial_prompt": p.adversarial_prompt,
                "source": p.source,
                "answer": p.answer,
            }
            for p in scenario.prompts
        ],
    }


def content_fingerprint(scenario: ScenarioContent) -> str:
    """SHA-256 of `canonical_content` as compact, key-sorted JSON."""
    text = json.dumps(
        canonical_content(scenario), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def combined_fingerprint(scenarios: Sequence[Fingerprinted]) -> str:
    """One fingerprint for several scenarios: a hash over their keys and fingerprints."""
    text = "\n".join(f"{s.key}:{s.fingerprint}" for s in scenarios)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
