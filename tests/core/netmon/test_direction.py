"""Direction: the office's home networks decide what is an inbound scan (issue 16, item 1).

Addresses are documentation ranges of our own; the shapes are those of the
issue's labelled office traffic: a desktop reaching many outside servers and
an outside source sweeping the office.
"""

from __future__ import annotations

from ipaddress import ip_network

from tests.core.netmon.test_detector import attempt as unanswered
from votetrail.core.netmon.detector import Detector, DetectorConfig
from votetrail.core.netmon.events import ConnectionEvent
from votetrail.core.netmon.incidents import IncidentKind, Severity

HOME = (ip_network("192.0.2.0/24"), ip_network("2001:db8:1::/48"))
DESKTOP = "192.0.2.10"
OUTSIDE = "203.0.113.9"


def attempt(seconds: float, source: str, target: str, port: int) -> ConnectionEvent:
    """An unanswered attempt from ``source`` (the other file's helper, source first)."""
    return unanswered(seconds, target, port, source=source)


def desktop_reaching_outside() -> list[ConnectionEvent]:
    """An inside desktop tries 40 outside hosts on 443; none answers."""
    return [attempt(i * 5.0, DESKTOP, f"198.51.100.{i + 1}", 443) for i in range(40)]


def home_detector() -> Detector:
    return Detector(DetectorConfig(home_networks=HOME, local_networks=HOME))


def test_an_inside_host_sweeping_outward_is_internal_not_an_inbound_scan() -> None:
    detector = home_detector()
    detector.feed_many(desktop_reaching_outside())
    [incident] = detector.incidents()
    assert incident.kind is IncidentKind.INTERNAL
    assert incident.sources == (DESKTOP,)
    assert incident.severity is Severity.HIGH
    assert len(incident.targets) == 40


def test_without_home_networks_the_same_traffic_is_an_outside_style_scan() -> None:
    detector = Detector()
    detector.feed_many(desktop_reaching_outside())
    [incident] = detector.incidents()
    assert incident.kind is IncidentKind.HORIZONTAL


def test_an_outside_source_sweeping_inside_hosts_is_an_inbound_scan() -> None:
    detector = home_detector()
    detector.feed_many(attempt(i * 5.0, OUTSIDE, f"192.0.2.{i + 20}", 22) for i in range(25))
    [incident] = detector.incidents()
    assert incident.kind is IncidentKind.HORIZONTAL
    assert incident.sources == (OUTSIDE,)
    assert len(incident.targets) == 25


def test_an_inside_host_sweeping_inward_is_internal() -> None:
    detector = home_detector()
    detector.feed_many(attempt(i * 5.0, DESKTOP, f"192.0.2.{i + 20}", 445) for i in range(25))
    [incident] = detector.incidents()
    assert incident.kind is IncidentKind.INTERNAL


def test_traffic_between_two_outside_hosts_is_not_the_offices() -> None:
    detector = home_detector()
    detector.feed_many(attempt(i * 5.0, OUTSIDE, f"198.51.100.{i + 1}", 22) for i in range(25))
    assert detector.incidents() == []
    assert detector.active_sources == 0


def test_an_internal_host_is_not_grouped_with_outside_neighbours() -> None:
    detector = home_detector()
    events = [attempt(i * 5.0, "192.0.2.11", f"198.51.100.{i + 1}", 443) for i in range(40)]
    events += desktop_reaching_outside()
    events.sort(key=lambda e: e.time)
    detector.feed_many(events)
    kinds = sorted(i.kind.value for i in detector.incidents())
    assert kinds == ["internal", "internal"]
