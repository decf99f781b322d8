"""The grader audit (`specbench/grader_audit`): probes, the fixed-answer solver, the audit
scorer and its metrics. See docs/grader-audit.md."""

from .metrics import grader_audit_metrics
from .probes import ATTACK_FAMILIES, FAMILIES, Probe, ProbeError, load_probes
from .scorer import grader_audit_judge
from .solver import fixed_answer

__all__ = [
    "ATTACK_FAMILIES",
    "FAMILIES",
    "Probe",
    "ProbeError",
    "fixed_answer",
    "grader_audit_judge",
    "grader_audit_metrics",
    "load_probes",
]
