"""Fan-out rules: vertical, horizontal and mixed scans, and the sliding window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address, ip_address

import pytest

from votetrail.core.netmon.detector import Detector, DetectorConfig
from votetrail.core.netmon.events import ConnectionEvent, Outcome
from votetrail.core.netmon.fanout import FanoutThresholds, note, reaches
from votetrail.core.netmon.incidents import IncidentKind
from votetrail.errors import InvalidInput

START = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
SCANNER = IPv4Address("203.0.113.9")


def attempt(
    seconds: float,
    target: str,
    port: int,
    outcome: Outcome = Outcome.REJECTED,
    source: IPv4Address = SCANNER,
) -> ConnectionEvent:
    return ConnectionEvent(
        time=START + timedelta(seconds=seconds),
        source=source,
        target=ip_address(target),
        port=port,
        protocol="tcp",
        outcome=outcome,
        accepted=outcome is not Outcome.BLOCKED,
    )


def test_reaches_prunes_entries_older_than_the_lateness_allowed() -> None:
    seen = {1: [0.0], 2: [100.0], 3: [900.0], 4: [950.0]}
    assert reaches(seen, 1000.0, 900.0, 3, oldest=0.0)
    assert not reaches(seen, 1200.0, 900.0, 3, oldest=50.0)
    assert seen == {2: [100.0], 3: [900.0], 4: [950.0]}


def test_a_late_time_never_widens_the_window() -> None:
    # Keys seen at 0, 600 and 1200 s: no 900 s window holds all three,
    # whichever time is the one that arrives last.
    seen: dict[int, list[float]] = {}
    for key, seconds in ((3, 1200.0), (2, 600.0), (1, 0.0)):
        note(seen, key, seconds, 900.0)
    assert not reaches(seen, 0.0, 900.0, 3, oldest=0.0)
    note(seen, 1, 500.0, 900.0)
    assert reaches(seen, 500.0, 900.0, 3, oldest=0.0)


def test_note_keeps_only_the_times_a_window_can_need() -> None:
    seen: dict[int, list[float]] = {}
    for seconds in (0.0, 100.0, 50.0, 800.0, 2000.0, 1500.0):
        note(seen, 7, seconds, 900.0)
    assert seen == {7: [0.0, 800.0, 1500.0, 2000.0]}


def test_vertical_scan_of_1001_ports() -> None:
    detector = Detector()
    detector.feed_many(attempt(i * 0.01, "198.51.100.7", 1 + i) for i in range(1001))
    [incident] = detector.incidents()
    assert incident.kind is IncidentKind.VERTICAL
    assert incident.port_count == 1001
    assert incident.ports == tuple(range(1, 1002))
    assert incident.targets == ("198.51.100.7",)
    assert incident.connections == 1001


def test_horizontal_scan_even_when_the_probes_find_open_ports() -> None:
    # all answered, so the random walk calls it benign; the probes still count
    events = [attempt(i, f"198.51.100.{i + 1}", 3389, Outcome.PROBED) for i in range(20)]
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
    # no fast rule fires; twenty ports of one host within a day are a slow scan
    assert [i.kind for i in detector.incidents()] == [IncidentKind.SLOW]
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
    detector.feed_many(attempt(i, "198.51.100.7", 20 + i) for i in range(5))
    [incident] = detector.incidents()
    assert incident.kind is IncidentKind.VERTICAL


def test_completed_connections_are_not_fan_out() -> None:
    # a client completing connections to 40 servers, or 40 ports of one, is a client
    detector = Detector()
    detector.feed_many(
        attempt(i, f"198.51.100.{i + 1}", 443, Outcome.ESTABLISHED) for i in range(40)
    )
    detector.feed_many(
        attempt(100 + i, "198.51.100.7", 8000 + i, Outcome.ESTABLISHED) for i in range(40)
    )
    assert detector.incidents() == []
    # the same attempts refused or unanswered are a horizontal and a vertical scan
    detector.feed_many(attempt(200 + i, f"198.51.101.{i + 1}", 443) for i in range(20))
    detector.feed_many(
        attempt(300 + i, "198.51.101.7", 9000 + i, Outcome.UNANSWERED) for i in range(20)
    )
    [incident] = detector.incidents()
    assert incident.kind is IncidentKind.MIXED


@pytest.mark.parametrize(
    "arguments",
    [{"hosts_per_port": 1}, {"ports_per_host": 0}, {"window": timedelta(0)}],
)
def test_impossible_thresholds_are_refused(arguments: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        FanoutThresholds(**arguments)  # type: ignore[arg-type]
