"""How pre-filled methods continue the model's turn per provider: the decision, the options,
the chat templates, the continuation text, Anthropic-style pre-fill, and the refusal of
providers that cannot continue a turn (mockllm stands in for both)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers.data import DATA_DIR
from helpers.models import grader_model, scripted_model
from helpers.openai_server import apply_stop, continue_thought
from helpers.protocol import PROMPTS, expected_answer, spec_prompt
from inspect_ai import eval
from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ContentReasoning,
    ContentText,
    GenerateConfig,
    Model,
    ModelOutput,
)

from specbench_inspect.errors import SpecBenchError
from specbench_inspect.solvers import METHODS, PREFILLED_METHODS, method_options
from specbench_inspect.solvers import plan as plan_module
from specbench_inspect.solvers.chat_template import packaged_template
from specbench_inspect.solvers.continuation import WITHHELD_DEVIATION
from specbench_inspect.solvers.continuation_text import continuation_text
from specbench_inspect.solvers.plan import (
    ContinuationOptions,
    ContinuationUnsupported,
    model_in_context,
    plan_continuation,
)
from specbench_inspect.tasks import travel
from specbench_inspect.thinking import THINK_CLOSE, split_thought

# --- the decision ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "mode", "template"),
    [
        ("vllm/Qwen/Qwen3-14B", "server", "qwen3"),
        ("vllm/Qwen/Qwen3-32B-AWQ", "server", "qwen3"),
        ("vllm/deepseek-ai/DeepSeek-R1-Distill-Qwen-14B", "server", "deepseek_r1"),
        ("openai-api/lab/deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "server", "deepseek_r1"),
        ("openai-api/lab/qwen3-8b", "server", "qwen3"),
        ("vllm/meta-llama/Llama-3.1-8B-Instruct", "server", None),
        ("anthropic/claude-sonnet-4-5", "prefill", None),
    ],
)
def test_auto_continuation_per_provider(model: str, mode: str, template: str | None) -> None:
    plan = plan_continuation("align3", model)
    assert plan.mode == mode
    assert (plan.chat_template.name if plan.chat_template else None) == template
    assert plan.deviations == ()
    described = plan.describe()
    assert described["continuation"] == mode and described["chat_template"] == template


@pytest.mark.parametrize(
    "model", ["openai/gpt-4.1", "hf/Qwen/Qwen3-0.6B", "mockllm/model", "google/gemini-2.5-pro"]
)
def test_providers_that_cannot_continue_are_refused_with_the_alternatives(model: str) -> None:
    provider = model.split("/")[0]
    with pytest.raises(ContinuationUnsupported) as refused:
        plan_continuation("more_think", model)
    message = str(refused.value)
    for part in [
        "'more_think'",
        f"'{provider}'",
        "vllm/<model>",
        "openai-api/",
        "anthropic/<model>",
        "continuation=turns",
        "continuation=prefill",
        "vanilla, self_refine",
    ]:
        assert part in message


def test_explicit_continuation_and_chat_template(tmp_path: Path) -> None:
    turns = plan_continuation("align3", "openai/gpt-4.1", continuation="turns")
    assert (
        turns.mode == "turns" and turns.deviations and "separate user turn" in turns.deviations[0]
    )
    assert (
        plan_continuation("zero_think", "mockllm/model", continuation="prefill").mode == "prefill"
    )
    server = plan_continuation("align3", "together/Qwen/Qwen3-235B", continuation="server")
    assert server.mode == "server" and server.chat_template is not None
    assert (
        plan_continuation("align3", "vllm/Qwen/Qwen3-8B", chat_template="none").chat_template
        is None
    )
    forced = plan_continuation("align3", "vllm/org/custom-7b", chat_template="deepseek_r1")
    assert forced.chat_template == packaged_template("deepseek_r1")
    mine = tmp_path / "mine.jinja"
    mine.write_text("{{ messages[-1]['content'] }}")
    own = plan_continuation("align3", "vllm/Qwen/Qwen3-8B", chat_template=str(mine))
    assert own.chat_template is not None and own.chat_template.text == mine.read_text()
    assert own.describe()["chat_template"] == str(mine)


def test_request_config_keeps_the_users_extra_body() -> None:
    plan = plan_continuation("align3", "vllm/Qwen/Qwen3-8B")

    class Configured:
        config = GenerateConfig(extra_body={"top_k": 20, "continue_final_message": False})

    config = plan.request_config(Configured(), stop=True)  # type: ignore[arg-type]
    assert config.stop_seqs == [THINK_CLOSE]
    assert config.extra_body == {
        "top_k": 20,
        "continue_final_message": True,
        "add_generation_prompt": False,
        "chat_template": packaged_template("qwen3").text,
    }
    assert plan.request_config(Configured(), stop=False).stop_seqs is None  # type: ignore[arg-type]
    anthropic = plan_continuation("align3", "anthropic/claude-sonnet-4-5")
    assert anthropic.request_config(Configured(), stop=True).extra_body is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"method": "align3", "continuation": "maybe"}, r"continuation: unknown value 'maybe'"),
        ({"method": "align3", "chat_template": "/no/such.jinja"}, r"file not found"),
        ({"method": "align3", "chat_template": "qwen3", "continuation": "turns"}, r"only sent"),
        ({"method": "more_think", "rethink_count": 0}, r"rethink_count: expected"),
        ({"method": "more_think", "rethink_count": "3"}, r"rethink_count: expected"),
        ({"method": "self_refine", "history": 0}, r"history: expected"),
        ({"method": "self_refine", "max_iters": -1}, r"max_iters: expected"),
        ({"method": "self_refine", "chat_template": "qwen3"}, r"-T chat_template"),
        ({"method": "vanilla", "continuation": "turns"}, r"-T continuation"),
    ],
)
def test_method_options_are_checked(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        travel(data_dir=str(DATA_DIR), **options)


def test_each_method_takes_its_own_options() -> None:
    assert method_options("more_think") == ["rethink_count", "continuation", "chat_template"]
    assert method_options("self_refine") == ["max_iters", "history"]
    for method in PREFILLED_METHODS:
        assert {"continuation", "chat_template"} <= set(method_options(method))


# --- the continuation text ------------------------------------------------------------------


def message_output(content: str | list[Any]) -> ModelOutput:
    out = ModelOutput.from_content(model="m", content="")
    out.choices[0].message = ChatMessageAssistant(content=content)
    return out


def test_continuation_text_inline_and_separate_reasoning() -> None:
    # inline (no reasoning parser): the content is the continuation as generated
    assert continuation_text(message_output(" more</think>\n\nAnswer")) == " more</think>\n\nAnswer"
    # a reasoning parser split it at `</think>`: put the tag back between the two parts
    split = [
        ContentReasoning(reasoning=" more", internal="reasoning_content"),
        ContentText(text="\n\nA"),
    ]
    assert continuation_text(message_output(split)) == " more</think>\n\nA"
    # stopped before `</think>` (or ZeroThink's answer after a closed thought): reasoning only
    alone = [
        ContentReasoning(reasoning=" still thinking", internal="reasoning"),
        ContentText(text=""),
    ]
    assert continuation_text(message_output(alone)) == " still thinking"
    # a complete `<think>` block inside the content, which Inspect parses out
    tagged = [ContentReasoning(reasoning="inner", internal="think"), ContentText(text="A")]
    assert continuation_text(message_output(tagged)) == "<think>\ninner\n</think>\n\nA"


def test_an_unclosed_thought_has_no_answer() -> None:
    assert split_thought("<think>\nMy job ... So still going") == (
        "<think>\nMy job ... So still going",
        "",
    )
    assert split_thought("<think>a</think>\n\nAnswer") == ("<think>a</think>", "Answer")
    assert split_thought("Plain answer") == ("", "Plain answer")


# --- the chat templates ---------------------------------------------------------------------

PARTIALS = ["<think>", "<think>\n</think>", "<think> a</think> b\n\nWait, ", "<think>\nSo"]


@pytest.mark.parametrize("name", ["qwen3", "deepseek_r1"])
@pytest.mark.parametrize("partial", PARTIALS)
def test_templates_render_the_partial_turn_verbatim(name: str, partial: str) -> None:
    jinja2 = pytest.importorskip("jinja2")
    template = jinja2.Environment().from_string(packaged_template(name).text)
    messages = [
        {"role": "system", "content": "SYS"},
        {"role": "user", "content": "Q"},
        {"role": "assistant", "content": partial},
    ]
    prompt = template.render(messages=messages, add_generation_prompt=False, bos_token="<s>")
    opener = "<|im_start|>assistant\n" if name == "qwen3" else "<\uff5cAssistant\uff5c>"
    assert prompt.endswith(opener + partial)
    assert prompt.count("<think>") == partial.count("<think>")  # no think block of its own
    fresh = template.render(messages=messages[:2], add_generation_prompt=True, bos_token="<s>")
    if name == "qwen3":
        turns = ["<|im_start|>system\nSYS<|im_end|>\n", "<|im_start|>user\nQ<|im_end|>\n"]
        assert fresh == "".join(turns) + "<|im_start|>assistant\n"
    else:
        assert fresh == "<s>SYS<\uff5cUser\uff5c>Q<\uff5cAssistant\uff5c><think>\n"


# --- mockllm: Anthropic-style pre-fill, and refusal -----------------------------------------


def continuing_model(calls: list[list[ChatMessage]]) -> Model:
    """A mockllm model that continues a final assistant message like the loopback server, as an
    Anthropic-style API would (no flags), refusing a pre-fill with trailing whitespace."""

    def reply(messages: list[ChatMessage], config: GenerateConfig) -> str:
        calls.append(list(messages))
        partial = messages[-1]
        assert isinstance(partial, ChatMessageAssistant), "expected a pre-filled turn"
        assert partial.text == partial.text.rstrip(), "final assistant content ends in whitespace"
        question = next(m.text for m in reversed(messages) if m.role == "user")
        return apply_stop(continue_thought(question, partial.text), config.stop_seqs or [])[0]

    return scripted_model(reply)


def test_prefill_withholds_trailing_whitespace_and_restores_it(tmp_path: Path) -> None:
    calls: list[list[ChatMessage]] = []
    [log] = eval(
        travel(
            data_dir=str(DATA_DIR), method="more_think", rethink_count=3, continuation="prefill"
        ),
        model=continuing_model(calls),
        model_roles={"grader": grader_model()},
        limit=1,
        display="none",
        log_dir=str(tmp_path),
    )
    assert log.samples is not None
    [sample] = log.samples
    assert sample.error is None, sample.error
    sent = [call[-1].text for call in calls]
    assert len(sent) == 3 and sent[0] == "<think>"
    assert sent[1].endswith("\n\nWait,") and sent[2].endswith("\n\nWait,")
    store = sample.store["generation"]
    # the joined thought has the full `Wait, ` marker followed directly by the next thought
    assert store["thought"].count("\n\nWait, [thought ") == 2
    assert store["continuation"] == "prefill" and store["deviations"] == [WITHHELD_DEVIATION]
    user = spec_prompt(sample.metadata, str(sample.input))
    assert store["answer"] == expected_answer(user, 3)


def test_refused_before_any_sample_when_the_model_is_known(tmp_path: Path) -> None:
    """The task created inside the evaluation (given as a function): refused at creation."""
    calls: list[list[ChatMessage]] = []
    with pytest.raises(ContinuationUnsupported, match=r"method 'align3' .* 'mockllm' provider"):
        eval(
            travel,
            task_args={"data_dir": str(DATA_DIR), "method": "align3"},
            model=continuing_model(calls),
            display="none",
            log_dir=str(tmp_path),
        )
    assert calls == []


def test_refused_before_any_model_call_when_the_task_was_built_first(tmp_path: Path) -> None:
    """A task object built before the evaluation cannot know the model: each sample refuses
    before its first call, and the evaluation fails with the message."""
    calls: list[list[ChatMessage]] = []
    [log] = eval(
        travel(data_dir=str(DATA_DIR), method="zero_think"),
        model=continuing_model(calls),
        model_roles={"grader": grader_model()},
        limit=2,
        display="none",
        log_dir=str(tmp_path),
    )
    assert log.status == "error" and log.error is not None
    assert "method 'zero_think'" in log.error.message and "'mockllm' provider" in log.error.message
    assert calls == []


def test_turns_need_no_continuation_support(tmp_path: Path) -> None:
    seen: list[list[ChatMessage]] = []

    def reply(messages: list[ChatMessage], config: GenerateConfig) -> str:
        seen.append(list(messages))
        assert messages[-1].role == "user" and not config.stop_seqs
        return f"reply {len(messages)}"

    [log] = eval(
        travel(data_dir=str(DATA_DIR), method="more_think", rethink_count=2, continuation="turns"),
        model=scripted_model(reply),
        model_roles={"grader": grader_model()},
        limit=1,
        display="none",
        log_dir=str(tmp_path),
    )
    assert log.samples is not None
    [sample] = log.samples
    assert sample.error is None, sample.error
    # round 1 (the bare `<think>`) is the question alone; round 2 is `Wait,` as a final turn
    assert [len(m) for m in seen] == [2, 4]
    assert seen[1][-1].text == PROMPTS.render("turns_final_stage", stage="Wait,")
    assert sample.store["generation"]["answer"] == "reply 4"
    assert sample.store["generation"]["thought"] == "reply 2"


def test_stage_prompts_come_from_the_templates_file(tmp_path: Path) -> None:
    replaced = tmp_path / "stages.json"
    stages = {
        "align3_behavior": "<think>\nBEHAVE {behavioral_specs} So",
        "align3_safety": "SAFE {safety_specs} So",
        "align3_audit": "AUDIT {safety_specs} {behavioral_specs} So",
    }
    replaced.write_text(json.dumps(stages))
    calls: list[list[ChatMessage]] = []
    [log] = eval(
        travel(
            data_dir=str(DATA_DIR), method="align3", continuation="prefill", prompts=str(replaced)
        ),
        model=continuing_model(calls),
        model_roles={"grader": grader_model()},
        limit=1,
        display="none",
        log_dir=str(tmp_path),
    )
    assert log.status == "success", log.error
    sent = [call[-1].text for call in calls]
    assert sent[0].startswith("<think>\nBEHAVE - ") and sent[0].endswith("So")
    assert "\n\nSAFE - " in sent[1] and "\n\nAUDIT - " in sent[2] and sent[2].endswith("So")
    with pytest.raises(ValueError, match=r"align3_safety.*must use \{safety_specs\}"):
        replaced.write_text(json.dumps({"align3_safety": "no specs here"}))
        travel(data_dir=str(DATA_DIR), method="align3", prompts=str(replaced))


# --- the plan: made once per task, failures not hidden --------------------------------------


def test_the_plan_is_made_once_and_reused_for_the_task_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Created inside the evaluation, the solver plans once; the task's metadata is that plan
    and the samples reuse it (no second check of the options or of the template)."""
    made: list[str] = []
    checked: list[str] = []
    real_plan, real_check = ContinuationOptions.plan, ContinuationOptions.check.__func__

    def counting_plan(self: ContinuationOptions, method: str, model: Any) -> Any:
        made.append(method)
        return real_plan(self, method, model)

    def counting_check(cls: Any, continuation: Any, chat_template: Any) -> Any:
        checked.append(str(continuation))
        return real_check(cls, continuation, chat_template)

    monkeypatch.setattr(ContinuationOptions, "plan", counting_plan)
    monkeypatch.setattr(ContinuationOptions, "check", classmethod(counting_check))
    calls: list[list[ChatMessage]] = []
    [log] = eval(
        travel,
        task_args={"data_dir": str(DATA_DIR), "method": "zero_think", "continuation": "prefill"},
        model=continuing_model(calls),
        model_roles={"grader": grader_model()},
        limit=3,
        display="none",
        log_dir=str(tmp_path),
    )
    assert log.status == "success", log.error
    assert made == ["zero_think"] and checked == ["prefill"] and len(calls) == 3
    plan = log.eval.metadata["specbench"]["generation"]  # type: ignore[index]
    assert plan["continuation"] == "prefill" and plan["model"] == "mockllm/model"
    assert plan["reasons"] == ["continuation=prefill: chosen by the option"]


def test_auto_says_why_it_chose() -> None:
    server = plan_continuation("align3", "vllm/Qwen/Qwen3-14B")
    assert "continue_final_message" in server.reasons[0] and "'vllm'" in server.reasons[0]
    assert server.reasons[1] == "chat_template=auto: qwen3 from the model name"
    plain = plan_continuation("align3", "openai-api/lab/llama-3-8b")
    assert "no shipped template fits" in plain.reasons[1]
    assert "natively" in plan_continuation("align3", "anthropic/claude-x").reasons[0]


def test_a_real_model_lookup_failure_is_not_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only Inspect's "no model specified" means the model is not known yet."""
    monkeypatch.delenv("INSPECT_EVAL_MODEL", raising=False)

    def broken() -> None:
        raise RuntimeError("provider package missing")

    monkeypatch.setattr(plan_module, "get_model", broken)
    with pytest.raises(RuntimeError, match="provider package missing"):
        model_in_context()
    monkeypatch.undo()
    monkeypatch.delenv("INSPECT_EVAL_MODEL", raising=False)
    assert model_in_context() is None


@pytest.mark.parametrize(
    ("name", "takes"),
    [
        ("align3", "prompts, continuation, chat_template"),
        ("self_refine", "max_iters, history, prompts"),
        ("vanilla", "prompts"),
    ],
)
def test_a_wrong_solver_option_names_the_solvers_options(name: str, takes: str) -> None:
    """`--solver specbench/NAME -S nosuch=1`: Inspect calls the factory with the option."""
    factory = METHODS[name]
    with pytest.raises(SpecBenchError) as refused:
        factory(nosuch=1)
    assert str(refused.value) == (
        f"solver specbench/{name} does not take option 'nosuch' (it takes {takes}; -S name=value)"
    )
    assert set(method_options(name)) == set(takes.split(", ")) - {"prompts"}


def test_the_answer_is_cut_as_the_reference_cuts_it() -> None:
    """Only leading newlines go (the judge sees the reference's bytes): spaces, a trailing
    newline and an answer that never had a thinking block keep theirs."""
    assert split_thought("<think>a</think>\n\n  Answer\n") == ("<think>a</think>", "  Answer\n")
    assert split_thought("\n\nPlain answer \n") == ("", "Plain answer \n")
