"""Check the grader panel before any sample is generated.

A run whose grader cannot work (a role never bound, a misspelt panel entry, a provider without
its API key) would otherwise generate every sample and only then fail at the judge. The panel
is checked where the bound model roles are known for sure:

- when the task is created, if roles are already bound (`inspect eval ... --model-role`, or a
  task function passed to `eval()`), so a mistake stops the run before it starts;
- when the task is created on Inspect's command line even with no role bound: there the roles
  are bound before any task is created, so none bound means the grader is the documented
  default (`openai/gpt-4.1`), which is checked then (without `OPENAI_API_KEY`, one line and a
  non-zero exit before anything is generated);
- otherwise in the task's `setup` step, which Inspect runs for each sample before its solver
  (a `Task` object built before `eval(..., model_roles=...)` is told its roles only then).
  The check runs once per panel; a failing panel fails every sample before it generates.
"""

from __future__ import annotations

from inspect_ai.model import model_roles
from inspect_ai.solver import Generate, Solver, TaskState, solver

from ..errors import SpecBenchError, on_inspect_cli
from ..scorers import check_grader_panel


def check_panel_now(graders: str | list[str] | None, min_graders: int | None) -> bool:
    """Check the panel at task creation if the eval's roles are known; True if checked."""
    if not model_roles() and not on_inspect_cli():
        return False
    check_grader_panel(graders, min_graders)
    return True


@solver
def grader_preflight(graders: str | list[str] | None, min_graders: int | None) -> Solver:
    """A setup step that checks the grader panel once, before the first sample generates."""
    checked: dict[tuple[str, ...], SpecBenchError | None] = {}

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        roles = model_roles()
        key = tuple(sorted(f"{name}={model}" for name, model in roles.items()))
        if key not in checked:
            try:
                check_grader_panel(graders, min_graders, roles=roles)
                checked[key] = None
            except SpecBenchError as ex:
                checked[key] = ex
        problem = checked[key]
        if problem is not None:
            raise problem
        return state

    return solve
