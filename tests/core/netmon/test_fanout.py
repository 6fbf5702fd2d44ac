"""Fan-out rules: vertical, horizontal and mixed scans, and the sliding window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address, ip_address

import pytest

from votetrail.core.netmon.detector import Detector, DetectorConfig
from votetrail.core.netmon.events import ConnectionEvent, Outcome
from votetrail.core.netmon.fanout import FanoutThresholds, reaches
from votetrail.core.netmon.incidents import IncidentKind
from votetrail.errors import InvalidInput

START = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
SCANNER = IPv4Address("203.0.113.9")


def attempt(
    seconds: float, target: str, port: int, outcome: Outcome = Outcome.REJECTED
) -> ConnectionEvent:
    return ConnectionEvent(
        time=START + timedelta(seconds=seconds),
        source=SCANNER,
        target=ip_address(target),
        port=port,
        protocol="tcp",
        outcome=outcome,
        accepted=outcome is not Outcome.BLOCKED,
    )


def test_reaches_prunes_stale_entries() -> None:
    seen = {1: 0.0, 2: 100.0, 3: 900.0, 4: 950.0}
    assert reaches(seen, 1000.0, 900.0, 3)
    assert seen == {2: 100.0, 3: 900.0, 4: 950.0}
    assert not reaches(seen, 1200.0, 900.0, 3)
    assert seen == {3: 900.0, 4: 950.0}


def test_vertical_scan_of_1001_ports() -> None:
    detector = Detector()
    detector.feed_many(attempt(i * 0.01, "198.51.100.7", 1 + i) for i in range(1001))
    [incident] = detector.incidents()
    assert incident.kind is IncidentKind.VERTICAL
    assert incident.port_count == 1001
    assert incident.ports == tuple(range(1, 1002))
    assert incident.targets == ("198.51.100.7",)
    assert incident.connections == 1001


def test_horizontal_scan_even_when_the_probes_succeed() -> None:
    # all established, so the random walk calls it benign: only fan-out sees it
    events = [attempt(i, f"198.51.100.{i + 1}", 3389, Outcome.ESTABLISHED) for i in range(20)]
    detector = Detector()
    detector.feed_many(events)
    [incident] = detector.incidents()
    assert incident.kind is IncidentKind.HORIZONTAL
    assert incident.ports == (3389,)
    assert len(incident.targets) == 20


def test_one_below_the_thresholds_is_not_a_scan() -> None:
    detector = Detector()
    detector.feed_many(
        attempt(i, f"198.51.100.{i + 1}", 443, Outcome.ESTABLISHED) for i in range(19)
    )
    detector.feed_many(attempt(100 + i, "198.51.100.200", 1000 + i) for i in range(19))
    assert detector.incidents() == []


def test_counts_outside_the_window_do_not_add_up() -> None:
    window = FanoutThresholds().window.total_seconds()
    step = window / 15  # twenty ports over 19/15 of a window: never 20 inside one
    detector = Detector()
    detector.feed_many(attempt(i * step, "198.51.100.7", 1000 + i) for i in range(20))
    assert detector.incidents() == []
    detector.feed_many(attempt(20 * step + i, "198.51.100.7", 2000 + i) for i in range(20))
    [incident] = detector.incidents()
    assert incident.kind is IncidentKind.VERTICAL


def test_block_scan_is_mixed() -> None:
    detector = Detector()
    detector.feed_many(
        attempt(h * 20 + p, f"198.51.100.{h + 1}", 8000 + p, Outcome.BLOCKED)
        for h in range(20)
        for p in range(20)
    )
    [incident] = detector.incidents()
    assert incident.kind is IncidentKind.MIXED
    assert (incident.accepted, incident.blocked) == (0, 400)


def test_custom_thresholds() -> None:
    config = DetectorConfig(fanout=FanoutThresholds(hosts_per_port=5, ports_per_host=5))
    detector = Detector(config)
    detector.feed_many(attempt(i, "198.51.100.7", 20 + i, Outcome.ESTABLISHED) for i in range(5))
    [incident] = detector.incidents()
    assert incident.kind is IncidentKind.VERTICAL


@pytest.mark.parametrize(
    "arguments",
    [{"hosts_per_port": 1}, {"ports_per_host": 0}, {"window": timedelta(0)}],
)
def test_impossible_thresholds_are_refused(arguments: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        FanoutThresholds(**arguments)  # type: ignore[arg-type]
