"""Reading a rendered prompt back into its fields, whatever the wording: the scripted graders
answer prompts of the paper's wording (the default) as well as the builtin one."""

from __future__ import annotations

import re
import string
from functools import cache

from specbench_inspect.prompts import Templates


@cache
def wording(name: str) -> Templates:
    return Templates.load(name)


@cache
def template_pattern(text: str) -> re.Pattern[str]:
    """A regex matching `text` rendered with any values: each field a group (a field used
    again must repeat its first value)."""
    parts: list[str] = []
    seen: set[str] = set()
    for literal, field, _, _ in string.Formatter().parse(text):
        parts.append(re.escape(literal))
        if field is None:
            continue
        if field in seen:
            parts.append(f"(?P={field})")
        else:
            seen.add(field)
            parts.append(f"(?P<{field}>.*?)")
    return re.compile("".join(parts), re.S)


def rendered_fields(prompt: str, name: str, wording_name: str = "paper") -> dict[str, str] | None:
    """The field values with which template `name` of a wording renders `prompt`, or None."""
    match = template_pattern(wording(wording_name).text(name)).fullmatch(prompt)
    return match.groupdict() if match else None
