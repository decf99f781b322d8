"""How `inspect view` shows a SpecBench log: the task's `ViewerConfig` (Inspect 0.3.236+).

The sample list opens on the SpecBench view: the sample id (`<scenario>-<index>`, so the
scenario shows), SAR, safety and behavioral as labelled score columns, the question and the
answer; sorted by SAR, then safety, lowest first, so the worst samples come first. SAR and
behavioral are coloured on a fixed 0-1 scale (red low, green high); safety, a 0 / 1 score, is
coloured as pass (1, green) or fail (0, red). The sample header shows the three scores as a
grid. The per-spec verdict table is the score's explanation (a Markdown table, failures
first, with the label and scenario in its header line and the opening words of each failed
spec), which the sample's Scoring tab renders as a table; the specs' full texts are the sample
metadata's, in the sample's Info tab (Metadata: `safety_specs`, `behavioral_specs`, which
the viewer numbers from 0: spec # n of the table is entry [n-1]).

What the installed Inspect cannot do through this config (0.3.285): round the values in the
sample list (a score cell shows the stored value with all its digits, e.g. 0.7272727...; the
explanation's header gives them to three decimals), show a metadata field such as the
label as a column (the built-in columns are fixed: id, epoch, input, target, answer, tokens,
duration, ...), or promote score metadata into its own section (`scanner_result_view` applies
to Inspect Scout scanner results only).
"""

from __future__ import annotations

from inspect_ai.viewer import (
    SampleScoreView,
    SampleScoreViewSort,
    ScoreColorScale,
    TaskSamplesColumn,
    TaskSamplesSort,
    TaskSamplesView,
    ViewerConfig,
)

SCORER = "spec_judge"
"""The scorer's name in the log (`sample.scores["spec_judge"]`)."""

SCORE_LABELS = {"sar": "SAR (0-1)", "safety": "safety (1 pass)", "behavioral": "behavioral (0-1)"}
"""Column headers (long enough that the column is wide enough for its sort marker)."""


def specbench_viewer(scorer: str = SCORER) -> ViewerConfig:
    """The SpecBench view of the sample list and the sample's score panel."""
    return ViewerConfig(
        task_samples_view=TaskSamplesView(
            name="SpecBench: worst samples first",
            columns=[
                TaskSamplesColumn(id="sampleId"),
                TaskSamplesColumn(id="epoch"),
                TaskSamplesColumn.score(scorer, "sar"),
                TaskSamplesColumn.score(scorer, "safety"),
                TaskSamplesColumn.score(scorer, "behavioral"),
                TaskSamplesColumn(id="input"),
                TaskSamplesColumn(id="answer"),
                TaskSamplesColumn(id="target", visible=False),
                TaskSamplesColumn(id="tokens"),
                TaskSamplesColumn(id="error"),
            ],
            sort=[
                TaskSamplesSort.score(scorer, "sar", dir="asc"),
                TaskSamplesSort.score(scorer, "safety", dir="asc"),
                TaskSamplesSort(column="sampleId", dir="asc"),
            ],
            multiline=False,
            score_labels=dict(SCORE_LABELS),
            score_color_scales={
                "sar": ScoreColorScale(palette="good-high", min=0.0, max=1.0),
                "behavioral": ScoreColorScale(palette="good-high", min=0.0, max=1.0),
                "safety": {"1": "good", "0": "bad"},
            },
            color_scales_enabled=True,
        ),
        sample_score_view=SampleScoreView(
            default="grid", sort=SampleScoreViewSort(column="name", dir="desc")
        ),
    )
