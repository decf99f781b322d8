"""The paper's published results, as data: for comparison only, never read by the scorer.

Source: "Reasoning over Boundaries: Enhancing Specification Alignment via Test-time
Deliberation" (arXiv 2509.14760), the result tables its authors publish in the upstream
repository `zzzhr97/SpecBench` (`assets/overall_results.png`, `assets/eval_results.png`,
`assets/TTD.png`), read off as numbers into the project's shared `paper-results/` folder and
copied here unchanged (`models.tsv`, `ttd.tsv`).

- `models.tsv`: the 33 evaluated models (18 instruct, 15 reasoning), vanilla method. Safety,
  behavioral and SAR in % under the GPT-4.1 grader (two decimals), and under Qwen3-32B with
  thinking as the grader (`qwen3_32b_*_int`: published as integers, truncated).
- `ttd.tsv`: the test-time deliberation table (four models x methods, GPT-4.1 grader) with the
  average completion tokens per sample; `N/A` where the paper reports no value.

Every value is a mean over the five scenarios (1,500 prompts).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Literal

SOURCE = (
    "arXiv 2509.14760 (Reasoning over Boundaries, SpecBench), the authors' result tables "
    "(upstream zzzhr97/SpecBench assets/overall_results.png, eval_results.png, TTD.png), "
    "read off as numbers into the project's shared paper-results/"
)

GraderKey = Literal["gpt-4.1", "qwen3-32b"]


@dataclass(frozen=True)
class PublishedGrader:
    """A grader the paper reports numbers for."""

    key: GraderKey
    name: str
    """The paper's name of the grader model (matched like a model under test)."""
    description: str
    digits: int
    """Decimals published."""


GRADERS: dict[GraderKey, PublishedGrader] = {
    "gpt-4.1": PublishedGrader(
        "gpt-4.1", "GPT-4.1", "GPT-4.1 (the paper's main grader; two decimals)", 2
    ),
    "qwen3-32b": PublishedGrader(
        "qwen3-32b",
        "Qwen3-32B-thinking",
        "Qwen3-32B with thinking (the paper's second grader; integers, truncated)",
        0,
    ),
}


@dataclass(frozen=True)
class Scores:
    """Safety, behavioral and SAR in % (0-100)."""

    safety: float
    behavioral: float
    sar: float

    def get(self, metric: str) -> float:
        value: float = getattr(self, metric)
        return value


@dataclass(frozen=True)
class PublishedModel:
    """One row of `models.tsv`: a model under the vanilla method."""

    model: str
    type: str
    """`instruct` or `reasoning`."""
    gpt41: Scores
    qwen3_32b: Scores

    def scores(self, grader: GraderKey) -> Scores:
        return self.gpt41 if grader == "gpt-4.1" else self.qwen3_32b


@dataclass(frozen=True)
class PublishedMethod:
    """One row of `ttd.tsv`: a model under a method (GPT-4.1 grader); None where N/A."""

    model: str
    type: str
    method: str
    scores: Scores | None
    completion_tokens: int | None
    """Average completion tokens per sample (all calls of the method)."""


MODEL_COLUMNS = (
    "model",
    "type",
    "safety",
    "behavioral",
    "sar",
    "qwen3_32b_safety_int",
    "qwen3_32b_behavioral_int",
    "qwen3_32b_sar_int",
)
TTD_COLUMNS = (
    "model",
    "type",
    "method",
    "safety",
    "behavioral",
    "sar",
    "completion_tokens_per_sample",
)
COLUMN_GRADER: dict[str, GraderKey] = {
    "safety": "gpt-4.1",
    "behavioral": "gpt-4.1",
    "sar": "gpt-4.1",
    "qwen3_32b_safety_int": "qwen3-32b",
    "qwen3_32b_behavioral_int": "qwen3-32b",
    "qwen3_32b_sar_int": "qwen3-32b",
}
"""The grader behind each score column of both tables."""


def read_table(name: str) -> list[dict[str, str]]:
    """The rows of a packaged table (`models.tsv` or `ttd.tsv`) as strings, as published."""
    text = files(__package__).joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines(), delimiter="\t"))


def _number(text: str) -> float | None:
    return None if text == "N/A" else float(text)


@cache
def published_models() -> tuple[PublishedModel, ...]:
    """The 33 models of the paper's main table, in the paper's order."""
    rows = []
    for row in read_table("models.tsv"):
        rows.append(
            PublishedModel(
                model=row["model"],
                type=row["type"],
                gpt41=Scores(float(row["safety"]), float(row["behavioral"]), float(row["sar"])),
                qwen3_32b=Scores(
                    float(row["qwen3_32b_safety_int"]),
                    float(row["qwen3_32b_behavioral_int"]),
                    float(row["qwen3_32b_sar_int"]),
                ),
            )
        )
    return tuple(rows)


@cache
def published_methods() -> tuple[PublishedMethod, ...]:
    """The rows of the paper's test-time deliberation table, in the paper's order."""
    rows = []
    for row in read_table("ttd.tsv"):
        safety, behavioral, sar = (_number(row[k]) for k in ("safety", "behavioral", "sar"))
        tokens = _number(row["completion_tokens_per_sample"])
        scores = (
            Scores(safety, behavioral, sar)
            if safety is not None and behavioral is not None and sar is not None
            else None
        )
        rows.append(
            PublishedMethod(
                row["model"],
                row["type"],
                row["method"],
                scores,
                None if tokens is None else int(tokens),
            )
        )
    return tuple(rows)


def published_model(name: str) -> PublishedModel | None:
    """The main-table row of the paper's model `name` (exact paper spelling)."""
    return next((m for m in published_models() if m.model == name), None)


def published_method(model: str, method: str) -> PublishedMethod | None:
    """The TTD-table row of paper model `model` under `method` (a method name of this
    package: vanilla, best_of_n, self_refine, tpo, zero_think, more_think, align3)."""
    return next((m for m in published_methods() if m.model == model and m.method == method), None)


__all__ = [
    "COLUMN_GRADER",
    "GRADERS",
    "MODEL_COLUMNS",
    "SOURCE",
    "TTD_COLUMNS",
    "GraderKey",
    "PublishedGrader",
    "PublishedMethod",
    "PublishedModel",
    "Scores",
    "published_method",
    "published_methods",
    "published_model",
    "published_models",
    "read_table",
]
