"""The reference's decoding as defaults for the model families it names: what is recognised,
what reaches the server, that the user's own settings always win, and what is recorded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers.data import DATA_DIR
from helpers.openai_server import LoopbackServer
from inspect_ai import Task, eval
from inspect_ai.model import GenerateConfig, Model, get_model

from specbench_inspect.solvers.decoding import plan_decoding, recognise
from specbench_inspect.tasks import travel

NO_THINKING = {"chat_template_kwargs": {"enable_thinking": False}}


@pytest.mark.parametrize(
    ("name", "extra_body", "family"),
    [
        ("Qwen/Qwen3-14B", None, "qwen3 (thinking)"),
        ("Qwen/Qwen3-14B", NO_THINKING, "qwen3 (no thinking)"),
        ("Qwen/Qwen3-14B", {"chat_template_kwargs": {"enable_thinking": True}}, "qwen3 (thinking)"),
        ("Qwen/Qwen3-4B-Instruct-2507", None, "qwen3 (no thinking)"),
        ("Qwen/Qwen3-4B-Thinking-2507", None, "qwen3 (thinking)"),
        ("deepseek-ai/DeepSeek-R1-Distill-Llama-8B", None, "reasoning"),
        ("deepseek-reasoner", None, "reasoning"),
        ("meta-llama/Llama-3.1-8B-Instruct", None, "instruct"),
        ("mistralai/Mistral-Small-Instruct-2409", None, "instruct"),
        ("gpt-4.1", None, "instruct"),
        ("deepseek-chat", None, "instruct"),
        ("model", None, None),
        ("claude-sonnet-4-5", None, None),
    ],
)
def test_the_families_the_reference_configures(
    name: str, extra_body: dict[str, Any] | None, family: str | None
) -> None:
    found = recognise(name, extra_body)
    assert (found[0].name if found else None) == family


def loop_model(server: LoopbackServer | None, name: str, **config: Any) -> Model:
    base_url = server.base_url if server else "http://127.0.0.1:9/v1"
    return get_model(
        f"openai-api/loop/{name}",
        base_url=base_url,
        api_key="loopback",
        config=GenerateConfig(**config),
    )


def test_only_the_settings_the_user_left_unset_take_a_default() -> None:
    qwen = plan_decoding(loop_model(None, "Qwen3-14B"))
    assert qwen.defaults == {
        "max_tokens": 8400,
        "temperature": 0.6,
        "top_p": 0.95,
        "extra_body": {"top_k": 20},  # Inspect sends no top_k to OpenAI-compatible servers
    }
    assert qwen.kept == {}
    mine = plan_decoding(
        loop_model(None, "Qwen3-14B", temperature=0.1, max_tokens=64, extra_body={"top_k": 5})
    )
    assert mine.defaults == {"top_p": 0.95}
    assert mine.kept == {"max_tokens": 64, "temperature": 0.1, "top_k": 5}
    assert plan_decoding(loop_model(None, "Llama-3.1-8B-Instruct")).defaults == {"max_tokens": 4200}
    unknown = plan_decoding(loop_model(None, "my-model"))
    assert unknown.family is None and unknown.defaults == {}


def generation_only(**task_args: Any) -> Task:
    task = travel(data_dir=str(DATA_DIR), **task_args)
    return Task(dataset=task.dataset, solver=task.solver)


def bodies(
    server: LoopbackServer,
    model: Model | str,
    tmp_path: Path,
    method: str = "vanilla",
    **eval_args: Any,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The request bodies the model under test got, and each sample's recorded decoding."""
    server.requests.clear()
    [log] = eval(
        generation_only(method=method),
        model=model,
        limit=1,
        display="none",
        log_dir=str(tmp_path),
        **eval_args,
    )
    assert log.status == "success", log.error
    sent = [r["body"] for r in server.requests]
    return sent, [s.store["generation"]["decoding"] for s in log.samples or []]


def test_qwen3_thinking_defaults_reach_the_server(
    loopback_server: LoopbackServer, tmp_path: Path
) -> None:
    [body], [recorded] = bodies(loopback_server, loop_model(loopback_server, "Qwen3-14B"), tmp_path)
    assert (body["max_tokens"], body["temperature"], body["top_p"], body["top_k"]) == (
        8400,
        0.6,
        0.95,
        20,
    )
    assert recorded["family"] == "qwen3 (thinking)" and "thinks by default" in recorded["reason"]
    assert recorded["user_settings"] == {}


def test_the_users_own_settings_always_win(
    loopback_server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--temperature 0.2 --max-tokens 300` and thinking switched off in `--extra-body`, with
    the model named as on the command line: the rest of the instruct settings fill in."""
    monkeypatch.setenv("LOOP_BASE_URL", loopback_server.base_url)
    monkeypatch.setenv("LOOP_API_KEY", "loopback")
    [body], [recorded] = bodies(
        loopback_server,
        "openai-api/loop/Qwen3-14B-user",
        tmp_path,
        temperature=0.2,
        max_tokens=300,
        extra_body=NO_THINKING,
    )
    assert (body["max_tokens"], body["temperature"], body["top_p"], body["top_k"]) == (
        300,
        0.2,
        0.8,
        20,
    )
    assert body["chat_template_kwargs"] == {"enable_thinking": False}
    assert recorded["family"] == "qwen3 (no thinking)"
    assert recorded["user_settings"] == {"max_tokens": 300, "temperature": 0.2}
    assert recorded["defaults"] == {"top_p": 0.8, "extra_body": {"top_k": 20}}


def test_a_prefilled_method_keeps_its_flags_beside_the_defaults(
    loopback_server: LoopbackServer, tmp_path: Path
) -> None:
    model = loop_model(loopback_server, "Qwen3-8B", extra_body=NO_THINKING)
    sent, _ = bodies(loopback_server, model, tmp_path, method="more_think")
    assert len(sent) == 3
    for body in sent:
        assert body["continue_final_message"] is True and body["add_generation_prompt"] is False
        assert body["chat_template"] and body["top_k"] == 20 and body["max_tokens"] == 4200
        assert body["chat_template_kwargs"] == {"enable_thinking": False}


def test_an_unrecognised_model_gets_no_defaults(
    loopback_server: LoopbackServer, tmp_path: Path
) -> None:
    [body], [recorded] = bodies(loopback_server, loop_model(loopback_server, "mystery"), tmp_path)
    assert not {"max_tokens", "temperature", "top_p", "top_k"} & set(body)
    assert recorded["family"] is None and recorded["defaults"] == {}


def test_the_task_metadata_records_the_decoding(
    loopback_server: LoopbackServer, tmp_path: Path
) -> None:
    """A task created with the model known records its decoding in `specbench.generation`."""
    [log] = eval(
        travel,
        task_args={"data_dir": str(DATA_DIR), "method": "vanilla"},
        model=loop_model(loopback_server, "Llama-3.1-8B-Instruct"),
        model_roles={"grader": loop_model(loopback_server, "judge")},
        limit=1,
        display="none",
        log_dir=str(tmp_path),
    )
    assert log.status == "success", log.error
    decoding = log.eval.metadata["specbench"]["generation"]["decoding"]  # type: ignore[index]
    assert decoding["family"] == "instruct" and decoding["defaults"] == {"max_tokens": 4200}
