"""`specbench/custom`: the user's own scenario folders, with every task option."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.judging import CUSTOM_PROMPTS, CUSTOM_SPECS, expected_verdicts, grader, spec_index
from helpers.judging import write_scenario as write
from helpers.models import answer_model
from helpers.scripted import expected_scores
from inspect_ai import eval

from specbench_inspect.datasets import SpecBenchDataError
from specbench_inspect.tasks import custom


def test_a_custom_scenario_end_to_end(tmp_path: Path) -> None:
    folder = write(tmp_path / "Concierge")
    task = custom(scenario_dir=str(folder), judge="sequential")
    assert [s.id for s in task.dataset] == [f"concierge-{i}" for i in range(6)]
    data = task.metadata["specbench"]["data"]  # type: ignore[index]
    assert data["source"] == f"dir:{folder}"
    assert data["scenarios"]["concierge"]["published"] is None
    [log] = eval(
        task,
        model=answer_model(),
        model_roles={"grader": grader(spec_index(CUSTOM_SPECS))},
        display="none",
        log_dir=str(tmp_path / "logs"),
        max_connections=64,
    )
    assert log.status == "success", log.error
    assert log.samples is not None and len(log.samples) == 6
    for sample in log.samples:
        meta = sample.metadata
        assert meta["safety_specs"] == CUSTOM_SPECS["safety"]  # the log is self-contained
        score = sample.scores["spec_judge"]  # type: ignore[index]
        assert score.value == pytest.approx(
            expected_scores(*expected_verdicts(meta["prompt"], 3, 4))
        )
    metrics = log.results.scores[0].metrics  # type: ignore[union-attr]
    assert "sar_unsafe" in metrics and "sar_safe" in metrics


def test_options_apply_and_published_data_options_do_not(tmp_path: Path) -> None:
    folder = write(tmp_path / "concierge")
    task = custom(scenario_dir=str(folder), label="safe", adversarial=False)
    assert [s.input for s in task.dataset] == [p["prompt"] for p in CUSTOM_PROMPTS[3:]]
    with pytest.raises(ValueError, match=r"-T data_dir: chooses the published data"):
        custom(scenario_dir=str(folder), data_dir=str(folder))
    with pytest.raises(ValueError, match=r"unknown task option -T scenarios"):
        custom(scenario_dir=str(folder), scenarios="travel")
    with pytest.raises(ValueError, match=r"-T scenario_dir: required"):
        custom()


def test_several_scenario_folders(tmp_path: Path) -> None:
    first = write(tmp_path / "concierge")
    second = write(
        tmp_path / "spa",
        specs={"safety": ["No medical claims."], "behavioral": ["Be warm.", "Answer fully."]},
        name="Spa",
    )
    task = custom(scenario_dir=f"{first},{second}")
    assert {str(s.id).split("-")[0] for s in task.dataset} == {"concierge", "spa"}
    assert len(task.dataset) == 12
    same_key = write(tmp_path / "other" / "Concierge")
    with pytest.raises(ValueError, match=r"several folders make scenario key concierge"):
        custom(scenario_dir=[str(first), str(same_key)])


def test_a_bad_folder_is_refused_naming_file_item_and_field(tmp_path: Path) -> None:
    prompts = [dict(p) for p in CUSTOM_PROMPTS]
    prompts[3]["label"] = "benign"
    folder = write(tmp_path / "concierge", prompts=prompts)
    with pytest.raises(SpecBenchDataError, match=r"prompts.json, item 3, field 'label': 'benign'"):
        custom(scenario_dir=str(folder))
    with pytest.raises(SpecBenchDataError, match=r"scenario folder not found"):
        custom(scenario_dir=str(tmp_path / "missing"))
