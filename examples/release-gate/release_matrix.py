"""A release matrix (several models x methods) as one `inspect eval-set`, then one report.

    python release_matrix.py --models openai-api/lab/cand-a,openai-api/lab/cand-b \\
        --methods vanilla,align3 --grader openai/gpt-4.1 --log-dir logs/matrix --report report/

`eval_set` runs every (model, method) pair as one task, retries what failed, and on a second
invocation with the same log folder runs only what is missing (so a matrix interrupted halfway
resumes). The script exits 1 unless every log finished with status `success` and no errored
sample (`inspect eval`'s own exit status does not say that), then writes `specbench report`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from inspect_ai import Task, eval_set
from inspect_ai.log import EvalLog, read_eval_log_sample_summaries
from inspect_ai.model import Model

from specbench_inspect.analysis.report import write_report
from specbench_inspect.tasks import specbench


def matrix_tasks(methods: Sequence[str], **task_options: Any) -> list[Task]:
    """One SpecBench task per method (the models come from eval_set's `model` list)."""
    return [specbench(method=method, **task_options) for method in methods]


def finished(log: EvalLog) -> bool:
    """Status `success` and no errored sample (eval_set returns headers: the samples'
    summaries say which errored)."""
    if log.status != "success" or not log.location:
        return False
    return all(s.error is None for s in read_eval_log_sample_summaries(log.location))


def run_matrix(
    models: Sequence[str | Model],
    methods: Sequence[str],
    grader: str | Model,
    log_dir: str,
    task_options: dict[str, Any] | None = None,
    **eval_args: Any,
) -> tuple[bool, list[EvalLog]]:
    """Run the matrix as one eval set; True if every log finished cleanly."""
    success, logs = eval_set(
        matrix_tasks(methods, **(task_options or {})),
        log_dir=log_dir,
        model=list(models),
        model_roles={"grader": grader},
        **eval_args,
    )
    return success and all(finished(log) for log in logs), logs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", required=True, help="comma-separated Inspect model names")
    parser.add_argument("--methods", default="vanilla", help="comma-separated methods")
    parser.add_argument("--grader", default="openai/gpt-4.1")
    parser.add_argument("--log-dir", required=True)
    parser.add_argument("--report", default=None, metavar="DIR", help="write the report here")
    parser.add_argument("--scenarios", default=None, help="e.g. travel,code (default: all)")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--max-connections", type=int, default=16)
    parser.add_argument("--retry-attempts", type=int, default=3)
    args = parser.parse_args(argv)
    options: dict[str, Any] = {}
    if args.scenarios:
        options["scenarios"] = args.scenarios
    ok, logs = run_matrix(
        args.models.split(","),
        args.methods.split(","),
        args.grader,
        args.log_dir,
        options,
        limit=args.limit,
        epochs=args.epochs,
        max_connections=args.max_connections,
        max_samples=4 * args.max_connections,
        retry_attempts=args.retry_attempts,
    )
    for log in logs:
        state = "finished" if finished(log) else f"NOT FINISHED (status {log.status})"
        print(f"{log.eval.model} {log.eval.task_args.get('method')}: {state} ({log.location})")
    if args.report:
        outcome = write_report([args.log_dir], args.report)
        print(outcome.summary())
        ok = ok and outcome.exit_code == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
