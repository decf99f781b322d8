"""The spec-wise judge (scorer), verdict reading, SAR arithmetic and metrics."""

from .grader_check import check_grader_panel
from .metrics import (
    generation_cost,
    generation_problems,
    grader_panel,
    judge_health,
    spec_scores,
)
from .sar import ALPHA, sample_scores
from .spec_judge import spec_judge
from .verdicts import UnreadableReply, read_joint, read_single

__all__ = [
    "ALPHA",
    "UnreadableReply",
    "check_grader_panel",
    "generation_cost",
    "generation_problems",
    "grader_panel",
    "judge_health",
    "read_joint",
    "read_single",
    "sample_scores",
    "spec_judge",
    "spec_scores",
]
