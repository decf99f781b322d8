"""The grader panel is resolved and checked when the task is created, before any generation:
roles bound or the default usable (its provider's credentials present), entries valid, the
quorum possible. Inspect binds `--model-role` before it creates tasks, so a task sees them."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.data import DATA_DIR
from helpers.models import grader_model, scripted_model
from inspect_ai import Task, eval, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import Model, get_model

from specbench_inspect.errors import SpecBenchError
from specbench_inspect.scorers import check_grader_panel
from specbench_inspect.tasks import travel


def mock(name: str = "mockllm/model") -> Model:
    return get_model(name)


def test_the_default_grader_needs_its_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("AZUREAI_OPENAI_API_KEY", raising=False)
    with pytest.raises(SpecBenchError) as error:
        check_grader_panel(None, roles={})
    message = str(error.value)
    assert message.startswith(
        "graders: the default grader (no --model-role grader=...) openai/gpt-4.1 cannot be used"
    )
    assert "OPENAI_API_KEY" in message and "[bold]" not in message and "\n" not in message


def test_the_default_grader_with_its_key_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-used")
    assert check_grader_panel(None, roles={}) == ["openai/gpt-4.1"]


def test_a_bound_grader_role_is_the_panel() -> None:
    assert check_grader_panel(None, roles={"grader": mock()}) == ["mockllm/model"]
    three = [mock(), mock(), mock()]
    assert check_grader_panel(None, 2, roles={"grader": three}) == ["mockllm/model"] * 3
    with pytest.raises(SpecBenchError, match=r"min_graders: 4 is more than the 3 graders"):
        check_grader_panel(None, 4, roles={"grader": three})
    with pytest.raises(SpecBenchError, match=r"min_graders: the panel has one grader"):
        check_grader_panel(None, 1, roles={"grader": mock()})


def test_panel_entries_are_roles_or_model_names(monkeypatch: pytest.MonkeyPatch) -> None:
    roles = {"strict": mock(), "lenient": mock()}
    assert check_grader_panel("strict,lenient,mockllm/model", roles=roles) == ["mockllm/model"] * 3
    with pytest.raises(
        SpecBenchError,
        match=r"graders: 'nosuchrole' is neither a model role bound with --model-role "
        r"\(bound roles: lenient, strict\)",
    ):
        check_grader_panel("strict,nosuchrole", roles=roles)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(SpecBenchError, match=r"grader anthropic/claude-x cannot be used: .*KEY"):
        check_grader_panel("strict,anthropic/claude-x", roles=roles)
    with pytest.raises(SpecBenchError, match=r"names no grader"):
        check_grader_panel(",", roles=roles)


calls: list[str] = []


@task
def checked_task(graders: str | None = None) -> Task:
    """A task that checks its panel at creation, as the SpecBench tasks do."""
    panel = check_grader_panel(graders)
    return Task(dataset=MemoryDataset([Sample(input="hi")]), metadata={"panel": panel})


def counting_model() -> Model:
    def reply(messages: object, config: object) -> str:
        calls.append("generate")
        return "hello"

    return scripted_model(reply)  # type: ignore[arg-type]


def test_a_task_sees_the_model_roles_and_fails_before_any_generation(tmp_path: Path) -> None:
    calls.clear()
    [log] = eval(
        checked_task,
        task_args={"graders": "strict"},
        model=counting_model(),
        model_roles={"strict": mock()},
        display="none",
        log_dir=str(tmp_path),
    )
    assert log.eval.metadata == {"panel": ["mockllm/model"]} and calls == ["generate"]
    calls.clear()
    with pytest.raises(SpecBenchError, match=r"'nosuchrole' is neither a model role"):
        eval(
            checked_task,
            task_args={"graders": "nosuchrole"},
            model=counting_model(),
            model_roles={"strict": mock()},
            display="none",
            log_dir=str(tmp_path),
        )
    assert calls == []  # nothing was generated


def test_a_task_built_before_its_roles_checks_the_panel_before_generating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`travel(...)` built before `eval(..., model_roles=...)` is told its roles only in the
    eval: its setup step checks the panel before any sample generates."""
    # (a panel entry, not the default grader: an earlier test made openai/gpt-4.1 with a key,
    # and Inspect reuses a model it has made)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    calls.clear()
    [log] = eval(
        travel(data_dir=str(DATA_DIR), prompts="builtin", graders="anthropic/claude-x"),
        model=counting_model(),
        limit=3,
        display="none",
        log_dir=str(tmp_path),
    )
    assert log.status == "error" and log.error is not None
    assert "grader anthropic/claude-x cannot be used" in log.error.message
    assert "ANTHROPIC_API_KEY" in log.error.message
    assert calls == []  # nothing was generated
    calls.clear()
    [log] = eval(
        travel(data_dir=str(DATA_DIR), prompts="builtin"),
        model=counting_model(),
        model_roles={"grader": grader_model()},
        limit=2,
        display="none",
        log_dir=str(tmp_path),
    )
    assert log.status == "success" and calls == ["generate", "generate"]


def test_the_task_checks_the_panel_at_creation_when_roles_are_bound(tmp_path: Path) -> None:
    calls.clear()
    with pytest.raises(SpecBenchError, match=r"'nosuchrole' is neither a model role"):
        eval(
            travel,
            task_args={"data_dir": str(DATA_DIR), "graders": "nosuchrole"},
            model=counting_model(),
            model_roles={"grader": grader_model()},
            display="none",
            log_dir=str(tmp_path),
        )
    assert calls == []
