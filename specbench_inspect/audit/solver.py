"""`fixed_answer`: the grader audit's solver. No model is asked anything: the probe's answer
(rendered for the wording in force when the task was made) becomes the sample's output."""

from __future__ import annotations

from inspect_ai.model import ChatMessageAssistant, ModelOutput
from inspect_ai.solver import Generate, Solver, TaskState, solver

from .._namespace import in_namespace

FIXED_MODEL = "specbench/fixed-answer"
"""The model name the fixed answers are recorded under (no model wrote them)."""


@solver
@in_namespace
def fixed_answer() -> Solver:
    """Set the probe's fixed answer (`metadata["audit"]["answer"]`) as the output; no model call."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        audit = state.metadata.get("audit")
        if not isinstance(audit, dict) or not isinstance(audit.get("answer"), str):
            raise ValueError(
                f"sample {state.sample_id}: fixed_answer needs a grader-audit probe sample "
                "(metadata 'audit.answer'); use it with specbench/grader_audit"
            )
        answer: str = audit["answer"]
        state.output = ModelOutput.from_content(model=FIXED_MODEL, content=answer)
        state.messages.append(ChatMessageAssistant(content=answer, model=FIXED_MODEL))
        return state

    return solve
