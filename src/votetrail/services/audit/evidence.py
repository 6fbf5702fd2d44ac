"""Checking a downloaded ``evidence.zip`` with no database: read it, recompute it, compare.

Observers run this on their own machine; it needs only the file, so it
touches neither the office's database nor its signing key.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from votetrail.core.audit.evidence import Evidence
from votetrail.core.audit.evidence_check import CheckResult, check_evidence
from votetrail.formats.audit.evidence import read_evidence


@dataclass(frozen=True)
class EvidenceVerification:
    """The package as read and the outcome of recomputing it."""

    evidence: Evidence
    result: CheckResult


def verify_evidence(path: Path) -> EvidenceVerification:
    """Read the package (unreadable: InvalidInput naming member, line, field), recompute it."""
    evidence = read_evidence(path)
    return EvidenceVerification(evidence, check_evidence(evidence))
