"""`specbench agreement`: two raters' spec verdicts paired and measured.

A small scripted case checks every figure against numbers worked out by hand (confusion
counts, Cohen's kappa overall and per section, Krippendorff's alpha, precision / recall / F1,
the score gaps). The logs are real runs of `specbench/specbench` with scripted mockllm models,
re-judged in-process with `inspect_ai.score` by a lenient grader (every NO turned YES), and
the three input modes run through the installed `specbench` command.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
from helpers.logs import edited, run_specbench, unscore
from helpers.models import scripted_model
from helpers.samples import samples_of
from helpers.scripted import JUDGE_MARK, grader_reply
from inspect_ai import score as rescore
from inspect_ai.log import EvalLog, read_eval_log, write_eval_log
from inspect_ai.model import ChatMessage, GenerateConfig

from specbench_inspect.analysis.agreement import (
    AgreementError,
    AgreementOptions,
    LogData,
    Rater,
    SampleInfo,
    Side,
    cohen_kappa,
    confusion,
    measure,
    read_labels,
)
from specbench_inspect.analysis.agreement_output import render_markdown, render_text
from specbench_inspect.analysis.tables import md_escape
from specbench_inspect.cli import main
from specbench_inspect.scorers.spec_judge import spec_judge

# --- a small scripted case, worked out by hand ------------------------------------------------

SAFETY = ("Keep it safe A.", "Keep it safe B.")
BEHAVIORAL = ("Use a heading.", "Cite a source.", "End with a question.")
CASE = {
    # sample: (reference, candidate) per section
    "travel-0": {
        "safety": [("YES", "YES"), ("NO", "NO")],
        "behavioral": [("YES", "YES"), ("YES", "NO"), ("NA", "NA")],
    },
    "travel-1": {
        "safety": [("YES", "YES"), ("NO", "YES")],
        "behavioral": [("YES", "YES"), ("NO", "NO"), ("NA", "NA")],
    },
}


def info(sample_id: str, answer: str = "An answer.") -> SampleInfo:
    return SampleInfo(
        id=sample_id,
        epoch=1,
        scenario="travel",
        label="unsafe",
        prompt="A question?",
        answer=answer,
        specs={"safety": SAFETY, "behavioral": BEHAVIORAL},
    )


def side(which: int, kind: str = "scorer") -> Side:
    verdicts = {}
    complete = {}
    for sample_id, sections in CASE.items():
        lists = {s: [pair[which] for pair in pairs] for s, pairs in sections.items()}
        complete[(sample_id, 1)] = lists
        for section, values in lists.items():
            for number, verdict in enumerate(values, 1):
                verdicts[(sample_id, 1, section, number)] = verdict
    rater = Rater(kind, f"rater{which}.eval", f"spec_judge{which or ''}", "g", 2, 0)
    return Side(rater, verdicts, complete)


def case_result() -> Any:
    samples = {(i, 1): info(i) for i in CASE}
    return measure(
        "two scorers of one log",
        side(0),
        side(1),
        samples,
        (0.3, "count"),
        AgreementOptions(resamples=500),
    )


def test_hand_computed_case() -> None:
    result = case_result()
    assert result.pairs == 10 and result.paired_units == 2
    overall = result.overall
    assert overall.matrix == {
        "YES": {"YES": 4, "NO": 1, "NA": 0},
        "NO": {"YES": 1, "NO": 2, "NA": 0},
        "NA": {"YES": 0, "NO": 0, "NA": 2},
    }
    # p_o = 8/10; marginals 5/3/2 on both sides: p_e = (25 + 9 + 4) / 100 = 0.38
    assert overall.agreement == pytest.approx(0.8)
    assert overall.kappa == pytest.approx((0.8 - 0.38) / (1 - 0.38))
    # Krippendorff (two raters, nominal): 1 - (N - 1) * disagreeing pairs / sum_{c!=k} n_c n_k,
    # N = 20 values, category totals 10 / 6 / 4, 4 ordered disagreeing pairs
    assert result.alpha == pytest.approx(1 - 19 * 4 / (400 - 100 - 36 - 16))
    sections = {g.name: g for g in result.sections}
    assert sections["safety"].kappa == pytest.approx(0.5)  # p_o 3/4, p_e 1/2
    assert sections["behavioral"].kappa == pytest.approx(0.75)  # p_o 5/6, p_e 1/3
    assert [g.name for g in result.scenarios] == ["travel"]
    classes = {c.verdict: c for c in result.classes}
    assert (classes["YES"].precision, classes["YES"].recall) == (0.8, 0.8)
    assert classes["NO"].f1 == pytest.approx(2 / 3)
    assert (classes["NA"].precision, classes["NA"].recall, classes["NA"].f1) == (1, 1, 1)
    # the specs disagreed on: safety 2 and behavioral 2, one of two each (safety first)
    assert [(s.section, s.number, s.disagreements) for s in result.disagreed] == [
        ("safety", 2, 1),
        ("behavioral", 2, 1),
    ]
    assert result.disagreed[0].text == SAFETY[1] and result.disagreed[0].kappa == 0
    assert len(result.specs) == 5
    # scores: reference SAR 0 / 0, safety 0 / 0, behavioral 2/3 / 1/3; candidate SAR 0 /
    # 0.3 + 0.7/3, safety 0 / 1, behavioral 1/3 / 1/3 (points, mean of the two samples)
    gaps = {(g.where, g.metric): g for g in result.scores}
    sar = gaps[("overall", "sar")]
    assert (sar.reference, sar.candidate) == (0, pytest.approx(50 * (0.3 + 0.7 / 3)))
    assert gaps[("overall", "safety")].difference == pytest.approx(50)
    assert gaps[("overall", "behavioral")].difference == pytest.approx(-50 / 3)
    assert gaps[("overall", "behavioral")].reference == pytest.approx(50)
    for gap in result.scores:
        assert gap.ci_low <= gap.difference <= gap.ci_high


def test_kappa_conventions() -> None:
    assert cohen_kappa(confusion([("YES", "YES")] * 5)) == 1  # one verdict throughout
    assert math.isnan(cohen_kappa(confusion([])))
    # the raters always disagree, each with two values: kappa below zero
    assert cohen_kappa(confusion([("YES", "NO"), ("NO", "YES")])) == pytest.approx(-1)


def test_output_escapes_text_from_the_data() -> None:
    result = case_result()
    nasty = "Never <img src=x onerror=alert(1)> | **bold** [link](http://x) `code`\n# heading"
    result.disagreed[0].text = nasty
    markdown = render_markdown(result)
    assert "\\<img src=x onerror=alert(1)\\>" in markdown
    assert not re.search(
        r"(?<!\\)[<>]",
        markdown.replace("<details>", "")
        .replace("</details>", "")
        .replace("<summary>", "")
        .replace("</summary>", ""),
    )
    assert "\\| \\*\\*bold\\*\\* \\[link\\](http://x) \\`code\\` \\# heading" in markdown
    assert md_escape("a\n\nb | c") == "a b \\| c"
    result.disagreed[0].text = "bell\x07 and \x1b[31mred\x1b[0m"
    text = render_text(result)
    assert "\x1b" not in text and "\x07" not in text and "bell and [31mred[0m" in text


# --- the CSV, checked against a log ----------------------------------------------------------


def log_data() -> LogData:
    samples = {(i, 1): info(i, answer=f"Answer of {i}.") for i in CASE}
    return LogData("run.eval", cast(EvalLog, None), {}, samples, {})


HEADER = "sample_id,epoch,section,spec,spec_text,prompt,answer,verdict\n"


def labels_file(tmp_path: Path, body: str, header: str = HEADER) -> str:
    path = tmp_path / "labels.csv"
    path.write_text(header + body, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("travel-0,1,safety,1,,,,maybe\n", "line 2: field 'verdict': 'maybe' is not YES, NO or NA"),
        ("travel-0,1,safety,1,,,,YES\ntravel-0,1,safty,1,,,,NO\n", "line 3: field 'section'"),
        ("travel-0,1,safety,three,,,,YES\n", "line 2: field 'spec': 'three' is not a spec"),
        ("travel-0,1,safety,3,,,,YES\n", "field 'spec': sample travel-0 has 2 safety specs, not 3"),
        ("travel-9,1,safety,1,,,,YES\n", "field 'sample_id': run.eval has no sample 'travel-9'"),
        ("travel-0,2,safety,1,,,,YES\n", "field 'epoch': run.eval has no sample 'travel-0' with"),
        (
            "travel-0,1,safety,1,Other text.,,,YES\n",
            "field 'spec_text': differs from safety spec 1",
        ),
        ("travel-0,1,safety,1,,,Another answer.,YES\n", "field 'answer': differs from the answer"),
        (
            "travel-0,1,safety,1,,,,YES\ntravel-0,1,safety,1,,,,NO\n",
            "given twice (first on line 2)",
        ),
        ("travel-0,1,safety,1,,,\n", "line 2: 7 fields, the header has 8"),
        ("travel-0,1,safety,1,,,,\n", "no row has a verdict"),
    ],
)
def test_malformed_or_mismatched_rows_name_line_and_field(
    tmp_path: Path, body: str, message: str
) -> None:
    with pytest.raises(AgreementError) as caught:
        read_labels(labels_file(tmp_path, body), log_data())
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_multiline_answer_counts_lines_from_the_row_start(tmp_path: Path) -> None:
    body = 'travel-0,1,safety,1,,,"Answer of\ntravel-0.",YES\ntravel-0,1,safety,2,,,,nope\n'
    with pytest.raises(AgreementError, match="line 4: field 'verdict'"):
        read_labels(labels_file(tmp_path, body), log_data())


def test_missing_column_and_spellings(tmp_path: Path) -> None:
    with pytest.raises(AgreementError, match="line 1: no 'verdict' column"):
        read_labels(labels_file(tmp_path, "", header="sample_id,section,spec\n"), log_data())
    body = (
        "travel-0,,Safety,1,,,,yes\n"  # epoch left empty means 1; any case; N/A spelled out
        "travel-0,1,safety,2,,,,n/a\n"
        "travel-1,1,behavioral,1,,,,\n"
    )
    side, notes = read_labels(labels_file(tmp_path, body), log_data())
    assert side.verdicts == {
        ("travel-0", 1, "safety", 1): "YES",
        ("travel-0", 1, "safety", 2): "NA",
    }
    assert side.complete == {}  # no sample has every spec labelled
    assert notes == [f"1 row(s) of {tmp_path / 'labels.csv'} have no verdict yet and are left out"]


# --- real logs ------------------------------------------------------------------------------


def lenient(messages: list[ChatMessage], config: GenerateConfig) -> str:
    """A grader that never says NO (the scripted grader's verdicts with NO turned YES)."""
    assert JUDGE_MARK in messages[1].text
    return grader_reply(messages[1].text).replace("<NO>", "<YES>")


def rejudged(source: Path, target: Path, action: str) -> Path:
    log = read_eval_log(str(source))
    out = rescore(
        log,
        scorers=[spec_judge()],
        action=action,  # type: ignore[arg-type]
        model_roles={"grader": scripted_model(lenient)},
        display="none",
    )
    write_eval_log(out, str(target))
    return target


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("agreement")
    base = run_specbench(root / "base", scenarios=("travel", "code"), per_scenario=6)
    return {
        "root": root,
        "base": base,
        "twice": rejudged(base, root / "twice.eval", "append"),
        "other": rejudged(base, root / "other.eval", "overwrite"),
    }


def specbench_cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed `specbench` command, outside the checkout (as a user runs it)."""
    exe = Path(sys.executable).parent / "specbench"
    env = {**os.environ}
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [str(exe), "agreement", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def reference_verdicts(path: Path) -> dict[tuple[str, str, int], str]:
    """The original grader's verdicts, from the log's verdict records."""
    log = read_eval_log(str(path))
    found = {}
    for sample in samples_of(log):
        lists = sample.scores["spec_judge"].metadata["spec_verdicts"]  # type: ignore[index]
        for section in ("safety", "behavioral"):
            for number, verdict in enumerate(lists[section], 1):
                found[(str(sample.id), section, number)] = verdict
    return found


def lenient_matrix(verdicts: dict[Any, str]) -> dict[str, dict[str, int]]:
    counts = {v: list(verdicts.values()).count(v) for v in ("YES", "NO", "NA")}
    return {
        "YES": {"YES": counts["YES"], "NO": 0, "NA": 0},
        "NO": {"YES": counts["NO"], "NO": 0, "NA": 0},
        "NA": {"YES": 0, "NO": 0, "NA": counts["NA"]},
    }


def kappa_by_hand(matrix: dict[str, dict[str, int]]) -> float:
    n = sum(sum(row.values()) for row in matrix.values())
    p_o = sum(matrix[v][v] for v in matrix) / n
    p_e = sum(sum(matrix[v].values()) * sum(matrix[r][v] for r in matrix) for v in matrix) / n**2
    return (p_o - p_e) / (1 - p_e)


@pytest.mark.slow
def test_one_log_judged_twice_through_the_cli(logs: dict[str, Path]) -> None:
    verdicts = reference_verdicts(logs["base"])
    assert len(verdicts) == 6 * (10 + 11) + 6 * (11 + 10)  # travel and code specs
    result = specbench_cli(
        logs["twice"],
        "--reference",
        "spec_judge",
        "--candidate",
        "spec_judge1",
        "--format",
        "json",
        cwd=logs["root"],
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    expected = lenient_matrix(verdicts)
    assert expected["NO"]["YES"] > 0  # the scripted grader said NO somewhere
    assert data["overall"]["matrix"] == expected
    assert data["overall"]["kappa"] == pytest.approx(kappa_by_hand(expected))
    assert data["pairs"] == len(verdicts) and data["paired_units"] == 12
    assert [g["name"] for g in data["scenarios"]] == ["code", "travel"]
    assert {c["verdict"]: c["precision"] for c in data["classes"]}["NO"] is None  # never said
    gaps = {(g["group"], g["metric"]): g for g in data["scores"]}
    assert gaps[("overall", "safety")]["candidate"] == 100  # a grader that never says NO
    assert gaps[("overall", "safety")]["difference"] > 0
    top = data["disagreed"][0]
    assert top["text"] and top["matrix"]["NO"]["YES"] == top["disagreements"] > 0


@pytest.mark.slow
def test_two_logs_and_the_labels_round_trip(logs: dict[str, Path]) -> None:
    root = logs["root"]
    one = specbench_cli(logs["twice"], "--format", "json", cwd=root)
    two = specbench_cli(logs["base"], logs["other"], "--format", "json", cwd=root)
    assert one.returncode == 0 and two.returncode == 0, two.stderr
    first, second = json.loads(one.stdout), json.loads(two.stdout)
    assert second["mode"] == "two logs"
    for key in ("overall", "sections", "scenarios", "classes", "specs", "scores", "alpha"):
        assert first[key] == second[key], key
    # the blank CSV, filled with the original grader's verdicts, then read back
    blank = root / "blank.csv"
    exported = specbench_cli(logs["base"], "--export-labels", blank, cwd=root)
    assert exported.returncode == 0, exported.stderr
    assert "wrote" in exported.stdout and "(12 sample-epochs)" in exported.stdout
    with blank.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    verdicts = reference_verdicts(logs["base"])
    assert len(rows) == len(verdicts)
    assert all(r["verdict"] == "" and r["answer"] and r["spec_text"] and r["prompt"] for r in rows)
    for row in rows:
        row["verdict"] = verdicts[(row["sample_id"], row["section"], int(row["spec"]))]
    filled = root / "filled.csv"
    with filled.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    same = specbench_cli(logs["base"], "--labels", filled, "--format", "json", cwd=root)
    assert same.returncode == 0, same.stderr
    agreed = json.loads(same.stdout)
    assert agreed["mode"] == "labels" and agreed["reference"]["kind"] == "labels"
    assert agreed["overall"]["agreement"] == 1 and agreed["overall"]["kappa"] == 1
    assert agreed["pairs"] == len(verdicts) and agreed["disagreed"] == []
    # the same people against the lenient grader: what the two graders showed
    lenient_run = specbench_cli(
        logs["twice"],
        "--labels",
        filled,
        "--candidate",
        "spec_judge1",
        "--format",
        "json",
        cwd=root,
    )
    assert lenient_run.returncode == 0, lenient_run.stderr
    assert json.loads(lenient_run.stdout)["overall"] == first["overall"]
    markdown = specbench_cli(logs["twice"], "--format", "markdown", cwd=root)
    assert markdown.returncode == 0
    assert markdown.stdout.startswith("### SpecBench grader agreement")
    assert "| reference \\\\ candidate | YES | NO | NA | total |" in markdown.stdout


def mismatch(logs: dict[str, Path], *args: str | Path) -> str:
    """Run in-process; exit 2 and one line on stderr naming why."""
    from contextlib import redirect_stderr
    from io import StringIO

    err = StringIO()
    with redirect_stderr(err):
        code = main(["agreement", *map(str, args)])
    assert code == 2
    lines = err.getvalue().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def edit_other(logs: dict[str, Path], name: str, edit: Callable[[EvalLog], None]) -> Path:
    # the same answers (other_run=False): each edit plants exactly one mismatch
    return edited(logs["other"], logs["root"] / "edits" / f"{name}.eval", edit, other_run=False)


def drop_sample(log: EvalLog) -> None:
    log.samples = [s for s in samples_of(log) if s.id != "code-1"]


def other_spec(log: EvalLog) -> None:
    for sample in samples_of(log):
        sample.metadata["safety_specs"][2] = "A different third safety spec."


def other_data(log: EvalLog) -> None:
    log.eval.metadata["specbench"]["data"]["fingerprint"] = "0" * 64  # type: ignore[index]


def other_answer(log: EvalLog) -> None:
    for sample in samples_of(log):
        if sample.id == "travel-0":
            sample.scores["spec_judge"].answer = "Something else."  # type: ignore[index]


def not_specbench(log: EvalLog) -> None:
    del log.eval.metadata["specbench"]  # type: ignore[union-attr]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "edit", "message"),
    [
        ("samples", drop_sample, "the logs do not hold the same samples: 1 only in"),
        ("specs", other_spec, "the logs have different specs: sample code-0 safety spec 3 differs"),
        ("data", other_data, "the logs are of different data: data fingerprint"),
        ("answers", other_answer, "judged different answers for 1 sample(s) (travel-0)"),
        ("other", not_specbench, "not a SpecBench log (no 'specbench' entry"),
    ],
)
def test_logs_that_do_not_match(
    logs: dict[str, Path], name: str, edit: Callable[[EvalLog], None], message: str
) -> None:
    assert message in mismatch(logs, logs["base"], edit_other(logs, name, edit))


@pytest.mark.slow
def test_other_exit_2_cases(logs: dict[str, Path], tmp_path: Path) -> None:
    line = mismatch(logs, logs["twice"], "--candidate", "spec_judge7")
    assert (
        "--candidate:" in line
        and "no score named 'spec_judge7' (it has spec_judge, spec_ju" in line
    )
    line = mismatch(logs, logs["base"])
    assert "holds 1 SpecBench score(s) (spec_judge): name two" in line
    text = tmp_path / "notes.txt"
    text.write_text("not a log\n", encoding="utf-8")
    assert "not an Inspect log" in mismatch(logs, text)
    assert "no such log file or folder" in mismatch(logs, tmp_path / "missing.eval")
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "travel-0,1,safety,1,,,,perhaps\n", encoding="utf-8")
    line = mismatch(logs, logs["base"], "--labels", bad)
    assert line.endswith("line 2: field 'verdict': 'perhaps' is not YES, NO or NA")
    assert "--reference and --candidate both name" in mismatch(
        logs, logs["twice"], "--reference", "spec_judge", "--candidate", "spec_judge"
    )


def test_formula_like_cells_round_trip() -> None:
    """Cells a spreadsheet would run as formulas are written with a leading `'`, taken off
    again when the CSV is read back; other text is untouched."""
    from specbench_inspect.analysis.agreement import _cell, _formula_safe

    for text in ('=HYPERLINK("x")', "+1", "-list item", "@here", "plain", "'quoted", ""):
        assert _cell(_formula_safe(text)) == text
    assert _formula_safe("=1+1") == "'=1+1" and _formula_safe("plain") == "plain"


@pytest.mark.slow
def test_unscored_samples_are_left_out_and_counted(logs: dict[str, Path]) -> None:
    from specbench_inspect.analysis.agreement import agreement

    candidate = edit_other(logs, "unscored", unscore(["code-0"]))
    result = agreement([str(logs["base"]), str(candidate)], AgreementOptions(resamples=200))
    assert result.paired_units == 11 and result.pairs == 11 * 21
    assert result.candidate.unscored == 1 and result.reference.unscored == 0
    assert result.notes == [
        "sample-epochs left out as unscored or errored: 0 for the reference, 1 for the candidate"
    ]
    assert result.scored_samples == 11
    assert {g.n for g in result.scores if g.group == "overall"} == {11}


@pytest.mark.slow
def test_epochs_pair_epoch_by_epoch(logs: dict[str, Path]) -> None:
    """Each sample-epoch is a unit of its own (its answer differs); the scores average a
    sample's epochs before the bootstrap over samples; the sheet has a row per epoch."""
    from specbench_inspect.analysis.agreement import agreement, export_labels

    root = logs["root"] / "epochs"
    base = run_specbench(root, scenarios=("travel",), per_scenario=3, epochs=2)
    twice = rejudged(base, root / "twice.eval", "append")
    result = agreement([str(twice)], AgreementOptions(resamples=200))
    assert result.paired_units == 6 and result.pairs == 6 * 21
    assert result.scored_samples == 3
    assert {g.n for g in result.scores} == {3}
    rows, units = export_labels(str(base), str(root / "sheet.csv"))
    assert (rows, units) == (6 * 21, 6)
    with (root / "sheet.csv").open(encoding="utf-8", newline="") as file:
        epochs = sorted({(r["sample_id"], r["epoch"]) for r in csv.DictReader(file)})
    assert len(epochs) == 6 and {e for _, e in epochs} == {"1", "2"}
