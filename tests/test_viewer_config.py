"""The SpecBench view in `inspect view`: the task's `ViewerConfig` is written into the log,
read back by the installed Inspect, and names score columns that the log's scores have."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.logs import run_specbench
from inspect_ai.log import read_eval_log
from inspect_ai.viewer import ScoreColorScale, ViewerConfig

from specbench_inspect.tasks.viewer import SCORE_LABELS, SCORER, specbench_viewer


def test_the_config_is_valid_for_the_installed_inspect() -> None:
    config = specbench_viewer()
    again = ViewerConfig.model_validate_json(config.model_dump_json())
    assert again == config
    view = config.task_samples_view
    assert view is not None and not isinstance(view, list)
    assert view.columns is not None and view.sort is not None
    ids = [c.id for c in view.columns]
    assert ids[:5] == [
        "sampleId",
        "epoch",
        f"score__{SCORER}__sar",
        f"score__{SCORER}__safety",
        f"score__{SCORER}__behavioral",
    ]
    # worst first: SAR, then safety, ascending; every sort key is a column of the view
    assert [(s.column, s.dir) for s in view.sort[:2]] == [
        (f"score__{SCORER}__sar", "asc"),
        (f"score__{SCORER}__safety", "asc"),
    ]
    assert all(s.column in ids for s in view.sort)
    scales = view.score_color_scales
    assert scales is not None
    sar = scales["sar"]
    assert isinstance(sar, ScoreColorScale)
    assert (sar.palette, sar.min, sar.max) == ("good-high", 0.0, 1.0)
    assert scales["safety"] == {"1": "good", "0": "bad"}
    assert view.score_labels == SCORE_LABELS


@pytest.mark.slow
def test_the_config_is_in_the_log_and_its_columns_exist(tmp_path: Path) -> None:
    path = run_specbench(tmp_path, scenarios=("travel",), per_scenario=3)
    log = read_eval_log(str(path))
    assert isinstance(log.eval.viewer, ViewerConfig)
    assert log.eval.viewer == specbench_viewer()
    view = log.eval.viewer.task_samples_view
    assert view is not None and not isinstance(view, list) and view.columns is not None
    score_columns = [c.id for c in view.columns if c.id.startswith("score__")]
    assert len(score_columns) == 3
    samples = log.samples or []
    assert len(samples) == 3
    for sample in samples:
        assert sample.scores is not None
        for column in score_columns:
            _, scorer, key = column.split("__")
            value = sample.scores[scorer].value
            assert isinstance(value, dict) and isinstance(value[key], int | float)
        # the per-spec verdict table the Scoring tab shows
        explanation = sample.scores[SCORER].explanation or ""
        table = [line for line in explanation.splitlines() if line.startswith("|")]
        assert len(table) >= 2 and "failed spec begins" in table[0]
