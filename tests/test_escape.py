"""Text from data, logs and models is escaped in every output format.

The escaping functions are checked by rendering: a field written with `escape.markdown` and
rendered by a CommonMark renderer with raw HTML allowed (as GitHub renders job summaries and
pull-request comments, with tables and strike-through) must read as exactly the text it was,
with no element of its own. Then a real log given hostile spec texts, prompt, answers, model,
grader and scenario names goes through `specbench report` (index.html, report.md, figures)
and `specbench compare` (text, markdown, JSON).
"""

from __future__ import annotations

import html
import json
import re
import string
from pathlib import Path

import pytest
from helpers.logs import edited, plant_drop, run_specbench, score
from helpers.samples import samples_of
from hypothesis import given, settings
from hypothesis import strategies as st
from inspect_ai.log import EvalLog

from specbench_inspect import escape
from specbench_inspect.cli import main

markdown_it = pytest.importorskip("markdown_it")

HOSTILE = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "<b>bold</b> <!-- hidden --> &amp; &lt;",
    "a | b | c",
    "`code` **strong** _em_ ~~gone~~ [link](https://example.com) ![i](x.png)",
    "# heading",
    "1. ordered",
    "- item",
    "> quote",
    "$x^2$ and $",
    "back\\slash\\",
    "line one\nline two\r\n\tindented",
    "colour \x1b[31mred\x1b[0m",
]

RENDERER = markdown_it.MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
TAG = re.compile(r"<[^>]+>")


def rendered(source: str) -> tuple[str, list[str]]:
    """The text a Markdown source renders to, and the elements it makes."""
    out = RENDERER.render(source)
    return html.unescape(TAG.sub("", out)).strip(), re.findall(r"<([a-z0-9]+)", out)


def expected_text(value: str) -> str:
    return escape.one_line(value).strip()


@pytest.mark.parametrize("value", HOSTILE)
def test_markdown_field_reads_as_its_text(value: str) -> None:
    for source, elements in (
        (escape.markdown(value), {"p"}),
        ("- " + escape.markdown(value), {"ul", "li"}),
        ("## " + escape.markdown(value), {"h2"}),
        (
            f"| h |\n| --- |\n| {escape.markdown(value)} |",
            {"table", "thead", "tr", "th", "tbody", "td"},
        ),
    ):
        text, made = rendered(source)
        assert text.removeprefix("h").strip() == expected_text(value), source
        assert set(made) == elements, (source, made)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=string.printable + "äé€\u2028", max_size=40))
def test_markdown_field_reads_as_its_text_for_any_text(value: str) -> None:
    text, made = rendered("- " + escape.markdown(value))
    if not expected_text(value):
        return
    assert text == expected_text(value)
    assert set(made) == {"ul", "li"}


def test_other_formats() -> None:
    assert escape.html('<b a="1">&</b>') == "&lt;b a=&quot;1&quot;&gt;&amp;&lt;/b&gt;"
    assert escape.text("a\nb\x1b[2J") == "a b\\x1b[2J"
    assert escape.figure("cost $5 and $x$") == r"cost \$5 and \$x\$"
    data = {"model": "<script>&</script>"}
    dumped = escape.json_text(data)
    assert "<" not in dumped and "&" not in dumped and json.loads(dumped) == data


# --- a hostile log through report and compare --------------------------------------------------

SPEC = "Never <script>alert('spec')</script> | `x` **bold** <!-- c --> $a$"
PROMPT = "Plan a trip <img src=x onerror=alert('prompt')>"
ANSWER = "Sure! <script>alert('answer')</script> | **done**"
MODEL = "evil/<b>model</b>|$m$"
GRADER = "judge <img src=y onerror=alert('grader')>"
SCENARIO = "trav<b>el</b>"
RAW = ["<script", "<img src=", "<b>", "<!--"]


def make_hostile(log: EvalLog) -> None:
    log.eval.model = MODEL
    for sample in samples_of(log):
        sample.input = PROMPT
        sample.metadata["scenario"] = SCENARIO
        sample.metadata["safety_specs"] = [SPEC] * len(sample.metadata["safety_specs"])
        meta = score(sample).metadata
        assert meta is not None
        meta["grader"] = GRADER
        score(sample).answer = ANSWER
        if sample.output is not None and sample.output.choices:
            sample.output.completion = ANSWER


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("hostile")
    real = run_specbench(root / "real", scenarios=("travel",), per_scenario=9)
    base = edited(real, root / "base" / "base.eval", make_hostile)
    return {
        "root": root,
        "base": base,
        "drop": edited(base, root / "drop" / "drop.eval", plant_drop(SCENARIO)),
    }


def no_raw_markup(text: str, where: str) -> None:
    for raw in RAW:
        assert raw not in text, (where, raw)


@pytest.mark.slow
def test_report_escapes_every_field(
    hostile: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    out = hostile["root"] / "report"
    code = main(["report", str(hostile["base"]), str(hostile["drop"]), "--output", str(out)])
    assert code == 0, capsys.readouterr()
    page = (out / "index.html").read_text(encoding="utf-8")
    body = page.split("<body>", 1)[1]
    no_raw_markup(re.sub(r'src="data:image/png;base64,[^"]+"', "", body), "index.html")
    shown = html.unescape(TAG.sub(" ", page.replace("<wbr>", "")))
    assert expected_text(SPEC) in shown and SCENARIO in shown and GRADER in shown
    markdown = (out / "report.md").read_text(encoding="utf-8")
    # the reproduction check is a fenced code block (longer than any backtick run in it): a
    # renderer shows it as the text it is, so hostile names stand there unescaped
    fenced = re.findall(r"^(`{3,})\n(.*?)\n\1$", markdown, flags=re.S | re.M)
    assert len(fenced) == 2 and all(MODEL in block for _, block in fenced)
    outside = re.sub(r"^(`{3,})\n.*?\n\1$", "", markdown, flags=re.S | re.M)
    no_raw_markup(outside, "report.md")
    text, elements = rendered(markdown)
    assert elements.count("img") == 3  # the three figures, nothing else
    assert "b" not in elements and "script" not in elements
    assert elements.count("pre") == 2  # the two code blocks, read as text
    for field in (expected_text(SPEC), SCENARIO, GRADER, MODEL):
        assert field in text, field
    for name in ("safety_vs_behavioral", "sar_by_scenario", "sar_vs_tokens"):
        svg = (out / "figures" / f"{name}.svg").read_text(encoding="utf-8")
        assert "<script" not in svg


@pytest.mark.slow
def test_compare_escapes_every_field(
    hostile: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = {}
    for form in ("text", "markdown", "json"):
        code = main(["compare", str(hostile["base"]), str(hostile["drop"]), "--format", form])
        outputs[form] = capsys.readouterr().out
        assert code == 0, outputs[form]  # too few samples for the drop to be significant
    no_raw_markup(outputs["markdown"], "compare markdown")
    text, elements = rendered(outputs["markdown"])
    assert {"script", "img", "b"}.isdisjoint(elements)
    for field in (expected_text(SPEC), SCENARIO, GRADER, MODEL):
        assert field in text, field
    assert expected_text(SPEC) in outputs["text"] and "\x1b" not in outputs["text"]
    no_raw_markup(outputs["json"], "compare json")
    result = json.loads(outputs["json"])
    assert result["baseline"]["model"] == MODEL and result["specs"][0]["text"] == SPEC


def test_explanation_for_inspect_view_is_escaped() -> None:
    """The per-spec table `inspect view` renders: hostile spec and grader text read as text,
    a failed spec's opening words (cut before escaping) too."""
    from specbench_inspect.scorers.records import explanation

    records = {
        "safety": [{"number": 1, "verdict": "NO", "analysis": ANSWER, "votes": {"g": "NO"}}],
        "behavioral": [
            {"number": 1, "verdict": "NA", "analysis": GRADER, "votes": {"g": "NA"}},
            {"number": 2, "verdict": "YES", "analysis": "ok", "votes": {"g": "YES"}},
        ],
    }
    specs = {"safety": [SPEC], "behavioral": [PROMPT, MODEL]}
    value = {"sar": 0.0, "safety": 0, "behavioral": 0.5}
    text, elements = rendered(explanation(records, value, specs=specs))  # type: ignore[arg-type]
    assert set(elements) <= {"p", "strong", "table", "thead", "tbody", "tr", "th", "td", "code"}
    opening = "Never <script>alert('spec')</script> | `x`..."  # SPEC's first 48 characters
    assert len(SPEC) > 48 and SPEC.startswith(opening[:-3])
    for field in (opening, ANSWER, PROMPT, GRADER):  # both failed specs' texts, the sentences
        assert expected_text(field) in text, field
    assert expected_text(MODEL) not in text  # a spec that passes is named by number only
