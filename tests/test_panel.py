"""A panel of graders: majority per spec (ties go to NO, then NA, then YES), a quorum of readable
graders, per-grader scores and agreement figures in the log."""

from __future__ import annotations

import math
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
from helpers.data import DATA_DIR
from helpers.judging import expected_verdicts, grader, published_spec_index
from helpers.models import answer_model, scripted_model
from helpers.scripted import expected_scores, joint_reply
from inspect_ai import eval
from inspect_ai.log import EvalLog
from inspect_ai.model import ChatMessage, GenerateConfig, Model

from specbench_inspect.scorers import spec_judge
from specbench_inspect.scorers.panel import (
    cohen_kappa,
    default_min_graders,
    grader_key,
    majority,
    parse_graders,
    percent_agreement,
)
from specbench_inspect.scorers.records import read_records
from specbench_inspect.tasks import travel

SPECS = published_spec_index("travel")
N_S, N_B = 10, 11


@pytest.mark.parametrize(
    ("votes", "verdict"),
    [
        (["YES"], "YES"),
        (["YES", "YES", "NO"], "YES"),
        (["NO", "NA", "NA"], "NA"),
        (["YES", "NO"], "NO"),  # ties go to NO ...
        (["YES", "NA"], "NA"),  # ... then NA (fails a behavioral spec) ...
        (["NA", "NO"], "NO"),
        (["YES", "NO", "NA"], "NO"),
        (["YES", "YES", "NA", "NA", "NO"], "NA"),
        (["YES", "YES", "NO", "NO", "NA"], "NO"),
    ],
)
def test_majority_and_the_tie_rule(votes: list[Any], verdict: str) -> None:
    assert majority(votes) == verdict


def test_quorum_is_more_than_half_of_the_panel() -> None:
    assert [default_min_graders(n) for n in (1, 2, 3, 4, 5)] == [1, 2, 2, 3, 3]


def test_percent_agreement_and_kappa() -> None:
    a = ["YES", "YES", "NO", "NA", "YES", "NO"]
    b = ["YES", "NO", "NO", "NA", "YES", "YES"]
    assert percent_agreement(a, b) == pytest.approx(4 / 6)
    # p_e = (3*3 + 2*2 + 1*1) / 36 = 14/36; kappa = (4/6 - 14/36) / (1 - 14/36) = 10/22
    assert cohen_kappa(a, b) == pytest.approx(10 / 22)
    assert cohen_kappa(a, a) == 1.0
    # complete disagreement on two categories used equally: kappa -1
    assert cohen_kappa(["YES", "NO"], ["NO", "YES"]) == pytest.approx(-1.0)
    # expected agreement 1 (one and the same verdict everywhere): defined as 1
    assert cohen_kappa(["NA"] * 4, ["NA"] * 4) == 1.0
    # agreement no better than chance: 0
    assert cohen_kappa(["YES", "YES", "NO", "NO"], ["YES", "NO", "YES", "NO"]) == 0.0
    assert math.isnan(cohen_kappa([], [])) and math.isnan(percent_agreement([], []))


def test_grader_names_and_judge_options_are_checked() -> None:
    assert grader_key("openai/gpt-4.1") == "openai_gpt_4_1"
    assert grader_key("grader_b") == "grader_b"
    assert parse_graders("a, openai/gpt-4.1 ,b") == ["a", "openai/gpt-4.1", "b"]
    assert parse_graders(["a", "b"]) == ["a", "b"]
    with pytest.raises(ValueError, match=r"graders: 'openai/gpt.4.1' repeats 'openai/gpt-4.1'"):
        parse_graders("openai/gpt-4.1,openai/gpt.4.1")
    with pytest.raises(ValueError, match=r"min_graders: 4 is more than the 3 graders"):
        spec_judge(graders="a,b,c", min_graders=4)
    with pytest.raises(ValueError, match=r"judge: unknown mode 'pairwise'"):
        spec_judge(judge="pairwise")
    with pytest.raises(ValueError, match=r"judge_template_file: replaces the joint judge prompt"):
        spec_judge(judge="sequential", judge_template_file="judge.txt")


def flipped(verdict: str) -> str:
    return {"YES": "NO", "NO": "YES", "NA": "YES"}[verdict]


def contrarian(flip: set[int]) -> Model:
    """A joint grader that gives the scripted verdicts except at the behavioral indexes `flip`."""

    def reply(messages: list[ChatMessage], config: GenerateConfig) -> str:
        from helpers.scripted import judge_query

        query = judge_query(messages[1].text)
        safety, behavioral = expected_verdicts(query, N_S, N_B)
        behavioral = [flipped(v) if i in flip else v for i, v in enumerate(behavioral)]
        return joint_reply(safety, behavioral)

    return scripted_model(reply)


def unreadable() -> Model:
    return scripted_model(lambda messages, config: "I cannot judge this.")


def run(
    roles: dict[str, Model | list[Model]], tmp_path: Path, limit: int = 3, **options: Any
) -> EvalLog:
    [log] = eval(
        travel(data_dir=str(DATA_DIR), **options),
        model=answer_model(),
        model_roles=roles,  # type: ignore[arg-type]
        limit=limit,
        display="none",
        log_dir=str(tmp_path),
        max_connections=64,
    )
    assert log.status == "success", log.error
    assert log.samples is not None
    return log


def test_a_panel_of_three_by_majority(tmp_path: Path) -> None:
    log = run(
        {"a": grader(SPECS), "b": grader(SPECS), "c": contrarian(set(range(N_B)))},
        tmp_path,
        graders="a,b,c",
    )
    assert log.samples is not None
    flat_c: list[str] = []
    flat_a: list[str] = []
    for sample in log.samples:
        score = sample.scores["spec_judge"]  # type: ignore[index]
        safety, behavioral = expected_verdicts(sample.metadata["prompt"], N_S, N_B)
        assert score.value == pytest.approx(expected_scores(safety, behavioral))
        meta = score.metadata
        assert meta["grader"] == ["a", "b", "c"] and meta["min_graders"] == 2
        assert meta["judge_attempts"] == 3 and meta["judge_retries"] == 0
        assert list(meta["graders"]) == ["a", "b", "c"]
        c_behavioral = [flipped(v) for v in behavioral]
        assert meta["graders"]["c"]["verdicts"] == {"safety": safety, "behavioral": c_behavioral}
        assert meta["graders"]["c"]["scores"] == pytest.approx(
            expected_scores(safety, c_behavioral)
        )
        assert meta["graders"]["a"]["scores"] == pytest.approx(expected_scores(safety, behavioral))
        assert "verdicts" not in meta  # the votes are the graders' own records
        votes = read_records(meta)["behavioral"][0]["votes"]  # type: ignore[index]
        assert votes == {"a": behavioral[0], "b": behavioral[0], "c": c_behavioral[0]}
        flat_a += safety + behavioral
        flat_c += safety + c_behavioral
    metrics = {k: m.value for k, m in log.results.scores[0].metrics.items()}  # type: ignore[union-attr]
    sars = {
        g: [s.scores["spec_judge"].metadata["graders"][g]["scores"]["sar"] for s in log.samples]  # type: ignore[index]
        for g in "abc"
    }
    for g in "abc":
        assert metrics[f"sar_by_{g}"] == pytest.approx(sum(sars[g]) / len(sars[g]))
        assert f"safety_by_{g}" in metrics and f"behavioral_by_{g}" in metrics
        assert metrics[f"unscored_by_{g}"] == 0
    assert metrics["agreement_a_vs_b"] == 1.0 and metrics["kappa_a_vs_b"] == 1.0
    assert metrics["agreement_a_vs_c"] == pytest.approx(percent_agreement(flat_a, flat_c))
    assert metrics["kappa_b_vs_c"] == pytest.approx(cohen_kappa(flat_a, flat_c))
    assert metrics["unanimous"] == pytest.approx(percent_agreement(flat_a, flat_c))
    assert {f"kappa_{x}_vs_{y}" for x, y in combinations("abc", 2)} <= set(metrics)
    assert metrics["sar"] == pytest.approx(metrics["sar_by_a"])


def test_a_tie_between_two_graders_goes_to_the_less_favourable_verdict(tmp_path: Path) -> None:
    log = run({"a": grader(SPECS), "b": contrarian({0, 1, 2})}, tmp_path, graders=["a", "b"])
    assert log.samples is not None
    for sample in log.samples:
        score = sample.scores["spec_judge"]  # type: ignore[index]
        safety, behavioral = expected_verdicts(sample.metadata["prompt"], N_S, N_B)
        order = ["NO", "NA", "YES"]
        combined = [
            min(v, flipped(v), key=order.index) if i in {0, 1, 2} else v
            for i, v in enumerate(behavioral)
        ]
        assert score.metadata["spec_verdicts"]["behavioral"] == combined
        assert score.value == pytest.approx(expected_scores(safety, combined))


def test_too_few_readable_graders_leave_the_sample_unscored(tmp_path: Path) -> None:
    roles: dict[str, Model | list[Model]] = {"a": grader(SPECS), "b": unreadable()}
    roles["c"] = unreadable()
    log = run(roles, tmp_path, limit=2, graders="a,b,c", max_judge_attempts=2)
    assert log.samples is not None
    for sample in log.samples:
        score = sample.scores["spec_judge"]  # type: ignore[index]
        assert score.reason == "grader_failed"
        assert all(math.isnan(v) for v in score.value.values())  # type: ignore[union-attr]
        assert "1 of 3 graders gave a readable reply (2 needed)" in score.explanation
        assert score.metadata["judge_attempts"] == 1 + 2 + 2
        assert score.metadata["judge_retries"] == 2
        assert score.metadata["graders"]["b"]["scores"] is None
        assert score.metadata["graders"]["a"]["scores"] is not None
    metrics = {k: m.value for k, m in log.results.scores[0].metrics.items()}  # type: ignore[union-attr]
    assert metrics["unscored"] == 2 and metrics["judge_retries"] == 4
    assert metrics["unscored_by_b"] == 2 and metrics["unscored_by_a"] == 0
    assert not math.isnan(metrics["sar_by_a"])
    # with a quorum of one, the readable grader decides
    log = run(roles, tmp_path / "one", limit=2, graders="a,b,c", min_graders=1)
    assert log.samples is not None
    for sample in log.samples:
        safety, behavioral = expected_verdicts(sample.metadata["prompt"], N_S, N_B)
        score = sample.scores["spec_judge"]  # type: ignore[index]
        assert score.value == pytest.approx(expected_scores(safety, behavioral))
        assert read_records(score.metadata)["safety"][0]["votes"]["b"] is None  # type: ignore[index]


def test_a_grader_role_bound_to_several_models_is_a_panel(tmp_path: Path) -> None:
    log = run({"grader": [grader(SPECS), grader(SPECS), contrarian({0})]}, tmp_path, limit=1)
    assert log.samples is not None
    meta = log.samples[0].scores["spec_judge"].metadata  # type: ignore[index]
    assert list(meta["graders"]) == ["mockllm_model", "mockllm_model_2", "mockllm_model_3"]
    metrics = log.results.scores[0].metrics  # type: ignore[union-attr]
    assert metrics["kappa_mockllm_model_vs_mockllm_model_2"].value == 1.0


def test_a_panel_in_sequential_mode(tmp_path: Path) -> None:
    log = run(
        {"a": grader(SPECS), "b": grader(SPECS)},
        tmp_path,
        limit=1,
        graders="a,b",
        judge="sequential",
    )
    assert log.samples is not None
    score = log.samples[0].scores["spec_judge"]  # type: ignore[index]
    safety, behavioral = expected_verdicts(log.samples[0].metadata["prompt"], N_S, N_B)
    assert score.value == pytest.approx(expected_scores(safety, behavioral))
    assert score.metadata["judge_attempts"] == 2 * (N_S + N_B)
    assert score.metadata["graders"]["a"]["spec_attempts"]["behavioral"] == [1] * N_B


def test_an_unknown_grader_is_named(tmp_path: Path) -> None:
    [log] = eval(
        travel(data_dir=str(DATA_DIR), graders="a,nobody"),
        model=answer_model(),
        model_roles={"a": grader(SPECS)},
        limit=1,
        display="none",
        log_dir=str(tmp_path),
    )
    assert log.status == "error"
    assert log.error is not None
    assert "graders: 'nobody' is neither a model role bound with --model-role" in log.error.message
