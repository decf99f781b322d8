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
finished SpecBench run or cannot be read (it is listed under "not included", the rest are
reported); 2 if nothing could be read."""


CHECK_HELP = """\
Check that each log is a finished, fully scored SpecBench run (run it right after `inspect
eval`, whose own exit status is 0 even when every sample errored or the run was interrupted).
One line per run: status, samples, errored, unscored, flagged and truncated answers, and
whether it is the published benchmark. Exit status: 0 every run passes; 1 a run fails (status
not 'success', missing or errored samples, more unscored or flagged samples than allowed); 2 a
file is not a SpecBench log. Limits are a count (5) or a percentage of the samples (1%)."""


def add_check_command(commands: Any) -> None:
    """Add `check` to the `specbench` subcommand parsers."""
    check = commands.add_parser(
        "check",
        help="is a log a finished, fully scored SpecBench run? (exit 0 / 1 / 2)",
        description=CHECK_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("paths", nargs="+", metavar="LOG_OR_DIR")
    check.add_argument(
        "--max-unscored", default="0", metavar="N|P%", help="unscored samples allowed (default 0)"
    )
    check.add_argument(
        "--max-flagged", default="0", metavar="N|P%", help="flagged answers allowed (default 0)"
    )
    check.add_argument(
        "--require-published",
        action="store_true",
        help="also fail a run whose data or wording is not the paper's",
    )


def run_check(args: argparse.Namespace) -> int:
    from .check import CheckOptions, Limit, check_paths

    try:
        options = CheckOptions(
            max_unscored=Limit.parse("--max-unscored", args.max_unscored),
            max_flagged=Limit.parse("--max-flagged", args.max_flagged),
            require_published=args.require_published,
        )
    except ValueError as ex:
        print(f"specbench check: error: {ex}", file=sys.stderr)
        return 2
    report = check_paths(args.paths, options)
    print("\n".join(report.lines()))
    return report.exit_code


def percent(given: str) -> float:
    """A percentage, with or without its `%` sign."""
    try:
        return float(given.strip().removesuffix("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{given!r} is not a percentage (1 or 1%)") from None


def add_commands(commands: Any) -> None:
    """Add `compare`, `report` and `check` to the `specbench` subcommand parsers."""
    add_check_command(commands)
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
        type=percent,
        default=1.0,
        help="largest share of unscored samples on either side, in percent (default 1; 1%% "
        "is the same)",
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
    report.add_argument(
        "--label",
        action="append",
        default=[],
        metavar="LOG=TEXT",
        help="name the run of LOG (a log file's name or path, or a folder of logs) TEXT in the "
        "tables and figures (repeatable)",
    )
    add_agreement(commands)

    # `specbench paper` (the published tables): analysis/paper_table.py
    from .paper_table import add_paper_command

    add_paper_command(commands)


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
    from .report import MissingPlotting, parse_labels, write_report

    try:
        labels = parse_labels(args.label)
        outcome = write_report(args.paths, args.output, title=args.title, labels=labels)
    except MissingPlotting as ex:
        print(f"specbench report: error: {ex}", file=sys.stderr)
        return 2
    except ValueError as ex:
        print(f"specbench report: error: {ex}", file=sys.stderr)
        return 2
    print(outcome.summary())
    return outcome.exit_code


def run_command(args: argparse.Namespace) -> int | None:
    """Run `compare`, `report` or `check`; None for another command."""
    if args.command == "compare":
        return run_compare(args)
    if args.command == "report":
        return run_report(args)
    if args.command == "agreement":
        return run_agreement(args)
    if args.command == "paper":
        from .paper_table import run_paper

        return run_paper(args)
    if args.command == "check":
        return run_check(args)
    return None


# --- specbench agreement ---------------------------------------------------------------------

AGREEMENT_HELP = """\
Can grader B stand in for grader A? Pairs the YES / NO / NA verdicts two raters give the same
specs of the same answers: two scores of one log (LOG --reference spec_judge --candidate
spec_judge1; `inspect score --action append` adds spec_judge1), a score of each of two logs of
the same samples (A.eval B.eval), or a log's score against people's verdicts (LOG --labels
FILE.csv; the people are the reference). Prints the confusion matrix, Cohen's kappa (overall,
per section, per scenario, per spec), Krippendorff's alpha, precision / recall / F1 per
verdict, SAR, safety and behavioral by each rater with the paired difference and its
bootstrap CI, and the specs the raters disagree on most. --export-labels FILE.csv writes the
blank CSV an annotator fills in (read back with --labels). Exit status: 0 it ran; 2 the inputs
do not match (other samples, specs, data or answers; an unknown scorer; a malformed CSV row; a
file that is not a SpecBench log)."""


def add_agreement(commands: Any) -> None:
    agree = commands.add_parser(
        "agreement",
        help="can grader B stand in for grader A? (kappa, confusion, score gaps)",
        description=AGREEMENT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    agree.add_argument("logs", nargs="+", metavar="LOG", help="one log, or two logs")
    agree.add_argument("--reference", default=None, help="the reference score (spec_judge, ...)")
    agree.add_argument("--candidate", default=None, help="the candidate score (spec_judge1, ...)")
    agree.add_argument("--labels", default=None, metavar="CSV", help="people's verdicts")
    agree.add_argument(
        "--export-labels", default=None, metavar="CSV", help="write the blank CSV to label, exit"
    )
    agree.add_argument("--top-specs", type=int, default=10, help="specs listed (default 10)")
    agree.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    agree.add_argument(
        "--resamples", type=int, default=10_000, help="bootstrap resamples (default 10000)"
    )
    agree.add_argument(
        "--format", default="text", choices=["text", "markdown", "json"], help="output format"
    )
    agree.add_argument("--output", default=None, metavar="FILE", help="also write the output")


def run_agreement(args: argparse.Namespace) -> int:
    from .agreement import AgreementError, AgreementOptions, agreement, export_labels
    from .agreement_output import RENDERERS

    try:
        if args.export_labels is not None:
            if len(args.logs) != 1 or args.labels or args.reference or args.candidate:
                raise AgreementError("--export-labels takes one log and no other input")
            rows, units = export_labels(args.logs[0], args.export_labels)
            print(f"wrote {args.export_labels}: {rows} rows ({units} sample-epochs) to label")
            return 0
        options = AgreementOptions(
            reference=args.reference,
            candidate=args.candidate,
            labels=args.labels,
            top_specs=args.top_specs,
            seed=args.seed,
            resamples=args.resamples,
        )
        result = agreement(args.logs, options)
    except AgreementError as ex:
        print(f"specbench agreement: error: {ex}", file=sys.stderr)
        return 2
    text = RENDERERS[args.format](result)
    print(text, end="" if text.endswith("\n") else "\n")
    if args.output:
        with open(args.output, "w", encoding="utf-8") as file:
            file.write(text if text.endswith("\n") else text + "\n")
    return result.exit_code
