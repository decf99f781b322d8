"""Task options are checked strictly: a typo is an error naming the option, never a default."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from helpers.data import DATA_DIR
from helpers.models import answer_model, grader_model
from inspect_ai import eval as inspect_eval

from specbench_inspect.errors import SpecBenchError, install_cli_error_hook
from specbench_inspect.prompts import templates as prompts_module
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
    assert data["source"] == f"dir:{DATA_DIR} (SPECBENCH_DATA_DIR)"
    assert data["scenarios"]["travel"]["published"] is True


def test_bad_template_file_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "judge.txt"
    path.write_text("Rate {response} against {safety_specs} and {behavioral_specs}: {colour}")
    with pytest.raises(
        ValueError, match=r"judge.txt: template 'judge_joint' uses unknown placeholder \{colour\}"
    ):
        travel(data_dir=str(DATA_DIR), judge_template_file=str(path))
    path.write_text("Rate it against {safety_specs} and {behavioral_specs}")
    with pytest.raises(ValueError, match=r"must use \{response\}"):
        travel(data_dir=str(DATA_DIR), judge_template_file=str(path))


def test_a_method_option_given_to_another_method_names_its_method() -> None:
    with pytest.raises(SpecBenchError, match=r"-T rethink_count is an option of method more_think"):
        travel(data_dir=str(DATA_DIR), method="vanilla", rethink_count=3)


def test_the_log_records_every_option_with_its_default(tmp_path: Path) -> None:
    [log] = inspect_eval(
        travel(data_dir=str(DATA_DIR), max_judge_attempts=3),
        model=answer_model(),
        model_roles={"grader": grader_model()},
        sample_id="travel-0",
        display="none",
        log_dir=str(tmp_path),
    )
    assert log.status == "success"
    args = log.eval.task_args
    assert args["max_judge_attempts"] == 3 and args["method"] == "vanilla"
    assert args["judge"] == "joint" and args["adversarial"] is True
    recorded = log.eval.metadata["specbench"]["options"]  # type: ignore[index]
    assert recorded["max_judge_attempts"] == 3 and recorded["data_dir"] == str(DATA_DIR)


def test_user_mistakes_reach_the_terminal_as_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, ex, tb: seen.append(ex))
    install_cli_error_hook()
    try:
        travel(data_dir=str(DATA_DIR), method="chain_of_thought")
    except SpecBenchError as ex:
        sys.excepthook(type(ex), ex, ex.__traceback__)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("specbench: error: invalid task option")
    assert "unknown method 'chain_of_thought'" in err
    other = RuntimeError("a real crash")
    sys.excepthook(RuntimeError, other, None)
    assert seen == [other], "anything else goes to the hook that was there before"


def test_the_task_reads_its_templates_file_once_and_hands_it_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[Path] = []
    read = prompts_module._read_mapping
    monkeypatch.setattr(
        prompts_module, "_read_mapping", lambda path: reads.append(path) or read(path)
    )
    file = tmp_path / "wording.yaml"
    file.write_text("base: builtin\nsystem: Answer briefly.\n", encoding="utf-8")
    [log] = inspect_eval(
        travel(data_dir=str(DATA_DIR), prompts=str(file)),
        model=answer_model(),
        model_roles={"grader": grader_model()},
        sample_id="travel-0",
        display="none",
        log_dir=str(tmp_path),
    )
    assert log.status == "success"
    assert reads == [file], "read once, by the task; the solver and the scorer get the result"
    assert log.samples is not None and log.samples[0].messages[0].text == "Answer briefly."
    [scorer] = log.eval.scorers or []
    assert scorer.options is not None
    assert scorer.options["prompts"]["origin"] == str(file)
    assert scorer.options["prompts"]["replaced"] == ["system"]


@pytest.mark.parametrize("placeholder", ["{response.__class__}", "{response[0]}", "{response!r}"])
def test_a_template_takes_only_plain_placeholders(tmp_path: Path, placeholder: str) -> None:
    """`{response.__class__}` would pass a "must use {response}" check while the grader never
    sees the answer."""
    path = tmp_path / "judge.txt"
    path.write_text(f"Rate {placeholder} against {{safety_specs}} and {{behavioral_specs}}")
    with pytest.raises(
        SpecBenchError, match=re.escape(f"placeholder {placeholder} is not a plain")
    ):
        travel(data_dir=str(DATA_DIR), judge_template_file=str(path))
