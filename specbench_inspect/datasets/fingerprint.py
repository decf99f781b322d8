"""The content fingerprint of a scenario: what identifies its data whatever the source."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .scenario import Scenario


def canonical_content(scenario: Scenario) -> dict[str, Any]:
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


def content_fingerprint(scenario: Scenario) -> str:
    """SHA-256 of `canonical_content` as compact, key-sorted JSON."""
    text = json.dumps(
        canonical_content(scenario), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def combined_fingerprint(scenarios: Sequence[Scenario]) -> str:
    """One fingerprint for several scenarios: a hash over their keys and fingerprints."""
    text = "\n".join(f"{s.key}:{s.fingerprint}" for s in scenarios)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
