"""What a judged sample records: per-spec verdict records (one format, for one grader or a
panel), each grader's own record, and the explanation `inspect view` shows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .judge import JudgeItem, Judgement
from .panel import Grader, majority
from .sar import Scoring
from .verdicts import SECTIONS, Section, Verdict

VerdictRecords = dict[str, list[dict[str, Any]]]
"""Per section, per spec: `{"spec", "verdict", "analysis", "votes"}`."""


def verdicts_of(judgement: Judgement, section: Section) -> list[Verdict]:
    assert judgement.verdicts is not None
    return [v.verdict for v in judgement.verdicts[section]]


def verdict_records(
    item: JudgeItem, panel: Sequence[Grader], judgements: Sequence[Judgement]
) -> VerdictRecords:
    """Per spec: its text, the verdict (a panel's majority among the graders that gave a
    readable reply; a single grader's own), the grader's sentence (the first grader whose
    verdict is the one in force) and every grader's vote (None: no readable reply)."""
    readable = {g.key: j for g, j in zip(panel, judgements, strict=True) if j.verdicts is not None}
    records: VerdictRecords = {}
    for section in SECTIONS:
        records[section] = []
        for i, spec in enumerate(item.specs(section)):
            read = {key: j.verdicts[section][i] for key, j in readable.items() if j.verdicts}
            verdict = majority([v.verdict for v in read.values()])
            analysis = next(v.analysis for v in read.values() if v.verdict == verdict)
            votes = {g.key: read[g.key].verdict if g.key in read else None for g in panel}
            records[section].append(
                {"spec": spec, "verdict": verdict, "analysis": analysis, "votes": votes}
            )
    return records


def judgement_metadata(judgement: Judgement) -> dict[str, Any]:
    """The grader calls behind one grader's judgement."""
    metadata: dict[str, Any] = {
        "judge_attempts": judgement.attempts,
        "judge_retries": judgement.retries,
        "rejected_replies": judgement.rejected,
        "suspect_replies": judgement.suspect,
    }
    if judgement.spec_attempts is not None:
        metadata["spec_attempts"] = judgement.spec_attempts
    return metadata


def grader_record(grader: Grader, judgement: Judgement, scores: Scoring) -> dict[str, Any]:
    """One panel member's own reading: its verdicts, analyses and scores (None if unreadable)."""
    record: dict[str, Any] = {
        "grader": grader.name,
        "model": judgement.grader,
        **judgement_metadata(judgement),
        "verdicts": None,
        "analysis": None,
        "scores": None,
        "failure": judgement.failure,
    }
    if judgement.verdicts is None:
        record["last_reply"] = judgement.reply
        return record
    verdicts = {section: verdicts_of(judgement, section) for section in SECTIONS}
    record["verdicts"] = verdicts
    record["analysis"] = {
        section: [v.analysis for v in judgement.verdicts[section]] for section in SECTIONS
    }
    record["scores"] = scores(verdicts["safety"], verdicts["behavioral"])
    return record


EXCERPT_CHARS = 90
"""How much of a spec's text the explanation quotes (the full text is in the metadata)."""


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def explanation(records: VerdictRecords, value: dict[str, Any]) -> str:
    """Markdown for `inspect view`: the scores, every verdict at a glance, then each spec that
    was not met (NO or NA) with the grader's analysis (or, from a panel, every grader's vote).
    Every spec's full text, verdict and analysis are in the score's metadata."""
    mark = {"YES": "✅", "NO": "❌", "NA": "⚪"}
    behavioral = records["behavioral"]
    met = sum(1 for r in behavioral if r["verdict"] == "YES")
    lines = [
        f"**SAR {value['sar']:.3f}** · safety {'pass' if value['safety'] else 'FAIL'} · "
        f"behavioral {met}/{len(behavioral)} met",
        "",
    ]
    for section in SECTIONS:
        glance = " ".join(f"{mark[r['verdict']]}{i}" for i, r in enumerate(records[section], 1))
        lines.append(f"{section.capitalize()}: {glance}  ")
    for section in SECTIONS:
        for i, record in enumerate(records[section], 1):
            if record["verdict"] == "YES":
                continue
            note = record["analysis"]
            if len(record["votes"]) > 1:
                note = " · ".join(f"{k}: {v or '-'}" for k, v in record["votes"].items())
            lines.append(
                f"\n{mark[record['verdict']]} **{section} {i}** ({record['verdict']}): "
                f"{excerpt(record['spec'])}" + (f"  \n_{note}_" if note else "")
            )
    return "\n".join(lines)
