"""What the detector reports: one incident per scanning source, or per group of them.

An analyst reads incidents, not events, so an incident carries everything
needed to judge it without going back to the logs: who, what was probed,
when, how often, whether the firewall let it in and whether anything answered.

Kinds (:class:`IncidentKind`):

* ``vertical`` – one source tried many ports of one host (fan-out rule);
* ``horizontal`` – one source tried one port on many hosts (fan-out rule);
* ``mixed`` – one source did both, e.g. a block scan of many ports on many hosts;
* ``trw`` – only the Threshold Random Walk caught it: a slow or sparse scanner
  whose failed first contacts piled up but never reached a fan-out count;
* ``probe`` – the source sent scanner probes (connections it reset before
  sending a byte: SYN or connect scans) but too few to reach the other rules,
  e.g. ``nmap -p 80``;
* ``internal`` – an internal host behaving like a scanner (likely compromised):
  a source inside the configured home networks that one of the rules above
  caught, sweeping outward or inward; never grouped, always ``high``;
* ``slow`` – an outside source that reached 20 ports of one host or 20 hosts
  without answers within 24 hours, never fast enough for the other rules
  (:mod:`votetrail.core.netmon.slow`); sources of one /24 or /64 doing it
  together are one ``slow`` incident with several sources;
* ``distributed`` – several scanning sources from one network with the same
  ports at about the same time (:mod:`votetrail.core.netmon.grouping`).

An incident one of whose sources was already seen probing on an earlier day
carries the label ``returning`` (:func:`mark_returning`).

Severity (:class:`Severity`): ``high`` when any attempt from the scanning
source(s) was let in by the firewall *and* established on a port that is not
one of the public service ports (default 80 and 443) – the scan got through to
something that should not be reachable; ``medium`` when some attempts were let
in but nothing non-public answered; ``low`` when the firewall blocked all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

RESEARCH_SCANNER = "research scanner"
"""Label of a source on the user's list of known research scanners (still reported)."""
RETURNING = "returning"
"""Label of an incident with a source seen probing on an earlier day."""


class IncidentKind(StrEnum):
    """Which rule found the scan; see the module documentation."""

    VERTICAL = "vertical"
    HORIZONTAL = "horizontal"
    MIXED = "mixed"
    TRW = "trw"
    PROBE = "probe"
    INTERNAL = "internal"
    """An internal host behaving like a scanner (likely compromised)."""
    SLOW = "slow"
    """Patient probing: 20 ports of a host or 20 hosts within 24 hours."""
    DISTRIBUTED = "distributed"


class Severity(StrEnum):
    """How far the scan got; see the module documentation."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True, slots=True)
class SourceFinding:
    """Everything the detector learnt about one source it judged to be scanning."""

    source: IPv4Address | IPv6Address
    targets: tuple[str, ...]
    """Distinct hosts contacted, in address order."""
    ports: tuple[int, ...]
    """Distinct destination ports, ascending."""
    first_seen: datetime
    last_seen: datetime
    connections: int
    accepted: int
    got_through: int
    """Attempts accepted and established on a non-public port."""
    vertical: bool
    horizontal: bool
    trw: bool
    probe: bool = False
    """It sent at least one probe (a connection reset before any data)."""
    hours: tuple[tuple[datetime, int], ...] = ()
    """(start of a UTC hour, attempts in it), ascending, hours without attempts left out."""
    internal: bool = False
    """The source is inside the office's home networks."""
    slow: bool = False
    """Found by the slow rule (:mod:`votetrail.core.netmon.slow`), not the fast ones."""

    @property
    def kind(self) -> IncidentKind:
        """The incident kind of this source on its own."""
        if self.internal:
            return IncidentKind.INTERNAL
        if self.slow:
            return IncidentKind.SLOW
        if self.vertical and self.horizontal:
            return IncidentKind.MIXED
        if self.vertical:
            return IncidentKind.VERTICAL
        if self.horizontal:
            return IncidentKind.HORIZONTAL
        if self.trw or not self.probe:
            return IncidentKind.TRW
        return IncidentKind.PROBE


@dataclass(frozen=True, slots=True)
class Incident:
    """One scan as an analyst sees it."""

    id: str
    """16 hex digits of SHA-256 of kind, sources and first_seen: same logs, same id."""
    kind: IncidentKind
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    ports: tuple[int, ...]
    first_seen: datetime
    last_seen: datetime
    connections: int
    accepted: int
    """Attempts the firewall let through (whatever the target did)."""
    blocked: int
    """Attempts the firewall dropped or rejected."""
    severity: Severity
    labels: tuple[str, ...]
    hours: tuple[tuple[datetime, int], ...] = ()
    """(start of a UTC hour, attempts in it), ascending; they add up to ``connections``.

    Empty when unknown (incidents stored before per-hour counts were kept):
    :func:`attempts_per_hour` then estimates.
    """

    @property
    def port_count(self) -> int:
        """How many distinct destination ports were tried."""
        return len(self.ports)


def address_order(address: IPv4Address | IPv6Address) -> tuple[int, int]:
    """Sort key that puts IPv4 before IPv6 (the two cannot be compared directly)."""
    return (address.version, int(address))


def incident_id(kind: IncidentKind, sources: Sequence[str], first_seen: datetime) -> str:
    """A content-derived id, so re-running the detector on the same logs names incidents alike."""
    text = "\n".join([kind.value, first_seen.isoformat(), *sources])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def make_incident(
    findings: Sequence[SourceFinding],
    kind: IncidentKind,
    research: Sequence[IPv4Network | IPv6Network],
) -> Incident:
    """Merge the findings of one source (or one distributed group) into an incident."""
    ordered = sorted(findings, key=lambda f: address_order(f.source))
    sources = tuple(dict.fromkeys(str(f.source) for f in ordered))
    targets: set[str] = set()
    ports: set[int] = set()
    for finding in ordered:
        targets.update(finding.targets)
        ports.update(finding.ports)
    first_seen = min(f.first_seen for f in ordered)
    hours: dict[datetime, int] = {}
    for finding in ordered:
        for hour, count in finding.hours:
            hours[hour] = hours.get(hour, 0) + count
    connections = sum(f.connections for f in ordered)
    accepted = sum(f.accepted for f in ordered)
    if kind is IncidentKind.INTERNAL or any(f.got_through for f in ordered):
        severity = Severity.HIGH
    elif accepted:
        severity = Severity.MEDIUM
    else:
        severity = Severity.LOW
    labelled = any(
        f.source in network
        for f in ordered
        for network in research
        if network.version == f.source.version
    )
    return Incident(
        id=incident_id(kind, sources, first_seen),
        kind=kind,
        sources=sources,
        targets=tuple(sorted(targets, key=_text_order)),
        ports=tuple(sorted(ports)),
        first_seen=first_seen,
        last_seen=max(f.last_seen for f in ordered),
        connections=connections,
        accepted=accepted,
        blocked=connections - accepted,
        severity=severity,
        labels=(RESEARCH_SCANNER,) if labelled else (),
        hours=tuple(sorted(hours.items())),
    )


def mark_returning(incidents: Sequence[Incident], first_days: Mapping[str, date]) -> list[Incident]:
    """Label ``returning`` each incident with a source first seen probing before its first day.

    ``first_days`` maps a source (address text) to the first UTC day it was
    counted probing, from every ingest so far; a source that comes back day
    after day is the one an analyst blocks first.
    """
    marked = []
    for incident in incidents:
        day = incident.first_seen.astimezone(UTC).date()
        back = any(
            (first := first_days.get(source)) is not None and first < day
            for source in incident.sources
        )
        if back and RETURNING not in incident.labels:
            incident = replace(incident, labels=(*incident.labels, RETURNING))
        marked.append(incident)
    return marked


def attempts_per_hour(incident: Incident, day: date) -> list[int]:
    """The incident's attempts in each hour 00–23 (UTC) of ``day``.

    Exact from :attr:`Incident.hours`. An incident without them (stored
    before they were kept) has its attempts spread evenly over the hours it
    was active, rounded down, with the remainder in its last hour, so the
    counts still add up over its days.
    """
    start = datetime.combine(day, time(), UTC)
    end = start + timedelta(days=1)
    counts = [0] * 24
    if incident.hours:
        for hour, count in incident.hours:
            if start <= hour < end:
                counts[int((hour - start).total_seconds()) // 3600] += count
        return counts
    first = _hour_index(incident.first_seen)
    last = _hour_index(incident.last_seen)
    span = last - first + 1
    share, rest = divmod(incident.connections, span)
    base = _hour_index(start)
    for index in range(max(first, base), min(last, base + 23) + 1):
        counts[index - base] = share + (rest if index == last else 0)
    return counts


def attempts_on(incident: Incident, day: date) -> int:
    """How many of the incident's attempts fell on ``day`` (UTC)."""
    return sum(attempts_per_hour(incident, day))


def _hour_index(moment: datetime) -> int:
    """Hours since the epoch, for whole-hour arithmetic."""
    return int(moment.timestamp() // 3600)


def _text_order(text: str) -> tuple[int, int]:
    """Address order for addresses already written as text."""
    return address_order(ip_address(text))
