"""Every relative link in README.md, ARCHITECTURE.md and docs/*.md points at a file that exists,
and every `#anchor` at a heading of that file (GitHub's anchors: the heading's text in lower
case, punctuation removed, each space a `-`, a repeated heading numbered `-1`, `-2`, ...)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

LINK = re.compile(r"(?<!!)\[(?:[^\]\[]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def documents() -> list[Path]:
    return [REPO / "README.md", REPO / "ARCHITECTURE.md", *sorted((REPO / "docs").glob("*.md"))]


def prose_lines(text: str, *, code_spans: bool = False) -> list[str]:
    """The lines outside fenced code blocks; unless `code_spans`, each inline code span is
    replaced by a word (a link written in one is not a link)."""
    lines, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced:
            lines.append(line if code_spans else re.sub(r"`[^`]*`", "code", line))
    return lines


def slug(heading: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading: its text
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """The anchors GitHub makes for the headings of a markdown file."""
    seen: Counter[str] = Counter()
    found: set[str] = set()
    for line in prose_lines(path.read_text(encoding="utf-8"), code_spans=True):
        match = HEADING.match(line)
        if match:
            base = slug(match.group(2))
            found.add(base if not seen[base] else f"{base}-{seen[base]}")
            seen[base] += 1
    return found


def broken_links(path: Path) -> list[str]:
    """Each relative link of `path` whose file or anchor does not exist, as `file: target`."""
    problems = []
    for line in prose_lines(path.read_text(encoding="utf-8")):
        for target in LINK.findall(line):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:, ...
                continue
            file_part, _, anchor = target.partition("#")
            linked = (path.parent / file_part).resolve() if file_part else path
            if not linked.exists():
                problems.append(f"{path.relative_to(REPO)}: {target} (no such file)")
            elif anchor and (linked.suffix != ".md" or anchor not in anchors(linked)):
                problems.append(f"{path.relative_to(REPO)}: {target} (no such heading)")
    return problems


def test_the_checker_finds_a_missing_file_and_a_missing_heading(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    (tmp_path / "other.md").write_text("# Other\n\n## Re-judging a log (`inspect score`)\n")
    page.write_text(
        "# Title\n\n## Title\n\n[ok](other.md#re-judging-a-log-inspect-score) [ok](#title-1)\n"
        "[gone](missing.md) [bad](other.md#nowhere) [bad](#title-2) [web](https://x.org/#y)\n"
        "`[not a link](nowhere.md)`\n\n```\n[in a fence](nowhere.md)\n```\n"
    )
    global REPO
    saved, REPO = REPO, tmp_path
    try:
        assert broken_links(page) == [
            "page.md: missing.md (no such file)",
            "page.md: other.md#nowhere (no such heading)",
            "page.md: #title-2 (no such heading)",
        ]
    finally:
        REPO = saved


def test_every_relative_link_and_anchor_resolves() -> None:
    pages = documents()
    assert len(pages) >= 9 and all(page.is_file() for page in pages)
    links = sum(len(LINK.findall("\n".join(prose_lines(p.read_text("utf-8"))))) for p in pages)
    assert links > 40
    problems = [problem for page in pages for problem in broken_links(page)]
    assert problems == []
