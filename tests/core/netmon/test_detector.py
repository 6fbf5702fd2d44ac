"""The detector end to end: severity, labels, expiry, order, and a synthetic day."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network

import pytest

from votetrail.core.netmon.detector import (
    Detector,
    DetectorConfig,
    address_key,
    key_address,
)
from votetrail.core.netmon.events import ConnectionEvent, Outcome
from votetrail.core.netmon.incidents import RESEARCH_SCANNER, IncidentKind, Severity
from votetrail.errors import InvalidInput

START = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
SCANNER = "203.0.113.9"


def attempt(
    seconds: float,
    target: str,
    port: int,
    outcome: Outcome = Outcome.UNANSWERED,
    source: str = SCANNER,
    accepted: bool = True,
) -> ConnectionEvent:
    return ConnectionEvent(
        time=START + timedelta(seconds=seconds),
        source=ip_address(source),
        target=ip_address(target),
        port=port,
        protocol="tcp",
        outcome=outcome,
        accepted=accepted,
    )


def slow_scan(source: str = SCANNER, accepted: bool = True) -> list[ConnectionEvent]:
    """Six hosts, one port each, a minute apart: only the random walk sees it."""
    outcome = Outcome.UNANSWERED if accepted else Outcome.BLOCKED
    return [
        attempt(i * 60.0, f"198.51.100.{i + 1}", 22, outcome, source, accepted) for i in range(6)
    ]


def test_slow_scanner_is_a_trw_incident() -> None:
    detector = Detector()
    detector.feed_many(slow_scan())
    [incident] = detector.incidents()
    assert incident.kind is IncidentKind.TRW
    assert incident.sources == (SCANNER,)
    assert incident.first_seen == START
    assert incident.last_seen == START + timedelta(minutes=5)
    assert (incident.connections, incident.accepted, incident.blocked) == (6, 6, 0)


def test_scan_that_got_through_is_high() -> None:
    events = [*slow_scan(), attempt(400.0, "198.51.100.50", 3389, Outcome.ESTABLISHED)]
    detector = Detector()
    detector.feed_many(events)
    [incident] = detector.incidents()
    assert incident.severity is Severity.HIGH


SEVERITIES = [
    (443, Outcome.ESTABLISHED, True, Severity.MEDIUM),  # a public port answering is no breach
    (3389, Outcome.REJECTED, True, Severity.MEDIUM),  # let in, refused
    (3389, Outcome.ESTABLISHED, True, Severity.HIGH),
    (3389, Outcome.BLOCKED, False, Severity.LOW),
]


@pytest.mark.parametrize(("port", "outcome", "accepted", "severity"), SEVERITIES)
def test_severity(port: int, outcome: Outcome, accepted: bool, severity: Severity) -> None:
    last = attempt(400.0, "198.51.100.50", port, outcome, accepted=accepted)
    events = [*slow_scan(accepted=False), last]
    detector = Detector()
    detector.feed_many(events)
    [incident] = detector.incidents()
    assert incident.severity is severity


def test_public_ports_are_configurable() -> None:
    config = DetectorConfig(public_ports=frozenset({3389}))
    detector = Detector(config)
    detector.feed_many([*slow_scan(), attempt(400.0, "198.51.100.50", 3389, Outcome.ESTABLISHED)])
    assert detector.incidents()[0].severity is Severity.MEDIUM


def test_research_scanner_is_labelled_and_still_reported() -> None:
    config = DetectorConfig(research=(ip_network("203.0.113.0/24"),))
    detector = Detector(config)
    detector.feed_many([*slow_scan(), *slow_scan("192.0.2.1")])
    labels = {i.sources: i.labels for i in detector.incidents()}
    assert labels == {(SCANNER,): (RESEARCH_SCANNER,), ("192.0.2.1",): ()}


def test_responder_is_never_judged() -> None:
    # a host that answers the scanner on a thousand ports is only ever a target
    detector = Detector()
    detector.feed_many(
        attempt(i * 0.1, "198.51.100.7", 1 + i, Outcome.REJECTED) for i in range(1000)
    )
    assert [i.sources for i in detector.incidents()] == [(SCANNER,)]


def test_client_with_an_occasional_failure_is_not_flagged() -> None:
    outcomes = [Outcome.ESTABLISHED, Outcome.UNANSWERED, Outcome.ESTABLISHED, Outcome.ESTABLISHED]
    detector = Detector()
    for day in range(3):
        for i, outcome in enumerate(outcomes):
            detector.feed(
                attempt(day * 600.0 + i, f"10.0.0.{i + 1}", 443, outcome, source="192.0.2.50")
            )
    assert detector.incidents() == []


def test_expiry_drops_state_but_keeps_findings() -> None:
    detector = Detector()
    detector.feed_many(slow_scan())
    detector.feed(attempt(0.0, "10.0.0.1", 443, Outcome.ESTABLISHED, source="192.0.2.50"))
    before = detector.incidents()
    assert detector.active_sources == 2
    detector.expire(START + timedelta(hours=2))
    assert detector.active_sources == 0
    assert detector.incidents() == before
    with pytest.raises(InvalidInput):
        detector.expire(datetime(2026, 11, 3))  # naive


def test_stream_time_expires_idle_sources() -> None:
    detector = Detector()
    detector.feed(attempt(0.0, "10.0.0.1", 443, Outcome.ESTABLISHED, source="192.0.2.50"))
    detector.feed(attempt(3 * 3600.0, "10.0.0.1", 443, Outcome.ESTABLISHED, source="192.0.2.51"))
    assert detector.active_sources == 1


def test_small_disorder_is_tolerated() -> None:
    events = slow_scan()
    events[0], events[1] = events[1], events[0]
    detector = Detector()
    detector.feed_many(events)
    [incident] = detector.incidents()
    assert incident.first_seen == START


def test_order_and_ids_are_deterministic() -> None:
    events = [*slow_scan("192.0.2.1"), *slow_scan("192.0.2.2"), *slow_scan("2001:db8::1")]
    first, second = Detector(), Detector()
    first.feed_many(events)
    second.feed_many(reversed(events))
    assert first.incidents() == second.incidents()
    assert len({i.id for i in first.incidents()}) == 3
    assert all(len(i.id) == 16 for i in first.incidents())


def test_fast_path_matches_feed() -> None:
    events = [*slow_scan(), attempt(400.0, "2001:db8::5", 3389, Outcome.ESTABLISHED)]
    slow, fast = Detector(), Detector()
    slow.feed_many(events)
    for e in events:
        fast.observe(
            address_key(e.source),
            address_key(e.target),
            e.port,
            e.time.timestamp(),
            e.outcome is Outcome.ESTABLISHED,
            e.accepted,
        )
    assert slow.incidents() == fast.incidents()
    assert "2001:db8::5" in slow.incidents()[0].targets


@pytest.mark.parametrize(
    "text", ["0.0.0.1", "255.255.255.255", "::1", "::ffff:1.2.3.4", "2001:db8::"]
)
def test_address_keys_round_trip_and_do_not_collide(text: str) -> None:
    address = ip_address(text)
    assert key_address(address_key(address)) == address
    if isinstance(address, IPv6Address):
        assert address_key(address) != address_key(IPv4Address(int(address) & 0xFFFFFFFF))


FAILURES = (Outcome.REJECTED, Outcome.UNANSWERED, Outcome.BLOCKED)
"""What an ordinary client's failed attempts look like: never a scanner's probe."""


def synthetic_day(seed: int) -> tuple[list[ConnectionEvent], set[str], set[str]]:
    """100,000 attempts from 5,000 scanners (horizontal, vertical, slow) and normal clients."""
    rng = random.Random(seed)
    day = 86_400.0
    local = [IPv4Address(f"10.0.{i // 250}.{i % 250 + 1}") for i in range(1000)]
    services = [(local[i], port) for i in range(10) for port in (443, 80, 25, 53)]
    scanners = {IPv4Address(n) for n in rng.sample(range(0x01000000, 0x60000000), 5_000)}
    events: list[ConnectionEvent] = []

    def add(
        t: float, src: IPv4Address, dst: IPv4Address, port: int, ok: bool, scan: bool = True
    ) -> None:
        # A scanner's answered attempt is a probe (reset before any data, as
        # SYN and connect scans do); a client's is a completed connection.
        answered = Outcome.PROBED if scan else Outcome.ESTABLISHED
        outcome = answered if ok else rng.choice(FAILURES)
        at = START + timedelta(seconds=t)
        accepted = outcome is not Outcome.BLOCKED
        events.append(ConnectionEvent(at, src, dst, port, "tcp", outcome, accepted))

    for n, source in enumerate(sorted(scanners)):
        begin = rng.uniform(0, day - 7200)
        shape = n % 3
        host = rng.choice(local)
        port = rng.choice((22, 23, 445, 3389, 5900))
        for i in range(20):
            ok = rng.random() < 0.05
            if shape == 0:  # horizontal: one port, twenty hosts, within minutes
                add(begin + i * 5, source, local[(local.index(host) + i) % 1000], port, ok)
            elif shape == 1:  # vertical: one host, twenty ports
                add(begin + i * 2, source, host, 1000 + rng.randrange(60_000) // 20 * 20 + i, ok)
            else:  # slow: a random host and port every five minutes
                add(begin + i * 300, source, rng.choice(local), rng.randrange(1, 65_536), ok)
    clients = [IPv4Address(f"172.16.{i // 250}.{i % 250 + 1}") for i in range(10_000)]
    for client in clients:
        favourites = rng.sample(services, rng.randint(1, 4))
        for _ in range(12):
            dst, port = rng.choice(favourites)
            add(rng.uniform(0, day), client, dst, port, rng.random() > 0.03, scan=False)
    events.sort(key=lambda e: e.time)
    return events, {str(s) for s in scanners}, {str(c) for c in clients}


def test_synthetic_day_finds_every_scanner_and_no_client() -> None:
    events, scanners, clients = synthetic_day(seed=20261103)
    assert sum(1 for e in events if str(e.source) in scanners) == 100_000
    detector = Detector()
    detector.feed_many(events)
    incidents = detector.incidents()
    flagged = {s for incident in incidents for s in incident.sources}
    assert scanners <= flagged
    kinds = {incident.kind for incident in incidents}
    assert {IncidentKind.HORIZONTAL, IncidentKind.VERTICAL, IncidentKind.TRW} <= kinds
    assert Severity.HIGH in {incident.severity for incident in incidents}
    assert not flagged & clients
    assert detector.active_sources < 15_000


def test_probes_alone_make_a_scanner_but_one_is_not_enough() -> None:
    """nmap -p 80 resets every connection before sending a byte: two such probes are a scan."""
    one = Detector()
    one.feed(attempt(0.0, "10.0.0.1", 80, Outcome.PROBED, source="192.0.2.9"))
    one.feed(attempt(1.0, "10.0.0.1", 443, Outcome.ESTABLISHED, source="192.0.2.9"))
    assert one.incidents() == []
    two = Detector()
    two.feed(attempt(0.0, "10.0.0.1", 80, Outcome.PROBED, source="192.0.2.9"))
    two.feed(attempt(1.0, "10.0.0.1", 443, Outcome.PROBED, source="192.0.2.9"))
    (incident,) = two.incidents()
    assert incident.kind is IncidentKind.PROBE
    assert incident.sources == ("192.0.2.9",)
    assert incident.targets == ("10.0.0.1",)
