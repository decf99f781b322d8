"""`specbench paper`: the paper's published tables in the terminal (text, Markdown or JSON),
sortable by any column, each score column naming the grader behind it."""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..paper_results import COLUMN_GRADER, GRADERS, MODEL_COLUMNS, SOURCE, TTD_COLUMNS, read_table
from .tables import text_table

PAPER_HELP = """\
Print the paper's published results (arXiv 2509.14760): `models`, the 33 evaluated models
under the vanilla method with the GPT-4.1 grader (two decimals) and the Qwen3-32B-thinking
grader (integers, truncated); `ttd`, the test-time deliberation table (four models x methods,
GPT-4.1 grader, completion tokens per sample). Scores in %, means over the five scenarios.
These numbers are for comparison only: nothing in the scoring reads them."""

TABLES = {
    "models": ("The 33 published models (vanilla)", MODEL_COLUMNS),
    "ttd": ("Test-time deliberation (methods)", TTD_COLUMNS),
}
TEXT_COLUMNS = frozenset({"model", "type", "method"})
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: tuple[str, ...]
    rows: list[dict[str, str]]
    sorted_by: str | None


def column_note(column: str) -> str:
    """What a column holds: the grader of a score column, the unit of the others."""
    grader = COLUMN_GRADER.get(column)
    if grader is not None:
        return f"% by {GRADERS[grader].description}"
    if column == "completion_tokens_per_sample":
        return "average completion tokens per sample, all calls of the method"
    return ""


def _sort_key(column: str, descending: bool) -> Any:
    def key(row: dict[str, str]) -> tuple[int, float | str]:
        value = row[column]
        if column in TEXT_COLUMNS:
            return (0, value.lower())
        if value == "N/A":  # missing values last, whichever the direction
            return (1 if not descending else -1, 0.0)
        return (0, float(value))

    return key


def load_tables(names: Sequence[str], sort: str | None, descending: bool) -> list[Table]:
    """The chosen tables, sorted by `sort` where they have that column (ValueError if none
    has it)."""
    if sort is not None and not any(sort in TABLES[n][1] for n in names):
        known = sorted({c for n in names for c in TABLES[n][1]})
        raise ValueError(f"--sort {sort!r}: no such column (choose from {', '.join(known)})")
    tables = []
    for name in names:
        title, columns = TABLES[name]
        rows = read_table(f"{name}.tsv")
        by = sort if sort in columns else None
        if by is not None:
            rows.sort(key=_sort_key(by, descending), reverse=descending)
        tables.append(Table(name, title, columns, rows, by))
    return tables


def md_text(text: str) -> str:
    """`text` as literal Markdown inline text (one line, special characters escaped)."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _order(table: Table, sort: str | None, descending: bool) -> str:
    if table.sorted_by:
        return f"sorted by {table.sorted_by}{' (descending)' if descending else ''}"
    if sort:
        return f"in the paper's order (no column {sort})"
    return "in the paper's order"


def render_text(tables: list[Table], sort: str | None, descending: bool) -> str:
    parts = [f"Source: {SOURCE}.", ""]
    for table in tables:
        parts.append(f"{table.title} [{table.name}], {_order(table, sort, descending)}:")
        rows = [[row[c] for c in table.columns] for row in table.rows]
        right = {i for i, c in enumerate(table.columns) if c not in TEXT_COLUMNS}
        parts.append(text_table(table.columns, rows, right))
        parts.append("Columns:")
        parts += [f"  {c}: {column_note(c)}" for c in table.columns if column_note(c)]
        parts.append("")
    return "\n".join(parts)


def render_markdown(tables: list[Table], sort: str | None, descending: bool) -> str:
    parts = [f"Source: {md_text(SOURCE)}.", ""]
    for table in tables:
        parts += [f"## {md_text(table.title)}", "", md_text(_order(table, sort, descending)), ""]
        parts.append("| " + " | ".join(md_text(c) for c in table.columns) + " |")
        parts.append(
            "| " + " | ".join("---" if c in TEXT_COLUMNS else "---:" for c in table.columns) + " |"
        )
        parts += [
            "| " + " | ".join(md_text(row[c]) for c in table.columns) + " |" for row in table.rows
        ]
        parts.append("")
        parts += [
            f"- {md_text(c)}: {md_text(column_note(c))}" for c in table.columns if column_note(c)
        ]
        parts.append("")
    return "\n".join(parts)


def _value(column: str, text: str) -> str | float | int | None:
    if column in TEXT_COLUMNS:
        return text
    if text == "N/A":
        return None
    number = float(text)
    return int(number) if column.endswith("_int") or column.endswith("per_sample") else number


def render_json(tables: list[Table], sort: str | None, descending: bool) -> str:
    data = {
        "source": SOURCE,
        "unit": "percent (0-100); completion tokens per sample",
        "tables": [
            {
                "name": table.name,
                "title": table.title,
                "sorted_by": table.sorted_by,
                "descending": descending if table.sorted_by else None,
                "columns": [
                    {
                        "name": c,
                        "grader": GRADERS[COLUMN_GRADER[c]].name if c in COLUMN_GRADER else None,
                        "note": column_note(c) or None,
                    }
                    for c in table.columns
                ],
                "rows": [{c: _value(c, row[c]) for c in table.columns} for row in table.rows],
            }
            for table in tables
        ],
    }
    return json.dumps(data, indent=2) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}


def add_paper_command(commands: Any) -> None:
    paper = commands.add_parser(
        "paper",
        help="the paper's published results (33 models; test-time deliberation methods)",
        description=PAPER_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    paper.add_argument(
        "--table", default="all", choices=["all", *TABLES], help="which table (default all)"
    )
    paper.add_argument(
        "--sort", default=None, metavar="COLUMN", help="sort by this column (its name as printed)"
    )
    paper.add_argument("--desc", action="store_true", help="sort in descending order")
    paper.add_argument(
        "--format", default="text", choices=list(RENDERERS), help="output format (default text)"
    )


def run_paper(args: argparse.Namespace) -> int:
    import sys

    names = list(TABLES) if args.table == "all" else [args.table]
    try:
        tables = load_tables(names, args.sort, args.desc)
    except ValueError as ex:
        print(f"specbench paper: error: {ex}", file=sys.stderr)
        return 2
    text = RENDERERS[args.format](tables, args.sort, args.desc)
    print(text, end="" if text.endswith("\n") else "\n")
    return 0
