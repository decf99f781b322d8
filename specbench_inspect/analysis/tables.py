"""Plain-text and Markdown tables (shared by `compare` and `report`); every cell is escaped
for its format (`escape.py`)."""

from __future__ import annotations

from collections.abc import Sequence

from .. import escape


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> str:
    """Columns padded to their widest cell; columns in `right` aligned right."""
    header = [escape.text(c) for c in header]
    rows = [[escape.text(c) for c in row] for row in rows]
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            str(c).rjust(w) if i in right else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def md_cell(text: str) -> str:
    return escape.markdown(text)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> str:
    align = ["---:" if i in right else "---" for i in range(len(header))]
    lines = [
        "| " + " | ".join(md_cell(h) for h in header) + " |",
        "| " + " | ".join(align) + " |",
    ]
    lines += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


MARKDOWN_SPECIAL = frozenset("\\`*_[]<>&|~#$!")
"""Characters that start Markdown (or HTML, which Markdown passes through) formatting."""


def md_escape(text: object) -> str:
    """Any text (from data, logs or models) as literal Markdown on one line: runs of
    whitespace become one space and every formatting character is backslash-escaped, so
    `<img ...>`, `**`, `|` or `[link](...)` in a spec or an answer shows as written (safe in a
    table cell too)."""
    return "".join(
        "\\" + ch if ch in MARKDOWN_SPECIAL else ch for ch in " ".join(str(text).split())
    )
