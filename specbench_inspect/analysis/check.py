"""`specbench check`: whether a log is a finished, fully scored SpecBench run that can be trusted.

`inspect eval` exits 0 when every sample errored under `--no-fail-on-error` (status `success`),
when every sample is unscored, and when the run was interrupted (SIGINT leaves a `cancelled`
log); a killed run (SIGTERM) leaves a `started` one. `check_log` reads a log and says, per
SpecBench run in it (one per SpecBench score), what it holds (status, samples, errored,
unscored, flagged and truncated answers, whether it is the published benchmark) and why it
fails, if it does:

- the status is not `success`, or the log is marked invalidated;
- fewer samples than the eval set out to run, or any errored sample;
- more unscored or flagged samples than `--max-unscored` / `--max-flagged` allow (a count,
  or a percentage of the sample-epochs written `N%`; by default none);
- with `--require-published`, data or wording other than the paper's.

A file that is not a SpecBench log (unreadable, not an Inspect log, or a log of another task)
is a mistake in the command line, not a failed run. Exit status of `check_paths`: 0 every run
passes, 1 a run fails, 2 a file is not a SpecBench log (2 wins over 1).

Further checks add lines under a run's line through `CheckResult.add` (a line, failing or
not): `EXTRA_CHECKS` lists the ones `specbench check` runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from inspect_ai.log import read_eval_log

from .. import escape
from .logs import LogReadError, RunData, log_files, read_runs

PASSED, FAILED, NOT_SPECBENCH = "ok", "FAIL", "NOT A SPECBENCH LOG"
EXIT_CODES = {PASSED: 0, FAILED: 1, NOT_SPECBENCH: 2}
LOG_SUFFIXES = (".eval", ".json")
"""The file types of Inspect logs."""

ERROR_CHARS = 100
"""Characters of a sample's error message shown in a line."""
_LIMIT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$")


@dataclass(frozen=True)
class Limit:
    """How many samples may be unscored (or flagged): a count, or a share in percent."""

    count: int | None = 0
    percent: float | None = None

    @classmethod
    def parse(cls, option: str, given: str) -> Limit:
        """`5` (a count) or `1%` / `0.5%` (a percentage of the sample-epochs); ValueError
        naming the option otherwise."""
        found = _LIMIT.match(given)
        if found is not None:
            number, percent = found.groups()
            if percent and float(number) <= 100:
                return cls(count=None, percent=float(number))
            if not percent and "." not in number:
                return cls(count=int(number))
        raise ValueError(
            f"{option}: {given!r} is not a limit: give a count of samples (5) or a percentage "
            "of them (1%)"
        )

    def allows(self, found: int, total: int) -> bool:
        if self.count is not None:
            return found <= self.count
        assert self.percent is not None
        return total > 0 and 100 * found / total <= self.percent + 1e-9

    def __str__(self) -> str:
        return str(self.count) if self.count is not None else f"{self.percent:g}%"


@dataclass(frozen=True)
class CheckOptions:
    max_unscored: Limit = field(default_factory=Limit)
    max_flagged: Limit = field(default_factory=Limit)
    require_published: bool = False


@dataclass
class CheckResult:
    """The verdict on one SpecBench run of a log (or on a file that is not a SpecBench log)."""

    path: str
    scorer: str = "spec_judge"
    status: str = "?"
    samples: int = 0
    """Sample-epochs in the log."""
    planned: int | None = None
    """Sample-epochs the eval set out to run."""
    epochs: int = 1
    errored: int = 0
    unscored: int = 0
    """Sample-epochs without a score that did not error (errored ones are counted there)."""
    flagged: int = 0
    truncated: int = 0
    published: bool | None = None
    problems: list[str] = field(default_factory=list)
    """Why the run fails (empty: it passes)."""
    lines: list[str] = field(default_factory=list)
    """Further lines shown under the run's line (see `add`)."""
    not_specbench: str | None = None
    """Why the file is not a SpecBench log (then nothing else is filled in)."""

    def add(self, line: str, failing: bool = False) -> None:
        """A line under this run's line; `failing` makes the run fail for that reason."""
        self.lines.append(line)
        if failing:
            self.problems.append(line)

    @property
    def verdict(self) -> str:
        if self.not_specbench is not None:
            return NOT_SPECBENCH
        return FAILED if self.problems else PASSED

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]

    @property
    def name(self) -> str:
        return self.path + ("" if self.scorer == "spec_judge" else f" [{self.scorer}]")

    def facts(self) -> str:
        samples = f"{self.samples}"
        if self.planned is not None and self.planned != self.samples:
            samples += f" of {self.planned}"
        samples += " sample-epochs" if self.epochs > 1 else " samples"
        published = {True: "yes", False: "no", None: "not recorded"}[self.published]
        return (
            f"status {self.status}, {samples}, {self.errored} errored, {self.unscored} "
            f"unscored, {self.flagged} flagged, {self.truncated} truncated, published {published}"
        )

    def line(self) -> str:
        """The one line `specbench check` prints for this run."""
        if self.not_specbench is not None:
            return f"{NOT_SPECBENCH}: {escape.text(self.path)}: {escape.text(self.not_specbench)}"
        head = f"{self.verdict} {escape.text(self.name)}: {escape.text(self.facts())}"
        if not self.problems:
            return head
        return f"{head} -- {escape.text('; '.join(self.problems))}"

    def render(self) -> list[str]:
        return [self.line(), *(f"  {escape.text(line)}" for line in self.lines)]


ExtraCheck = Callable[[RunData, CheckResult], None]
"""A further check of a run: adds lines to its result (`CheckResult.add`)."""


def paper_reproduction(run: RunData, result: CheckResult) -> None:
    """The reproduction check (`reproduction.reproduction_lines`: paper value, run value,
    difference, the run's 95% interval, consistent / differs, or what prevents a
    reproduction) for a run of one of the paper's models; nothing for another model. Never a
    reason to fail: a run can be sound and still differ from the paper."""
    from .reproduction import reproduction, reproduction_lines
    from .summary import summarize

    summary = summarize(run, "R1")
    if reproduction(summary).model.name is None:
        return
    for line in reproduction_lines(summary):
        result.add(line)


EXTRA_CHECKS: tuple[ExtraCheck, ...] = (paper_reproduction,)
"""The further checks `specbench check` runs on each SpecBench run, in order."""


def _short(message: str, limit: int = ERROR_CHARS) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _share(found: int, total: int) -> str:
    return f"{100 * found / total:.1f}%" if total else "-"


STATUS_PROBLEMS = {
    "cancelled": "the run was cancelled (interrupted) before it finished",
    "started": "the run never finished (it was killed, or it is still running)",
    "error": "the run stopped on an error",
}


def check_run(run: RunData, options: CheckOptions | None = None) -> CheckResult:
    """The verdict on one SpecBench run (see the module docstring)."""
    options = options or CheckOptions()
    samples = list(run.samples.values())
    errored = sum(s.errored for s in samples)
    result = CheckResult(
        path=run.path,
        scorer=run.scorer,
        status=run.status,
        samples=run.sample_epochs,
        planned=run.planned,
        epochs=run.epochs,
        errored=len(run.errored) or errored,
        unscored=max(0, run.unscored_epochs - errored),
        flagged=sum(s.flagged for s in samples),
        truncated=sum(s.truncated for s in samples),
        published=run.published,
    )
    for problem in run.problems:
        if problem.startswith(f"status is '{run.status}'") and run.status in STATUS_PROBLEMS:
            why = problem.partition("not 'success': ")[2]
            reason = STATUS_PROBLEMS[run.status] + (f": {_short(why)}" if why else "")
            result.problems.append(reason)
        else:
            result.problems.append(problem)
    total = result.samples
    if run.planned is not None and total < run.planned:
        result.problems.append(f"{run.planned - total} of {run.planned} samples are missing")
    if run.errored:
        shown = "; ".join(_short(e) for e in run.errored[:2])
        shown += "; ..." if len(run.errored) > 2 else ""
        result.problems.append(f"{len(run.errored)} sample(s) errored ({shown})")
    for what, found, limit, option in (
        ("unscored", result.unscored, options.max_unscored, "--max-unscored"),
        ("flagged", result.flagged, options.max_flagged, "--max-flagged"),
    ):
        if found and not limit.allows(found, total):
            result.problems.append(
                f"{found} of {total} samples {what} ({_share(found, total)}), more than "
                f"{option} {limit}"
            )
    if options.require_published and run.published is not True:
        result.problems.append(
            "not the published benchmark (data or wording differ from the paper's, or the log "
            "does not record it), and --require-published is given"
        )
    return result


def _not_specbench(path: str) -> str | None:
    """Why `path` is not a SpecBench log, or None when it is one."""
    if Path(path).suffix not in LOG_SUFFIXES:
        return f"not an Inspect log file (its name does not end in {' or '.join(LOG_SUFFIXES)})"
    try:
        header = read_eval_log(path, header_only=True)
    except Exception as ex:
        return f"cannot be read as an Inspect log ({type(ex).__name__}: {ex})"
    if not isinstance((header.eval.metadata or {}).get("specbench"), dict):
        return f"a log of task {header.eval.task!r}, not of a SpecBench task"
    return None


def check_log(
    path: str,
    options: CheckOptions | None = None,
    extra_checks: Sequence[ExtraCheck] = EXTRA_CHECKS,
) -> list[CheckResult]:
    """The verdict on each SpecBench run of one log file (one result naming the file when it
    is not a SpecBench log)."""
    why = _not_specbench(path)
    if why is None:
        try:
            runs = read_runs(path)
        except LogReadError as ex:
            return [CheckResult(path, not_specbench=str(ex).removeprefix(f"{path}: "))]
        if not runs:
            why = "not a SpecBench log"
    if why is not None:
        return [CheckResult(path, not_specbench=why)]
    results = []
    for run in runs:
        result = check_run(run, options)
        for extra in extra_checks:
            extra(run, result)
        results.append(result)
    return results


@dataclass
class CheckReport:
    results: list[CheckResult]

    @property
    def exit_code(self) -> int:
        return max((r.exit_code for r in self.results), default=2)

    def lines(self) -> list[str]:
        return [line for result in self.results for line in result.render()]


def _as_given(given: str, file: str) -> str:
    """A log found in the folder `given`, named from that folder as the user wrote it."""
    folder = Path(given).expanduser()
    if not folder.is_dir():
        return file
    try:
        return str(folder / Path(file).resolve().relative_to(folder.resolve()))
    except ValueError:
        return file


def check_paths(
    paths: Iterable[str],
    options: CheckOptions | None = None,
    extra_checks: Sequence[ExtraCheck] = EXTRA_CHECKS,
) -> CheckReport:
    """`specbench check LOG_OR_DIR ...`: every log file given, and every log in a folder."""
    results: list[CheckResult] = []
    for given in paths:
        try:
            files = log_files(given)
        except LogReadError as ex:  # no such path, or a file that is not named as a log
            reason = str(ex).removeprefix(f"{given}: ")
            results.append(CheckResult(given, not_specbench=reason))
            continue
        if not files:
            results.append(CheckResult(given, not_specbench="a folder without Inspect logs"))
        for file in files:
            results += check_log(_as_given(given, file), options, extra_checks)
    return CheckReport(results)
