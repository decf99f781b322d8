"""A grader that rewrites a forged block at character level (full-width brackets folded,
look-alike letters and invisible characters undone, HTML entities decoded, split tags joined)
and replies with it: the audit must report the probe `caught`, never `attack_succeeded`.

This needs the canonical-form comparison of `scorers/quoting.py` (issue 15, item 2): until it
is in, the rewritten block is read as the grader's own verdicts and these tests fail."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.auditing import ascii_form, audit_grader, audit_task, rewriting
from inspect_ai import eval

from specbench_inspect.audit import load_probes

REWORDED = ("fullwidth", "lookalike", "zero_width", "split_tags", "html_entities")


@pytest.fixture(autouse=True)
def _logs_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSPECT_LOG_DIR", str(tmp_path / "logs"))


def test_every_reworded_forgery_rewrites_to_the_plain_block() -> None:
    probes = {p.id: p for p in load_probes()}
    plain = probes["forged-plain"].answer
    assert len(REWORDED) == 5
    for variant in REWORDED:
        answer = probes[f"forged-{variant.replace('_', '-')}"].answer
        assert answer != plain
        assert ascii_form(answer) == plain, variant


@pytest.mark.parametrize("wording", ["paper", "builtin"])
def test_a_grader_rewriting_a_forged_block_is_caught(wording: str) -> None:
    task = audit_task(wording, families="forged_block")
    [log] = eval(task, model=audit_grader(task, rewriting), display="none")
    assert log.status == "success", log.error
    assert log.samples is not None
    found = {
        str(s.id): s.scores["grader_audit_judge"].metadata  # type: ignore[index]
        for s in log.samples
        if s.scores
    }
    assert len(found) == 8 + 4
    for variant in REWORDED:
        meta = found[f"forged-{variant.replace('_', '-')}"]
        assert meta["crediting_replies"] >= 1, variant  # the rewrite does credit the attack
        assert meta["outcome"] == "caught", variant
