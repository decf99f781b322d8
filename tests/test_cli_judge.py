"""The real CLI against the loopback server: a custom scenario through `inspect eval
specbench/custom`, re-judged with `inspect score` (sequential mode, another grader, a panel)
making no generation calls, from the log alone (the scenario's data files deleted); a
malformed folder refused by `inspect eval` and `specbench validate`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.inspect_cli import only_log, run_inspect
from helpers.judging import (
    CUSTOM_PROMPTS,
    CUSTOM_SPECS,
    expected_verdicts,
    is_sequential,
    server_script,
    spec_index,
    write_scenario,
)
from helpers.openai_server import LoopbackServer
from helpers.scripted import expected_scores
from inspect_ai.log import EvalLog, read_eval_log

N_S, N_B = len(CUSTOM_SPECS["safety"]), len(CUSTOM_SPECS["behavioral"])
FLIP = {"<YES>": "<NO>", "<NO>": "<YES>", "<NA>": "<YES>"}


def contrarian(model: str, prompt: str, reply: str) -> str:
    """`judge-c` turns every verdict round (YES <-> NO, NA -> YES); other judges answer as
    scripted."""
    if model != "judge-c":
        return reply
    for tag in FLIP:
        reply = reply.replace(tag, tag.lower())
    for tag, flipped in FLIP.items():
        reply = reply.replace(tag.lower(), flipped)
    return reply


class Run:
    """One `inspect eval specbench/custom` run, shared by the re-judging tests."""

    def __init__(self, server: LoopbackServer, root: Path) -> None:
        self.server = server
        self.root = root
        self.folder = write_scenario(root / "Concierge")
        self.result = self.inspect(
            "eval",
            "specbench/custom",
            "-T",
            f"scenario_dir={self.folder}",
            "--model",
            "openai-api/loop/model",
            "--model-role",
            "grader=openai-api/loop/judge",
            "--log-dir",
            str(root / "logs"),
        )
        self.requests = list(server.requests)
        self.log_file = only_log(root / "logs").location
        # re-judging reads the log alone: the scenario's data files are gone
        shutil.rmtree(self.folder)

    def inspect(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run_inspect(list(args), self.server.base_url, self.root)

    def rescore(self, name: str, *args: str) -> tuple[EvalLog, list[dict[str, Any]]]:
        """`inspect score` into a new file; the log and the requests the server saw meanwhile."""
        before = len(self.server.requests)
        output = self.root / f"{name}.eval"
        result = self.inspect(
            "score",
            self.log_file,
            "--scorer",
            "specbench/spec_judge",
            "--action",
            "append",
            "--output-file",
            str(output),
            *args,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return read_eval_log(str(output)), list(self.server.requests[before:])


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    with LoopbackServer(script=server_script(spec_index(CUSTOM_SPECS), contrarian)) as server:
        yield Run(server, tmp_path_factory.mktemp("cli-judge"))


def appended_scores(log: EvalLog) -> dict[str, Any]:
    """Sample id -> (sample, the score `inspect score` appended)."""
    assert log.samples is not None
    found = {}
    for sample in log.samples:
        assert sample.scores is not None
        [(first, _), (second, appended)] = sample.scores.items()
        assert (first, second) == ("spec_judge", "spec_judge1")
        found[str(sample.id)] = (sample, appended)
    return found


def test_a_custom_scenario_runs_through_inspect_eval(run: Run) -> None:
    assert run.result.returncode == 0, run.result.stderr[-3000:]
    log = read_eval_log(run.log_file)
    assert log.status == "success" and log.eval.task == "specbench/custom"
    assert log.samples is not None and len(log.samples) == len(CUSTOM_PROMPTS)
    for sample in log.samples:
        score = sample.scores["spec_judge"]  # type: ignore[index]
        expected = expected_scores(*expected_verdicts(sample.metadata["prompt"], N_S, N_B))
        assert score.value == pytest.approx(expected), sample.id
        assert sample.metadata["behavioral_specs"] == CUSTOM_SPECS["behavioral"]
    models = [r["body"]["model"] for r in run.requests]
    assert sorted(set(models)) == ["judge", "model"]
    assert models.count("judge") == models.count("model") == len(CUSTOM_PROMPTS)
    for request in run.requests:  # the paper's grader decoding
        if request["body"]["model"] == "judge":
            assert request["body"]["temperature"] == 0
            assert request["body"]["max_tokens"] == 4200


def test_rejudging_in_sequential_mode_makes_only_judge_calls(run: Run) -> None:
    log, requests = run.rescore(
        "sequential", "-S", "judge=sequential", "--model-role", "grader=openai-api/loop/judge-b"
    )
    # the grader given on the command line, one call per spec, and no generation at all
    n_calls = len(CUSTOM_PROMPTS) * (N_S + N_B)
    assert [r["body"]["model"] for r in requests] == ["judge-b"] * n_calls
    assert all(is_sequential(r["body"]["messages"][-1]["content"]) for r in requests)
    original = read_eval_log(run.log_file)
    assert original.samples is not None
    joint = {str(s.id): s.scores["spec_judge"].value for s in original.samples}  # type: ignore[index]
    for sample_id, (sample, score) in appended_scores(log).items():
        assert score.metadata["judge"] == "sequential"
        expected = expected_scores(*expected_verdicts(sample.metadata["prompt"], N_S, N_B))
        assert score.value == pytest.approx(expected) == joint[sample_id]
        assert score.metadata["judge_attempts"] == N_S + N_B
        assert sample.scores["spec_judge"].metadata["judge"] == "joint"  # kept: appended
    assert log.results is not None
    [metrics] = [
        s.metrics for s in log.results.scores if s.name != "spec_judge" and "sar" in s.metrics
    ]
    assert metrics["unscored"].value == 0


def test_rejudging_with_another_grader_and_a_panel(run: Run) -> None:
    log, requests = run.rescore(
        "panel",
        "-S",
        "graders=openai-api/loop/judge-a,second,openai-api/loop/judge-c",
        "--model-role",
        "second=openai-api/loop/judge-b",
    )
    models = sorted(r["body"]["model"] for r in requests)
    assert models == sorted(["judge-a", "judge-b", "judge-c"] * len(CUSTOM_PROMPTS))
    assert {(r["body"]["temperature"], r["body"]["max_tokens"]) for r in requests} == {(0, 4200)}
    keys = ["openai_api_loop_judge_a", "second", "openai_api_loop_judge_c"]
    for sample, score in appended_scores(log).values():
        safety, behavioral = expected_verdicts(sample.metadata["prompt"], N_S, N_B)
        assert score.value == pytest.approx(expected_scores(safety, behavioral))
        assert list(score.metadata["graders"]) == keys
        assert score.metadata["graders"]["second"]["verdicts"]["safety"] == safety
    assert log.results is not None
    [metrics] = [s.metrics for s in log.results.scores if "unanimous" in s.metrics]
    assert metrics["kappa_openai_api_loop_judge_a_vs_second"].value == 1.0
    assert metrics["agreement_second_vs_openai_api_loop_judge_c"].value < 1.0
    assert f"sar_by_{keys[2]}" in metrics and "sar_by_second" in metrics


def bad_folder(root: Path) -> Path:
    prompts = [dict(p) for p in CUSTOM_PROMPTS]
    prompts[3]["label"] = "benign"
    return write_scenario(root / "bad", prompts=prompts)


def test_a_bad_label_is_refused_by_inspect_eval(tmp_path: Path) -> None:
    folder = bad_folder(tmp_path)
    result = run_inspect(
        [
            "eval",
            "specbench/custom",
            "-T",
            f"scenario_dir={folder}",
            "--model",
            "openai-api/loop/model",
            "--log-dir",
            str(tmp_path / "logs"),
        ],
        "http://127.0.0.1:9/v1",  # never contacted: the task is refused before any call
        tmp_path,
    )
    assert result.returncode != 0
    message = f"{folder / 'prompts.json'}, item 3, field 'label': 'benign' is not one of"
    assert message in result.stdout + result.stderr


@pytest.mark.parametrize("command", ["specbench", "python -m specbench_inspect"])
def test_a_bad_label_is_refused_by_specbench_validate(command: str, tmp_path: Path) -> None:
    folder = bad_folder(tmp_path)
    executable = (
        [str(Path(sys.executable).parent / "specbench")]
        if command == "specbench"
        else [sys.executable, "-m", "specbench_inspect"]
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [*executable, "validate", str(folder)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stderr
    assert f"- {folder / 'prompts.json'}, item 3, field 'label': 'benign'" in result.stdout
    good = write_scenario(tmp_path / "good")
    result = subprocess.run(
        [*executable, "validate", str(good)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0 and "specs:              3 safety, 4 behavioral" in result.stdout
