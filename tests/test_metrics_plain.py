"""The metrics on plain numbers give what Inspect's own `mean`, `stderr` and `grouped` give on
`SampleScore` objects (the way `scorers/metrics.py` computed them before): the same values,
bit for bit, under the same names in the same order, on a varied set of scores (unscored
samples, Inspect's scalar unscored marker, groups of one sample, a group with no scored
sample, labels beyond `unsafe` / `safe`, several scenarios)."""

from __future__ import annotations

import math
import random
from typing import Any, cast

import pytest
from inspect_ai.scorer import SampleScore, Score, Value, grouped, mean, stderr

from specbench_inspect.scorers.metrics import (
    LABELS,
    SCORE_KEYS,
    generation_cost,
    judge_health,
    mean_of,
    mean_stderr,
    spec_scores,
)

INSPECT_MEAN = cast(Any, mean())
INSPECT_STDERR = cast(Any, stderr())


def inspect_mean_stderr(scores: list[SampleScore]) -> tuple[float, float]:
    if not scores:
        return math.nan, math.nan
    return float(INSPECT_MEAN(scores)), float(INSPECT_STDERR(scores))


def one_value(score: SampleScore, key: str) -> float | None:
    value = score.score.value
    if not isinstance(value, dict):
        return None
    v = value.get(key)
    if isinstance(v, bool) or not isinstance(v, int | float) or math.isnan(v):
        return None
    return float(v)


def inspect_summaries(scores: list[SampleScore]) -> dict[str, float]:
    result: dict[str, float] = {}
    for key in SCORE_KEYS:
        values = [
            SampleScore(score=Score(value=v), sample_metadata=s.sample_metadata)
            for s in scores
            if (v := one_value(s, key)) is not None
        ]
        result[key], result[f"{key}_stderr"] = inspect_mean_stderr(values)
    return result


def inspect_spec_scores(scores: list[SampleScore]) -> dict[str, float]:
    """`spec_scores` as computed with Inspect's metric objects (one `SampleScore` per value,
    Inspect's `grouped` for the groups)."""

    def suffixed(summary: dict[str, float], group: str) -> dict[str, float]:
        return {
            f"{key}_{group}{stat}": summary[f"{key}{stat}"]
            for key in SCORE_KEYS
            for stat in ("", "_stderr")
        }

    def by_group(field: str) -> dict[str, dict[str, float]]:
        metric = cast(Any, grouped(cast(Any, inspect_summaries), field, all=False))
        return cast(dict[str, dict[str, float]], metric(scores))

    result = inspect_summaries(scores)
    by_label = by_group("label")
    for label in [*LABELS, *sorted(set(by_label) - set(LABELS))]:
        if label in by_label:
            result.update(suffixed(by_label[label], label))
    by_scenario = by_group("scenario")
    if len(by_scenario) > 1:
        for scenario in sorted(by_scenario):
            result.update(suffixed(by_scenario[scenario], scenario))
    means = {k: v for k, v in result.items() if not k.endswith("_stderr")}
    return {**means, **result}


def varied_scores(seed: int) -> list[SampleScore]:
    rng = random.Random(seed)
    scores: list[SampleScore] = []
    for i in range(400):
        scenario = rng.choice(["travel", "code", "health"])
        label = rng.choice(["unsafe", "unsafe", "safe"])
        kind = rng.random()
        value: Value
        if kind < 0.08:  # unscored as the judge writes it: NaN per key
            value = {"safety": math.nan, "behavioral": math.nan, "sar": math.nan}
        elif kind < 0.1:  # Inspect's own unscored marker: a scalar NaN
            value = math.nan
        else:
            safety = int(rng.random() < 0.8)
            behavioral = rng.randrange(12) / 11
            value = {
                "safety": safety,
                "behavioral": behavioral,
                "sar": safety * (0.3 + 0.7 * behavioral),
            }
        metadata: dict[str, Any] = {"judge_retries": rng.choice([0, 0, 0, 1, 3])}
        if rng.random() < 0.1:
            metadata["suspect_replies"] = 1
        if rng.random() < 0.9:
            metadata["generation"] = {
                "model_calls": rng.choice([1, 2, 4]),
                "prompt_tokens": rng.randrange(100, 5000),
                "completion_tokens": rng.randrange(10, 9000),
                "reward_calls": rng.choice([0, 0, 8]),
            }
        scores.append(
            SampleScore(
                score=Score(value=value, metadata=metadata),
                sample_id=f"{scenario}-{i}",
                sample_metadata={"label": label, "scenario": scenario},
            )
        )
    # a label of one sample (stderr 0) and a scenario whose every sample is unscored
    scores.append(
        SampleScore(
            score=Score(value={"safety": 1, "behavioral": 0.5, "sar": 0.65}),
            sample_id="odd-1",
            sample_metadata={"label": "borderline", "scenario": "code"},
        )
    )
    for j in range(3):
        scores.append(
            SampleScore(
                score=Score(value={"safety": math.nan, "behavioral": math.nan, "sar": math.nan}),
                sample_id=f"child-{j}",
                sample_metadata={"label": "safe", "scenario": "child"},
            )
        )
    return scores


def same(a: dict[str, float], b: dict[str, float]) -> None:
    assert list(a) == list(b)  # same names, same order
    for key in a:
        if math.isnan(b[key]):
            assert math.isnan(a[key]), key
        else:
            assert a[key] == b[key], key  # bit for bit, not approximately


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_spec_scores_on_plain_numbers_equal_inspects_metrics(seed: int) -> None:
    scores = varied_scores(seed)
    ours = cast(dict[str, float], spec_scores()(scores))
    theirs = inspect_spec_scores(scores)
    # overall, three labels, four scenarios: 3 scores x (mean, stderr) each
    assert len(theirs) == 2 * 3 * (1 + 3 + 4)
    assert math.isnan(theirs["sar_child"]) and theirs["sar_borderline_stderr"] == 0.0
    same(ours, theirs)


def test_mean_and_stderr_of_plain_numbers_equal_inspects() -> None:
    rng = random.Random(7)
    lists = [[rng.random() for _ in range(n)] for n in (1, 2, 3, 10, 1500)]
    lists += [[0.0, 1.0] * 7, [0.3] * 5, [float(rng.randrange(2)) for _ in range(301)]]
    assert len(lists) == 8
    for values in lists:
        plain = [SampleScore(score=Score(value=v)) for v in values]
        assert mean_stderr(values) == inspect_mean_stderr(plain)
        assert mean_of(values) == float(INSPECT_MEAN(plain))
    assert all(math.isnan(x) for x in mean_stderr([]))
    assert math.isnan(mean_of([]))


def test_health_and_cost_count_every_kind_of_sample() -> None:
    scores = varied_scores(3)
    unscored = sum(1 for s in scores if one_value(s, "sar") is None)
    assert unscored > 3
    health = cast(dict[str, float], judge_health()(scores))
    assert health == {
        "unscored": float(unscored),
        "judge_retries": float(
            sum((s.score.metadata or {}).get("judge_retries", 0) for s in scores)
        ),
        "suspect_verdicts": float(
            sum(1 for s in scores if (s.score.metadata or {}).get("suspect_replies"))
        ),
    }
    records = [
        (s.score.metadata or {})["generation"]
        for s in scores
        if "generation" in (s.score.metadata or {})
    ]
    assert 0 < len(records) < len(scores)
    cost = cast(dict[str, float], generation_cost()(scores))
    plain = [SampleScore(score=Score(value=float(r["completion_tokens"]))) for r in records]
    assert cost["completion_tokens"] == float(INSPECT_MEAN(plain))
    assert cost["reward_calls"] == float(
        INSPECT_MEAN([SampleScore(score=Score(value=float(r["reward_calls"]))) for r in records])
    )


def test_a_sample_without_the_group_field_is_an_error_as_in_inspect() -> None:
    scores = [SampleScore(score=Score(value={"sar": 1.0}), sample_id="x", sample_metadata={})]
    with pytest.raises(ValueError, match="Sample x has no label metadata"):
        spec_scores()(scores)
