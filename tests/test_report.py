"""`specbench report` on logs the tests produce: real mockllm runs of `specbench/specbench`
(two methods), a copy with a planted drop, and a copy marked as a failed run (both edited with
`inspect_ai.log` and written back with `write_eval_log`)."""

from __future__ import annotations

import base64
import html
import re
import sys
from pathlib import Path

import pytest
from helpers.logs import edited, plant_drop, run_specbench
from inspect_ai.log import EvalError, EvalLog

from specbench_inspect.analysis.figures import MissingPlotting, pyplot
from specbench_inspect.analysis.report import write_report
from specbench_inspect.cli import main

FIGURES = ("safety_vs_behavioral", "sar_by_scenario", "sar_vs_tokens")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def report_logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("report")
    vanilla = run_specbench(root / "logs" / "vanilla", per_scenario=15)
    raw = run_specbench(root / "logs" / "raw", per_scenario=15, method="raw")
    dropped = edited(vanilla, root / "logs" / "dropped" / "dropped.eval", plant_drop("travel"))

    def fail(log: EvalLog) -> None:
        log.status = "error"
        log.error = EvalError(
            message="RuntimeError: out of credit", traceback="", traceback_ansi=""
        )

    failed = edited(vanilla, root / "failed" / "failed.eval", fail)
    return {"root": root, "vanilla": vanilla, "raw": raw, "dropped": dropped, "failed": failed}


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE)
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


@pytest.mark.slow
def test_report_from_several_logs(
    report_logs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    out = report_logs["root"] / "out"
    code = main(["report", str(report_logs["root"] / "logs"), "--output", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "(3 runs)" in printed
    page = (out / "index.html").read_text(encoding="utf-8")
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    # one row per run, with the method and the grader
    cell = r"<td[^>]*>([^<]*)</td>"
    rows = re.findall(rf"<tr><td[^>]*>(R\d)</td>{cell}{cell}{cell}", page)
    runs_table = {(key, model, method) for key, _log, model, method in rows}
    assert {log for _key, log, _model, _method in rows} >= {"dropped.eval"}
    assert {("R1", "mockllm/model", "raw"), ("R2", "mockllm/model", "vanilla")} <= runs_table
    assert ("R3", "mockllm/model", "vanilla") in runs_table
    for section in ("Runs", "Unsafe and safe prompts", "SAR per scenario", "Cost", "Specs"):
        assert f"<h2>{section}</h2>" in page
    # the planted drop shows: travel SAR of the dropped copy is 0.0 with a zero-width interval
    assert "0.0 [0.0, 0.0]" in text
    # per-spec tables per scenario, with the spec text and NO / YES / NA shares
    assert "<h3>code</h3>" in page and "<h3>travel</h3>" in page
    assert "<th>R1</th><th>R2</th><th>R3</th>" in page
    assert re.search(r'<td class="num">\d+ / \d+ / \d+</td>', page)
    # self-contained: every figure embedded as a PNG data URI, nothing fetched from elsewhere
    images = re.findall(r'<img [^>]*src="([^"]+)"', page)
    assert len(images) == len(FIGURES)
    for src in images:
        assert src.startswith("data:image/png;base64,")
        width, height = png_size(base64.b64decode(src.split(",", 1)[1]))
        assert width > 300 and height > 200
    assert not re.search(r'(src|href)="(https?:|//)', page)
    for name in FIGURES:
        png = (out / "figures" / f"{name}.png").read_bytes()
        assert png_size(png)[0] > 300
        svg = (out / "figures" / f"{name}.svg").read_text(encoding="utf-8")
        assert "<svg" in svg and len(svg) > 5000
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "| run | log | model | method | grader |" in markdown
    assert "![Safety against behavioral](figures/safety_vs_behavioral.png)" in markdown


@pytest.mark.slow
def test_report_numbers_match_the_log(report_logs: dict[str, Path], tmp_path: Path) -> None:
    """The table's SAR is the mean of the per-sample SAR in the log."""
    from inspect_ai.log import read_eval_log

    log = read_eval_log(str(report_logs["vanilla"]))
    sars = [s.scores["spec_judge"].value["sar"] for s in log.samples or []]  # type: ignore[index]
    outcome = write_report([str(report_logs["vanilla"])], tmp_path)
    [run] = outcome.runs
    assert run.overall["sar"].mean == pytest.approx(100 * sum(sars) / len(sars))
    assert run.overall["sar"].n == 30
    assert set(run.by_scenario) == {"travel", "code"}
    assert run.cost["model_calls"] == 1
    travel = {(s.section, s.number): s for s in run.specs["travel"]}
    assert len(travel) == 10 + 11
    assert all(abs(sum(s.rates.values()) - 100) < 1e-9 for s in travel.values())


@pytest.mark.slow
def test_failed_run_is_listed_not_tabulated(
    report_logs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    out = report_logs["root"] / "with_failed"
    code = main(
        ["report", str(report_logs["vanilla"]), str(report_logs["failed"]), "--output", str(out)]
    )
    printed = capsys.readouterr().out
    assert code == 1
    assert "NOT INCLUDED (not a finished SpecBench run): failed.eval" in printed
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "Not included: not finished SpecBench runs" in page
    assert (
        "status is &#x27;error&#x27;, not &#x27;success&#x27;: RuntimeError: out of credit" in page
    )
    assert "(1 run)" in printed


def test_nothing_to_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    code = main(["report", str(tmp_path / "empty"), "--output", str(tmp_path / "out")])
    assert code == 2
    assert "no Inspect logs in this folder" in capsys.readouterr().err


def test_missing_matplotlib_says_how_to_install_and_hides_no_other_problem(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    with pytest.raises(MissingPlotting, match=r"pip install matplotlib"):
        pyplot()
    (tmp_path / "empty").mkdir()
    code = main(["report", str(tmp_path / "empty"), "--output", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "no Inspect logs in this folder" in err and "pip install" not in err
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "run.eval").write_bytes(b"not read before the check")
    code = main(["report", str(tmp_path / "logs"), "--output", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "pip install matplotlib" in err and "[report]" not in err


def test_matplotlib_is_a_dependency_of_the_package() -> None:
    from importlib.metadata import requires

    assert any(
        r.startswith("matplotlib") and "extra" not in r for r in requires("specbench-inspect") or []
    )


@pytest.mark.slow
def test_logs_of_one_run_per_scenario_are_one_row(
    report_logs: dict[str, Path], tmp_path: Path
) -> None:
    """Two logs of the same model x method x grader covering different samples (as
    `inspect eval-set specbench/travel specbench/code` writes) make one run; a log sharing
    samples with another stays a run of its own."""

    def only(scenario: str):  # type: ignore[no-untyped-def]
        def edit(log: EvalLog) -> None:
            log.samples = [s for s in log.samples or [] if s.metadata["scenario"] == scenario]

        return edit

    travel = edited(report_logs["vanilla"], tmp_path / "split" / "travel.eval", only("travel"))
    code = edited(report_logs["vanilla"], tmp_path / "split" / "code.eval", only("code"))
    outcome = write_report([str(travel), str(code), str(report_logs["vanilla"])], tmp_path / "o")
    assert sorted(len(r.run.samples) for r in outcome.runs) == [30, 30]
    joined = next(r for r in outcome.runs if r.run.also)
    assert sorted(joined.run.name.split(" + ")) == ["code.eval", "travel.eval"]
    assert set(joined.by_scenario) == {"travel", "code"}
    whole = next(r for r in outcome.runs if not r.run.also)
    assert joined.overall["sar"].mean == pytest.approx(whole.overall["sar"].mean)
