"""SpecBench tasks: `specbench/<scenario>`, `specbench/specbench` and `specbench/custom`."""

from .custom import custom
from .options import TaskOptions
from .specbench import biochem, child, code, health, specbench, travel

__all__ = ["TaskOptions", "biochem", "child", "code", "custom", "health", "specbench", "travel"]
