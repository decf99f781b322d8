"""Names made into keys (sample ids, metric names): one rule for scenarios and graders."""

from __future__ import annotations

import re

from .errors import SpecBenchError


def make_key(name: str) -> str:
    """Lower case, runs of anything but letters and digits as one `_`, no `_` at either end
    (`My Bot` -> `my_bot`, `openai/gpt-4.1` -> `openai_gpt_4_1`); '' if nothing is left."""
    return re.sub(r"[^0-9a-z]+", "_", name.casefold()).strip("_")


def scenario_key(name: str) -> str:
    """A scenario folder name as the scenario's key (`My Bot` -> `my_bot`)."""
    key = make_key(name)
    if not key:
        raise SpecBenchError(f"cannot make a scenario key from folder name {name!r}")
    return key


def grader_key(name: str) -> str:
    """A grader's name as it appears in metric keys (`openai/gpt-4.1` -> `openai_gpt_4_1`)."""
    key = make_key(name)
    if not key:
        raise SpecBenchError(f"graders: cannot name grader {name!r} in metric keys")
    return key
