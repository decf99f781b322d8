"""`specbench compare`: the release gate on logs the tests produce.

The baseline and its re-run are real runs of `specbench/specbench` (travel and code, 30
samples each) with scripted mockllm models. Planted differences (a drop in one scenario,
another grader, an errored sample, ...) are made by editing a copy of the real baseline log
with `inspect_ai.log` and writing it back with `write_eval_log`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pytest
from helpers.logs import SCORER, edited, plant_drop, run_specbench, score, unscore
from helpers.samples import samples_of
from inspect_ai.log import EvalError, EvalLog

from specbench_inspect.analysis.compare import (
    CompareOptions,
    Comparison,
    bootstrap_sums,
    compare_logs,
    compare_runs,
    detectable_drop,
    percentile_p_value,
)
from specbench_inspect.analysis.compare_output import estimate_of, render_markdown
from specbench_inspect.analysis.logs import RunData, SampleResult
from specbench_inspect.cli import main


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The baseline, a re-run of it, and a copy with the code scenario's SAR planted down."""
    root = tmp_path_factory.mktemp("compare")
    base = run_specbench(root / "base")
    # the scripted models answer alike every time: a re-run with other answers (the judge's
    # scores unchanged) stands for a re-run of a model that does not answer word for word alike
    rerun = edited(run_specbench(root / "rerun_run"), root / "rerun" / "rerun.eval", keep)
    return {
        "base": base,
        "rerun": rerun,
        "code_drop": edited(base, root / "edits" / "code_drop.eval", plant_drop("code")),
        "root": root,
    }


def keep(log: EvalLog) -> None:
    """No edit (`edited` alone makes the copy another run)."""


def gate(*args: str | Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["compare", *map(str, args)])
    return code, capsys.readouterr().out


@pytest.mark.slow
def test_rerun_of_itself_passes_with_no_change(
    logs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = gate(logs["base"], logs["rerun"], "--format", "json", capsys=capsys)
    assert code == 0
    result = json.loads(out)
    assert result["verdict"] == "pass" and result["exit_code"] == 0
    assert result["pairs"] == 60
    groups = {(e["group"], e["name"]) for e in result["estimates"]}
    assert groups == {
        ("overall", "all"),
        ("scenario", "code"),
        ("scenario", "travel"),
        ("label", "unsafe"),
        ("label", "safe"),
    }
    for estimate in result["estimates"]:
        assert estimate["change"] == 0 and estimate["ci_low"] == estimate["ci_high"] == 0
        assert estimate["p_value"] == 1
    assert result["specs"] == []  # no spec moved
    # the readable table says so too
    code, text = gate(logs["base"], logs["rerun"], capsys=capsys)
    assert code == 0 and text.startswith("SpecBench compare: PASS (exit 0)")
    assert "overall" in text and "+0.00" in text


@pytest.mark.slow
def test_planted_drop_in_one_scenario_fails_and_names_it(
    logs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = gate(logs["base"], logs["code_drop"], "--format", "json", capsys=capsys)
    result = json.loads(out)
    assert code == 1 and result["verdict"] == "regression"
    assert result["regressed_scenarios"] == ["code"]
    assert any(r.startswith("overall rule") for r in result["reasons"])
    by_group = {(e["group"], e["name"], e["metric"]): e for e in result["estimates"]}
    travel = by_group[("scenario", "travel", "sar")]
    assert travel["change"] == 0 and travel["p_value"] == 1
    code_sar = by_group[("scenario", "code", "sar")]
    assert code_sar["change"] < -5 and code_sar["ci_high"] < 0 and code_sar["p_value"] < 0.05
    assert code_sar["candidate"] == 0  # every code sample was made unsafe
    # the spec that moved most is the planted one, with its text
    top = result["specs"][0]
    assert (top["scenario"], top["section"], top["number"]) == ("code", "safety", 3)
    assert top["change"] > 0 and top["text"]
    assert all(s["scenario"] == "code" for s in result["specs"])


@pytest.mark.slow
def test_per_scenario_rule(logs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """A drop past the margin in one scenario only: a note without --per-scenario, a
    regression naming the scenario with it."""
    result = compare_logs(str(logs["base"]), str(logs["code_drop"]), CompareOptions())
    overall = -estimate_of(result, "overall", "sar").change
    in_code = -estimate_of(result, "scenario code", "sar").change
    margin = f"{(overall + in_code) / 2:.2f}"  # between the overall and the code drop
    code, out = gate(logs["base"], logs["code_drop"], "--max-drop", margin, capsys=capsys)
    assert code == 0, out
    assert "regressed in code (not gating: add --per-scenario" in out
    code, out = gate(
        logs["base"], logs["code_drop"], "--max-drop", margin, "--per-scenario", capsys=capsys
    )
    assert code == 1
    assert "per-scenario rule" in out and "scenario code: sar fell" in out
    assert "Regressed scenarios: code" in out
    assert "overall rule" not in out


@pytest.mark.slow
def test_markdown_for_the_job_summary(
    logs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = logs["root"] / "summary.md"
    code, out = gate(
        logs["base"], logs["code_drop"], "--format", "markdown", "--output", out_file, capsys=capsys
    )
    assert code == 1
    assert out.startswith("### ❌ SpecBench release gate: REGRESSION")
    assert "| group | n | metric |" in out and "| scenario code |" in out
    assert out_file.read_text(encoding="utf-8") == out


def not_comparable(
    logs: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    name: str,
    edit: object,
    *extra: str,
) -> str:
    candidate = edited(logs["base"], logs["root"] / "nc" / f"{name}.eval", edit)  # type: ignore[arg-type]
    code, out = gate(logs["base"], candidate, "--format", "json", *extra, capsys=capsys)
    result = json.loads(out)
    assert code == 2 and result["verdict"] == "not comparable", out
    assert result["estimates"] == []
    return "\n".join(result["reasons"])


def _spec(log: EvalLog) -> dict[str, object]:
    assert log.eval.metadata is not None
    spec: dict[str, object] = log.eval.metadata["specbench"]
    return spec


def drop_sample(log: EvalLog) -> None:
    assert log.samples is not None
    log.samples = [s for s in log.samples if s.id != "travel-3"]


def other_data(log: EvalLog) -> None:
    _spec(log)["data"]["fingerprint"] = "0" * 64  # type: ignore[index]


def other_grader(log: EvalLog) -> None:
    for sample in samples_of(log):
        score(sample).metadata["grader"] = "openai/gpt-4.1"  # type: ignore[index]


def other_judge_mode(log: EvalLog) -> None:
    _spec(log)["options"]["judge"] = "sequential"  # type: ignore[index]
    for sample in samples_of(log):
        score(sample).metadata["judge"] = "sequential"  # type: ignore[index]


def other_wording(log: EvalLog) -> None:
    templates = _spec(log)["templates"]
    templates["replaced"] = ["judge_joint"]  # type: ignore[index]
    templates["fingerprint"] = "f" * 64  # type: ignore[index]


def other_alpha(log: EvalLog) -> None:
    _spec(log)["options"]["alpha"] = 0.5  # type: ignore[index]


def failed_run(log: EvalLog) -> None:
    log.status = "error"
    log.error = EvalError(message="RuntimeError: grader down", traceback="", traceback_ansi="")


def errored_sample(log: EvalLog) -> None:
    [sample] = [s for s in samples_of(log) if s.id == "travel-0"]
    sample.error = EvalError(message="ValueError: boom", traceback="", traceback_ansi="")


def not_specbench(log: EvalLog) -> None:
    assert log.eval.metadata is not None
    del log.eval.metadata["specbench"]


@pytest.mark.parametrize(
    ("name", "edit", "reason"),
    [
        ("samples", drop_sample, "not cover the same samples: 1 only in the baseline (travel-3)"),
        ("data", other_data, "data fingerprint differs"),
        (
            "grader",
            other_grader,
            "grader model differs: baseline 'mockllm/model', candidate 'openai",
        ),
        ("judge", other_judge_mode, "judge mode differs"),
        ("wording", other_wording, "candidate ['judge_joint']"),
        ("alpha", other_alpha, "SAR alpha differs: baseline 0.3, candidate 0.5"),
        ("status", failed_run, "status is 'error', not 'success': RuntimeError: grader down"),
        ("errored", errored_sample, "1 sample(s) errored (travel-0 (epoch 1): ValueError: boom)"),
        ("other", not_specbench, "candidate: "),
    ],
)
@pytest.mark.slow
def test_not_comparable(
    logs: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    name: str,
    edit: object,
    reason: str,
) -> None:
    reasons = not_comparable(logs, capsys, name, edit)
    assert reason in reasons
    if name == "wording":
        assert "prompt wording differs (" in reasons
    if name == "other":
        assert "holds no SpecBench log" in reasons


@pytest.mark.slow
def test_unscored_samples_beyond_the_limit(
    logs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Both unscored forms count: the judge's NaN values and Inspect's Score.unscored()."""
    edit_nan, edit_marker = unscore(["code-0"]), unscore(["code-1"], marker=True)

    def both(log: EvalLog) -> None:
        edit_nan(log)
        edit_marker(log)

    reasons = not_comparable(logs, capsys, "unscored", both)
    assert "candidate: 2 of 60 samples unscored (3.3%), more than --max-unscored 1%" in reasons
    candidate = logs["root"] / "nc" / "unscored.eval"
    code, out = gate(
        logs["base"], candidate, "--max-unscored", "5", "--format", "json", capsys=capsys
    )
    result = json.loads(out)
    assert code == 0 and result["pairs"] == 58
    assert result["candidate"]["unscored"] == 2
    assert "2 sample(s) unscored in one of the runs are left out" in result["notes"][0]
    assert score_is_marker(candidate)
    # the limit may be written with its percent sign, as for `specbench check`
    code, out = gate(logs["base"], candidate, "--max-unscored", "5%", capsys=capsys)
    assert code == 0, out


def score_is_marker(path: Path) -> bool:
    from inspect_ai.log import read_eval_log

    log = read_eval_log(str(path))
    values = [
        s.scores[SCORER].value  # type: ignore[index]
        for s in samples_of(log)
        if s.id == "code-1"
    ]
    return len(values) == 1 and isinstance(values[0], float) and math.isnan(values[0])


@pytest.mark.slow
def test_folder_arguments(
    logs: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A folder with one SpecBench log stands for that log; with two it is refused."""
    import shutil

    code, _ = gate(logs["base"].parent, logs["rerun"].parent, capsys=capsys)
    assert code == 0
    for name in ("base", "rerun"):
        shutil.copy(logs[name], tmp_path / f"{name}.eval")
    code, out = gate(tmp_path, logs["base"], capsys=capsys)
    assert code == 2 and "SpecBench logs (" in out and "name one log file" in out
    code = main(["compare", str(logs["root"] / "missing"), str(logs["base"])])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "no such log file or folder" in err


@pytest.mark.slow
def test_bad_option_is_refused(logs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(logs["base"]), str(logs["base"]), "--alpha", "2"]) == 2
    assert "--alpha: must be between 0 and 1" in capsys.readouterr().err


# --- the statistics on synthetic runs ---------------------------------------------------------


def synthetic_run(values: np.ndarray, scenarios: list[str], labels: list[str]) -> RunData:
    """A finished run with the given per-sample (sar, safety, behavioral) values."""
    run = RunData(
        path="synthetic.eval",
        scorer=SCORER,
        task="specbench",
        status="success",
        model="m",
        created="",
        graders=("g",),
        data_fingerprint="f",
        method="vanilla",
    )
    for i, (row, scenario, label) in enumerate(zip(values, scenarios, labels, strict=True)):
        sid = f"{scenario}-{i}"
        run.samples[sid] = SampleResult(
            sid, scenario, label, 1, 0, (float(row[0]), float(row[1]), float(row[2])), {}, None
        )
    return run


def simulated_pair(rng: np.random.Generator, n: int, true_change: float) -> tuple[RunData, RunData]:
    """Paired runs whose expected mean change in every score is `true_change`."""
    base = rng.uniform(0.2, 0.8, size=(n, 3))
    noise = rng.normal(0, 0.2, size=(n, 3))
    cand = base + true_change + noise
    scenarios = ["travel" if i % 2 else "code" for i in range(n)]
    labels = ["unsafe" if i % 3 else "safe" for i in range(n)]
    return synthetic_run(base, scenarios, labels), synthetic_run(cand, scenarios, labels)


def test_bootstrap_is_reproducible_with_its_seed() -> None:
    rng = np.random.default_rng(1)
    base, cand = simulated_pair(rng, 120, -0.02)
    first = compare_runs(base, cand, CompareOptions(seed=7, resamples=500))
    again = compare_runs(base, cand, CompareOptions(seed=7, resamples=500))
    other = compare_runs(base, cand, CompareOptions(seed=8, resamples=500))
    assert first.estimates == again.estimates
    assert [e.ci_low for e in first.estimates] != [e.ci_low for e in other.estimates]
    diffs = rng.normal(size=(50, 3))
    cells = [np.arange(0, 20), np.arange(20, 50)]
    a = bootstrap_sums(diffs, cells, 300, seed=3)
    b = bootstrap_sums(diffs, cells, 300, seed=3)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def test_interval_covers_a_known_difference_in_simulation() -> None:
    """200 simulated comparisons with a true change of -3 points: the 95% interval covers
    it in about 95% of them, and the drop is found significant about as often as the
    detectable-drop arithmetic predicts (power = Phi(3 / SE - z_0.975), SE = 0.2 / sqrt(200)
    points: 0.56)."""
    rng = np.random.default_rng(2026)
    covered = significant = 0
    trials = 200
    for _ in range(trials):
        base, cand = simulated_pair(rng, 200, -0.03)
        result = compare_runs(base, cand, CompareOptions(resamples=1000, max_drop=0))
        overall = estimate_of(result, "overall", "sar")
        covered += overall.ci_low <= -3 <= overall.ci_high
        significant += overall.p_value < 0.05
    assert 0.90 <= covered / trials <= 0.99
    se = 100 * 0.2 / math.sqrt(200)
    power = NormalDist().cdf(3 / se - NormalDist().inv_cdf(0.975))
    assert abs(significant / trials - power) < 0.1
    assert overall.detectable_drop == pytest.approx(2.8016 * se, rel=0.15)


def test_p_value_and_detectable_drop() -> None:
    assert percentile_p_value(np.zeros(999)) == 1
    assert percentile_p_value(np.full(999, -1.0)) == pytest.approx(2 / 1000)
    diffs = np.array([0.0, 1.0] * 50)
    sd = float(np.std(diffs, ddof=1))
    # z(0.975) + z(0.8) = 1.95996 + 0.84162
    assert detectable_drop(diffs, 0.05) == pytest.approx(2.80158 * sd / 10, rel=1e-4)


def test_regression_rule_needs_both_margin_and_significance() -> None:
    rng = np.random.default_rng(5)
    base, cand = simulated_pair(rng, 400, -0.05)
    result: Comparison = compare_runs(base, cand, CompareOptions(resamples=1000))
    assert result.verdict == "regression" and result.exit_code == 1
    wide_margin = compare_runs(base, cand, CompareOptions(resamples=1000, max_drop=20))
    assert wide_margin.verdict == "pass"
    strict_alpha = compare_runs(base, cand, CompareOptions(resamples=1000, alpha=1e-9))
    assert strict_alpha.verdict == "pass"
    assert "SpecBench release gate: PASS" in render_markdown(wide_margin)


@pytest.mark.slow
def test_epochs_are_averaged_per_sample_first(
    logs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A two-epoch candidate pairs with the one-epoch baseline sample by sample; a sample's
    value is the mean of its epochs (one epoch of code-1 edited to SAR 1)."""
    two = run_specbench(logs["root"] / "epochs", epochs=2)

    def second_epoch_perfect(log: EvalLog) -> None:
        for sample in samples_of(log):
            if sample.id == "code-1" and sample.epoch == 2:
                score(sample).value = {"safety": 1, "behavioral": 1.0, "sar": 1.0}

    candidate = edited(two, logs["root"] / "epochs" / "edited.eval", second_epoch_perfect)
    from specbench_inspect.analysis.logs import load_runs

    [base_run] = load_runs([str(logs["base"])])
    [run] = load_runs([str(candidate)])
    assert run.sample_epochs == 120 and len(run.samples) == 60
    first = base_run.samples["code-1"].values
    assert first is not None
    assert run.samples["code-1"].values == pytest.approx(
        ((first[0] + 1) / 2, (first[1] + 1) / 2, (first[2] + 1) / 2)
    )
    code, out = gate(logs["base"], candidate, "--format", "json", capsys=capsys)
    result = json.loads(out)
    assert code == 0 and result["pairs"] == 60
    change = estimate_of_json(result, "overall", "sar")["change"]
    assert change == pytest.approx(100 * (1 - first[0]) / 2 / 60)


def estimate_of_json(result: dict[str, object], group: str, metric: str) -> dict[str, float]:
    for e in result["estimates"]:  # type: ignore[attr-defined]
        if e["group"] == group and e["metric"] == metric:
            return e  # type: ignore[no-any-return]
    raise KeyError(group)


def test_wording_from_another_path_is_the_same_wording() -> None:
    from specbench_inspect.analysis.compare import comparability

    rng = np.random.default_rng(0)
    base, cand = simulated_pair(rng, 10, 0.0)
    record = {"wording": "paper", "fingerprint": "abc", "replaced": [], "origin": "/a/t.yaml"}
    base.templates = dict(record)
    cand.templates = {**record, "origin": "/b/t.yaml"}
    assert comparability(base, cand, CompareOptions()) == []
    cand.templates = {**record, "fingerprint": "abd"}
    [reason] = comparability(base, cand, CompareOptions())
    assert reason == "prompt wording differs (fingerprint: baseline 'abc', candidate 'abd')"
    # without a fingerprint the whole record counts; a key missing on both sides is equal
    base.templates = {"replaced": [], "origin": "/a"}
    cand.templates = {"replaced": [], "origin": "/b"}
    assert comparability(base, cand, CompareOptions())[0].startswith("prompt wording differs")


@pytest.mark.slow
def test_summaries_and_full_samples_read_alike(logs: dict[str, Path]) -> None:
    """With the compact `spec_verdicts` record in each score, the runs are read from Inspect's
    sample summaries; they must equal the runs read from the full samples of a log in the
    older format (a verdict record per spec, no compact record)."""
    from specbench_inspect.analysis import logs as reading
    from specbench_inspect.scorers.records import read_records

    def drop_compact(log: EvalLog) -> None:
        for sample in samples_of(log):
            meta = score(sample).metadata
            assert meta is not None
            meta["verdicts"] = read_records(meta)
            meta.pop(reading.COMPACT_VERDICTS)
            meta.pop("spec_analysis")

    compact = logs["code_drop"]  # the scorer writes the compact record
    full_only = edited(compact, logs["root"] / "full" / "f.eval", drop_compact, other_run=False)
    summaries: list[bool] = []
    original = reading._summaries_suffice

    def spy(found: object) -> bool:
        summaries.append(original(found))  # type: ignore[arg-type]
        return summaries[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reading, "_summaries_suffice", spy)
        [fast] = reading.load_runs([str(compact)], workers=1)
        [full] = reading.load_runs([str(full_only)], workers=1)
    assert summaries == [True]  # the log without the record is read directly, sample by sample
    assert fast.samples == full.samples and fast.specs == full.specs
    assert (fast.graders, fast.judge_modes, fast.errored) == (full.graders, full.judge_modes, [])


# --- the CI recipe ------------------------------------------------------------------------------

WORKFLOW = Path(__file__).resolve().parents[1] / "examples/release-gate/specbench-release-gate.yml"


def workflow_steps() -> dict[str, dict[str, object]]:
    import yaml

    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert workflow["name"] and True in workflow  # `on:` parses as the key True in YAML 1.1
    steps = workflow["jobs"]["gate"]["steps"]
    return {str(step.get("name", step.get("uses"))): step for step in steps}


def run_step(script: str, cwd: Path, env: dict[str, str]) -> int:
    import os
    import subprocess

    return subprocess.run(
        ["bash", "-e", "-c", script], cwd=cwd, env={**os.environ, **env}, timeout=300
    ).returncode


def test_workflow_fails_the_job_on_exit_1_and_2(tmp_path: Path) -> None:
    steps = workflow_steps()
    last = steps["Fail on regression or not comparable"]
    assert last["if"] == "always()"
    assert "steps.compare.outputs.code" in str(last["env"])
    script = str(last["run"])
    assert run_step(script, tmp_path, {"CODE": "0"}) == 0
    for code in ("1", "2", ""):  # regression, not comparable, compare never ran
        assert run_step(script, tmp_path, {"CODE": code}) == 1
    # the evals never decide alone: their steps run `inspect eval`, the gate decides
    for name in ("Baseline", "Candidate"):
        assert "inspect eval" in str(steps[name]["run"]) and "--cache" in str(steps[name]["run"])
    assert "actions/cache@v4" in steps["Restore Inspect's generation cache"]["uses"]  # type: ignore[operator]
    uploads = [s for s in steps.values() if "upload-artifact" in str(s.get("uses"))]
    assert {"logs/", "report/"} <= {
        line.strip()
        for s in uploads
        for line in str(s["with"]["path"]).splitlines()  # type: ignore[index]
    }


@pytest.mark.slow
def test_workflow_compare_step_on_real_logs(logs: dict[str, Path], tmp_path: Path) -> None:
    """The workflow's compare step, run by bash on the test logs: the markdown goes to the job
    summary and the exit code to the step output, and the step itself does not fail."""
    import os
    import shutil
    import sys

    script = str(workflow_steps()["Compare"]["run"])
    shim = tmp_path / "bin" / "specbench"
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m specbench_inspect "$@"\n')
    shim.chmod(0o755)
    repo = str(Path(__file__).resolve().parents[1])
    for candidate, expected in (("rerun", "0"), ("code_drop", "1")):
        work = tmp_path / candidate
        (work / "logs" / "baseline").mkdir(parents=True)
        (work / "logs" / "candidate").mkdir(parents=True)
        shutil.copy(logs["base"], work / "logs" / "baseline")
        shutil.copy(logs[candidate], work / "logs" / "candidate")
        summary, output = work / "summary.md", work / "output.txt"
        env = {
            "PATH": f"{shim.parent}{os.pathsep}{os.environ['PATH']}",
            "PYTHONPATH": repo,
            "MAX_DROP": "1.0",
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_OUTPUT": str(output),
        }
        assert run_step(script, work, env) == 0
        assert output.read_text() == f"code={expected}\n"
        assert summary.read_text().startswith("### ")
        assert (work / "specbench-compare.json").exists()


def test_grader_settings_that_change_answers_count() -> None:
    """Temperature or token limit of the grader role differ: not comparable; where requests
    go (base URL, batch, cache, connections) is no difference; nor is the judge's own default
    said explicitly (the logs record the role's config)."""
    from specbench_inspect.analysis.compare import comparability

    rng = np.random.default_rng(0)
    base, cand = simulated_pair(rng, 10, 0.0)
    base.grader_config = {"model": "openai/gpt-4.1"}
    cand.grader_config = {"model": "openai/gpt-4.1", "temperature": 0.7}
    [reason] = comparability(base, cand, CompareOptions())
    assert reason == "grader settings differ (temperature: baseline '(missing)', candidate 0.7)"
    from types import SimpleNamespace

    from inspect_ai.model import GenerateConfig, ModelConfig

    from specbench_inspect.analysis.logs import _grader_config

    role = ModelConfig(
        model="openai/gpt-4.1",
        config=GenerateConfig(temperature=0, max_tokens=4200, batch=True, max_connections=8),
        base_url="http://judge-host:8000/v1",
    )
    header = SimpleNamespace(eval=SimpleNamespace(model_roles={"grader": role}))
    assert _grader_config(header) == {"model": "openai/gpt-4.1"}  # type: ignore[arg-type]
