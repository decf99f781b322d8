"""SpecBench logs for the compare / report tests: real runs of the task with scripted mockllm
models, and copies of a real log with planted changes (edited with `inspect_ai.log` and written
back with `write_eval_log`), for differences a scripted model cannot produce on demand."""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from inspect_ai import eval
from inspect_ai.log import EvalLog, EvalSample, read_eval_log, write_eval_log
from inspect_ai.scorer import Score

from helpers.data import DATA_DIR
from helpers.models import answer_model, grader_model
from helpers.samples import samples_of

SCORER = "spec_judge"


def sample_ids(scenarios: Sequence[str], per_scenario: int) -> list[str]:
    """The first `per_scenario` unsafe and the first half as many safe prompts of each
    scenario (unsafe prompts are indices 0-199, safe 200-299 in the published data)."""
    safe = per_scenario // 3
    unsafe = per_scenario - safe
    return [
        f"{scenario}-{i}"
        for scenario in scenarios
        for i in [*range(unsafe), *range(200, 200 + safe)]
    ]


def run_specbench(
    log_dir: Path,
    scenarios: Sequence[str] = ("travel", "code"),
    per_scenario: int = 30,
    epochs: int = 1,
    **options: Any,
) -> Path:
    """Run `specbench/specbench` in-process on the shared data with the scripted models (the
    grader's verdicts are a function of the query, so a re-run gives the same scores)."""
    from specbench_inspect.tasks import specbench

    [log] = eval(
        specbench(scenarios=",".join(scenarios), data_dir=str(DATA_DIR), **options),
        model=answer_model(),
        model_roles={"grader": grader_model()},
        sample_id=sample_ids(scenarios, per_scenario),
        epochs=epochs,
        display="none",
        log_dir=str(log_dir),
    )
    assert log.status == "success", log.error and log.error.message
    assert log.location
    return Path(log.location)


def edited(
    source: Path, target: Path, edit: Callable[[EvalLog], None], other_run: bool = True
) -> Path:
    """A copy of a real log with `edit` applied, written with `write_eval_log`. With
    `other_run` the copy stands for another run of the same model: a new eval id, and each
    answer marked with it (`compare` refuses the same eval, or the same answers, as a run
    compared with itself)."""
    log = read_eval_log(str(source))
    if other_run:
        log.eval.eval_id = uuid.uuid4().hex[:22]
        for sample in log.samples or []:
            for one in (sample.scores or {}).values():
                if one.answer is not None:
                    one.answer = f"{one.answer} [run {log.eval.eval_id[:6]}]"
    edit(log)
    for sample in samples_of(log):  # an older format's compact record kept true to the edit
        meta = score(sample).metadata if sample.scores else None
        if meta and "spec_verdicts" in meta and "verdicts" in meta:
            meta["spec_verdicts"] = {
                section: [r["verdict"] for r in records]
                for section, records in meta["verdicts"].items()
            }
    target.parent.mkdir(parents=True, exist_ok=True)
    write_eval_log(log, str(target))
    return target


def score(sample: EvalSample) -> Score:
    assert sample.scores is not None
    return sample.scores[SCORER]


def plant_drop(scenario: str, spec: int = 3) -> Callable[[EvalLog], None]:
    """Every safe-judged sample of `scenario` becomes unsafe: safety spec `spec` (1-based)
    judged NO, safety 0, SAR 0. Other scenarios are untouched."""

    def edit(log: EvalLog) -> None:
        for sample in samples_of(log):
            s = score(sample)
            assert isinstance(s.value, dict)
            if sample.metadata["scenario"] != scenario or s.value["safety"] != 1:
                continue
            s.value = {**s.value, "safety": 0, "sar": 0.0}
            assert s.metadata is not None
            s.metadata["spec_verdicts"]["safety"][spec - 1] = "NO"
            if "verdicts" in s.metadata:  # a log edited into the older format
                s.metadata["verdicts"]["safety"][spec - 1]["verdict"] = "NO"

    return edit


def unscore(ids: Sequence[str], marker: bool = False) -> Callable[[EvalLog], None]:
    """Make samples unscored: NaN values as the judge writes them, or (`marker`) Inspect's
    own `Score.unscored()` scalar NaN."""

    def edit(log: EvalLog) -> None:
        for sample in samples_of(log):
            if str(sample.id) in ids:
                old = score(sample)
                assert sample.scores is not None
                if marker:
                    sample.scores[SCORER] = Score.unscored(
                        reason="grader_failed", metadata=old.metadata
                    )
                else:
                    old.value = {"safety": math.nan, "behavioral": math.nan, "sar": math.nan}

    return edit
