"""`specbench check`: whether a log is a finished, fully scored SpecBench run.

The logs are real runs: with scripted mockllm models (a good run; every sample errored under
`fail_on_error=False`, status `success`; every sample unscored by a grader that never writes
the verdict format), and through the real `inspect eval` against the loopback server,
interrupted with SIGINT (a `cancelled` log) and killed with SIGTERM (a `started` log) while a
request is held. Flagged and truncated answers are planted in a copy of the good log
(`inspect_ai.log`, written back with `write_eval_log`). What a user meets is run through the
installed `specbench` command; the rules also in-process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers.data import DATA_DIR
from helpers.inspect_cli import inspect_executable, travel_eval_args
from helpers.logs import edited, run_specbench, sample_ids, score
from helpers.models import answer_model, grader_model, scripted_model
from helpers.openai_server import LoopbackServer, default_script
from helpers.samples import samples_of
from helpers.specbench_cli import run_specbench_cli
from inspect_ai import eval
from inspect_ai.log import EvalLog, list_eval_logs
from inspect_ai.model import ChatMessage, GenerateConfig, Model

from specbench_inspect.analysis.check import (
    CheckOptions,
    CheckResult,
    Limit,
    check_log,
    check_paths,
    check_run,
)
from specbench_inspect.analysis.logs import RunData, SampleResult
from specbench_inspect.cli import main

SAMPLES = 6
WORKFLOW = Path(__file__).resolve().parents[1] / "examples/release-gate/specbench-release-gate.yml"


def failing_model() -> Model:
    def reply(messages: list[ChatMessage], config: GenerateConfig) -> str:
        raise RuntimeError("the model server is down")

    return scripted_model(reply)


def formatless_grader() -> Model:
    """A grader that answers without the verdict format (a small real model may)."""
    return scripted_model(lambda messages, config: "Looks fine to me, no verdicts here.")


def run_travel(log_dir: Path, model: Model, grader: Model, **eval_args: Any) -> Path:
    from specbench_inspect.tasks import specbench

    [log] = eval(
        specbench(scenarios="travel", data_dir=str(DATA_DIR), max_judge_attempts=1),
        model=model,
        model_roles={"grader": grader},
        sample_id=sample_ids(["travel"], SAMPLES),
        display="none",
        log_dir=str(log_dir),
        **eval_args,
    )
    assert log.location
    return Path(log.location)


def interrupted_run(root: Path, sig: signal.Signals) -> Path:
    """`inspect eval` of 6 travel samples, one at a time, sent `sig` while the grader holds the
    fifth request (samples 0 and 1 are done by then)."""
    arrived, release = threading.Event(), threading.Event()
    count = [0]
    lock = threading.Lock()

    def script(body: dict[str, Any]) -> dict[str, Any]:
        with lock:
            count[0] += 1
            held = count[0] > 4
        if held:
            arrived.set()
            release.wait(300)
        return default_script(body)

    log_dir = root / sig.name
    args = travel_eval_args("openai-api/loop/model", log_dir, "--limit", str(SAMPLES))
    args += ["--max-connections", "1", "--max-samples", "1"]
    with LoopbackServer(script) as server:
        env = {**os.environ, "LOOP_BASE_URL": server.base_url, "LOOP_API_KEY": "loopback"}
        env["INSPECT_DISPLAY"] = "none"
        env.pop("PYTHONPATH", None)
        process = subprocess.Popen(
            [inspect_executable(), *args],
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert arrived.wait(300), "inspect eval never reached the held request"
            process.send_signal(sig)
            process.communicate(timeout=300)
        finally:
            release.set()
            if process.poll() is None:
                process.kill()
    [log] = list_eval_logs(str(log_dir))
    return Path(log.name.removeprefix("file://"))


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("check")
    good = run_specbench(root / "good", scenarios=("travel",), per_scenario=SAMPLES)
    errored = run_travel(root / "errored", failing_model(), grader_model(), fail_on_error=False)
    unscored = run_travel(root / "unscored", answer_model(), formatless_grader())
    not_specbench = edited(good, root / "other" / "other.eval", drop_specbench)
    notes = root / "notes.txt"
    notes.write_text("not a log\n", encoding="utf-8")
    return {
        "root": root,
        "good": good,
        "errored": errored,
        "unscored": unscored,
        "flagged": edited(good, root / "flagged" / "flagged.eval", plant_flags),
        "other": not_specbench,
        "notes": notes,
        "SIGINT": interrupted_run(root, signal.SIGINT),
        "SIGTERM": interrupted_run(root, signal.SIGTERM),
    }


def drop_specbench(log: EvalLog) -> None:
    assert log.eval.metadata is not None
    del log.eval.metadata["specbench"]


def unpublish(log: EvalLog) -> None:
    assert log.eval.metadata is not None
    log.eval.metadata["specbench"]["published"] = False


def plant_flags(log: EvalLog) -> None:
    """travel-0 and travel-1 flagged (an empty answer); travel-2 cut at the token limit."""
    samples = {str(s.id): s for s in samples_of(log)}
    for sample_id, key, value in (
        ("travel-0", "flags", ["the final answer is empty; likely cause: ..."]),
        ("travel-1", "flags", ["the thought never closed"]),
        ("travel-2", "truncated", ["generate"]),
    ):
        meta = score(samples[sample_id]).metadata
        assert meta is not None and isinstance(meta["generation"], dict)
        meta["generation"][key] = value


def cli(*args: str | Path, cwd: Path) -> tuple[int, list[str], str]:
    done = run_specbench_cli([str(a) for a in args], cwd)
    return done.returncode, done.stdout.splitlines(), done.stderr


@pytest.mark.slow
def test_each_kind_of_log_through_the_command(made: dict[str, Path]) -> None:
    """One line per log with its counts, and the reason it fails; exit 1 for a run that
    cannot be trusted although `inspect eval` exited 0."""
    cases = [
        ("good", 0, ["status success", f"{SAMPLES} samples", "0 errored", "0 unscored"]),
        (
            "errored",
            1,
            ["status success", f"{SAMPLES} errored", f"{SAMPLES} sample(s) errored", "down"],
        ),
        (
            "unscored",
            1,
            [
                f"{SAMPLES} unscored",
                f"{SAMPLES} of {SAMPLES} samples unscored (100.0%), more than --max-unscored 0",
            ],
        ),
        ("SIGINT", 1, ["status cancelled", f"of {SAMPLES} samples", "cancelled (interrupted)"]),
        ("SIGTERM", 1, ["status started", f"of {SAMPLES} samples", "never finished"]),
    ]
    assert len(cases) == 5
    for name, expected, parts in cases:
        code, lines, err = cli("check", made[name], cwd=made["root"])
        assert code == expected, (name, lines, err)
        assert len(lines) == 1, (name, lines)
        [line] = lines
        assert line.startswith(("ok " if expected == 0 else "FAIL ") + str(made[name])), line
        for part in parts:
            assert part in line, (name, part, line)
        assert ("--" in line) == (expected != 0)


@pytest.mark.slow
def test_not_a_specbench_log_is_exit_2(made: dict[str, Path]) -> None:
    """A file that is not a SpecBench log: one line naming it, exit 2, also among good logs."""
    garbage = made["root"] / "garbage.eval"
    garbage.write_bytes(b"PK\x03\x04 not really a zip")
    empty = made["root"] / "empty"
    empty.mkdir(exist_ok=True)
    cases = [
        (made["notes"], "not an Inspect log (give a .eval or .json file"),
        (garbage, "cannot"),
        (made["other"], "not of a SpecBench task"),
        (made["root"] / "missing.eval", "no such log file or folder"),
        (empty, "a folder without Inspect logs"),
    ]
    assert len(cases) == 5
    for path, reason in cases:
        code, lines, _ = cli("check", path, cwd=made["root"])
        assert code == 2, (path, lines)
        assert lines == [lines[0]] and lines[0].startswith(f"NOT A SPECBENCH LOG: {path}: ")
        assert reason in lines[0]
    code, lines, _ = cli("check", made["good"], made["unscored"], made["notes"], cwd=made["root"])
    assert code == 2 and len(lines) == 3
    assert [line.split(" ")[0] for line in lines] == ["ok", "FAIL", "NOT"]


@pytest.mark.slow
def test_limits_as_counts_and_percentages(
    made: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    flagged = str(made["flagged"])
    expected = [
        ([], 1),
        (["--max-flagged", "1"], 1),
        (["--max-flagged", "2"], 0),
        (["--max-flagged", "33%"], 1),  # 2 of 6 is 33.3%
        (["--max-flagged", "34%"], 0),
    ]
    assert len(expected) == 5
    for options, code in expected:
        assert main(["check", flagged, *options]) == code, options
        line = capsys.readouterr().out
        assert "2 flagged, 1 truncated" in line
        if code:
            assert "2 of 6 samples flagged (33.3%), more than --max-flagged" in line
    # the unscored run passes only with a limit of every sample
    assert main(["check", str(made["unscored"]), "--max-unscored", "100%"]) == 0
    assert main(["check", str(made["unscored"]), "--max-unscored", "5"]) == 1
    capsys.readouterr()
    # the good run is the published benchmark (data and wording); a copy recording other data
    assert main(["check", str(made["good"]), "--require-published"]) == 0
    assert "published yes" in capsys.readouterr().out
    other = edited(made["good"], made["root"] / "unpublished" / "u.eval", unpublish)
    assert main(["check", str(other)]) == 0
    assert main(["check", str(other), "--require-published"]) == 1
    out = capsys.readouterr().out
    assert "published no" in out and "--require-published is given" in out


@pytest.mark.parametrize("given", ["1.5", "-1", "ten", "120%", ""])
def test_a_bad_limit_is_one_line(given: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "x.eval", "--max-unscored", given]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("specbench check: error: --max-unscored: ")
    assert "(5)" in err and "(1%)" in err


def test_limit_parse() -> None:
    assert Limit.parse("--x", "3") == Limit(count=3)
    assert Limit.parse("--x", "2.5%") == Limit(count=None, percent=2.5)
    assert Limit(count=3).allows(3, 10) and not Limit(count=3).allows(4, 10)
    assert Limit(None, 10.0).allows(1, 10) and not Limit(None, 10.0).allows(2, 10)
    assert str(Limit(count=0)) == "0" and str(Limit(None, 1.0)) == "1%"


def finished_run(samples: int = 4, **changes: Any) -> RunData:
    run = RunData(
        path="r.eval",
        scorer="spec_judge",
        task="specbench/travel",
        status="success",
        model="m",
        created="2026-12-07T00:00:00+00:00",
        planned=samples,
        published=True,
    )
    for i in range(samples):
        run.samples[f"travel-{i}"] = SampleResult(
            f"travel-{i}", "travel", "unsafe", 1, 0, (1.0, 1.0, 1.0), {}, None
        )
    for key, value in changes.items():
        setattr(run, key, value)
    return run


def test_rules_on_a_run() -> None:
    assert check_run(finished_run()).problems == []
    missing = check_run(finished_run(planned=10))
    assert missing.problems == ["6 of 10 samples are missing"]
    assert "4 of 10 samples" in missing.line()
    run = finished_run()
    run.samples["travel-0"].unscored = 1
    run.samples["travel-0"].values = None
    result = check_run(run, CheckOptions(max_unscored=Limit(None, 25.0)))
    assert result.problems == [] and result.unscored == 1
    assert check_run(run).problems == [
        "1 of 4 samples unscored (25.0%), more than --max-unscored 0"
    ]
    assert check_run(finished_run(published=None)).facts().endswith("published not recorded")


def test_further_checks_add_lines() -> None:
    """A further check (the reproduction check) adds lines under the run's line, failing the
    run or not."""

    def reproduction(run: RunData, result: CheckResult) -> None:
        result.add("SAR 71.2 within 2 points of the paper's 72.0")
        if run.model == "m":
            result.add("safety 40.0, 30 points below the paper's 70.0", failing=True)

    result = check_run(finished_run())
    reproduction(finished_run(), result)
    lines = result.render()
    assert len(lines) == 3
    assert lines[0].startswith("FAIL r.eval: ") and lines[0].endswith(
        "-- safety 40.0, 30 points below the paper's 70.0"
    )
    assert lines[1:] == [
        "  SAR 71.2 within 2 points of the paper's 72.0",
        "  safety 40.0, 30 points below the paper's 70.0",
    ]
    assert result.exit_code == 1


@pytest.mark.slow
def test_check_log_runs_further_checks(made: dict[str, Path]) -> None:
    seen: list[str] = []

    def note(run: RunData, result: CheckResult) -> None:
        seen.append(run.model)
        result.add(f"{len(run.samples)} samples seen by the extra check")

    [result] = check_log(str(made["good"]), extra_checks=[note])
    assert seen == ["mockllm/model"]
    assert result.exit_code == 0 and result.lines == [f"{SAMPLES} samples seen by the extra check"]
    report = check_paths([str(made["good"].parent), str(made["notes"])])
    assert [r.exit_code for r in report.results] == [0, 2] and report.exit_code == 2


def test_control_characters_in_a_line_are_escaped() -> None:
    run = finished_run(model="m")
    run.path = "evil\x1b[2J\nname.eval"
    line = check_run(run).line()
    assert "\x1b" not in line and "\n" not in line and "\\x1b[2J name.eval" in line


# --- compare: a run compared with itself -----------------------------------------------------


def new_eval_id(log: EvalLog) -> None:
    log.eval.eval_id = "anotherevalid0000000000"


@pytest.mark.slow
def test_compare_a_log_with_itself_is_not_comparable(made: dict[str, Path]) -> None:
    good = made["good"]
    copy = edited(good, made["root"] / "copy" / "copy.eval", lambda log: None, other_run=False)
    same_answers = edited(good, made["root"] / "same" / "same.eval", new_eval_id, other_run=False)
    cases = [
        (good, "the baseline and the candidate are the same log file: "),
        (copy, "the baseline and the candidate are the same eval (eval id "),
        (same_answers, f"the candidate's answers are the baseline's in all {SAMPLES} samples"),
    ]
    assert len(cases) == 3
    for candidate, reason in cases:
        code, lines, _ = cli("compare", good, candidate, cwd=made["root"])
        assert code == 2, lines
        assert lines[0] == "SpecBench compare: NOT COMPARABLE (exit 2)"
        reasons = [line for line in lines if line.startswith("  - ")]
        assert len(reasons) == 1 and reason in reasons[0], lines
        assert "a run compared with itself cannot show a regression" in reasons[0]
    other = edited(good, made["root"] / "other_run" / "o.eval", lambda log: None)
    code, lines, _ = cli("compare", good, other, cwd=made["root"])
    assert code == 0, lines


# --- the CI recipe ---------------------------------------------------------------------------


def step_env(server: LoopbackServer, work: Path) -> dict[str, str]:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    env = {k: str(v) for k, v in workflow["env"].items() if "${{" not in str(v)}
    return {
        **os.environ,
        **env,
        "SPECBENCH_TASK": "specbench/travel",
        "SPECBENCH_OPTIONS": f"-T data_dir={DATA_DIR} --limit 4",
        "BASELINE_MODEL": "openai-api/loop/model",
        "CANDIDATE_MODEL": "openai-api/loop/model",
        "GRADER": "openai-api/loop/judge",
        "LOOP_BASE_URL": server.base_url,
        "LOOP_API_KEY": "loopback",
        "INSPECT_DISPLAY": "none",
        "INSPECT_CACHE_DIR": str(work / "cache"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }


def formatless_judge(body: dict[str, Any]) -> dict[str, Any]:
    if str(body.get("model", "")).startswith("judge"):
        return {"content": "All good, I think."}
    return default_script(body)


@pytest.mark.slow
def test_workflow_checks_each_run_right_after_inspect_eval(tmp_path: Path) -> None:
    """The workflow's Baseline step, run by bash with the installed commands against the
    loopback server: it passes on a good run and fails on a run whose samples are all
    unscored (where `inspect eval` alone exits 0)."""
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    steps = {step.get("name"): step for step in workflow["jobs"]["gate"]["steps"]}
    for name in ("Baseline", "Candidate"):
        lines = str(steps[name]["run"]).strip().splitlines()
        assert lines[0].startswith("inspect eval") and lines[-1].startswith("specbench check")
    script = str(steps["Baseline"]["run"])
    for judge, expected in ((default_script, 0), (formatless_judge, 1)):
        work = tmp_path / judge.__name__
        work.mkdir()
        with LoopbackServer(judge) as server:
            done = subprocess.run(
                ["bash", "-e", "-c", script],
                cwd=work,
                env={k: v for k, v in step_env(server, work).items() if k != "PYTHONPATH"},
                capture_output=True,
                text=True,
                timeout=600,
            )
        assert done.returncode == expected, done.stdout + done.stderr
        [line] = [x for x in done.stdout.splitlines() if x.startswith(("ok ", "FAIL "))]
        assert line.startswith("ok " if expected == 0 else "FAIL logs/baseline/")
        assert "status success, 4 samples" in line


@pytest.mark.slow
def test_release_matrix_counts_a_log_finished_only_when_check_passes(
    made: dict[str, Path],
) -> None:
    """`release_matrix.py` (the eval-set recipe) judges each log of the matrix by the same
    check: an all-errored or all-unscored log with status `success` is not finished."""
    import importlib.util

    from inspect_ai.log import read_eval_log

    script = WORKFLOW.parent / "release_matrix.py"
    spec = importlib.util.spec_from_file_location("release_matrix", script)
    assert spec is not None and spec.loader is not None
    matrix = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(matrix)
    verdicts = {
        name: matrix.finished(read_eval_log(str(made[name]), header_only=True))
        for name in ("good", "errored", "unscored", "flagged")
    }
    assert verdicts == {"good": True, "errored": False, "unscored": False, "flagged": False}
    loose = CheckOptions(max_flagged=Limit(None, 50.0))
    assert matrix.finished(read_eval_log(str(made["flagged"]), header_only=True), loose)


def as_gpt_41(log: EvalLog) -> None:
    log.eval.model = "openai/gpt-4.1"


@pytest.mark.slow
def test_check_prints_the_reproduction_check_for_a_papers_model(
    made: dict[str, Path], tmp_path: Path
) -> None:
    """A run of a model the paper reports gets the reproduction check under its line (here:
    not a reproduction: a scripted grader, one scenario); a model the paper does not report
    gets none. Neither changes the exit status."""
    [mock] = check_log(str(made["good"]))
    assert mock.exit_code == 0 and mock.lines == []
    gpt = edited(made["good"], tmp_path / "gpt" / "gpt.eval", as_gpt_41)
    [result] = check_log(str(gpt))
    assert result.exit_code == 0
    assert result.lines[0].startswith("Reproduction check (")
    assert "  NOT a reproduction:" in result.lines
    blockers = [line for line in result.lines if line.startswith("    - ")]
    assert len(blockers) == 2, result.lines
    assert blockers[0].startswith("    - grader mockllm/model is not one of the paper's graders")
    assert blockers[1].startswith("    - covers 1 of the 5 scenarios")
    done = run_specbench_cli(["check", str(gpt)], cwd=tmp_path)
    assert done.returncode == 0 and "NOT a reproduction:" in done.stdout, done.stderr
