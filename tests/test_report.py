"""`specbench report` on logs the tests produce: real mockllm runs of `specbench/specbench`
(two methods), a copy with a planted drop, and a copy marked as a failed run (both edited with
`inspect_ai.log` and written back with `write_eval_log`)."""

from __future__ import annotations

import base64
import html
import math
import re
import sys
from pathlib import Path

import pytest
from helpers.logs import edited, plant_drop, run_specbench
from helpers.samples import samples_of
from helpers.specbench_cli import run_specbench_cli
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
    page = (out / "index.html").read_text(encoding="utf-8").replace("<wbr>", "")
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
    sars = [s.scores["spec_judge"].value["sar"] for s in samples_of(log, 30)]  # type: ignore[index]
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
            log.samples = [s for s in samples_of(log) if s.metadata["scenario"] == scenario]

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


# --- runs that break reports: all unscored, unreadable, alike ---------------------------------


def unscore_all(log: EvalLog) -> None:
    for sample in log.samples or []:
        s = sample.scores["spec_judge"]  # type: ignore[index]
        s.value = {"safety": math.nan, "behavioral": math.nan, "sar": math.nan}


@pytest.mark.slow
def test_all_unscored_and_unreadable_logs_through_the_command(
    report_logs: dict[str, Path], tmp_path: Path
) -> None:
    """A finished run whose samples are all unscored is reported (no scores, no point in the
    figures); an unreadable .eval among the inputs is listed under "not included" with the
    reason and the rest are reported (exit 1)."""
    unscored = edited(report_logs["vanilla"], tmp_path / "logs" / "unscored.eval", unscore_all)
    broken = tmp_path / "logs" / "broken.eval"
    broken.write_bytes(b"PK\x03\x04 cut short")
    out = tmp_path / "out"
    done = run_specbench_cli(
        ["report", str(unscored), str(broken), str(report_logs["raw"]), "--output", str(out)],
        tmp_path,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].endswith("(2 runs)")
    [not_included] = [line for line in lines if line.startswith("NOT INCLUDED")]
    assert not_included.startswith(f"NOT INCLUDED (cannot be read): {broken}: cannot read the log")
    page = (out / "index.html").read_text(encoding="utf-8").replace("<wbr>", "")
    assert "Not included" in page and f"<b>{html.escape(str(broken))}</b>: cannot be read" in page
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "cannot be read" in markdown and "broken.eval" in markdown
    runs = re.findall(
        # run, label, published neighbours, samples, unscored, SAR
        r"<tr><td[^>]*>(R\d)</td><td[^>]*>[^<]*</td><td[^>]*>[^<]*</td><td[^>]*>(\d+)</td>"
        r"<td[^>]*>(\d+)</td><td[^>]*>([^<]*)</td>",
        page,
    )
    assert sorted(runs)[:2] == [("R1", "30", "0", runs[0][3]), ("R2", "30", "30", "-")]
    for name in FIGURES:
        assert (out / "figures" / f"{name}.png").stat().st_size > 1000


def test_only_unreadable_logs_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.eval"
    broken.write_bytes(b"not a zip")
    assert main(["report", str(broken), "--output", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"specbench report: error: {broken}: cannot read")


@pytest.mark.slow
def test_labels_tell_runs_apart(report_logs: dict[str, Path], tmp_path: Path) -> None:
    """Runs of the same model x method x grader get what tells them apart (here the scenario
    set, then the log's name); `--label` names a run."""

    def travel_only(log: EvalLog) -> None:
        log.samples = [s for s in samples_of(log) if s.metadata["scenario"] == "travel"]

    travel = edited(report_logs["vanilla"], tmp_path / "t" / "travel.eval", travel_only)
    copy = edited(report_logs["vanilla"], tmp_path / "c" / "copy.eval", lambda log: None)
    outcome = write_report(
        [str(report_logs["vanilla"]), str(travel), str(copy)], tmp_path / "o", title="t"
    )
    titles = sorted(r.title for r in outcome.runs)
    assert len(set(titles)) == 3, titles
    assert sum("travel" in t and "code" not in t for t in titles) == 1
    assert all(t.startswith("mockllm/model · vanilla · mockllm/model (") for t in titles)
    labelled = write_report(
        [str(report_logs["vanilla"]), str(travel)],
        tmp_path / "l",
        labels={"travel.eval": "travel only", str(report_logs["vanilla"].parent): "both"},
    )
    assert sorted(r.title for r in labelled.runs) == ["both", "travel only"]
    page = (tmp_path / "l" / "index.html").read_text(encoding="utf-8")
    assert '<td class="text">travel only</td>' in page
    with pytest.raises(ValueError, match=r"--label nothing\.eval=\.\.\.: no finished run"):
        write_report([str(travel)], tmp_path / "x", labels={"nothing.eval": "x"})


def test_a_bad_label_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path), "--output", str(tmp_path), "--label", "nolabel"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--label 'nolabel': write LOG=TEXT" in err


def test_points_without_values_get_no_key() -> None:
    from specbench_inspect.analysis.figures import _label_points

    plt = pyplot()
    fig, ax = plt.subplots()
    _label_points(ax, [("R1", 50.0, 60.0), ("R2", math.nan, math.nan), ("R3", 10.0, math.nan)])
    assert [t.get_text() for t in ax.texts] == ["R1"]
    plt.close(fig)


def chromium() -> str | None:
    import shutil

    return shutil.which("chromium") or shutil.which("chromium-browser")


MEASURE = """<script>
window.addEventListener('load', () => {
  const wide = [...document.querySelectorAll('.scroll')].map(
    (d) => d.scrollWidth - d.clientWidth);
  document.body.setAttribute('data-overflow', JSON.stringify({
    page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    tables: wide}));
});
</script>"""


@pytest.mark.slow
@pytest.mark.skipif(chromium() is None, reason="needs headless Chromium")
def test_tables_fit_a_laptop_screen(report_logs: dict[str, Path], tmp_path: Path) -> None:
    """At 1366 px wide (a laptop) neither the page nor any table scrolls sideways, with long
    log names, model names and method options (measured in headless Chromium)."""
    import json
    import subprocess
    import tempfile

    def long_names(log: EvalLog) -> None:
        log.eval.model = "openai-api/our-lab-serving-cluster/candidate-model-2026-12-07-rc3"
        assert log.eval.metadata is not None
        log.eval.metadata["specbench"]["method_options"] = {
            "max_rounds": 3,
            "reward_model": "openai-api/rewards/long-reward-model-name-v2",
        }

    logs = [
        edited(report_logs["vanilla"], tmp_path / "l" / f"{'x' * 40}_{i}.eval", long_names)
        for i in range(6)
    ]
    write_report([str(p) for p in logs], tmp_path / "o")
    page = (tmp_path / "o" / "index.html").read_text(encoding="utf-8")
    measured = tmp_path / "o" / "measured.html"
    measured.write_text(page.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    chrome = chromium()
    assert chrome is not None
    done = subprocess.run(
        [
            chrome,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tempfile.mkdtemp()}",
            "--window-size=1366,900",
            "--virtual-time-budget=5000",
            "--dump-dom",
            measured.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    found = re.search(r"data-overflow=\"([^\"]+)\"", done.stdout)
    assert found, done.stderr[-2000:]
    overflow = json.loads(html.unescape(found.group(1)))
    assert len(overflow["tables"]) >= 7
    assert overflow["page"] <= 0 and max(overflow["tables"]) <= 0, overflow
