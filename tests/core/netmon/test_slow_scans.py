"""Slow scans: 20 ports of a host or 20 hosts without answers within a day, bounded memory."""

from __future__ import annotations

from datetime import date, timedelta
from ipaddress import IPv4Address, ip_network

from tests.core.netmon.test_fanout import START, attempt
from votetrail.core.netmon.detector import Detector, DetectorConfig
from votetrail.core.netmon.events import Outcome
from votetrail.core.netmon.incidents import RETURNING, IncidentKind, mark_returning
from votetrail.core.netmon.slow import SlowSource, SlowThresholds

HOME = (ip_network("198.51.100.0/24"),)
PATIENT = IPv4Address("203.0.113.9")
NEIGHBOUR = IPv4Address("203.0.113.77")
HOUR = 3600.0


def home_detector() -> Detector:
    return Detector(DetectorConfig(home_networks=HOME, local_networks=HOME))


def test_107_ports_over_a_day_never_six_in_15_minutes_is_a_slow_scan() -> None:
    """The CTU-Normal case: one source, one desktop, 107 ports spread over 24 hours."""
    detector = home_detector()
    step = 24 * HOUR / 107
    detector.feed_many(
        attempt(i * step, "198.51.100.7", 1000 + i, Outcome.UNANSWERED, PATIENT) for i in range(107)
    )
    [incident] = detector.incidents()
    assert (incident.kind, incident.sources, incident.port_count) == (
        IncidentKind.SLOW,
        (str(PATIENT),),
        107,
    )
    assert incident.connections == 107


def test_nineteen_ports_a_day_is_not_a_scan_but_still_counted() -> None:
    detector = home_detector()
    detector.feed_many(
        attempt(i * HOUR / 2, "198.51.100.7", 1000 + i, Outcome.UNANSWERED, PATIENT)
        for i in range(19)
    )
    assert detector.incidents() == []
    [day] = detector.close_days(final=True).days
    assert (day.sources, day.attempts, day.ports, day.hosts) == (1, 19, 19, 1)


def test_twenty_ports_more_than_a_day_apart_are_not_a_slow_scan() -> None:
    detector = home_detector()
    step = 25 * HOUR / 19  # the first and the twentieth 25 hours apart
    detector.feed_many(
        attempt(i * step, "198.51.100.7", 1000 + i, Outcome.UNANSWERED, PATIENT) for i in range(20)
    )
    assert detector.incidents() == []


def test_twenty_hosts_on_any_ports_within_a_day_is_a_slow_scan() -> None:
    # an hour apart, past a 20-minute idle timeout: the random walk forgets each time
    detector = Detector(
        DetectorConfig(home_networks=HOME, local_networks=HOME, idle_timeout=timedelta(minutes=20))
    )
    detector.feed_many(
        attempt(i * HOUR, f"198.51.100.{i + 1}", 22 + i, Outcome.REJECTED, PATIENT)
        for i in range(20)
    )
    [incident] = detector.incidents()
    assert incident.kind is IncidentKind.SLOW
    assert len(incident.targets) == 20


def test_answered_attempts_do_not_make_a_slow_scan() -> None:
    """A visitor that completes connections to 30 hosts' web servers over a day is a visitor."""
    detector = home_detector()
    detector.feed_many(
        attempt(i * HOUR / 2, f"198.51.100.{i + 1}", 443, Outcome.ESTABLISHED, PATIENT)
        for i in range(30)
    )
    assert detector.incidents() == []
    assert detector.close_days(final=True).days == ()


def test_the_office_s_own_desktop_is_never_a_slow_scanner() -> None:
    """Desktops fail to reach dozens of servers a day; inside sources get the fast rules only."""
    detector = Detector(
        DetectorConfig(home_networks=HOME, local_networks=HOME, idle_timeout=timedelta(minutes=20))
    )
    desktop = IPv4Address("198.51.100.5")
    detector.feed_many(
        attempt(i * HOUR / 2, f"192.0.2.{i + 1}", 443, Outcome.UNANSWERED, desktop)
        for i in range(40)
    )
    assert detector.incidents() == []
    assert detector.held[1] == 0
    assert detector.close_days(final=True).days == ()


def test_slow_scanners_of_one_slash_24_are_one_incident() -> None:
    detector = home_detector()
    for source, base in ((PATIENT, 1000), (NEIGHBOUR, 5000)):
        detector.feed_many(
            attempt(i * HOUR, "198.51.100.7", base + i, Outcome.UNANSWERED, source)
            for i in range(21)
        )
    [incident] = detector.incidents()
    assert incident.kind is IncidentKind.SLOW
    assert incident.sources == (str(PATIENT), str(NEIGHBOUR))
    assert incident.port_count == 42


def test_a_source_a_fast_rule_found_is_not_reported_again_as_slow() -> None:
    detector = home_detector()
    detector.feed_many(
        attempt(i, "198.51.100.7", 1000 + i, Outcome.UNANSWERED, PATIENT) for i in range(30)
    )
    [incident] = detector.incidents()
    assert incident.kind is IncidentKind.VERTICAL


def test_slow_state_is_forgotten_after_a_quiet_day_and_lateness() -> None:
    detector = home_detector()
    detector.feed_many(
        attempt(i * 60.0, "198.51.100.7", 1000 + i, Outcome.UNANSWERED, PATIENT) for i in range(5)
    )
    assert detector.held[1] == 1
    # another source, 31 hours later, moves event time past the window and lateness
    detector.feed(attempt(31 * HOUR, "198.51.100.8", 22, Outcome.UNANSWERED, NEIGHBOUR))
    assert detector.held[1] == 1  # only the newcomer


def test_memory_stays_bounded_for_a_source_that_never_stops() -> None:
    """Flagged, a source keeps no window; unflagged for ten days, only what a window can use."""
    limits = SlowThresholds().limits(lateness=6 * HOUR)
    sweeper = SlowSource(0.0)
    for i in range(5000):
        sweeper.add(i % 700, 20_000 + i, i * 17.0, True, True, False, limits)
    assert sweeper.flagged
    assert not sweeper.hosts
    assert not sweeper.ports_of
    assert len(sweeper.target_list) == 700
    # a new host every 1.3 hours, never 20 within 24 hours, for ten days
    patient = SlowSource(0.0)
    for i in range(190):
        patient.add(i, 22, i * 24 * HOUR / 18.5, True, True, False, limits)
    assert not patient.flagged
    assert len(patient.hosts) <= 2 * 20
    assert len(patient.ports_of) <= 2 * 20


def test_returning_sources_are_labelled() -> None:
    detector = home_detector()
    detector.feed_many(
        attempt(i * HOUR, "198.51.100.7", 1000 + i, Outcome.UNANSWERED, PATIENT) for i in range(21)
    )
    [incident] = detector.incidents()
    first = START.date()
    assert mark_returning([incident], {str(PATIENT): first})[0].labels == ()
    [back] = mark_returning([incident], {str(PATIENT): first - timedelta(days=3)})
    assert back.labels == (RETURNING,)
    assert back.id == incident.id
    assert mark_returning([back], {str(PATIENT): date(2000, 1, 1)})[0].labels == (RETURNING,)
