"""Escaping of text taken from data, logs or models, one function per output format.

Spec texts, prompts, answers, model names, file names and error messages come from outside
this package and may hold markup (`<script>`, `<!-- -->`, `**`, `|`, backticks, `$`). Every
output writes such a field through the function of its format, so that it reads as the text
it is and never as markup: `html` for `index.html`, `markdown` for `report.md` and
`compare --format markdown` (rendered by CI job summaries and pull-request comments), `text`
for what a terminal shows, `json_text` for JSON, `figure` for matplotlib labels (where `$`
starts mathematics).
"""

from __future__ import annotations

import html as _html
import json
import re
from typing import Any

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\t\u2028\u2029\x85]")

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~$])")
"""ASCII punctuation that CommonMark or GitHub's dialect gives a meaning to anywhere in a line
(escapes, code, emphasis, links and images, table cells, strike-through, mathematics): escaped
with a backslash, which CommonMark allows before any ASCII punctuation."""

_MD_LINE_START = re.compile(r"^(\d{1,9}(?=[.)](?:\s|$))|)([#+\-.)])")
"""What opens a block where a line begins (a heading, a list item, a setext underline, an
ordered list item `1.`): escaped where a field begins (a field may begin a list item)."""

_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
"""Characters that open raw HTML, comments, autolinks or entities, or a block quote: written
as entities (a backslash before `<` is not honoured by every renderer inside table cells)."""


def _printable(text: str) -> str:
    """Control characters (ANSI escape sequences among them) as visible `\\xNN` escapes."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def one_line(value: Any) -> str:
    """The value as text on one line: line breaks and tabs become spaces, other control
    characters visible escapes."""
    return _printable(_LINE_BREAKS.sub(" ", str(value)))


def text(value: Any) -> str:
    """A field for plain-text output (a terminal, a log file): one line, no control
    characters (a model name holding an ANSI escape sequence cannot recolour the terminal)."""
    return one_line(value)


def markdown(value: Any) -> str:
    """A field for Markdown, safe anywhere inline (a paragraph, a list item, a heading, a
    table cell): it renders as the literal text, on one line."""
    escaped = _MD_SPECIAL.sub(r"\\\1", one_line(value).strip())
    escaped = _MD_LINE_START.sub(r"\1\\\2", escaped, count=1)
    return "".join(_MD_ENTITIES.get(c, c) for c in escaped)


def html(value: Any) -> str:
    """A field for HTML text or a quoted attribute value."""
    return _html.escape(_printable(str(value)), quote=True)


BREAK_AFTER = "/_-.+=,:;|"
"""Characters after which a long name (a path, a model, a date) may wrap in an HTML table."""
WRAP_CHARS = 16
"""Characters of an unbroken run (a checksum) after which it may wrap."""


def html_wrappable(value: Any) -> str:
    """`html`, with a line-break opportunity (`<wbr>`) after `/`, `_`, `-`, ... and every
    `WRAP_CHARS` characters of an unbroken run, so that a long file or model name wraps in a
    table cell instead of widening the page, while short words stay whole."""
    pieces: list[str] = []
    current = ""
    for char in _printable(str(value)):
        current += char
        run = len(current.rsplit(" ", 1)[-1])
        if char in BREAK_AFTER or run >= WRAP_CHARS:
            pieces.append(current)
            current = ""
    pieces.append(current)
    return "<wbr>".join(_html.escape(piece, quote=True) for piece in pieces if piece)


def figure(value: Any) -> str:
    """A field for a matplotlib label: `$` would start mathematics (and an unmatched one
    fails the figure), so it is escaped; one line."""
    return one_line(value).replace("\\", "\\\\").replace("$", r"\$")


def json_text(data: Any, indent: int | None = 2) -> str:
    """JSON of `data` that is also safe to paste into HTML or Markdown: `<`, `>` and `&` are
    written as `\\u003c`, `\\u003e`, `\\u0026` (the same strings to any JSON reader)."""
    dumped = json.dumps(data, indent=indent, ensure_ascii=False, allow_nan=False)
    return dumped.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
