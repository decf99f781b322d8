"""A release matrix (several models x methods) as one `inspect eval-set`, then one report.

    python release_matrix.py --models openai-api/lab/cand-a,openai-api/lab/cand-b \\
        --methods vanilla,align3 --grader openai/gpt-4.1 --log-dir logs/matrix --report report/

`eval_set` runs every (model, method) pair as one task, retries what failed, and on a second
invocation with the same log folder runs only what is missing (so a matrix interrupted halfway
resumes). The script exits 1 unless every log passes `specbench check` (status `success`, every
sample present, none errored, unscored or flagged beyond the limits: `inspect eval`'s own exit
status does not say that), then writes `specbench report`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from inspect_ai import Task, eval_set
from inspect_ai.log import EvalLog
from inspect_ai.model import Model

from specbench_inspect.analysis.check import CheckOptions, CheckResult, Limit, check_log
from specbench_inspect.analysis.report import write_report
from specbench_inspect.tasks import specbench


def matrix_tasks(methods: Sequence[str], **task_options: Any) -> list[Task]:
    """One SpecBench task per method (the models come from eval_set's `model` list)."""
    return [specbench(method=method, **task_options) for method in methods]


def checked(log: EvalLog, options: CheckOptions | None = None) -> list[CheckResult]:
    """`specbench check` of one log of the matrix (eval_set returns headers; the check reads
    the log file)."""
    if not log.location:
        return [CheckResult(f"{log.eval.model} {log.eval.task}", not_specbench="no log file")]
    return check_log(log.location, options)


def finished(log: EvalLog, options: CheckOptions | None = None) -> bool:
    """Whether the log passes `specbench check`."""
    return all(result.exit_code == 0 for result in checked(log, options))


def run_matrix(
    models: Sequence[str | Model],
    methods: Sequence[str],
    grader: str | Model,
    log_dir: str,
    task_options: dict[str, Any] | None = None,
    check_options: CheckOptions | None = None,
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
    return success and all(finished(log, check_options) for log in logs), logs


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
    parser.add_argument("--max-unscored", default="0", help="as for specbench check (5 or 1%%)")
    parser.add_argument("--max-flagged", default="0", help="as for specbench check (5 or 1%%)")
    args = parser.parse_args(argv)
    check_options = CheckOptions(
        max_unscored=Limit.parse("--max-unscored", args.max_unscored),
        max_flagged=Limit.parse("--max-flagged", args.max_flagged),
    )
    options: dict[str, Any] = {}
    if args.scenarios:
        options["scenarios"] = args.scenarios
    ok, logs = run_matrix(
        args.models.split(","),
        args.methods.split(","),
        args.grader,
        args.log_dir,
        options,
        check_options,
        limit=args.limit,
        epochs=args.epochs,
        max_connections=args.max_connections,
        max_samples=4 * args.max_connections,
        retry_attempts=args.retry_attempts,
    )
    for log in logs:
        for result in checked(log, check_options):
            print(f"{log.eval.model} {log.eval.task_args.get('method')}: {result.line()}")
    if args.report:
        outcome = write_report([args.log_dir], args.report)
        print(outcome.summary())
        ok = ok and outcome.exit_code == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
