"""The `specbench compare` and `specbench report` subcommands (added to `specbench`'s parser by
`specbench_inspect.cli`)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

COMPARE_HELP = """\
Compare a candidate SpecBench run with a baseline, paired by sample id (epochs averaged per
sample), with paired-bootstrap confidence intervals and p-values, overall, per scenario and per
label. Exit status: 0 pass; 1 regression (the metric fell by at least --max-drop points and
the drop is significant at --alpha; with --per-scenario, in any scenario too); 2 not
comparable (different samples, data, grader, judge mode, prompt wording or SAR alpha; a log
that is not a finished SpecBench run: status not 'success', errored samples, or more
unscored samples than --max-unscored)."""

REPORT_HELP = """\
Write a report of SpecBench runs (one row per model x method x grader): index.html
(self-contained), report.md, and each figure as PNG and SVG. Exit status 1 if a log is not a
finished SpecBench run (it is listed in the report, not tabulated); 2 if nothing could be read."""


def add_commands(commands: Any) -> None:
    """Add `compare` and `report` to the `specbench` subcommand parsers."""
    compare = commands.add_parser(
        "compare",
        help="release gate: compare a candidate run with a baseline (exit 0 / 1 / 2)",
        description=COMPARE_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    compare.add_argument("baseline", metavar="BASELINE", help="log file, or folder with one log")
    compare.add_argument("candidate", metavar="CANDIDATE", help="log file, or folder with one log")
    compare.add_argument("--metric", default="sar", choices=["sar", "safety", "behavioral"])
    compare.add_argument(
        "--max-drop", type=float, default=1.0, help="points (default 1.0) the metric may fall"
    )
    compare.add_argument("--alpha", type=float, default=0.05, help="significance (default 0.05)")
    compare.add_argument(
        "--per-scenario", action="store_true", help="also fail on a drop in any one scenario"
    )
    compare.add_argument(
        "--max-unscored",
        type=float,
        default=1.0,
        help="largest share of unscored samples on either side, in percent (default 1)",
    )
    compare.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    compare.add_argument(
        "--resamples", type=int, default=10_000, help="bootstrap resamples (default 10000)"
    )
    compare.add_argument(
        "--top-specs", type=int, default=10, help="specs listed whose verdicts moved most"
    )
    compare.add_argument(
        "--scorer", default=None, help="which score of a re-judged log (spec_judge1, ...)"
    )
    compare.add_argument(
        "--format", default="text", choices=["text", "markdown", "json"], help="output format"
    )
    compare.add_argument(
        "--output", default=None, metavar="FILE", help="also write the output to FILE"
    )

    report = commands.add_parser(
        "report",
        help="tables and figures of SpecBench runs (index.html, report.md, PNG/SVG)",
        description=REPORT_HELP,
    )
    report.add_argument("paths", nargs="+", metavar="LOG_OR_DIR")
    report.add_argument("--output", required=True, metavar="DIR", help="folder to write into")
    report.add_argument("--title", default="SpecBench report")


def input_problem(*paths: str) -> str | None:
    """A path given to `compare` that is no log file or folder (a mistake in the command, shown
    as one line rather than a comparison report)."""
    from .logs import LogReadError, log_files

    for path in paths:
        try:
            log_files(path)
        except LogReadError as ex:
            return str(ex)
    return None


def run_compare(args: argparse.Namespace) -> int:
    from .compare import CompareOptions, compare_logs
    from .compare_output import RENDERERS

    try:
        options = CompareOptions(
            metric=args.metric,
            max_drop=args.max_drop,
            alpha=args.alpha,
            per_scenario=args.per_scenario,
            max_unscored=args.max_unscored / 100,
            seed=args.seed,
            resamples=args.resamples,
            top_specs=args.top_specs,
            scorer=args.scorer,
        )
    except ValueError as ex:
        print(f"specbench compare: error: {ex}", file=sys.stderr)
        return 2
    unreadable = input_problem(args.baseline, args.candidate)
    if unreadable is not None:
        print(f"specbench compare: error: {unreadable}", file=sys.stderr)
        return 2
    result = compare_logs(args.baseline, args.candidate, options)
    text = RENDERERS[args.format](result)
    print(text, end="" if text.endswith("\n") else "\n")
    if args.output:
        with open(args.output, "w", encoding="utf-8") as file:
            file.write(text if text.endswith("\n") else text + "\n")
    return result.exit_code


def run_report(args: argparse.Namespace) -> int:
    from .report import MissingPlotting, write_report

    try:
        outcome = write_report(args.paths, args.output, title=args.title)
    except MissingPlotting as ex:
        print(f"specbench report: error: {ex}", file=sys.stderr)
        return 2
    except ValueError as ex:
        print(f"specbench report: error: {ex}", file=sys.stderr)
        return 2
    print(outcome.summary())
    return outcome.exit_code


def run_command(args: argparse.Namespace) -> int | None:
    """Run `compare` or `report`; None for another command."""
    if args.command == "compare":
        return run_compare(args)
    if args.command == "report":
        return run_report(args)
    return None
