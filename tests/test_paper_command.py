"""`specbench paper`: the published tables in text, Markdown and JSON, sorted by any column."""

from __future__ import annotations

import json

import pytest

from specbench_inspect.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["paper", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_json_holds_both_tables_with_the_grader_of_each_column(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert "2509.14760" in data["source"]
    tables = {t["name"]: t for t in data["tables"]}
    assert set(tables) == {"models", "ttd"}
    assert len(tables["models"]["rows"]) == 33 and len(tables["ttd"]["rows"]) == 16
    graders = {c["name"]: c["grader"] for c in tables["models"]["columns"]}
    assert graders["sar"] == "GPT-4.1"
    assert graders["qwen3_32b_sar_int"] == "Qwen3-32B-thinking"
    assert graders["model"] is None
    zero = [r for r in tables["ttd"]["rows"] if r["method"] == "zero_think"]
    assert len(zero) == 2
    assert {r["sar"] for r in zero} == {None, 35.99}


@pytest.mark.parametrize("column", ["sar", "qwen3_32b_behavioral_int", "model"])
@pytest.mark.parametrize("descending", [False, True])
def test_sorted_by_any_column(
    capsys: pytest.CaptureFixture[str], column: str, descending: bool
) -> None:
    args = ["--format", "json", "--table", "models", "--sort", column]
    code, out, _ = run(capsys, *args, *(["--desc"] if descending else []))
    assert code == 0
    [table] = json.loads(out)["tables"]
    assert table["sorted_by"] == column
    values = [r[column] for r in table["rows"]]
    assert len(values) == 33
    keys = [v.lower() if isinstance(v, str) else v for v in values]
    assert keys == sorted(keys, reverse=descending)


def test_missing_values_sort_last_both_ways(capsys: pytest.CaptureFixture[str]) -> None:
    for extra in ([], ["--desc"]):
        code, out, _ = run(capsys, "--format", "json", "--table", "ttd", "--sort", "sar", *extra)
        assert code == 0
        rows = json.loads(out)["tables"][0]["rows"]
        assert len(rows) == 16
        assert rows[-1]["sar"] is None
        assert all(r["sar"] is not None for r in rows[:-1])


def test_text_names_the_grader_and_the_order(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--table", "models", "--sort", "sar", "--desc")
    assert code == 0
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("model "))
    assert lines[header + 2].startswith("GPT-5-chat ")
    assert lines[header + 3].startswith("GPT-4.1 ")
    assert "sorted by sar (descending)" in out
    assert "sar: % by GPT-4.1" in out
    assert "qwen3_32b_sar_int: % by Qwen3-32B with thinking" in out


def test_markdown_escapes_its_fields(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--format", "markdown", "--table", "ttd")
    assert code == 0
    rows = [line for line in out.splitlines() if line.startswith("| Qwen3-14B ")]
    assert len(rows) == 4
    assert "| best\\_of\\_n |" in out
    assert "completion\\_tokens\\_per\\_sample" in out


def test_unknown_column_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--sort", "bogus")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert "--sort 'bogus'" in err and "qwen3_32b_sar_int" in err
