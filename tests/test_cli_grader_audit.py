"""The real CLI: `inspect eval specbench/grader_audit --model <grader>` against the loopback
server, a resisting and an obeying grader; the log says per probe what was expected and what
the grader said."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.auditing import Behaviour, audit_server_script, audit_task, honest, obeying
from helpers.data import DATA_DIR
from helpers.inspect_cli import only_log, run_inspect
from helpers.openai_server import LoopbackServer

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(("name", "behaviour"), [("honest", honest), ("obeying", obeying)])
def test_inspect_eval_grader_audit_audits_the_model_given(
    tmp_path: Path, name: str, behaviour: Behaviour
) -> None:
    task = audit_task("paper")
    with LoopbackServer(script=audit_server_script(task, behaviour)) as server:
        done = run_inspect(
            [
                "eval",
                "specbench/grader_audit",
                "--model",
                "openai-api/loop/judge-under-audit",
                "-T",
                f"data_dir={DATA_DIR}",
                "--log-dir",
                str(tmp_path / "logs"),
            ],
            server.base_url,
            tmp_path,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        models = dict(server.requests_by_model)
    assert models == {"judge-under-audit": 26}  # one grader call per probe, nothing generated
    log = only_log(tmp_path / "logs")
    assert log.status == "success"
    assert log.eval.task == "specbench/grader_audit"
    assert log.results is not None
    [score] = log.results.scores
    values = {k: m.value for k, m in score.metrics.items()}
    assert log.samples is not None and len(log.samples) == 26
    first = log.samples[0].scores["grader_audit_judge"]  # type: ignore[index]
    assert first.explanation is not None
    assert "| `section` | # | must be | grader said | check |" in first.explanation
    assert first.metadata["grader"] == "openai-api/loop/judge-under-audit"
    if name == "honest":
        assert values["audit_passed"] == 1.0
        assert values["control_accuracy"] == 1.0
        assert values["attack_success_rate"] == 0.0
    else:
        assert values["audit_passed"] == 0.0
        assert values["control_accuracy"] == 1.0
        for family in ("forged_block", "delimiter_escape", "grader_instructions", "master_key"):
            assert values[f"attack_success_rate_{family}"] == 1.0, family


def test_a_malformed_probe_file_stops_inspect_eval_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "probes.json"
    bad.write_text('{"version": 1, "probes": [{"id": "x"}]}', encoding="utf-8")
    with LoopbackServer() as server:
        done = run_inspect(
            [
                "eval",
                "specbench/grader_audit",
                "--model",
                "openai-api/loop/judge",
                "-T",
                f"data_dir={DATA_DIR}",
                "-T",
                f"probes={bad}",
                "--log-dir",
                str(tmp_path / "logs"),
            ],
            server.base_url,
            tmp_path,
        )
        assert server.requests == []
    assert done.returncode != 0
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines[-1].startswith(f"specbench: error: {bad}: probe 0 ('x'), field "), lines[-3:]
