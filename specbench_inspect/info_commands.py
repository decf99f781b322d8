"""`specbench list` (the tasks, their options, the methods and the graders' defaults) and
`specbench fetch` (every pinned upstream file into the cache, for an air-gapped machine).

Added to `specbench`'s parser by `specbench_inspect.cli`."""

from __future__ import annotations

import argparse
import inspect
from pathlib import Path
from typing import Any

LIST_HELP = """\
List what `inspect eval specbench/...` offers: the tasks, the options every task takes
(-T name=value) with their defaults, the generation methods with their own options, and the
graders' defaults."""

FETCH_HELP = """\
Put every pinned upstream file the package uses (the five scenarios' data, the reference
sources the paper's wording is read from, chat templates, configs) into the cache, verified by
SHA-256, and print the folder. That folder is in the upstream repository's layout: copy it to
an air-gapped machine and set SPECBENCH_UPSTREAM_DIR to the copy (see docs/offline.md)."""


def add_info_commands(commands: Any) -> None:
    """Add `list` and `fetch` to the `specbench` subcommand parsers."""
    commands.add_parser(
        "list",
        help="the tasks, their options, the methods and the graders' defaults",
        description=LIST_HELP,
    )
    fetch = commands.add_parser(
        "fetch",
        help="fill the cache with the pinned upstream files (for an air-gapped machine)",
        description=FETCH_HELP,
    )
    fetch.add_argument(
        "--cache-dir",
        default=None,
        metavar="DIR",
        help="cache folder (default $SPECBENCH_CACHE_DIR, else ~/.cache/specbench-inspect)",
    )


def _first_line(obj: Any) -> str:
    doc = inspect.getdoc(obj) or ""
    return " ".join(doc.split("\n\n")[0].split())


def _default(value: Any) -> str:
    return "-" if value is None or value is inspect.Parameter.empty else repr(value)


def listing() -> list[str]:
    """The lines `specbench list` prints."""
    from . import _registry
    from .scorers.judge import DEFAULT_ATTEMPTS, DEFAULT_GRADER, GRADER_CONFIG, JUDGE_MODES
    from .solvers import DEFAULT_METHOD, METHODS, method_options
    from .tasks.options import TaskOptions

    lines = ["Tasks (inspect eval specbench/NAME --model PROVIDER/MODEL):"]
    for name in (*_registry.TASKS, *_registry.AUDIT_TASKS):
        lines.append(f"  specbench/{name:<10} {_first_line(getattr(_registry, name))}")
    lines += [
        "",
        "Options of every benchmark task (-T name=value; specbench/specbench also takes",
        "-T scenarios=..., specbench/custom takes -T scenario_dir=PATH instead of data_dir,",
        "source, revision; specbench/grader_audit has its own: docs/grader-audit.md):",
    ]
    for name, info in TaskOptions.model_fields.items():
        lines.append(f"  {name:<20} default {_default(info.default):<10} {info.description}")
    lines += ["", f"Methods (-T method=NAME; default {DEFAULT_METHOD}) and their own options:"]
    for method in METHODS:
        params = inspect.signature(METHODS[method]).parameters
        own = ", ".join(f"{p}={_default(params[p].default)}" for p in method_options(method))
        lines.append(f"  {method:<12} {own or '(no options)'}")
    lines += [
        "",
        "Graders:",
        f"  grader        the `grader` model role (--model-role grader=PROVIDER/MODEL); "
        f"unbound: {DEFAULT_GRADER} (needs OPENAI_API_KEY)",
        f"  decoding      temperature {GRADER_CONFIG.temperature}, max_tokens "
        f"{GRADER_CONFIG.max_tokens} (a role's own config takes precedence)",
        f"  judge         {', '.join(JUDGE_MODES)} (default joint); "
        f"max_judge_attempts {DEFAULT_ATTEMPTS}",
        "  panel         -T graders=ROLE_OR_MODEL,...; min_graders default: more than half",
    ]
    return lines


def run_list() -> int:
    print("\n".join(listing()))
    return 0


def run_fetch(args: argparse.Namespace) -> int:
    from .datasets.catalog import PINNED_COMMIT, UPSTREAM_SHA256
    from .datasets.fetch import UPSTREAM_DIR_ENV, fill_cache

    given = Path(args.cache_dir).expanduser() if args.cache_dir else None
    folder = fill_cache(given)
    print(
        f"{len(UPSTREAM_SHA256)} pinned upstream files (commit {PINNED_COMMIT[:12]}), "
        f"verified, in {folder}"
    )
    print(f"On an air-gapped machine: copy that folder there and set {UPSTREAM_DIR_ENV}=<copy>")
    return 0


def run_info_command(args: argparse.Namespace) -> int | None:
    """Run `list` or `fetch`; None for another command."""
    if args.command == "list":
        return run_list()
    if args.command == "fetch":
        return run_fetch(args)
    return None
