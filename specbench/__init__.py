"""Inspect's `specbench/` namespace for specbench-inspect.

Inspect names a registered task, solver or scorer after the top-level import package of the
module that defines it, and `inspect eval specbench/travel` loads the `inspect_ai` entry point
called `specbench` (`specbench_inspect._registry`). The code lives in `specbench_inspect`;
its registered objects are marked as belonging to this package (see
`specbench_inspect._namespace`), so they resolve as `specbench/<name>` once the distribution
is installed (non-editable: Inspect adds the prefix only for packages in site-packages).
Importing this package has no side effects.
"""
