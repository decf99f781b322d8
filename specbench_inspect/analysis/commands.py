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
    add_agreement(commands)

    # `specbench paper` (the published tables): analysis/paper_table.py
    from .paper_table import add_paper_command

    add_paper_command(commands)


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
        print(f"specbench compare: {ex}", file=sys.stderr)
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
        print(f"specbench report: {ex}", file=sys.stderr)
        return 2
    except ValueError as ex:
        print(f"specbench report: {ex}", file=sys.stderr)
        return 2
    print(outcome.summary())
    return outcome.exit_code


def run_command(args: argparse.Namespace) -> int | None:
    """Run `compare` or `report`; None for another command."""
    if args.command == "compare":
        return run_compare(args)
    if args.command == "report":
        return run_report(args)
    if args.command == "agreement":
        return run_agreement(args)
    if args.command == "paper":
        from .paper_table import run_paper

        return run_paper(args)
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
        print(f"specbench agreement: {ex}", file=sys.stderr)
        return 2
    text = RENDERERS[args.format](result)
    print(text, end="" if text.endswith("\n") else "\n")
    if args.output:
        with open(args.output, "w", encoding="utf-8") as file:
            file.write(text if text.endswith("\n") else text + "\n")
    return result.exit_code
