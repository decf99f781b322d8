"""Everything specbench-inspect registers with Inspect (the `inspect_ai` entry point)."""

from .scorers import generation_cost, grader_panel, judge_health, spec_judge, spec_scores
from .solvers import align3, more_think, raw, self_refine, vanilla, zero_think
from .tasks import biochem, child, code, custom, health, specbench, travel

__all__ = [
    "align3",
    "biochem",
    "child",
    "code",
    "custom",
    "generation_cost",
    "grader_panel",
    "health",
    "judge_health",
    "more_think",
    "raw",
    "self_refine",
    "spec_judge",
    "spec_scores",
    "specbench",
    "travel",
    "vanilla",
    "zero_think",
]
