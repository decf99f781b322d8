"""Copies of a real (scripted) SpecBench log made to look like a run of one of the paper's
models with one of the paper's graders: the model name, its generation settings, the grader
role and each score's grader edited with `inspect_ai.log`, the scores optionally moved."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from inspect_ai.log import EvalLog
from inspect_ai.model import GenerateConfig, ModelConfig

from helpers.logs import edited, score

THINKING_OFF = {"chat_template_kwargs": {"enable_thinking": False}}
QWEN3_INSTRUCT_DECODING: dict[str, Any] = {
    "max_tokens": 4200,
    "temperature": 0.7,
    "top_p": 0.8,
    "extra_body": {**THINKING_OFF, "top_k": 20},
}


def as_paper_run(
    model: str = "vllm/Qwen/Qwen3-14B",
    grader: str = "openai/gpt-4.1",
    generate: dict[str, Any] | None = None,
    values: Callable[[int], dict[str, float]] | None = None,
    deviations: list[str] | None = None,
) -> Callable[[EvalLog], None]:
    """An edit: the run's model, generation settings and grader; `values(i)` the score of
    the i-th sample (else unchanged); `deviations` recorded in the task metadata."""

    def edit(log: EvalLog) -> None:
        log.eval.model = model
        log.eval.model_generate_config = GenerateConfig(
            **(QWEN3_INSTRUCT_DECODING if generate is None else generate)
        )
        log.eval.model_roles = {"grader": ModelConfig(model=grader, config=GenerateConfig())}
        meta = (log.eval.metadata or {})["specbench"]
        if deviations is not None:
            meta["generation"]["deviations"] = list(deviations)
        for i, sample in enumerate(log.samples or []):
            s = score(sample)
            assert s.metadata is not None
            s.metadata["grader"] = grader
            if values is not None:
                s.value = values(i)

    return edit


def paper_copy(source: Path, target: Path, **changes: Any) -> Path:
    return edited(source, target, as_paper_run(**changes))
