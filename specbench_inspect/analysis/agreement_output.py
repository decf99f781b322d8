"""What `specbench agreement` prints: readable tables, Markdown (every field taken from data
or logs escaped) or JSON (everything, for machines)."""

from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Sequence

from .agreement import VERDICTS, Agreement, GroupAgreement, Matrix, Rater, SpecAgreement
from .compare import format_p
from .compare_output import _clean
from .tables import md_escape, text_table

SPEC_TEXT_CHARS = 90
SHORT = {"YES": "Y", "NO": "N", "NA": "NA"}


def _plain(text: str) -> str:
    """Text from data or logs on one terminal line: whitespace runs as one space, control
    characters (terminal escapes included) dropped."""
    kept = "".join(ch for ch in text if unicodedata.category(ch) != "Cc" or ch.isspace())
    return " ".join(kept.split())


def _pct(x: float) -> str:
    return "-" if math.isnan(x) else f"{100 * x:.1f}%"


def _num(x: float, digits: int = 3) -> str:
    return "-" if math.isnan(x) else f"{x:.{digits}f}"


def _rater_line(role: str, rater: Rater) -> str:
    if rater.kind == "labels":
        return f"{role}: {rater.path} (people's verdicts; {rater.units} sample-epochs labelled)"
    return (
        f"{role}: {rater.path} [{rater.scorer}] (grader {rater.grader}; {rater.units} "
        f"sample-epochs judged, {rater.unscored} unscored)"
    )


def _headline(result: Agreement) -> list[str]:
    overall = result.overall
    assert overall is not None
    return [
        f"{result.pairs} paired verdicts over {result.paired_units} sample-epochs ({result.mode})",
        f"agreement {_pct(overall.agreement)}, Cohen's kappa {_num(overall.kappa)}, "
        f"Krippendorff's alpha {_num(result.alpha)} (nominal)",
    ]


MATRIX_HEADER = ["reference \\ candidate", *VERDICTS, "total"]


def _matrix_rows(matrix: Matrix) -> list[list[str]]:
    rows = [
        [r, *(str(matrix[r][c]) for c in VERDICTS), str(sum(matrix[r].values()))] for r in VERDICTS
    ]
    totals = [sum(matrix[r][c] for r in VERDICTS) for c in VERDICTS]
    rows.append(["total", *map(str, totals), str(sum(totals))])
    return rows


CLASS_HEADER = ["verdict", "reference", "candidate", "precision", "recall", "F1"]


def _class_rows(result: Agreement) -> list[list[str]]:
    return [
        [
            c.verdict,
            str(c.reference),
            str(c.candidate),
            _num(c.precision),
            _num(c.recall),
            _num(c.f1),
        ]
        for c in result.classes
    ]


GROUP_HEADER = ["group", "n", "agreement", "kappa"]


def _group_rows(groups: Sequence[GroupAgreement]) -> list[list[str]]:
    return [[g.where, str(g.n), _pct(g.agreement), _num(g.kappa)] for g in groups]


SCORE_HEADER = ["group", "metric", "n", "reference", "candidate", "difference", "CI", "p"]


def _score_rows(result: Agreement) -> list[list[str]]:
    return [
        [
            g.where,
            g.metric,
            str(g.n),
            f"{g.reference:.2f}",
            f"{g.candidate:.2f}",
            f"{g.difference:+.2f}",
            f"[{g.ci_low:+.2f}, {g.ci_high:+.2f}]",
            format_p(g.p_value).lstrip("= "),
        ]
        for g in result.scores
    ]


def _score_caption(result: Agreement) -> str:
    o = result.options
    return (
        f"Scores from each rater's verdicts (points), {result.scored_samples} samples with "
        f"every spec judged by both (epochs averaged); difference = candidate - reference; "
        f"{round(100 * o.level)}% CI from {o.resamples} paired bootstrap resamples over samples "
        f"(stratified by scenario x label, seed {o.seed}); SAR alpha {result.rules['alpha']:g}, "
        f"behavioral NA rule '{result.rules['behavioral_na']}'"
    )


def _moves(spec: SpecAgreement) -> str:
    """The disagreements of a spec, most frequent first: `YES→NO 4, NA→YES 1`."""
    cells = [
        (spec.matrix[r][c], r, c)
        for r in VERDICTS
        for c in VERDICTS
        if r != c and spec.matrix[r][c]
    ]
    cells.sort(key=lambda x: (-x[0], VERDICTS.index(x[1]), VERDICTS.index(x[2])))
    return ", ".join(f"{r}→{c} {n}" for n, r, c in cells)


DISAGREED_HEADER = ["scenario", "spec", "n", "agreement", "kappa", "reference→candidate", "text"]


def _disagreed_rows(result: Agreement, limit: int | None) -> list[list[str]]:
    rows = []
    for s in result.disagreed:
        text = _plain(s.text)
        if limit is not None and len(text) > limit:
            text = text[: limit - 1] + "…"
        rows.append(
            [
                s.scenario,
                f"{s.section} {s.number}",
                str(s.n),
                _pct(s.agreement),
                _num(s.kappa),
                _moves(s),
                text,
            ]
        )
    return rows


CELLS = [(r, c) for r in VERDICTS for c in VERDICTS]
SPEC_HEADER = [
    "scenario",
    "spec",
    "n",
    "agreement",
    "kappa",
    *(f"{SHORT[r]}/{SHORT[c]}" for r, c in CELLS),
]


def _spec_rows(result: Agreement) -> list[list[str]]:
    return [
        [
            s.scenario,
            f"{s.section} {s.number}",
            str(s.n),
            _pct(s.agreement),
            _num(s.kappa),
            *(str(s.matrix[r][c]) for r, c in CELLS),
        ]
        for s in result.specs
    ]


SPEC_CAPTION = (
    "Per spec: confusion counts reference/candidate (Y/N = reference YES, candidate NO; NA "
    "is not applicable)"
)


def _text_table(header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> str:
    return text_table(header, [[_plain(c) for c in row] for row in rows], right)


def render_text(result: Agreement) -> str:
    assert result.overall is not None
    lines = [
        "SpecBench agreement: can the candidate stand in for the reference?",
        "  " + _plain(_rater_line("reference", result.reference)),
        "  " + _plain(_rater_line("candidate", result.candidate)),
        *(f"  {line}" for line in _headline(result)),
    ]
    lines += [f"Note: {_plain(note)}" for note in result.notes]
    lines += ["", "Confusion matrix (rows: reference, columns: candidate):"]
    lines.append(_text_table(MATRIX_HEADER, _matrix_rows(result.overall.matrix), {1, 2, 3, 4}))
    lines += ["", "Per verdict, the reference as the truth:"]
    lines.append(_text_table(CLASS_HEADER, _class_rows(result), {1, 2, 3, 4, 5}))
    lines += ["", "Cohen's kappa by section and scenario:"]
    groups = [result.overall, *result.sections, *result.scenarios]
    lines.append(_text_table(GROUP_HEADER, _group_rows(groups), {1, 2, 3}))
    if result.scores:
        lines += ["", _score_caption(result) + ":"]
        lines.append(_text_table(SCORE_HEADER, _score_rows(result), {2, 3, 4, 5}))
    lines += [""]
    if result.disagreed:
        lines.append("Specs the raters disagree on most:")
        rows = _disagreed_rows(result, SPEC_TEXT_CHARS)
        lines.append(_text_table(DISAGREED_HEADER, rows, {2, 3, 4}))
    elif not any(spec.disagreements for spec in result.specs):
        lines.append("The raters agree on every spec.")
    lines += ["", SPEC_CAPTION + ":"]
    right = set(range(2, len(SPEC_HEADER)))
    lines.append(_text_table(SPEC_HEADER, _spec_rows(result), right - {1}))
    return "\n".join(lines)


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> str:
    """A Markdown table with every cell escaped (`md_escape`)."""
    align = ["---:" if i in right else "---" for i in range(len(header))]
    lines = [
        "| " + " | ".join(md_escape(h) for h in header) + " |",
        "| " + " | ".join(align) + " |",
    ]
    lines += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def render_markdown(result: Agreement) -> str:
    assert result.overall is not None
    lines = [
        "### SpecBench grader agreement",
        "",
        f"- {md_escape(_rater_line('reference', result.reference))}",
        f"- {md_escape(_rater_line('candidate', result.candidate))}",
        *(f"- {md_escape(line)}" for line in _headline(result)),
    ]
    if result.notes:
        lines += [""] + [f"> {md_escape(note)}" for note in result.notes]
    lines += ["", "**Confusion matrix** (rows: reference, columns: candidate)", ""]
    lines.append(_md_table(MATRIX_HEADER, _matrix_rows(result.overall.matrix), {1, 2, 3, 4}))
    lines += ["", "**Per verdict**, the reference as the truth", ""]
    lines.append(_md_table(CLASS_HEADER, _class_rows(result), {1, 2, 3, 4, 5}))
    lines += ["", "**Cohen's kappa** by section and scenario", ""]
    groups = [result.overall, *result.sections, *result.scenarios]
    lines.append(_md_table(GROUP_HEADER, _group_rows(groups), {1, 2, 3}))
    if result.scores:
        lines += ["", md_escape(_score_caption(result)) + ".", ""]
        lines.append(_md_table(SCORE_HEADER, _score_rows(result), {2, 3, 4, 5}))
    lines += [""]
    if result.disagreed:
        lines += ["**Specs the raters disagree on most**", ""]
        lines.append(_md_table(DISAGREED_HEADER, _disagreed_rows(result, None), {2, 3, 4}))
    elif not any(spec.disagreements for spec in result.specs):
        lines.append("The raters agree on every spec.")
    lines += ["", f"<details><summary>{md_escape(SPEC_CAPTION)}</summary>", ""]
    right = set(range(2, len(SPEC_HEADER)))
    lines += [_md_table(SPEC_HEADER, _spec_rows(result), right), "", "</details>"]
    return "\n".join(lines) + "\n"


def render_json(result: Agreement) -> str:
    return json.dumps(_clean(result.to_json()), indent=2, ensure_ascii=False)


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}
