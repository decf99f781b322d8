"""SpecBench tasks: `specbench/<scenario>` and `specbench/specbench`."""

from .options import TaskOptions
from .specbench import biochem, child, code, health, specbench, travel

__all__ = ["TaskOptions", "biochem", "child", "code", "health", "specbench", "travel"]
