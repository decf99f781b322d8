"""What the loopback server saw, sample by sample, and what each method should have sent."""

from __future__ import annotations

from typing import Any

from helpers.openai_server import continue_thought, final_answer, question_tag, text_of
from specbench_inspect.prompts import Templates
from specbench_inspect.thinking import THINK_CLOSE

PROMPTS = Templates.load()
"""The default wording (the paper's), which a task uses unless told otherwise."""
CONTINUE = {"continue_final_message": True, "add_generation_prompt": False}


def spec_fields(meta: dict[str, Any], question: str) -> dict[str, str]:
    return {
        "question": question,
        "safety_specs": PROMPTS.render_list("spec_item", "spec_separator", meta["safety_specs"]),
        "behavioral_specs": PROMPTS.render_list(
            "spec_item", "spec_separator", meta["behavioral_specs"]
        ),
    }


def spec_prompt(meta: dict[str, Any], question: str) -> str:
    return PROMPTS.render("spec_prompt", **spec_fields(meta, question))


def calls_by_question(
    requests: list[dict[str, Any]], model: str
) -> dict[str, list[dict[str, Any]]]:
    """The requests to `model`, grouped by the sample's spec-augmented question (the first
    user message), in the order each sample made them."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for request in requests:
        if request["body"]["model"] != model:
            continue
        first_user = next(m for m in request["body"]["messages"] if m["role"] == "user")
        grouped.setdefault(text_of(first_user), []).append(request)
    return grouped


def last_message(request: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = request["body"]["messages"][-1]
    return message


def stop_of(request: dict[str, Any]) -> list[str] | None:
    stop = request["body"].get("stop")
    return [stop] if isinstance(stop, str) else stop


def flags_of(request: dict[str, Any]) -> dict[str, Any]:
    body = request["body"]
    return {k: body[k] for k in CONTINUE if k in body}


def align3_prefills(meta: dict[str, Any], question: str) -> list[str]:
    """The assistant turn Align3 sends in each of its three calls for one sample (given the
    scripted continuations), and after them the whole turn."""
    fields = spec_fields(meta, question)
    separator = PROMPTS.render("align3_separator")
    stages = [
        PROMPTS.render("align3_behavior", **fields),
        separator + PROMPTS.render("align3_safety", **fields),
        separator + PROMPTS.render("align3_audit", **fields),
    ]
    return joined_prefills(spec_prompt(meta, question), stages)


def more_think_prefills(meta: dict[str, Any], question: str, rounds: int) -> list[str]:
    stages = [PROMPTS.render("more_think_prefill")]
    stages += [PROMPTS.render("more_think_wait")] * (rounds - 1)
    return joined_prefills(spec_prompt(meta, question), stages)


def joined_prefills(user: str, stages: list[str]) -> list[str]:
    """Each call's pre-fill, then the full turn: every continuation but the last is cut at the
    `</think>` stop, as the server does (which answers the last user message, `user`), and
    joined to the next stage without its trailing whitespace, as the reference does."""
    sent: list[str] = []
    turn = ""
    for i, stage in enumerate(stages):
        turn += stage
        sent.append(turn)
        added = continue_thought(user, turn)
        if i < len(stages) - 1:
            added = added.split(THINK_CLOSE)[0].rstrip()
        turn += added
    return [*sent, turn]


def expected_answer(user: str, steps: int) -> str:
    """The scripted answer to the user message `user` after `steps` continued thoughts."""
    return final_answer(question_tag(user), steps)
