"""Incidents built by hand for the output tests, one of each severity."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from votetrail.core.netmon.incidents import (
    RESEARCH_SCANNER,
    Incident,
    IncidentKind,
    Severity,
    incident_id,
)

DAY_START = datetime(2026, 11, 3, tzinfo=UTC)


def incident(
    kind: IncidentKind = IncidentKind.VERTICAL,
    sources: tuple[str, ...] = ("203.0.113.9",),
    targets: tuple[str, ...] = ("198.51.100.10",),
    ports: tuple[int, ...] = (22, 23, 3389),
    hour: int = 2,
    severity: Severity = Severity.LOW,
    accepted: int = 0,
    labels: tuple[str, ...] = (),
) -> Incident:
    """An incident with 30 attempts starting at ``hour`` on 3 November 2026."""
    first = DAY_START.replace(hour=hour)
    return Incident(
        id=incident_id(kind, sources, first),
        kind=kind,
        sources=sources,
        targets=targets,
        ports=ports,
        first_seen=first,
        last_seen=first.replace(minute=5),
        connections=30,
        accepted=accepted,
        blocked=30 - accepted,
        severity=severity,
        labels=labels,
    )


LOW = incident()
MEDIUM = incident(
    kind=IncidentKind.HORIZONTAL,
    sources=("192.0.2.7",),
    targets=tuple(f"198.51.100.{i}" for i in range(1, 21)),
    ports=(443,),
    hour=5,
    severity=Severity.MEDIUM,
    accepted=20,
)
HIGH = incident(
    kind=IncidentKind.MIXED,
    sources=("2001:db8::5",),
    ports=(22, 445, 3389, 5900),
    hour=9,
    severity=Severity.HIGH,
    accepted=12,
)
RESEARCH = replace(
    incident(sources=("198.18.0.1",), hour=11, severity=Severity.HIGH, accepted=3),
    labels=(RESEARCH_SCANNER,),
)
ALL = (LOW, MEDIUM, HIGH, RESEARCH)
