"""The `specbench` command (also `python -m specbench_inspect`).

    specbench validate PATH [PATH ...]   check scenario folders, print a summary of each
    specbench schema [NAME] [--path]     print a scenario file's JSON Schema (or where it is)
    specbench compare BASELINE CANDIDATE release gate: exit 0 pass, 1 regression, 2 not comparable
    specbench report LOG_OR_DIR ... --output DIR   tables and figures of runs
    specbench agreement LOG [LOG] [--labels CSV]   can grader B stand in for grader A?
    specbench check LOG_OR_DIR ...       is each log a finished, fully scored run? exit 0 / 1 / 2
    specbench list                       the tasks, their options, the methods, graders' defaults
    specbench fetch [--cache-dir DIR]    fill the cache with the pinned upstream files

`validate` takes a scenario folder (scenario.json, specifications.json, prompts.json) or a
folder of scenario folders, and exits with status 1 if any has a problem.

A mistake in the command itself (an unknown option or value, a path that is no log or folder)
is one line on stderr, `specbench <command>: error: ...`, with exit status 2 (see
docs/errors.md).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from . import escape
from .analysis.commands import add_commands, run_command
from .errors import SpecBenchError
from .info_commands import add_info_commands, run_info_command

if TYPE_CHECKING:
    from .datasets import ScenarioReport

# The data modules import Inspect (seconds): they are imported by the commands that use them,
# so that `specbench --help` and a mistake in the command line answer at once.
DATA_FILES = ("scenario.json", "specifications.json", "prompts.json")
"""The files of a scenario folder (`datasets.DATA_FILES`)."""

MAX_PROBLEMS = 50
"""Problems listed per scenario folder (the rest are counted)."""


def scenario_folders(path: Path) -> list[Path]:
    """`path` itself if it holds a scenario file, else its subfolders that do."""
    if not path.is_dir() or any((path / name).exists() for name in DATA_FILES):
        return [path]
    found = sorted(
        sub
        for sub in path.iterdir()
        if sub.is_dir() and any((sub / n).exists() for n in DATA_FILES)
    )
    return found or [path]


def summary(report: ScenarioReport) -> list[str]:
    """The lines `validate` prints for one folder."""
    lines = [str(report.folder)]
    scenario = report.scenario
    if scenario is None:
        problems = report.problems
        lines.append(f"  {len(problems)} problem{'s' if len(problems) != 1 else ''}:")
        lines += [f"  - {problem}" for problem in problems[:MAX_PROBLEMS]]
        if len(problems) > MAX_PROBLEMS:
            lines.append(f"  ... and {len(problems) - MAX_PROBLEMS} more")
        return lines
    labels = Counter(item.label for item in scenario.prompts)
    answers = sum(1 for item in scenario.prompts if item.answer.strip())
    adversarial = sum(1 for item in scenario.prompts if item.adversarial_prompt != item.prompt)
    lines += [
        f"  scenario:           {scenario.name} (key {scenario.key}; sample ids "
        f"{scenario.key}-0 ...)",
        f"  specs:              {len(scenario.safety_specs)} safety, "
        f"{len(scenario.behavioral_specs)} behavioral",
        f"  prompts:            {len(scenario.prompts)} ({labels['unsafe']} unsafe, "
        f"{labels['safe']} safe; {adversarial} asked through a separate adversarial_prompt)",
        f"  reference answers:  {answers} of {len(scenario.prompts)} prompts",
        f"  fingerprint:        {scenario.fingerprint}",
    ]
    from .datasets.catalog import PUBLISHED_FINGERPRINTS

    published = PUBLISHED_FINGERPRINTS.get(scenario.key)
    if published is not None:
        same = "the same as" if published == scenario.fingerprint else "DIFFERENT from"
        lines.append(f"  published data:     {same} the published {scenario.key} scenario")
    notes = []
    for label in ("unsafe", "safe"):
        if not labels[label]:
            notes.append(f"no {label} prompts: the {label} subset will have no scores")
    if answers:
        last = scenario.behavioral_specs[-1]
        notes.append(
            "sequential judging shows the reference answer with the last behavioral spec: "
            f"{last[:60]!r}{'...' if len(last) > 60 else ''}"
        )
    lines += [f"  note: {note}" for note in notes]
    lines.append("  OK")
    return lines


def validate(paths: Sequence[str]) -> int:
    from .datasets import validate_scenario_dir

    status = 0
    for given in paths:
        path = Path(given).expanduser()
        if not path.exists():
            print(
                f"specbench validate: error: {escape.text(path)}: folder not found", file=sys.stderr
            )
            status = 1
            continue
        for folder in scenario_folders(path):
            report = validate_scenario_dir(folder)
            print("\n".join(map(escape.text, summary(report))))
            if report.problems:
                status = 1
    return status


def show_schema(name: str | None, path_only: bool) -> int:
    from .datasets import schema_file

    names = [name] if name else [file[: -len(".json")] for file in DATA_FILES]
    try:
        files = [schema_file(n) for n in names]
    except ValueError as ex:
        print(f"specbench schema: error: {ex}", file=sys.stderr)
        return 2
    if path_only or name is None:
        print("\n".join(str(file) for file in files))
    else:
        print(files[0].read_text(encoding="utf-8"), end="")
    return 0


class OneLineParser(argparse.ArgumentParser):
    """argparse, with a usage mistake as one line (argparse's own prints the usage first)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def parser() -> argparse.ArgumentParser:
    main_parser = OneLineParser(
        prog="specbench", description="SpecBench for Inspect: check your own scenarios."
    )
    commands = main_parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "validate",
        help="check scenario folders and print a summary",
        description="Check a scenario folder (scenario.json, specifications.json, "
        "prompts.json) or a folder of them; print each scenario's summary or its problems. "
        "Exit status 1 if any folder has a problem.",
    )
    check.add_argument("paths", nargs="+", metavar="PATH")
    schemas = commands.add_parser(
        "schema",
        help="print a scenario file's JSON Schema, or where the schemas are",
        description="Print the JSON Schema of a scenario file (scenario, specifications or "
        "prompts); without a name, or with --path, print where the schema files are.",
    )
    schemas.add_argument("name", nargs="?", choices=[f[: -len(".json")] for f in DATA_FILES])
    schemas.add_argument("--path", action="store_true", help="print the file's location only")
    add_commands(commands)
    add_info_commands(commands)
    return main_parser


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return run(args)
    except SpecBenchError as ex:
        print(f"specbench {args.command}: error: {ex}", file=sys.stderr)
        return 2


def run(args: argparse.Namespace) -> int:
    info = run_info_command(args)
    if info is not None:
        return info
    analysis = run_command(args)
    if analysis is not None:
        return analysis
    if args.command == "validate":
        return validate(args.paths)
    return show_schema(args.name, args.path)
