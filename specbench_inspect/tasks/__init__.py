"""SpecBench tasks: `specbench/<scenario>`, `specbench/specbench`, `specbench/custom` and
`specbench/grader_audit`."""

from .custom import custom
from .grader_audit import grader_audit
from .options import TaskOptions
from .specbench import biochem, child, code, health, specbench, travel

__all__ = [
    "TaskOptions",
    "biochem",
    "child",
    "code",
    "custom",
    "grader_audit",
    "health",
    "specbench",
    "travel",
]
