"""Every unsolicited attempt counted per UTC day and source, late lines included, memory bounded."""

from __future__ import annotations

import random
from datetime import date
from ipaddress import IPv4Address, ip_network

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.core.netmon.test_fanout import START, attempt
from votetrail.core.netmon.detector import Detector, DetectorConfig
from votetrail.core.netmon.distinct import EXACT_LIMIT, DistinctCount
from votetrail.core.netmon.events import ConnectionEvent, Outcome
from votetrail.core.netmon.tally import DayTally

HOME = (ip_network("198.51.100.0/24"),)
HOUR = 3600.0


def home_detector() -> Detector:
    return Detector(DetectorConfig(home_networks=HOME, local_networks=HOME))


def background() -> list[ConnectionEvent]:
    """A morning of internet noise at a home network, and the office's own traffic."""
    rng = random.Random(7)
    events = []
    for i in range(600):
        source = IPv4Address(f"203.0.{rng.randrange(0, 40)}.{rng.randrange(1, 255)}")
        outcome = rng.choice([Outcome.UNANSWERED, Outcome.REJECTED, Outcome.PROBED])
        target = f"198.51.100.{rng.randrange(1, 30)}"
        events.append(attempt(i * 60.0, target, rng.choice([22, 23, 445, 3389]), outcome, source))
    # the office's desktop browsing, and a visitor of its web site: not counted
    desk = IPv4Address("198.51.100.5")
    events += [
        attempt(i, f"192.0.2.{i % 50 + 1}", 443, Outcome.ESTABLISHED, desk) for i in range(80)
    ]
    visitor = IPv4Address("192.0.2.200")
    events += [attempt(i, "198.51.100.10", 443, Outcome.ESTABLISHED, visitor) for i in range(5)]
    return events


def test_the_day_counts_every_inbound_attempt_and_nothing_else() -> None:
    events = background()
    detector = home_detector()
    detector.feed_many(events)
    closed = detector.close_days(final=True)
    [day] = closed.days
    inbound = [e for e in events if str(e.source).startswith("203.0.")]
    assert day.day == START.date()
    assert day.attempts == len(inbound) == 600
    assert day.sources == len({e.source for e in inbound}) == len(closed.sources)
    assert day.answered == sum(e.outcome is Outcome.PROBED for e in inbound)
    assert day.ports == 4
    assert sum(row.attempts for row in closed.sources) == 600


def test_a_connection_answered_on_a_closed_port_is_unexpected() -> None:
    detector = home_detector()
    source = IPv4Address("203.0.113.9")
    detector.feed(attempt(0, "198.51.100.7", 3389, Outcome.ESTABLISHED, source))
    detector.feed(attempt(1, "198.51.100.7", 23, Outcome.PROBED, source))
    detector.feed(attempt(2, "198.51.100.7", 25, Outcome.REJECTED, source))
    [row] = detector.close_days(final=True).sources
    assert (row.attempts, row.answered, row.unexpected, row.ports) == (3, 2, 2, 3)


def test_without_home_networks_only_unanswered_attempts_count() -> None:
    detector = Detector()
    source = IPv4Address("203.0.113.9")
    detector.feed(attempt(0, "198.51.100.7", 443, Outcome.ESTABLISHED, source))
    detector.feed(attempt(1, "198.51.100.7", 23, Outcome.UNANSWERED, source))
    [day] = detector.close_days(final=True).days
    assert day.attempts == 1


def test_days_split_at_utc_midnight_and_close_after_the_lateness() -> None:
    detector = home_detector()
    source = IPv4Address("203.0.113.9")
    midnight = 16 * HOUR  # START is 08:00 UTC
    detector.feed(attempt(midnight - 1, "198.51.100.7", 22, Outcome.UNANSWERED, source))
    detector.feed(attempt(midnight + 1, "198.51.100.7", 22, Outcome.UNANSWERED, source))
    assert detector.close_days().days == ()  # event time is one second into the new day
    # a line five hours late for the first day still counts in it
    detector.feed(attempt(midnight + 5 * HOUR, "198.51.100.8", 23, Outcome.UNANSWERED, source))
    detector.feed(attempt(midnight - 10, "198.51.100.9", 24, Outcome.UNANSWERED, source))
    detector.feed(attempt(midnight + 6 * HOUR + 1, "198.51.100.8", 23, Outcome.UNANSWERED, source))
    [first] = detector.close_days().days
    assert (first.day, first.attempts, first.hosts) == (START.date(), 2, 2)
    # later still: the day was handed over, so the line is counted as late, not in it
    detector.feed(attempt(midnight - 20, "198.51.100.9", 24, Outcome.UNANSWERED, source))
    assert detector.late_attempts == 1
    [second] = detector.close_days(final=True).days
    assert (second.day, second.attempts) == (date(2026, 11, 4), 3)


@settings(max_examples=40, deadline=None)
@given(st.permutations(background()[:300]))
def test_the_same_counts_in_any_order(events: list[ConnectionEvent]) -> None:
    ordered = home_detector()
    ordered.feed_many(sorted(events, key=lambda e: e.time))
    shuffled = home_detector()
    shuffled.feed_many(events)
    assert shuffled.close_days(final=True) == ordered.close_days(final=True)


@pytest.mark.parametrize("size", [1, 256, 257, 1000, 20_000, 300_000])
def test_distinct_counts_are_exact_when_small_and_within_5_percent_when_large(size: int) -> None:
    count = DistinctCount()
    rng = random.Random(size)
    keys = rng.sample(range(1 << 40), size)
    for key in keys + keys[: size // 3]:
        count.add(key)
    if size <= EXACT_LIMIT:
        assert count.exact
        assert count.count() == size
    else:
        assert not count.exact
        assert abs(count.count() - size) <= 0.05 * size


def test_a_sweep_of_every_port_holds_a_sketch_not_a_set() -> None:
    tally = DayTally(lateness=0.0)
    for port in range(65_536):
        tally.add(1, 2, port, 100.0, answered=False, unexpected=False)
    [row] = tally.close(0.0, final=True).sources
    assert row.attempts == 65_536
    assert abs(row.ports - 65_536) <= 0.05 * 65_536
