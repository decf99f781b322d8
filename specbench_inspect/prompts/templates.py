"""The templates in force: choosing a wording, replacing templates from a file, rendering.

A *wording* gives a text to every template name (`builtin.DEFAULTS`): `paper` (the default) is
the reference implementation's own wording, read at run time from the pinned upstream source
(`prompts.paper`; nothing of it is in this package), with this package's texts for the few
templates the reference has no text for (`turns_*`, the reward-model baselines, `judge_retry`);
`builtin` is this package's own wording (`prompts.builtin`). Users choose one with
`-T prompts=paper|builtin` or give a file (`-T prompts=FILE`: a YAML or JSON mapping of
template name to text, over the wording named by its optional `base` key, `paper` by default);
`-T judge_template_file=FILE` replaces the joint judge prompt alone. Every replacement is
checked against the template's declared placeholders before it is used.
"""

from __future__ import annotations

import hashlib
import json
import string
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from ..errors import SpecBenchError, did_you_mean
from ..files import FileFormatError, read_json, read_text, read_yaml
from .builtin import DEFAULTS, builtin_texts
from .paper import paper_texts

Wording = Literal["paper", "builtin"]
WORDINGS: tuple[Wording, ...] = ("paper", "builtin")
DEFAULT_WORDING: Wording = "paper"


class TemplateError(SpecBenchError):
    """A template replacement that cannot be used."""


def _placeholders(text: str) -> set[str]:
    """The names `text` fills in. Only plain `{name}` is accepted: an attribute, an index, a
    conversion or a format spec (`{response.__class__}`, `{response[0]}`, `{response!r}`)
    would let a template name a value while never showing it."""
    names: set[str] = set()
    for _, field, spec, conversion in string.Formatter().parse(text):
        if field is None:
            continue
        if not field.isidentifier() or spec or conversion:
            shown = field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            raise ValueError(f"placeholder {{{shown}}} is not a plain {{name}}")
        names.add(field)
    return names


def check_template(name: str, text: Any, origin: str = "") -> None:
    """Refuse a text for template `name` that is not text, names an unknown template, uses a
    placeholder the template does not have, or drops one it must keep."""
    where = f"{origin}: " if origin else ""
    if name not in DEFAULTS:
        raise TemplateError(f"{where}unknown template '{name}' (templates: {', '.join(DEFAULTS)})")
    if not isinstance(text, str):
        raise TemplateError(f"{where}template '{name}' must be text")
    template = DEFAULTS[name]
    try:
        used = _placeholders(text)
    except ValueError as ex:
        raise TemplateError(f"{where}template '{name}': {ex} (write {{{{ for a brace)") from None
    unknown = used - template.fields
    if unknown:
        allowed = ", ".join(sorted(template.fields)) or "none"
        raise TemplateError(
            f"{where}template '{name}' uses unknown placeholder "
            f"{', '.join('{' + u + '}' for u in sorted(unknown))} (allowed: {allowed})"
        )
    missing = template.required - used
    if missing:
        raise TemplateError(
            f"{where}template '{name}' must use {', '.join('{' + m + '}' for m in sorted(missing))}"
        )


def wording_texts(wording: Wording) -> dict[str, str]:
    """Every template's own text in `wording`: the builtin texts, and for `paper` the
    reference's texts over them (each checked like a replacement)."""
    if wording not in WORDINGS:
        raise TemplateError(f"unknown wording {wording!r} (choose from {', '.join(WORDINGS)})")
    texts = builtin_texts()
    if wording == "paper":
        for name, text in paper_texts().items():
            check_template(name, text, "paper wording")
            texts[name] = text
    return texts


class Templates:
    """The templates in force: a wording (`paper` or `builtin`) with any user replacements."""

    def __init__(
        self,
        overrides: Mapping[str, str] | None = None,
        origin: str = "",
        *,
        base: Wording = "builtin",
    ) -> None:
        self.base: Wording = base
        self.base_texts = wording_texts(base)
        self.overrides: dict[str, str] = {}
        self.origin = origin
        for name, text in (overrides or {}).items():
            check_template(name, text, origin)
            self.overrides[name] = text

    def text(self, name: str) -> str:
        while True:
            if name in self.overrides:
                return self.overrides[name]
            if name in self.base_texts:
                return self.base_texts[name]
            fallback = DEFAULTS[name].fallback
            if fallback is None:
                return DEFAULTS[name].text
            name = fallback

    def render(self, name: str, **values: Any) -> str:
        return self.text(name).format(**values)

    def render_list(self, item: str, separator: str, specs: Sequence[str]) -> str:
        """`specs` laid out with an item template (`spec`, `index` from 1) and a separator."""
        return self.text(separator).join(
            self.render(item, spec=spec, index=index) for index, spec in enumerate(specs, 1)
        )

    def texts(self) -> dict[str, str]:
        """The text every template renders with (fallbacks resolved)."""
        return {name: self.text(name) for name in DEFAULTS}

    def fingerprint(self) -> str:
        """SHA-256 of every template's text in force (canonical JSON, sorted by name)."""
        canonical = json.dumps(self.texts(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @property
    def is_paper(self) -> bool:
        """Whether every template renders with the paper's wording."""
        if self.base != "paper":
            return False
        return all(self.base_texts.get(n) == text for n, text in self.overrides.items())

    @property
    def wording(self) -> str:
        """`paper`, `builtin`, or `file` (a wording with replacements)."""
        return "file" if self.overrides else self.base

    def describe(self) -> dict[str, Any]:
        """For the eval log: the wording, its source, what was replaced, the fingerprint."""
        record: dict[str, Any] = {
            "wording": self.wording,
            "base": self.base,
            "paper": self.is_paper,
            "fingerprint": self.fingerprint(),
            "replaced": sorted(self.overrides),
            "origin": self.origin or None,
        }
        if self.base == "paper":
            from ..datasets.catalog import PINNED_COMMIT, UPSTREAM_REPO

            record["upstream"] = f"{UPSTREAM_REPO}@{PINNED_COMMIT}"
        return record

    def _repr_params_(self) -> dict[str, Any]:
        # Inspect records a solver's or scorer's arguments in the log; an object that has
        # this method is recorded as what it returns (the task passes its loaded wording).
        return self.describe()

    @classmethod
    def load(cls, prompts: str | None = None, judge_template: str | None = None) -> Templates:
        """The wording `prompts` names (`paper`, the default, or `builtin`), or a templates
        file (YAML/JSON mapping of template name to text over the wording its `base` key
        names, `paper` by default); `judge_template` (a text file) replaces `judge_joint`."""
        overrides: dict[str, str] = {}
        origins: list[str] = []
        base: str = prompts or DEFAULT_WORDING
        if base not in WORDINGS:
            path = Path(base).expanduser()
            if not path.exists():
                raise TemplateError(
                    f"-T prompts: {prompts!r} is neither a wording ({', '.join(WORDINGS)}) nor an "
                    f"existing templates file{did_you_mean(base, WORDINGS)}"
                )
            mapping = _read_mapping(path)
            base = mapping.pop("base", DEFAULT_WORDING)
            if base not in WORDINGS:
                raise TemplateError(
                    f"{path}: base: unknown wording {base!r} (choose from {', '.join(WORDINGS)})"
                )
            overrides.update(mapping)
            origins.append(str(path))
        if judge_template:
            path = Path(judge_template).expanduser()
            overrides["judge_joint"] = _read_text(path)
            origins.append(str(path))
        return cls(overrides, origin=", ".join(origins), base=base)


def _read_text(path: Path) -> str:
    try:
        return read_text(path)
    except FileFormatError as ex:
        raise TemplateError(f"{ex.file}: template file: {ex.problem}") from None


def _read_mapping(path: Path) -> dict[str, Any]:
    try:
        data = read_json(path) if path.suffix == ".json" else read_yaml(path)
    except FileFormatError as ex:
        raise TemplateError(f"{ex.file}: templates file: {ex.problem}") from None
    if not isinstance(data, dict):
        raise TemplateError(f"{path}: expected a mapping of template name to text")
    return {str(k): v for k, v in data.items()}


PromptsArg = str | Templates
"""What a solver's or scorer's `prompts` argument holds: a wording's name (`paper`,
`builtin`), a templates file, or the wording a task has already loaded."""


@lru_cache(maxsize=16)
def _load_cached(prompts: str | None, judge_template: str | None) -> Templates:
    return Templates.load(prompts, judge_template)


def resolve_wording(prompts: PromptsArg | None, judge_template: str | None = None) -> Templates:
    """The templates `prompts` stands for: a loaded wording as it is, a name or a file loaded
    once per process (a solver or scorer made from the command line, `--solver` / `-S`)."""
    if isinstance(prompts, Templates):
        if judge_template:
            raise TemplateError(
                "judge_template_file: give it to the task that loads the wording, not beside "
                "an already loaded wording"
            )
        return prompts
    return _load_cached(prompts, judge_template)
