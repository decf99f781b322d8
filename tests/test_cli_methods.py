"""Deliberation methods through the real `inspect` CLI and the installed package: Align3 on all
300 Travel samples with Inspect's `vllm` provider pointed (VLLM_BASE_URL) at the loopback
server; a solver chosen by its registered name; a provider that cannot continue a turn refused
before any sample runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.data import DATA_DIR
from helpers.inspect_cli import only_log, run_inspect, travel_eval_args
from helpers.judging import judged_answer
from helpers.openai_server import LoopbackServer, text_of
from helpers.protocol import (
    CONTINUE,
    align3_prefills,
    calls_by_question,
    expected_answer,
    flags_of,
    last_message,
    more_think_prefills,
    spec_prompt,
    stop_of,
)
from helpers.samples import samples_of
from helpers.scripted import expected_scores, verdicts_for
from inspect_ai.log import list_eval_logs

from specbench_inspect.solvers.chat_template import packaged_template
from specbench_inspect.thinking import THINK_CLOSE


@pytest.mark.slow
def test_align3_on_all_travel_samples_through_vllm(tmp_path: Path) -> None:
    with LoopbackServer() as server:
        result = run_inspect(
            travel_eval_args(
                "vllm/Qwen/Qwen3-14B",
                tmp_path / "logs",
                *("-T", "method=align3", "--max-connections", "16", "--max-samples", "32"),
            ),
            server.base_url,
            tmp_path,
            VLLM_BASE_URL=server.base_url,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        requests = list(server.requests)

    log = only_log(tmp_path / "logs")
    assert log.status == "success"
    assert log.samples is not None and len(log.samples) == 300
    plan = log.eval.metadata["specbench"]["generation"]  # type: ignore[index]
    assert plan["provider"] == "vllm" and plan["continuation"] == "server"
    assert plan["chat_template"] == "qwen3" and plan["deviations"] == []

    calls = calls_by_question(requests, "Qwen/Qwen3-14B")
    assert sum(len(c) for c in calls.values()) == 900
    qwen3 = packaged_template("qwen3").text
    judged = {text_of(last_message(r)) for r in requests if r["body"]["model"] == "judge"}
    assert len(judged) == 300
    for sample in samples_of(log, 300):
        meta, question = sample.metadata, str(sample.input)
        user = spec_prompt(meta, question)
        stages = calls[user]
        *prefills, _ = align3_prefills(meta, question)
        assert [last_message(r)["content"] for r in stages] == prefills
        assert [stop_of(r) for r in stages] == [[THINK_CLOSE], [THINK_CLOSE], None]
        assert all(flags_of(r) == CONTINUE and r["body"]["chat_template"] == qwen3 for r in stages)
        score = sample.scores["spec_judge"]  # type: ignore[index]
        assert judged_answer(sample) == expected_answer(user, 3)
        assert score.value == pytest.approx(
            expected_scores(
                verdicts_for(meta["prompt"], len(meta["safety_specs"]), "safety"),
                verdicts_for(meta["prompt"], len(meta["behavioral_specs"]), "behavioral"),
            )
        ), sample.id
        assert score.metadata["generation"]["model_calls"] == 3  # type: ignore[index]
    for prompt in judged:
        assert "<think>" not in prompt and THINK_CLOSE not in prompt and "[thought" not in prompt
    assert log.results is not None
    metrics = log.results.scores[0].metrics
    assert metrics["model_calls"].value == 3 and metrics["unscored"].value == 0


@pytest.mark.slow
def test_more_think_as_a_registered_solver(tmp_path: Path) -> None:
    """`--solver specbench/more_think -S rethink_count=2` on an OpenAI-compatible server."""
    with LoopbackServer() as server:
        result = run_inspect(
            travel_eval_args(
                "openai-api/loop/Qwen3-8B",
                tmp_path / "logs",
                *("--solver", "specbench/more_think", "-S", "rethink_count=2", "--limit", "3"),
            ),
            server.base_url,
            tmp_path,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        requests = list(server.requests)

    log = only_log(tmp_path / "logs")
    assert log.status == "success" and log.samples is not None and len(log.samples) == 3
    calls = calls_by_question(requests, "Qwen3-8B")
    for sample in log.samples:
        meta, question = sample.metadata, str(sample.input)
        user = spec_prompt(meta, question)
        *prefills, _ = more_think_prefills(meta, question, 2)
        assert [last_message(r)["content"] for r in calls[user]] == prefills
        assert [flags_of(r) for r in calls[user]] == [CONTINUE, CONTINUE]
        assert judged_answer(sample) == expected_answer(user, 2)
        assert sample.store["generation"]["method"] == "more_think"


@pytest.mark.slow
def test_a_provider_that_cannot_continue_is_refused_before_any_sample(tmp_path: Path) -> None:
    with LoopbackServer() as server:
        result = run_inspect(
            [
                "eval",
                "specbench/travel",
                "--model",
                "mockllm/model",
                # a grader that can be used: the method is what is wrong here
                "--model-role",
                "grader=openai-api/loop/judge",
                "-T",
                "method=align3",
                "-T",
                f"data_dir={DATA_DIR}",
                "--log-dir",
                str(tmp_path / "logs"),
            ],
            server.base_url,
            tmp_path,
        )
    assert result.returncode != 0
    said = result.stdout + result.stderr
    assert "method 'align3'" in said and "'mockllm' provider" in said
    assert "continuation=turns" in said
    assert not list_eval_logs(str(tmp_path / "logs"))


@pytest.mark.slow
def test_a_registered_solver_records_the_method_it_is(tmp_path: Path) -> None:
    """`--solver specbench/self_refine` replaces the task's (vanilla) solver: every sample's
    record says self_refine, and the log names the solver that ran."""
    with LoopbackServer() as server:
        result = run_inspect(
            travel_eval_args(
                "openai-api/loop/refiner",
                tmp_path / "logs",
                *("--solver", "specbench/self_refine", "-S", "max_iters=1", "--limit", "2"),
            ),
            server.base_url,
            tmp_path,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        calls = [r for r in server.requests if r["body"]["model"] == "refiner"]

    log = only_log(tmp_path / "logs")
    assert log.status == "success", log.error or [s.error for s in log.samples or []]
    assert log.samples is not None and len(log.samples) == 2
    assert log.eval.solver == "specbench/self_refine"
    assert len(calls) == 2 * 3  # draft, feedback, refine per sample
    for sample in log.samples:
        assert sample.store["generation"]["method"] == "self_refine"
        assert sample.scores["spec_judge"].metadata["generation"]["method"] == "self_refine"  # type: ignore[index]
        assert sample.store["generation"]["model_calls"] == 3


@pytest.mark.slow
def test_a_wrong_solver_option_is_one_line_naming_the_options(tmp_path: Path) -> None:
    result = run_inspect(
        travel_eval_args(
            "openai-api/loop/Qwen3-8B",
            tmp_path / "logs",
            *("--solver", "specbench/align3", "-S", "nosuch=1"),
        ),
        "http://127.0.0.1:9/v1",
        tmp_path,
    )
    assert result.returncode != 0
    said = result.stdout + result.stderr
    assert (
        "solver specbench/align3 does not take option 'nosuch' "
        "(it takes prompts, continuation, chat_template; -S name=value)"
    ) in said
    assert "TypeError" not in said and "unexpected keyword argument" not in said
    assert len(said.strip().splitlines()) == 1, said


@pytest.mark.slow
def test_the_users_decoding_settings_win_on_the_command_line(tmp_path: Path) -> None:
    """`--temperature` and `--extra-body` (thinking off) through the CLI: the user's values are
    sent, the other Qwen3 instruct settings fill in, and the log records both."""
    with LoopbackServer() as server:
        result = run_inspect(
            travel_eval_args(
                "openai-api/loop/Qwen3-14B",
                tmp_path / "logs",
                *("--limit", "1", "--temperature", "0.2"),
                *("--extra-body", '{"chat_template_kwargs": {"enable_thinking": false}}'),
            ),
            server.base_url,
            tmp_path,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        [body] = [r["body"] for r in server.requests if r["body"]["model"] == "Qwen3-14B"]

    assert (body["temperature"], body["max_tokens"], body["top_p"], body["top_k"]) == (
        0.2,
        4200,
        0.8,
        20,
    )
    assert body["chat_template_kwargs"] == {"enable_thinking": False}
    log = only_log(tmp_path / "logs")
    decoding = log.eval.metadata["specbench"]["generation"]["decoding"]  # type: ignore[index]
    assert decoding["family"] == "qwen3 (no thinking)"
    assert decoding["user_settings"] == {"temperature": 0.2}
    assert log.samples is not None
    assert log.samples[0].store["generation"]["decoding"] == decoding
