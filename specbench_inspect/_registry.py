"""Everything specbench-inspect registers with Inspect (the `inspect_ai` entry point).

Inspect imports this module when a command names `specbench/...`. Importing it changes
nothing else in the process: a user's input mistake is shown as one line on Inspect's command
line by a hook installed only when there is one to show (see `errors`); here, only when the
command line names a `specbench/` task that does not exist.
"""

from .audit import fixed_answer, grader_audit_judge, grader_audit_metrics
from .errors import hint_unknown_tasks
from .scorers import generation_cost, grader_panel, judge_health, spec_judge, spec_scores
from .solvers import align3, best_of_n, more_think, raw, self_refine, tpo, vanilla, zero_think
from .tasks import biochem, child, code, custom, grader_audit, health, specbench, travel

TASKS = ("specbench", "biochem", "child", "code", "health", "travel", "custom")
"""The registered benchmark tasks (`specbench/<name>`, taking every `TaskOptions` option), in
the order `specbench list` shows them."""

AUDIT_TASKS = ("grader_audit",)
"""The task whose model is the grader under audit (its own options; `specbench list` shows it
after the benchmark tasks)."""

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

SOLVERS = (
    "raw",
    "vanilla",
    "zero_think",
    "more_think",
    "self_refine",
    "align3",
    "best_of_n",
    "tpo",
)
"""The registered solvers (`--solver specbench/<name>`; also `-T method=<name>`)."""

hint_unknown_tasks((*TASKS, *AUDIT_TASKS), __all__, (*SOLVERS, "fixed_answer"))
