"""What the score alone would hide, recorded on the sample: every call's stop reason and
tokens, truncation per stage and per sample, and the signs of a server that ignores
`continue_final_message` (a restated pre-fill, an unclosed thought, an empty answer)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.data import DATA_DIR
from helpers.openai_server import (
    LoopbackServer,
    Script,
    default_script,
    ignoring_continuation,
    text_of,
)
from inspect_ai import Task, eval
from inspect_ai.log import EvalSample
from inspect_ai.model import Model, get_model

from specbench_inspect.solvers import answer_checks
from specbench_inspect.solvers.answer_checks import (
    IGNORED_CAUSE,
    IGNORED_CONTINUATION,
    restates_prefill,
)
from specbench_inspect.tasks import travel

SAMPLES = 2


def generation_only(**task_args: Any) -> Task:
    """The travel task's dataset and solver, without the judge: these tests read the
    generation record only."""
    task = travel(data_dir=str(DATA_DIR), **task_args)
    return Task(dataset=task.dataset, solver=task.solver)


def records(server: LoopbackServer, name: str, tmp_path: Path, **task_args: Any) -> list[Any]:
    model: Model = get_model(
        f"openai-api/loop/{name}", base_url=server.base_url, api_key="loopback"
    )
    [log] = eval(
        generation_only(**task_args),
        model=model,
        limit=SAMPLES,
        display="none",
        log_dir=str(tmp_path),
    )
    assert log.status == "success", log.error
    samples: list[EvalSample] = log.samples or []
    assert len(samples) == SAMPLES
    return [sample.store["generation"] for sample in samples]


@pytest.fixture
def new_turns() -> Iterator[LoopbackServer]:
    """A server that answers every request as a new turn (llama.cpp-like)."""
    with LoopbackServer(script=ignoring_continuation()) as server:
        yield server


def test_a_healthy_align3_run_records_its_stages_and_no_flags(
    loopback_server: LoopbackServer, tmp_path: Path
) -> None:
    for record in records(loopback_server, "Qwen3-14B", tmp_path, method="align3"):
        assert [s["stage"] for s in record["stages"]] == [
            "align3: behavior",
            "align3: safety",
            "align3: audit",
        ]
        assert [s["stop_reason"] for s in record["stages"]] == ["stop"] * 3
        assert sum(s["tokens"] for s in record["stages"]) == record["completion_tokens"]
        assert record["truncated"] == [] and record["flags"] == [] and record["answer"]


def test_a_server_that_starts_a_new_turn_is_flagged_at_every_stage(
    new_turns: LoopbackServer,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each stage's reply opens a thinking block of its own inside the pre-filled one; one
    warning names the likely cause."""
    monkeypatch.setattr(answer_checks, "_warned", set())
    with caplog.at_level(logging.WARNING):
        found = records(new_turns, "Qwen3-14B-new-turn", tmp_path, method="align3")
    for record in found:
        assert record["continuation"] == "server"
        assert record["flags"] == [
            f"stage {name!r}: the continuation restates the pre-fill instead of continuing it; "
            f"{IGNORED_CONTINUATION}"
            for name in ("behavior", "safety", "audit")
        ]
    warned = [r.getMessage() for r in caplog.records if "restates the pre-fill" in r.getMessage()]
    assert len(warned) == 1 and "continue_final_message" in warned[0]


def plain_reply(text: str, finish_reason: str = "stop") -> Script:
    """Every model but the judge replies `text`, as a new turn would (no thinking tags)."""

    def script(body: dict[str, Any]) -> dict[str, Any]:
        if str(body.get("model", "")).startswith("judge"):
            return default_script(body)
        return {"content": text, "finish_reason": finish_reason}

    return script


def test_an_unclosed_thought_is_flagged_with_the_likely_cause(tmp_path: Path) -> None:
    with LoopbackServer(script=ignoring_continuation(plain_reply("Sure, here is a plan."))) as s:
        found = records(s, "Qwen3-14B-plain", tmp_path, method="align3")
    for record in found:
        assert record["answer"] == ""
        assert record["flags"] == [
            f"the thought never closed (no </think>), so the answer is empty; "
            f"{IGNORED_CONTINUATION}"
        ]


def test_truncation_is_recorded_per_stage_and_named_as_the_cause(tmp_path: Path) -> None:
    """The last Align3 stage cut at the token limit: its thought never closed."""

    def script(body: dict[str, Any]) -> dict[str, Any]:
        if body.get("stop"):  # stages 1 and 2 stop at </think>
            return {"content": " fine so far.", "finish_reason": "stop"}
        return {"content": " and then I kept", "finish_reason": "length"}

    with LoopbackServer(script=script) as server:
        found = records(server, "Qwen3-14B-cut", tmp_path, method="align3")
    for record in found:
        assert [s["stop_reason"] for s in record["stages"]] == ["stop", "stop", "max_tokens"]
        assert record["truncated"] == ["align3: audit"]
        assert record["flags"] == [
            "the thought never closed (no </think>), so the answer is empty; likely cause: "
            "stage 'align3: audit' was cut off at the token limit"
        ]


def test_a_new_turn_server_that_also_cuts_a_stage_is_named_with_both_causes(
    tmp_path: Path,
) -> None:
    """A llama.cpp-like server (new turns) whose replies also hit the token limit: the empty
    answer names the truncation and the ignored continuation."""
    opened = plain_reply("<think>\nOkay, the user wants a plan, so I will", "length")
    with LoopbackServer(script=ignoring_continuation(opened)) as server:
        found = records(server, "Qwen3-14B-new-turn-cut", tmp_path, method="align3")
        sent = [r["body"] for r in server.requests]
    assert len(sent) == 3 * SAMPLES
    assert all(body.get("continue_final_message") is True for body in sent)
    stages = ("behavior", "safety", "audit")
    for record in found:
        assert record["continuation"] == "server" and record["answer"] == ""
        assert record["truncated"] == [f"align3: {name}" for name in stages]
        assert len(record["flags"]) == len(stages) + 1
        assert record["flags"][-1] == (
            "the thought never closed (no </think>), so the answer is empty; likely causes: "
            f"stage 'align3: audit' was cut off at the token limit, and {IGNORED_CAUSE}"
        )


def test_a_one_call_method_records_truncation_and_an_empty_answer(tmp_path: Path) -> None:
    with LoopbackServer(script=plain_reply("", finish_reason="length")) as server:
        found = records(server, "cut-vanilla", tmp_path, method="vanilla")
    for record in found:
        assert record["stages"] == [{"stage": "vanilla", "stop_reason": "max_tokens", "tokens": 1}]
        assert record["truncated"] == ["vanilla"]
        assert record["flags"] == [
            "the final answer is empty; likely cause: stage 'vanilla' was cut off at the token "
            "limit"
        ]


@pytest.mark.parametrize(
    ("turn", "stage", "added", "restated"),
    [
        ("<think>", "<think>", " I should plan.", False),
        ("<think>", "<think>", "<think>\nOkay, the user", True),
        ("<think>\n</think>", "<think>\n</think>", "<think>x</think> answer", True),
        ("Q", "Q", "<think>x</think> answer", False),  # no thought was open
        (
            "<think>\nMy task is to answer as thoroughly as possible. So",
            "<think>\nMy task is to answer as thoroughly as possible. So",
            " Okay. My task is to answer  as thoroughly as possible. So I will",
            True,
        ),
        ("<think> a", "\n\nWait, ", " Wait, let me check again.", False),  # short: not checked
    ],
)
def test_what_counts_as_restating_the_prefill(
    turn: str, stage: str, added: str, restated: bool
) -> None:
    assert restates_prefill(turn, stage, added) is restated


def test_zero_think_on_a_new_turn_server_is_flagged(
    new_turns: LoopbackServer, tmp_path: Path
) -> None:
    """The requests did ask for a continuation; the server answered afresh anyway."""
    found = records(new_turns, "Qwen3-8B-new-turn", tmp_path, method="zero_think")
    sent = [r["body"] for r in new_turns.requests]
    assert len(sent) == SAMPLES
    assert all(body.get("continue_final_message") is True for body in sent)
    assert all(text_of(body["messages"][-1]) == "<think>\n</think>" for body in sent)
    for record in found:
        assert len(record["flags"]) == 1 and "stage 'answer'" in record["flags"][0]
