"""Attempts per UTC hour: what lets a day's report count only that day's attempts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from ipaddress import IPv4Address

from votetrail.core.netmon.detector import Detector
from votetrail.core.netmon.events import ConnectionEvent, Outcome
from votetrail.core.netmon.incidents import Incident, attempts_on, attempts_per_hour

SCANNER = IPv4Address("203.0.113.9")
TARGET = IPv4Address("198.51.100.7")
DAY1 = date(2026, 11, 3)
DAY2 = date(2026, 11, 4)
MIDNIGHT = datetime(2026, 11, 4, tzinfo=UTC)


def _attempt(moment: datetime, port: int) -> ConnectionEvent:
    return ConnectionEvent(moment, SCANNER, TARGET, port, "tcp", Outcome.BLOCKED, False)


def _across_midnight() -> list[ConnectionEvent]:
    """30 attempts from 23:50 to 23:59:40, then 20 from 00:00 to 00:10 (a vertical scan)."""
    before = [
        _attempt(MIDNIGHT - timedelta(minutes=10) + timedelta(seconds=20 * n), 1000 + n)
        for n in range(30)
    ]
    after = [_attempt(MIDNIGHT + timedelta(seconds=30 * n), 2000 + n) for n in range(20)]
    return before + after


def _only(detector: Detector) -> Incident:
    (incident,) = detector.incidents()
    return incident


def test_a_scan_across_midnight_is_counted_in_its_hours() -> None:
    detector = Detector()
    detector.feed_many(_across_midnight())
    incident = _only(detector)
    assert incident.connections == 50
    assert incident.hours == (
        (datetime(2026, 11, 3, 23, tzinfo=UTC), 30),
        (datetime(2026, 11, 4, 0, tzinfo=UTC), 20),
    )
    assert attempts_on(incident, DAY1) == 30
    assert attempts_on(incident, DAY2) == 20
    assert attempts_per_hour(incident, DAY1)[23] == 30
    assert attempts_per_hour(incident, DAY2) == [20] + [0] * 23


def test_a_late_attempt_counts_in_its_own_hour() -> None:
    """Logs merged from two firewalls arrive a little out of order across the hour."""
    events = _across_midnight()
    late = events.pop(29)  # the 23:59:40 attempt arrives after the first of the new day
    events.insert(31, late)
    detector = Detector()
    detector.feed_many(events)
    assert [count for _, count in _only(detector).hours] == [30, 20]


def test_hours_survive_expiry_and_add_up() -> None:
    """A source forgotten after its idle timeout keeps its hours in the finding."""
    detector = Detector()
    detector.feed_many(_across_midnight())
    detector.expire(MIDNIGHT + timedelta(hours=3))
    assert detector.active_sources == 0
    incident = _only(detector)
    assert [count for _, count in incident.hours] == [30, 20]
    assert sum(count for _, count in incident.hours) == incident.connections


def test_a_distributed_scan_adds_its_sources_hours() -> None:
    detector = Detector()
    for last in (1, 2, 3):
        source = IPv4Address(f"203.0.113.{last}")
        detector.feed_many(
            replace(event, source=source, time=event.time + timedelta(seconds=last))
            for event in _across_midnight()
        )
    incident = _only(detector)
    assert incident.kind.value == "distributed"
    assert (attempts_on(incident, DAY1), attempts_on(incident, DAY2)) == (90, 60)


def test_without_hours_the_estimate_still_adds_up_over_the_days() -> None:
    """Incidents stored before per-hour counts were kept are spread evenly, never counted twice."""
    detector = Detector()
    detector.feed_many(_across_midnight())
    legacy = replace(_only(detector), hours=())
    assert attempts_on(legacy, DAY1) + attempts_on(legacy, DAY2) == 50
    assert attempts_on(legacy, DAY1) == 25
