"""The samples of a log, counted first, so a per-sample check cannot pass on an empty log."""

from __future__ import annotations

from inspect_ai.log import EvalLog, EvalSample


def samples_of(log: EvalLog, count: int | None = None) -> list[EvalSample]:
    """`log.samples`, after asserting there are exactly `count` of them (at least one when
    `count` is not given)."""
    samples = log.samples or []
    if count is None:
        assert samples, f"the log of {log.eval.task} holds no samples"
    else:
        assert len(samples) == count, f"expected {count} samples, the log holds {len(samples)}"
    return samples
