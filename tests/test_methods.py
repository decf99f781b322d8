"""Each deliberation method's exact request sequence, through Inspect's real `vllm` and
`openai-api` providers, against the loopback server acting like vLLM (inline thinking, or a
reasoning parser returning it in `reasoning_content`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.data import DATA_DIR
from helpers.judging import judged_answer
from helpers.openai_server import BOS, LoopbackServer, question_tag, text_of, thought_marker
from helpers.protocol import (
    CONTINUE,
    PROMPTS,
    align3_prefills,
    calls_by_question,
    expected_answer,
    flags_of,
    last_message,
    more_think_prefills,
    spec_fields,
    spec_prompt,
    stop_of,
)
from helpers.samples import samples_of
from helpers.scripted import answer_reply
from inspect_ai import eval
from inspect_ai.log import EvalLog, EvalSample
from inspect_ai.model import Model, get_model

from specbench_inspect.solvers.chat_template import packaged_template
from specbench_inspect.solvers.plan import TURNS_DEVIATION
from specbench_inspect.tasks import travel
from specbench_inspect.thinking import THINK_CLOSE, answer_text

SAMPLES = 2


@pytest.fixture(scope="module")
def inline() -> Iterator[LoopbackServer]:
    """Thinking comes back inline in the content (no reasoning parser)."""
    with LoopbackServer() as server:
        yield server


@pytest.fixture(scope="module")
def parser() -> Iterator[LoopbackServer]:
    """Thinking comes back in `reasoning_content` (vLLM with a reasoning parser)."""
    with LoopbackServer(reasoning_parser=True) as server:
        yield server


def vllm(server: LoopbackServer, name: str) -> Model:
    # the vllm provider keeps one server address per base model for the whole process, so
    # each server gets model names of its own
    return get_model(f"vllm/{name}", base_url=server.base_url)


def openai_api(server: LoopbackServer, name: str) -> Model:
    return get_model(f"openai-api/loop/{name}", base_url=server.base_url, api_key="loopback")


def run(
    server: LoopbackServer, model: Model, tmp_path: Path, task: Any, **task_args: Any
) -> EvalLog:
    server.requests.clear()
    [log] = eval(
        task(data_dir=str(DATA_DIR), **task_args) if task_args else task,
        model=model,
        model_roles={"grader": openai_api(server, "judge")},
        limit=SAMPLES,
        display="none",
        log_dir=str(tmp_path),
    )
    assert log.status == "success", log.error
    assert log.samples is not None and len(log.samples) == SAMPLES
    return log


def sample_calls(server: LoopbackServer, model_name: str) -> dict[str, list[dict[str, Any]]]:
    calls = calls_by_question(server.requests, model_name)
    assert len(calls) == SAMPLES
    return calls


def store(sample: EvalSample) -> dict[str, Any]:
    record: dict[str, Any] = sample.store["generation"]
    return record


def check_judged(server: LoopbackServer, sample: EvalSample, answer: str) -> None:
    """The judge rated exactly `answer`: never the thought."""
    assert judged_answer(sample) == answer
    [judged] = [
        r
        for r in server.requests
        if r["body"]["model"] == "judge" and sample.metadata["prompt"] in text_of(last_message(r))
    ]
    prompt = text_of(last_message(judged))
    assert answer in prompt
    assert "<think>" not in prompt and THINK_CLOSE not in prompt and "[thought" not in prompt


def check_cost(sample: EvalSample, calls: list[dict[str, Any]]) -> None:
    """The paper's accounting: calls, prompt tokens of the first call, completion tokens summed
    (the server counts words)."""
    record = store(sample)
    first = calls[0]["body"]["messages"]
    assert record["model_calls"] == len(calls)
    assert record["prompt_tokens"] == sum(len(text_of(m).split()) for m in first)
    generated = [(c["reply"].get("reasoning") or "") + (c["reply"]["content"] or "") for c in calls]
    assert record["completion_tokens"] == sum(len(g.split()) + 1 for g in generated)
    cost = sample.scores["spec_judge"].metadata["generation"]  # type: ignore[index]
    assert cost["model_calls"] == len(calls)


@pytest.mark.parametrize("mode", ["inline", "parser"])
def test_align3_on_vllm(
    mode: str, inline: LoopbackServer, parser: LoopbackServer, tmp_path: Path
) -> None:
    server = inline if mode == "inline" else parser
    name = f"Qwen/Qwen3-14B-{mode}"
    log = run(server, vllm(server, name), tmp_path, travel, method="align3")
    calls = sample_calls(server, name)
    qwen3 = packaged_template("qwen3").text
    for sample in samples_of(log, SAMPLES):
        meta, question = sample.metadata, str(sample.input)
        user = spec_prompt(meta, question)
        requests = calls[user]
        assert len(requests) == 3
        *prefills, turn = align3_prefills(meta, question)
        for i, request in enumerate(requests):
            message = last_message(request)
            assert message["role"] == "assistant"
            assert message["content"] == prefills[i]
            assert request["body"]["messages"][-2] == {"role": "user", "content": user}
            assert request["body"]["messages"][0]["role"] == "system"
            assert flags_of(request) == CONTINUE
            assert request["body"]["chat_template"] == qwen3
            assert stop_of(request) == ([THINK_CLOSE] if i < 2 else None)
            # the template renders the partial turn verbatim at the end of the prompt
            assert request["prompt"].endswith("<|im_start|>assistant\n" + prefills[i])
        # stage 1 opens the thought and quotes the behavioral specs; stage 2 the safety specs,
        # after stage 1's continuation and a blank line; stage 3 both, after stage 2's
        first, second, third = prefills
        tag = question_tag(user)
        fields = spec_fields(meta, question)
        assert first.startswith("<think>") and first.endswith("So")
        assert all(f"- {spec}" in first for spec in meta["behavioral_specs"])
        assert not any(spec in first for spec in meta["safety_specs"])
        safety = PROMPTS.render("align3_safety", **fields)
        separator = PROMPTS.render("align3_separator")
        assert second == first + thought_marker(tag, 1).rstrip() + separator + safety
        assert all(f"- {spec}" in safety for spec in meta["safety_specs"])
        audit = PROMPTS.render("align3_audit", **fields)
        assert third == second + thought_marker(tag, 2).rstrip() + separator + audit
        assert all(f"- {s}" in audit for s in meta["safety_specs"] + meta["behavioral_specs"])
        answer = expected_answer(user, 3)
        check_judged(server, sample, answer)
        record = store(sample)
        assert record["method"] == "align3" and record["answer"] == answer
        assert record["thought"] == turn[: turn.rindex(THINK_CLOSE) + len(THINK_CLOSE)]
        assert record["continuation"] == "server" and record["chat_template"] == "qwen3"
        assert record["deviations"] == []
        check_cost(sample, requests)
    metrics = log.results.scores[0].metrics  # type: ignore[union-attr]
    assert metrics["model_calls"].value == 3


@pytest.mark.parametrize("rounds", [1, 3])
def test_more_think_on_openai_api(rounds: int, inline: LoopbackServer, tmp_path: Path) -> None:
    """openai-api does not add the continuation flags itself: the method sends them."""
    log = run(
        inline,
        openai_api(inline, "Qwen3-14B"),
        tmp_path,
        travel,
        method="more_think",
        rethink_count=rounds,
    )
    calls = sample_calls(inline, "Qwen3-14B")
    for sample in samples_of(log, SAMPLES):
        meta, question = sample.metadata, str(sample.input)
        user = spec_prompt(meta, question)
        requests = calls[user]
        *prefills, turn = more_think_prefills(meta, question, rounds)
        assert [last_message(r)["content"] for r in requests] == prefills
        assert prefills[0] == "<think>"
        for i in range(1, rounds):
            # each round: the previous turn, the previous continuation, then `Wait, `
            assert prefills[i].endswith("\n\nWait, ")
            assert prefills[i - 1] in prefills[i]
        assert [stop_of(r) for r in requests] == [[THINK_CLOSE]] * (rounds - 1) + [None]
        assert all(flags_of(r) == CONTINUE for r in requests)
        assert all(r["body"]["chat_template"] == packaged_template("qwen3").text for r in requests)
        check_judged(inline, sample, expected_answer(user, rounds))
        assert store(sample)["thought"] == turn[: turn.rindex(THINK_CLOSE) + len(THINK_CLOSE)]
        check_cost(sample, requests)


@pytest.mark.parametrize("mode", ["inline", "parser"])
def test_zero_think_on_vllm_deepseek(
    mode: str, inline: LoopbackServer, parser: LoopbackServer, tmp_path: Path
) -> None:
    """With a reasoning parser the whole answer arrives as `reasoning_content` (the thought was
    closed in the prompt, so the parser never sees `</think>`); it is still the answer."""
    server = inline if mode == "inline" else parser
    name = f"deepseek-ai/DeepSeek-R1-Distill-Qwen-7B-{mode}"
    log = run(server, vllm(server, name), tmp_path, travel, method="zero_think")
    calls = sample_calls(server, name)
    template = packaged_template("deepseek_r1").text
    for sample in samples_of(log, SAMPLES):
        user = spec_prompt(sample.metadata, str(sample.input))
        [request] = calls[user]
        assert last_message(request)["content"] == "<think>\n</think>"
        assert stop_of(request) is None and flags_of(request) == CONTINUE
        assert request["body"]["chat_template"] == template
        assert request["prompt"].startswith(BOS)
        assert request["prompt"].endswith("<\uff5cAssistant\uff5c><think>\n</think>")
        if mode == "parser":
            assert request["reply"]["content"] is None and request["reply"]["reasoning"]
        answer = expected_answer(user, 0)
        check_judged(server, sample, answer)
        assert store(sample)["thought"] == "<think>\n</think>"
        assert store(sample)["chat_template"] == "deepseek_r1"


def test_self_refine_request_sequence(inline: LoopbackServer, tmp_path: Path) -> None:
    log = run(
        inline,
        openai_api(inline, "refiner"),
        tmp_path,
        travel,
        method="self_refine",
        max_iters=2,
        history=1,
    )
    requests = [r for r in inline.requests if r["body"]["model"] == "refiner"]
    assert len(requests) == SAMPLES * (1 + 2 * 2)
    # nothing is pre-filled: no continuation flags, stops or chat templates
    assert all(stop_of(r) is None and flags_of(r) == {} for r in requests)
    assert not any("chat_template" in r["body"] for r in requests)

    def feedback_user(response: str) -> str:
        return PROMPTS.render("self_refine_feedback_user", response=response)

    def refine_user(response: str, feedback: str) -> str:
        item = PROMPTS.render(
            "self_refine_history_item", response=response, feedback=feedback, index=1
        )
        return PROMPTS.render("self_refine_refine_user", history=item)

    for sample in samples_of(log, SAMPLES):
        meta, question = sample.metadata, str(sample.input)
        fields = spec_fields(meta, question)
        user = spec_prompt(meta, question)
        # the scripted model answers the last user message
        draft = answer_text(answer_reply(user))
        feedback1 = answer_text(answer_reply(feedback_user(draft)))
        refine1_user = refine_user(draft, feedback1)
        refined1 = answer_text(answer_reply(refine1_user))
        feedback2 = answer_text(answer_reply(feedback_user(refined1)))
        refine2_user = refine_user(refined1, feedback2)  # history=1: the last pair only
        feedback_system = PROMPTS.render("self_refine_feedback_system", **fields)
        refine_system = PROMPTS.render("self_refine_refine_system", **fields)
        expected = [
            [("system", PROMPTS.render("system")), ("user", user)],
            [("system", feedback_system), ("user", feedback_user(draft))],
            [("system", refine_system), ("user", refine1_user)],
            [("system", feedback_system), ("user", feedback_user(refined1))],
            [("system", refine_system), ("user", refine2_user)],
        ]
        sent = [[(m["role"], text_of(m)) for m in r["body"]["messages"]] for r in requests]
        assert all(call in sent for call in expected)
        assert draft not in refine2_user
        check_judged(inline, sample, answer_text(answer_reply(refine2_user)))
        assert store(sample)["model_calls"] == 5


def test_turns_emulation_is_recorded_as_a_deviation(inline: LoopbackServer, tmp_path: Path) -> None:
    """`continuation=turns`: each stage a user turn, no pre-fill; the task is passed as a
    function, so it is created with the model known and its metadata names the plan."""
    inline.requests.clear()
    [log] = eval(
        travel,
        task_args={"data_dir": str(DATA_DIR), "method": "align3", "continuation": "turns"},
        model=openai_api(inline, "gpt-like"),
        model_roles={"grader": openai_api(inline, "judge")},
        limit=SAMPLES,
        display="none",
        log_dir=str(tmp_path),
    )
    assert log.status == "success", log.error
    plan = log.eval.metadata["specbench"]["generation"]  # type: ignore[index]
    assert plan["continuation"] == "turns" and plan["deviations"] == [TURNS_DEVIATION]
    assert plan["provider"] == "openai-api" and plan["chat_template"] is None
    calls = calls_by_question(inline.requests, "gpt-like")
    for sample in samples_of(log, SAMPLES):
        meta, question = sample.metadata, str(sample.input)
        fields = spec_fields(meta, question)
        stage = [
            PROMPTS.render(name, **fields).replace("<think>", "").strip()
            for name in ("align3_behavior", "align3_safety", "align3_audit")
        ]
        first_user = (
            spec_prompt(meta, question) + "\n\n" + PROMPTS.render("turns_stage", stage=stage[0])
        )
        requests = calls[first_user]
        assert len(requests) == 3
        roles = [[m["role"] for m in r["body"]["messages"]] for r in requests]
        assert roles == [
            ["system", "user"],
            ["system", "user", "assistant", "user"],
            ["system", "user", "assistant", "user", "assistant", "user"],
        ]
        users = [text_of(last_message(r)) for r in requests]
        assert users[1] == PROMPTS.render("turns_stage", stage=stage[1])
        assert users[2] == PROMPTS.render("turns_final_stage", stage=stage[2])
        assert all(stop_of(r) is None and flags_of(r) == {} for r in requests)
        check_judged(inline, sample, answer_text(answer_reply(users[2])))
        record = store(sample)
        assert record["continuation"] == "turns" and record["deviations"] == [TURNS_DEVIATION]
        assert "Considering request" in record["thought"]
