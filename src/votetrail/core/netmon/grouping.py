"""Distributed scans: several scanning sources that are one actor.

A scanner that spreads its probes over many addresses looks, source by
source, like many small scans. Reported one by one they bury the analyst;
reported together they say what happened. Sources are put in one
``distributed`` incident when all of these hold:

* they share a network: the most specific of the user's *announced networks*
  (CIDRs standing in for BGP prefixes, e.g. a hosting provider's ranges) that
  contains them, or else their /24 (IPv4) or /64 (IPv6) – the blocks an
  operator is usually given;
* they probed exactly the same set of destination ports (the tool's port list);
* their activity is close in time: sorted by first sighting, each starts no
  later than ``gap`` after the latest end so far of the group.

Only sources already judged to be scanning are grouped, so a campus of
clients behind one /24 reaching the same web port is never a group. A
distributed scan whose sources each stay below every threshold is not seen.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_network

from votetrail.core.netmon.incidents import SourceFinding
from votetrail.errors import InvalidInput

Network = IPv4Network | IPv6Network


@dataclass(frozen=True, slots=True)
class GroupingRules:
    """When scanning sources count as one distributed scan."""

    min_sources: int = 3
    """Fewest sources that make a distributed incident; smaller groups stay separate."""
    gap: timedelta = timedelta(minutes=30)
    """Longest quiet time between the group's activity and the next source's start."""
    announced: tuple[Network, ...] = ()
    """Announced networks (CIDRs); a source in one groups with the rest of it."""

    def __post_init__(self) -> None:
        if self.min_sources < 2:
            raise InvalidInput("a distributed scan needs at least 2 sources")
        if self.gap < timedelta(0):
            raise InvalidInput("the grouping gap must not be negative")


@dataclass(frozen=True, slots=True)
class Grouped:
    """The result of grouping: distributed groups and the sources left on their own."""

    groups: tuple[tuple[SourceFinding, ...], ...]
    singles: tuple[SourceFinding, ...]


def network_of(address: IPv4Address | IPv6Address, announced: Sequence[Network]) -> Network:
    """The most specific announced network holding ``address``, else its /24 or /64."""
    best: Network | None = None
    for network in announced:
        if network.version != address.version or address not in network:
            continue
        if best is None or network.prefixlen > best.prefixlen:
            best = network
    if best is not None:
        return best
    prefix = 24 if address.version == 4 else 64
    return ip_network(f"{address}/{prefix}", strict=False)


def group_findings(findings: Iterable[SourceFinding], rules: GroupingRules) -> Grouped:
    """Split scanning sources into distributed groups and singles, deterministically."""
    buckets: dict[tuple[Network, tuple[int, ...]], list[SourceFinding]] = defaultdict(list)
    for finding in findings:
        buckets[(network_of(finding.source, rules.announced), finding.ports)].append(finding)
    groups: list[tuple[SourceFinding, ...]] = []
    singles: list[SourceFinding] = []
    for members in buckets.values():
        for cluster in _close_in_time(members, rules.gap):
            if len(cluster) >= rules.min_sources:
                groups.append(tuple(cluster))
            else:
                singles.extend(cluster)
    return Grouped(groups=tuple(groups), singles=tuple(singles))


def group_by_network(
    findings: Iterable[SourceFinding], announced: Sequence[Network], gap: timedelta
) -> Grouped:
    """Slow scanners of one network (announced, else /24 or /64) active within ``gap``.

    Unlike :func:`group_findings` the ports need not match: patient scanners
    from one block share the work, each trying other ports, and two of them
    already say more together than apart.
    """
    buckets: dict[Network, list[SourceFinding]] = defaultdict(list)
    for finding in findings:
        buckets[network_of(finding.source, announced)].append(finding)
    groups: list[tuple[SourceFinding, ...]] = []
    singles: list[SourceFinding] = []
    for members in buckets.values():
        for cluster in _close_in_time(members, gap):
            if len(cluster) >= 2:
                groups.append(tuple(cluster))
            else:
                singles.extend(cluster)
    return Grouped(groups=tuple(groups), singles=tuple(singles))


def _close_in_time(members: list[SourceFinding], gap: timedelta) -> list[list[SourceFinding]]:
    """Chain sources whose activity overlaps or follows within ``gap``."""
    ordered = sorted(members, key=lambda f: (f.first_seen, f.source.version, int(f.source)))
    clusters: list[list[SourceFinding]] = []
    end = None
    for finding in ordered:
        if end is None or finding.first_seen > end + gap:
            clusters.append([finding])
            end = finding.last_seen
        else:
            clusters[-1].append(finding)
            end = max(end, finding.last_seen)
    return clusters
