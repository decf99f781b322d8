"""A panel of graders: who is on it, how their verdicts combine, and how far they agree.

Every grader judges every sample. Per spec, the verdict is the one most graders gave; a tie
goes to the least favourable of the tied verdicts, in the order NO, NA, YES (a spec counts as
followed only if more graders say so than say anything else; NA, which fails a behavioral spec,
beats YES). A sample is scored only if at least `min_graders` graders gave a readable reply
(default: more than half of the panel); the majority is taken among those.

Agreement between two graders is measured over spec verdicts: each spec of each sample both
graders judged is one item, rated YES, NO or NA. Percent agreement is the share of items with
the same verdict; Cohen's kappa is `(p_o - p_e) / (1 - p_e)` with `p_e` the agreement expected
from each grader's own verdict frequencies. When `p_e` is 1 (both graders gave one and the same
verdict to every item, so `p_o` is 1 as well) kappa is defined as 1.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass
from fractions import Fraction

from inspect_ai.model import GenerateConfig, Model, get_model, model_roles

from ..errors import SpecBenchError
from ..keys import grader_key
from .verdicts import Verdict

TIE_ORDER: tuple[Verdict, ...] = ("NO", "NA", "YES")
"""A tie goes to the first of the tied verdicts in this order."""
GRADER_ROLE = "grader"


def majority(votes: Sequence[Verdict]) -> Verdict:
    """The verdict most votes gave; a tie goes to the least favourable (NO, then NA, then YES)."""
    if not votes:
        raise ValueError("no votes")
    counts = Counter(votes)
    top = max(counts.values())
    return next(v for v in TIE_ORDER if counts[v] == top)


def default_min_graders(panel_size: int) -> int:
    """More than half of the panel."""
    return panel_size // 2 + 1


def parse_graders(graders: str | Sequence[str] | None) -> list[str]:
    """`"a,b,c"` or `["a", "b", "c"]` -> the panel entries, checked for repeats."""
    if graders is None:
        return []
    entries = graders.split(",") if isinstance(graders, str) else [str(g) for g in graders]
    names = [entry.strip() for entry in entries if entry.strip()]
    keys: dict[str, str] = {}
    for name in names:
        key = grader_key(name)
        if key in keys:
            raise SpecBenchError(
                f"graders: {name!r} repeats {keys[key]!r} (each grader may be listed once)"
            )
        keys[key] = name
    return names


def check_quorum(min_graders: int | None, panel: Sequence[str]) -> None:
    """Refuse a `min_graders` the panel (its graders' names) cannot apply."""
    if min_graders is None:
        return
    if min_graders < 1:
        raise SpecBenchError(f"min_graders: must be at least 1, got {min_graders}")
    if len(panel) == 1:
        raise SpecBenchError(
            f"min_graders: the panel has one grader ({panel[0]}); min_graders is the "
            "quorum of a panel of several (graders=a,b,c)"
        )
    if min_graders > len(panel):
        raise SpecBenchError(
            f"min_graders: {min_graders} is more than the {len(panel)} graders listed"
        )


@dataclass(frozen=True)
class Grader:
    key: str
    """Name in metric keys and score metadata."""
    name: str
    """As the user gave it: a model role or a model name."""
    model: Model


def with_config(model: Model, config: GenerateConfig) -> Model:
    """`model` with `config` under its own settings (which take precedence)."""
    configured = copy(model)
    configured.config = config.merge(model.config)
    return configured


def resolve_graders(entries: Sequence[str], default: str, config: GenerateConfig) -> list[Grader]:
    """The graders in force, inside a running eval or `inspect score`.

    `entries` (from `graders`): each a model role bound with `--model-role` or a model name
    (`provider/model`). Without entries: the `grader` role (else `default`); if that role is
    bound to several models (`--model-role grader=a,b,c`), they form the panel. `config` is
    the graders' decoding, under any config a role binding gives.
    """
    roles = model_roles()
    if not entries:
        bound = roles.get(GRADER_ROLE)
        if isinstance(bound, list) and len(bound) > 1:
            graders: list[Grader] = []
            for model in bound:
                key = base = grader_key(str(model))
                n = 2
                while key in {g.key for g in graders}:
                    key, n = f"{base}_{n}", n + 1
                graders.append(Grader(key, str(model), with_config(model, config)))
            return graders
        model = get_model(role=GRADER_ROLE, default=default, config=config)
        return [Grader(grader_key(str(model)), str(model), model)]
    resolved: list[Grader] = []
    for entry in entries:
        if entry in roles or entry == GRADER_ROLE:
            model = get_model(role=entry, default=default, config=config)
        elif "/" in entry:
            model = get_model(entry, config=config)
        else:
            bound_roles = ", ".join(sorted(roles)) or "none"
            raise ValueError(
                f"graders: {entry!r} is neither a model role bound with --model-role "
                f"(bound roles: {bound_roles}) nor a model name (provider/model)"
            )
        resolved.append(Grader(grader_key(entry), entry, model))
    return resolved


def percent_agreement(a: Sequence[str], b: Sequence[str]) -> float:
    """Share of items rated alike (NaN without items)."""
    if len(a) != len(b):
        raise ValueError("ratings of different lengths")
    if not a:
        return math.nan
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / len(a)


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float:
    """Cohen's kappa over YES / NO / NA ratings; 1 when expected agreement is 1; NaN without
    items."""
    if len(a) != len(b):
        raise ValueError("ratings of different lengths")
    n = len(a)
    if n == 0:
        return math.nan
    observed = Fraction(sum(1 for x, y in zip(a, b, strict=True) if x == y), n)
    count_a, count_b = Counter(a), Counter(b)
    expected = Fraction(sum(count_a[c] * count_b[c] for c in set(count_a) | set(count_b)), n * n)
    if expected == 1:
        return 1.0
    return float((observed - expected) / (1 - expected))
