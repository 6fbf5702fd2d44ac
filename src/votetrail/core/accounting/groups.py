"""Findings of one kind gathered under one sentence, for a page a clerk can read.

A county with a miscounted manifest may have dozens of batch findings that
say the same thing with different numbers. The page leads with "21 batches
have more ballots tabulated than the ballot manifest lists" and keeps each
finding's own sentence (from :mod:`findings`) behind it, so nothing is hidden
and nothing is said twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from votetrail.core.accounting.findings import Finding, FindingKind, Severity

_HEADLINES: dict[FindingKind, tuple[str, str, str]] = {
    # kind: (one place, several places, what they share)
    FindingKind.MISSING_PAPER: (
        "tabulator",
        "tabulators",
        "recorded more ballots than {its} paper record holds",
    ),
    FindingKind.MANIFEST_SHORT: (
        "batch",
        "batches",
        "{has} more ballots tabulated than the ballot manifest lists",
    ),
    FindingKind.CVR_NOT_IN_MANIFEST: (
        "batch",
        "batches",
        "{has} tabulated ballots but no entry in the ballot manifest",
    ),
    FindingKind.PAPER_WITHOUT_CVR: (
        "place",
        "places",
        "{has} more paper than ballots tabulated",
    ),
    FindingKind.MANIFEST_BATCH_WITHOUT_CVRS: (
        "manifest batch",
        "manifest batches",
        "{has} paper ballots but none tabulated",
    ),
    FindingKind.DUPLICATE_CVR_ID: (
        "cast vote record id",
        "cast vote record ids",
        "{appears} on more than one record",
    ),
    FindingKind.MORE_BALLOTS_THAN_CHECKINS: (
        "precinct",
        "precincts",
        "{has} more ballots than voters checked in",
    ),
    FindingKind.FEWER_BALLOTS_THAN_CHECKINS: (
        "precinct",
        "precincts",
        "{has} fewer ballots than voters checked in",
    ),
    FindingKind.DEVICE_COUNT_CHANGED: (
        "tabulator",
        "tabulators",
        "changed {its} count since the previous upload",
    ),
}
_VERBS = {
    "its": ("its", "their"),
    "has": ("has", "have"),
    "appears": ("appears", "appear"),
}


@dataclass(frozen=True, slots=True)
class FindingGroup:
    """Every finding of one kind and severity, in report order, under one headline."""

    kind: FindingKind
    severity: Severity
    findings: tuple[Finding, ...]

    @property
    def headline(self) -> str:
        """ "21 batches have more ballots tabulated than the ballot manifest lists"."""
        one, many, shared = _HEADLINES[self.kind]
        n = len(self.findings)
        plural = n != 1
        words = {key: forms[1 if plural else 0] for key, forms in _VERBS.items()}
        return f"{n:,} {many if plural else one} " + shared.format(**words)

    @property
    def ballots(self) -> int:
        """The ballots (or extra records) at issue across the group."""
        return sum(f.count for f in self.findings)


def group_findings(findings: Iterable[Finding]) -> list[FindingGroup]:
    """Findings grouped by (severity, kind), errors first, in the order reports print."""
    ordered = sorted(findings, key=Finding.sort_key)
    groups: dict[tuple[Severity, FindingKind], list[Finding]] = {}
    for finding in ordered:
        groups.setdefault((finding.severity, finding.kind), []).append(finding)
    return [
        FindingGroup(kind, severity, tuple(items)) for (severity, kind), items in groups.items()
    ]


__all__ = ["FindingGroup", "group_findings"]
