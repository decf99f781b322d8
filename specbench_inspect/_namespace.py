"""Register objects under Inspect's `specbench/` prefix (see `specbench/__init__.py`)."""

from __future__ import annotations

import importlib
from typing import TypeVar

NAMESPACE = "specbench"

F = TypeVar("F")


def in_namespace(fn: F) -> F:
    """Mark `fn` as defined in the `specbench` package, before an Inspect decorator sees it.

    Inspect derives the registry prefix from the module a function claims to belong to, and
    looks that module up by name, so the package must be importable first.
    """
    importlib.import_module(NAMESPACE)
    fn.__module__ = NAMESPACE
    return fn
