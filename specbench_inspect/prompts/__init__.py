"""Every prompt of the benchmark, as named templates: the wordings, and how users replace them.

- `builtin`: the template catalogue (each name's placeholders) and this package's own texts;
- `paper`: the paper's texts, read with `ast` from the reference's source at the pinned commit;
- `templates`: the templates in force (`Templates`): a wording, a templates file over it, the
  checks a replacement passes, rendering, and the record the eval log keeps.

Solvers and scorers render every text they send through `Templates.render(name, **fields)`.
"""

from __future__ import annotations

from .builtin import DEFAULTS
from .templates import (
    DEFAULT_WORDING,
    PromptsArg,
    TemplateError,
    Templates,
    resolve_wording,
)

__all__ = [
    "DEFAULTS",
    "DEFAULT_WORDING",
    "PromptsArg",
    "TemplateError",
    "Templates",
    "resolve_wording",
]
