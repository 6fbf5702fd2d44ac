"""Distributed scans: sources grouped by network, port set and timing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network

import pytest

from votetrail.core.netmon.detector import Detector, DetectorConfig
from votetrail.core.netmon.events import ConnectionEvent, Outcome
from votetrail.core.netmon.grouping import GroupingRules, network_of
from votetrail.core.netmon.incidents import IncidentKind
from votetrail.errors import InvalidInput

START = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
PORTS = (22, 23, 3389)


def probes(source: str, start: float, ports: tuple[int, ...] = PORTS) -> Iterator[ConnectionEvent]:
    """Five hosts × ``ports``, all unanswered: the random walk flags the source."""
    for h in range(5):
        for p, port in enumerate(ports):
            yield ConnectionEvent(
                time=START + timedelta(seconds=start + h * len(ports) + p),
                source=ip_address(source),
                target=IPv4Address(f"198.51.100.{10 + h}"),
                port=port,
                protocol="tcp",
                outcome=Outcome.UNANSWERED,
                accepted=True,
            )


def run(*streams: Iterator[ConnectionEvent], config: DetectorConfig | None = None) -> Detector:
    events = sorted((e for s in streams for e in s), key=lambda e: e.time)
    detector = Detector(config)
    detector.feed_many(events)
    return detector


def test_fifty_sources_in_one_slash_24_are_one_distributed_incident() -> None:
    detector = run(*(probes(f"192.0.2.{i + 1}", i * 7.0) for i in range(50)))
    [incident] = detector.incidents()
    assert incident.kind is IncidentKind.DISTRIBUTED
    assert incident.sources == tuple(f"192.0.2.{i + 1}" for i in range(50))
    assert incident.ports == PORTS
    assert incident.connections == 50 * 15
    assert incident.first_seen == START


def test_different_slash_24s_stay_separate() -> None:
    detector = run(*(probes(f"192.0.{i}.1", i * 7.0) for i in range(5)))
    incidents = detector.incidents()
    assert len(incidents) == 5
    assert {i.kind for i in incidents} == {IncidentKind.TRW}


def test_announced_network_spans_slash_24s() -> None:
    rules = GroupingRules(announced=(ip_network("192.0.0.0/22"),))
    detector = run(
        *(probes(f"192.0.{i}.1", i * 7.0) for i in range(4)), config=DetectorConfig(grouping=rules)
    )
    [incident] = detector.incidents()
    assert incident.kind is IncidentKind.DISTRIBUTED
    assert len(incident.sources) == 4


def test_different_port_sets_are_not_grouped() -> None:
    detector = run(
        *(probes(f"192.0.2.{i + 1}", i * 7.0) for i in range(3)),
        *(probes(f"192.0.2.{i + 101}", i * 7.0, (80, 8080, 8443)) for i in range(2)),
    )
    kinds = sorted(i.kind for i in detector.incidents())
    assert kinds == [IncidentKind.DISTRIBUTED, IncidentKind.TRW, IncidentKind.TRW]


def test_sources_hours_apart_are_not_grouped() -> None:
    detector = run(*(probes(f"192.0.2.{i + 1}", i * 7200.0) for i in range(3)))
    assert [i.kind for i in detector.incidents()] == [IncidentKind.TRW] * 3


def test_too_few_sources_stay_separate() -> None:
    detector = run(*(probes(f"192.0.2.{i + 1}", i * 7.0) for i in range(2)))
    assert len(detector.incidents()) == 2


def test_ipv6_sources_group_by_slash_64() -> None:
    detector = run(*(probes(f"2001:db8:0:1::{i + 1:x}", i * 7.0) for i in range(3)))
    [incident] = detector.incidents()
    assert incident.kind is IncidentKind.DISTRIBUTED
    assert incident.sources[0] == "2001:db8:0:1::1"


NETWORKS = [
    ("192.0.2.77", (), "192.0.2.0/24"),
    ("2001:db8:0:1:aa::1", (), "2001:db8:0:1::/64"),
    ("192.0.2.77", ("192.0.0.0/16", "192.0.2.0/25"), "192.0.2.0/25"),
    ("192.0.2.200", ("192.0.0.0/16", "192.0.2.0/25"), "192.0.0.0/16"),
    ("192.0.2.77", ("2001:db8::/32",), "192.0.2.0/24"),
]


@pytest.mark.parametrize(("address", "announced", "expected"), NETWORKS)
def test_network_of(address: str, announced: tuple[str, ...], expected: str) -> None:
    parsed = ip_address(address)
    assert isinstance(parsed, IPv4Address | IPv6Address)
    networks = tuple(ip_network(n) for n in announced)
    assert network_of(parsed, networks) == ip_network(expected)


def test_impossible_rules_are_refused() -> None:
    with pytest.raises(InvalidInput):
        GroupingRules(min_sources=1)
    with pytest.raises(InvalidInput):
        GroupingRules(gap=timedelta(seconds=-1))
