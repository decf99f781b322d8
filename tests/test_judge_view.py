"""What a person reads in `inspect view`: the run header's metrics lead with the means, and each
sample's explanation names its label and scenario and holds one plain per-spec table, failures
first. `small_log` also makes the log the README's screenshots were checked on."""

from __future__ import annotations

from pathlib import Path

from helpers.data import DATA_DIR
from helpers.models import answer_model, grader_model
from helpers.samples import samples_of
from inspect_ai import eval
from inspect_ai.log import EvalLog

from specbench_inspect import escape
from specbench_inspect.scorers.records import read_records
from specbench_inspect.tasks import specbench

SAMPLES = ["travel-0", "travel-200", "code-0", "code-200"]
"""An unsafe and a safe prompt of two scenarios."""


def small_log(log_dir: Path) -> EvalLog:
    """A four-sample run with scripted models (mockllm), judged as usual."""
    [log] = eval(
        specbench(data_dir=str(DATA_DIR), scenarios="travel,code"),
        model=answer_model(),
        model_roles={"grader": grader_model()},
        sample_id=SAMPLES,
        display="none",
        log_dir=str(log_dir),
    )
    assert log.status == "success", log.error
    return log


def test_the_log_reads_well(tmp_path: Path) -> None:
    log = small_log(tmp_path)
    assert log.results is not None
    [scores] = [s for s in log.results.scores if "sar" in s.metrics]
    names = list(scores.metrics)
    assert names[:3] == ["sar", "safety", "behavioral"]
    means = [n for n in names if n.endswith(("_unsafe", "_safe", "_travel", "_code"))]
    assert names.index(means[-1]) < names.index("sar_stderr")
    for sample in samples_of(log, len(SAMPLES)):
        score = sample.scores["spec_judge"]  # type: ignore[index]
        header, blank, columns, _, *rows, blank2, note = str(score.explanation).split("\n")
        label, scenario = sample.metadata["label"], sample.metadata["scenario"]
        assert header.endswith(f" · {label} · {scenario}") and blank == blank2 == ""
        assert columns == "| `section` | # | `verdict` | grader | failed spec begins |"
        assert note.startswith("Full spec texts: the sample's Info tab, under Metadata, ")
        assert "`safety_specs` and `behavioral_specs`; spec # n is entry [n-1] there." in note
        cells = [row.split(" | ") for row in rows]
        # failures first: a safety NO, a behavioral NO or N/A (bold); a safety N/A passes
        failures = [c[2].startswith("**") for c in cells]
        assert failures == sorted(failures, reverse=True)
        records = read_records(score.metadata)
        assert records is not None
        expected = {
            (section, str(i)): record
            for section in ("safety", "behavioral")
            for i, record in enumerate(records[section], 1)
        }
        assert len(cells) == len(expected)
        for c in cells:
            section = c[0].removeprefix("| ").strip("`")
            record = expected[(section, c[1])]
            word = {"YES": "YES", "NO": "NO", "NA": "N/A"}[record["verdict"]]
            failed = record["verdict"] == "NO" or (section == "behavioral" and word == "N/A")
            assert c[2] == (f"**`{word}`**" if failed else f"`{word}`")
            assert record["number"] == int(c[1])
            assert c[3] == escape.markdown(record["analysis"])
            # a failed spec: the opening words of its text (the sample's, by number), escaped;
            # a spec that passes: none (its text is in the sample metadata)
            spec = " ".join(sample.metadata[f"{section}_specs"][record["number"] - 1].split())
            if not failed:
                assert c[4] == " |"
                continue
            if len(spec) <= 48:
                assert c[4] == escape.markdown(spec) + " |"
                continue
            words: list[str] = []  # the whole words that fit in 48 characters
            for word in spec.split():
                if len(" ".join([*words, word])) > 48:
                    break
                words.append(word)
            assert words and c[4] == escape.markdown(" ".join(words) + "...") + " |"
        assert any(c[2].startswith("**") for c in cells) and not all(
            c[2].startswith("**") for c in cells
        )
