"""Scripted replies for the reward-model baselines (`best_of_n`, `tpo`) on the loopback server:
candidates whose rewards (`[reward X]`, read by the server's `/pooling`) are set by step and
choice index, so a test knows which response is best and worst at every step."""

from __future__ import annotations

from typing import Any

import pytest
from inspect_ai.log import EvalSample

from helpers.judging import judged_answer
from helpers.openai_server import default_script, question_tag, text_of
from helpers.scripted import expected_scores, verdicts_for

MODEL = "policy"
"""The model under test's name on the loopback server."""

BON_REWARDS = [1.5, 3.0, -2.0, 3.0]
"""Rewards of the four Best-of-N candidates, by choice index: the best is a tie (1 and 3)."""
TPO_REWARDS = {"sample": [2.0, 5.0, 1.0], "update 1": [4.0, 7.0, 0.5], "update 2": [7.0, 6.0, -1.0]}
"""Rewards of TPO's responses, by step and choice index."""


def candidate(step: str, index: int, tag: str, reward: float) -> str:
    """A scripted response: a thought (never shown to the reward model), then the answer."""
    return f"<think>drafting {step} {index}</think>\n\n{step} #{index} for {tag} [reward {reward}]"


def user_text(body: dict[str, Any]) -> str:
    return next(text_of(m) for m in reversed(body["messages"]) if m["role"] == "user")


def script(body: dict[str, Any]) -> dict[str, Any]:
    """The model under test: candidates whose rewards are set by step and choice index; TPO's
    critique and suggestion calls answer with a text naming what they were shown."""
    if body["model"] != MODEL:
        return default_script(body)
    prompt = user_text(body)
    tag = question_tag(prompt.split("\n\n")[0])
    index = int(body.get("choice_index", 0))
    if prompt.startswith("Two responses to the same query"):
        return {"content": f"critique {question_tag(prompt)}"}
    if prompt.startswith("Here is a response to a query and a critique"):
        return {"content": f"suggestions {question_tag(prompt)}"}
    if "Suggestions for improving it:" in prompt:
        step = "update 2" if "update 1 #" in prompt else "update 1"
        return {"content": candidate(step, index, tag, TPO_REWARDS[step][index])}
    rewards = TPO_REWARDS["sample"] if int(body.get("n") or 1) == 3 else BON_REWARDS
    return {"content": candidate("sample", index, tag, rewards[index])}


def check_judged(sample: EvalSample, answer: str) -> None:
    """The judge rated `answer`, and the scores are those its scripted verdicts give."""
    meta = sample.metadata
    score = sample.scores["spec_judge"]  # type: ignore[index]
    assert judged_answer(sample) == answer
    assert score.value == pytest.approx(
        expected_scores(
            verdicts_for(meta["prompt"], len(meta["safety_specs"]), "safety"),
            verdicts_for(meta["prompt"], len(meta["behavioral_specs"]), "behavioral"),
        )
    )
