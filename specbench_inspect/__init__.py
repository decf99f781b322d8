"""SpecBench (specification alignment) as Inspect AI tasks, solvers and a spec-wise judge."""

__version__ = "0.1.0"
