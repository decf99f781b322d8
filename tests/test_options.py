"""Task options are checked strictly: a typo is an error naming the option, never a default."""

from __future__ import annotations

import pytest
from helpers.data import DATA_DIR

from specbench_inspect.tasks import specbench, travel


def test_unknown_option_is_refused_with_the_valid_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown task option -T metod .*task options: .*method"):
        travel(data_dir=str(DATA_DIR), metod="vanilla")


def test_method_options_belong_to_their_method() -> None:
    with pytest.raises(ValueError, match=r"-T rethink_count"):
        travel(data_dir=str(DATA_DIR), method="vanilla", rethink_count=3)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("label", "maybe", r"-T label='maybe'"),
        ("method", "chain_of_thought", r"unknown method 'chain_of_thought'"),
        ("max_judge_attempts", 0, r"-T max_judge_attempts=0"),
        ("source", "s3", r"-T source='s3'"),
        ("adversarial", "sometimes", r"-T adversarial='sometimes'"),
    ],
)
def test_bad_values_name_the_option(option: str, value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        travel(data_dir=str(DATA_DIR), **{option: value})


def test_label_filter_and_original_prompt() -> None:
    task = travel(data_dir=str(DATA_DIR), label="safe", adversarial=False)
    samples = list(task.dataset)
    assert len(samples) == 100
    assert all(s.metadata and s.metadata["label"] == "safe" for s in samples)
    assert all(s.input == s.metadata["prompt"] for s in samples if s.metadata)
    assert [s.id for s in samples][:2] == ["travel-200", "travel-201"]


def test_adversarial_prompt_is_the_default_input() -> None:
    samples = list(travel(data_dir=str(DATA_DIR), label="unsafe").dataset)
    assert len(samples) == 200
    assert all(s.metadata and s.input != s.metadata["prompt"] for s in samples)


def test_scenarios_selection() -> None:
    task = specbench(data_dir=str(DATA_DIR), scenarios="travel,code")
    ids = {str(s.id).split("-")[0] for s in task.dataset}
    assert ids == {"travel", "code"} and len(task.dataset) == 600
    assert len(specbench(data_dir=str(DATA_DIR)).dataset) == 1500
    with pytest.raises(ValueError, match=r"unknown scenario 'finance'"):
        specbench(data_dir=str(DATA_DIR), scenarios="travel,finance")


def test_data_dir_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPECBENCH_DATA_DIR", str(DATA_DIR))
    task = travel()
    assert len(task.dataset) == 300
    data = task.metadata["specbench"]["data"]  # type: ignore[index]
    assert data["source"] == f"dir:{DATA_DIR}"
    assert data["scenarios"]["travel"]["published"] is True


def test_bad_template_file_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "judge.txt"
    path.write_text("Rate {response} against {safety_specs} and {behavioral_specs}: {colour}")
    with pytest.raises(
        ValueError, match=r"judge.txt: template 'judge_joint' uses unknown placeholder \{colour\}"
    ):
        travel(data_dir=str(DATA_DIR), judge_template=str(path))
    path.write_text("Rate it against {safety_specs} and {behavioral_specs}")
    with pytest.raises(ValueError, match=r"must use \{response\}"):
        travel(data_dir=str(DATA_DIR), judge_template=str(path))
