"""What a judged sample writes, once: the spec texts in the sample metadata only (what
re-judging reads, what the viewer's Info tab shows); the score's verdicts and the grader's
sentences as lists by spec number; an explanation that names a spec by number (and the opening
words of a failed one); `Score.answer` only where it is not the output. A log re-judges
without the data files, and `compare` / `report` read logs written before (a verdict record
per spec, older still with its spec's text and `Score.answer` always set) as they read new
ones."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from helpers.data import DATA_DIR
from helpers.logs import edited, score
from helpers.models import answer_model, grader_model
from inspect_ai import eval
from inspect_ai import score as rescore
from inspect_ai.log import EvalLog, read_eval_log

from specbench_inspect.analysis.logs import RunData, read_runs, spec_text, spec_texts
from specbench_inspect.scorers import spec_judge
from specbench_inspect.scorers.records import (
    SPEC_HINT,
    SPEC_NOTE,
    cell,
    failed,
    hint,
    read_records,
)
from specbench_inspect.tasks import specbench

SAMPLES = ["travel-0", "travel-1", "travel-200", "code-0", "code-200"]
SECTIONS = ("safety", "behavioral")


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, EvalLog]:
    """A run on a copy of two scenarios' data; the copy is deleted once the run is made."""
    root = tmp_path_factory.mktemp("log-format")
    data = root / "data"
    for folder in ("Travel", "Code"):
        shutil.copytree(DATA_DIR / folder, data / folder)
    [log] = eval(
        specbench(data_dir=str(data), scenarios="travel,code", prompts="builtin"),
        model=answer_model(),
        model_roles={"grader": grader_model()},
        sample_id=SAMPLES,
        display="none",
        log_dir=str(root / "logs"),
    )
    assert log.status == "success", log.error
    shutil.rmtree(data)
    assert log.location
    return Path(log.location), read_eval_log(log.location)


def test_each_text_is_written_once_per_place(made: tuple[Path, EvalLog]) -> None:
    _, log = made
    assert log.samples is not None and len(log.samples) == len(SAMPLES)
    for sample in log.samples:
        s = score(sample)
        assert s.metadata is not None and s.explanation is not None
        for section in SECTIONS:
            texts = sample.metadata[f"{section}_specs"]
            verdicts = s.metadata["spec_verdicts"][section]
            sentences = s.metadata["spec_analysis"][section]
            # one verdict and one sentence per spec, in the sample metadata's order
            assert len(verdicts) == len(sentences) == len(texts) > 0
            assert set(verdicts) <= {"YES", "NO", "NA"}
            assert all(isinstance(t, str) and t for t in sentences)
            # a spec's full text is in the sample metadata only: not in the score
            written = json.dumps([s.metadata, s.explanation, s.answer])
            long_texts = [t for t in texts if len(t) > SPEC_HINT]
            assert long_texts and not any(json.dumps(t)[1:-1] in written for t in long_texts)
            # the table: one row per spec; a failed spec's row begins its text
            rows = [r for r in s.explanation.split("\n") if r.startswith(f"| `{section}` |")]
            assert len(rows) == len(texts)
            for row in rows:
                number = int(row.split(" | ")[1])
                verdict = verdicts[number - 1]
                opening = cell(hint(texts[number - 1]))
                assert row.endswith(f" | {opening} |" if failed(section, verdict) else " |  |")
        assert "verdicts" not in s.metadata
        assert s.explanation.endswith(SPEC_NOTE)
        # the answer the judge saw differs from the output (the thought is left out): kept
        assert s.answer is not None and s.answer != sample.output.completion
        assert s.answer.startswith("Here is my answer")


def test_the_answer_is_left_out_when_it_is_the_output(tmp_path: Path) -> None:
    from helpers.models import scripted_model

    [log] = eval(
        specbench(data_dir=str(DATA_DIR), scenarios="travel", prompts="builtin"),
        model=scripted_model(lambda messages, config: "A plain answer, no thought."),
        model_roles={"grader": grader_model()},
        sample_id=["travel-0", "travel-1"],
        display="none",
        log_dir=str(tmp_path),
    )
    assert log.status == "success" and log.samples is not None and len(log.samples) == 2
    for sample in log.samples:
        assert sample.output.completion == "A plain answer, no thought."
        assert score(sample).answer is None


def test_a_log_rejudges_without_the_data_files(made: tuple[Path, EvalLog]) -> None:
    path, _ = made
    assert not (path.parent.parent / "data").exists()
    judged = rescore(
        read_eval_log(str(path)),
        [spec_judge(prompts="builtin")],
        model_roles={"grader": grader_model()},
        action="append",
        display="none",
    )
    assert judged.samples is not None and len(judged.samples) == len(SAMPLES)
    for sample in judged.samples:
        assert sample.scores is not None
        [(first, original), (second, again)] = sample.scores.items()
        assert (first, second) == ("spec_judge", "spec_judge1")
        # the same verdicts on the same specs: the same scores, records and table
        assert again.value == original.value
        assert again.explanation == original.explanation
        assert again.metadata is not None and original.metadata is not None
        for key in ("spec_verdicts", "spec_analysis"):
            assert again.metadata[key] == original.metadata[key] and original.metadata[key]


def old_format(
    with_compact: bool, with_metadata_specs: bool = True, with_texts: bool = True
) -> Any:
    """An edit turning a log into one written before: a verdict record per spec (`verdicts`,
    no `spec_analysis`), with its spec's text in place of its number (`with_texts`: older
    still, when `Score.answer` was always set); optionally without the compact record (older
    still) or, as a stress, without the specs in the sample metadata."""

    def edit(log: EvalLog) -> None:
        for sample in log.samples or []:
            s = score(sample)
            assert s.metadata is not None
            records = read_records(s.metadata)
            assert records is not None
            s.metadata["verdicts"] = records
            s.metadata.pop("spec_analysis")
            if not with_texts:
                continue
            for section in SECTIONS:
                texts = sample.metadata[f"{section}_specs"]
                for record in records[section]:
                    record["spec"] = texts[record.pop("number") - 1]
            s.answer = s.answer if s.answer is not None else sample.output.completion
            if not with_compact:
                s.metadata.pop("spec_verdicts")
            if not with_metadata_specs:
                for section in SECTIONS:
                    sample.metadata.pop(f"{section}_specs")

    return edit


def digest(run: RunData) -> dict[str, Any]:
    return {
        "samples": {
            k: (s.scenario, s.label, s.values, s.verdicts, s.cost) for k, s in run.samples.items()
        },
        "specs": run.specs,
        "graders": run.graders,
        "judge_modes": run.judge_modes,
        "problems": run.problems,
    }


@pytest.mark.parametrize(
    ("with_compact", "with_metadata_specs", "with_texts"),
    [(True, True, False), (True, True, True), (False, True, True), (False, False, True)],
)
def test_older_logs_read_as_new_ones(
    made: tuple[Path, EvalLog],
    tmp_path: Path,
    with_compact: bool,
    with_metadata_specs: bool,
    with_texts: bool,
) -> None:
    path, log = made
    [new] = read_runs(str(path))
    edit = old_format(with_compact, with_metadata_specs, with_texts)
    old_path = edited(path, tmp_path / "old.eval", edit)
    old_log = read_eval_log(str(old_path))
    assert old_log.samples is not None
    old_meta = score(old_log.samples[0]).metadata
    assert old_meta is not None and "spec_analysis" not in old_meta  # the old format indeed
    record = old_meta["verdicts"]["safety"][0]
    assert ("spec" in record) is with_texts and ("number" in record) is not with_texts
    [old] = read_runs(str(old_path))
    assert len(new.samples) == len(SAMPLES) and sorted(new.specs) == ["code", "travel"]
    assert digest(old) == digest(new)
    assert log.samples is not None
    for sample in log.samples:
        scenario = sample.metadata["scenario"]
        for section in SECTIONS:
            texts = sample.metadata[f"{section}_specs"]
            assert spec_texts(old, scenario)[section] == texts
            assert [spec_text(old, scenario, section, i + 1) for i in range(len(texts))] == texts
            assert spec_text(new, scenario, section, len(texts) + 1) is None
    assert spec_texts(new, "health") == {"safety": [], "behavioral": []}


def test_records_read_back_from_a_malformed_panel_record() -> None:
    """`read_records` on score metadata edited by hand: a grader's record missing a section or
    short of verdicts gives that grader no vote (None), not an error."""
    metadata = {
        "grader": ["a", "b"],
        "spec_verdicts": {"safety": ["YES", "NO"], "behavioral": ["NA"]},
        "spec_analysis": {"safety": ["ok", "bad"], "behavioral": ["n/a"]},
        "graders": {
            "a": {"verdicts": {"safety": ["YES", "NO"], "behavioral": ["NA"]}},
            "b": {"verdicts": {"safety": ["YES"]}},
        },
    }
    records = read_records(metadata)
    assert records is not None
    assert [r["votes"] for r in records["safety"]] == [
        {"a": "YES", "b": "YES"},
        {"a": "NO", "b": None},
    ]
    assert records["behavioral"] == [
        {"number": 1, "verdict": "NA", "analysis": "n/a", "votes": {"a": "NA", "b": None}}
    ]
    assert read_records({"judge": "joint"}) is None  # unscored: no verdicts at all
