"""Everything specbench-inspect registers with Inspect (the `inspect_ai` entry point).

Inspect imports this module when a command names `specbench/...`; that is also when a user's
input mistake starts to be shown as one line instead of a traceback (see `errors`).
"""

from .audit import fixed_answer, grader_audit_judge, grader_audit_metrics
from .errors import install_cli_error_hook
from .scorers import generation_cost, grader_panel, judge_health, spec_judge, spec_scores
from .solvers import align3, best_of_n, more_think, raw, self_refine, tpo, vanilla, zero_think
from .tasks import biochem, child, code, custom, grader_audit, health, specbench, travel

install_cli_error_hook()

__all__ = [
    "align3",
    "best_of_n",
    "biochem",
    "child",
    "code",
    "custom",
    "fixed_answer",
    "generation_cost",
    "grader_audit",
    "grader_audit_judge",
    "grader_audit_metrics",
    "grader_panel",
    "health",
    "judge_health",
    "more_think",
    "raw",
    "self_refine",
    "spec_judge",
    "spec_scores",
    "specbench",
    "tpo",
    "travel",
    "vanilla",
    "zero_think",
]
