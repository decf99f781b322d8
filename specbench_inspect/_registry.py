"""Everything specbench-inspect registers with Inspect (the `inspect_ai` entry point)."""

from .scorers import generation_cost, judge_health, spec_judge, spec_scores
from .solvers import raw, vanilla
from .tasks import biochem, child, code, health, specbench, travel

__all__ = [
    "biochem",
    "child",
    "code",
    "generation_cost",
    "health",
    "judge_health",
    "raw",
    "spec_judge",
    "spec_scores",
    "specbench",
    "travel",
    "vanilla",
]
