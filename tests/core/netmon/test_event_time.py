"""Event time: windows hold only events within 15 minutes of each other, in any arrival order.

Zeek writes a connection to conn.log when it ends, so a long connection's line
comes hours after shorter ones that began later. The detector's answer must
depend on the events, not on the order their lines arrive in.
"""

from __future__ import annotations

from datetime import timedelta
from ipaddress import IPv4Address

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.core.netmon.test_fanout import attempt
from votetrail.core.netmon.detector import Detector, DetectorConfig
from votetrail.core.netmon.events import ConnectionEvent
from votetrail.core.netmon.incidents import Incident, IncidentKind
from votetrail.core.netmon.slow import SlowThresholds

SWEEPER = IPv4Address("203.0.113.9")
TRICKLE = IPv4Address("198.51.100.7")
PORTSCAN = IPv4Address("192.0.2.44")
CONFIG = DetectorConfig(
    idle_timeout=timedelta(hours=6), slow=SlowThresholds(ports_per_host=1000, hosts=1000)
)
"""Idle timeout above the events' span, so lateness of hours keeps a source's state;
the slow rule out of reach, so these tests see the 15-minute windows alone."""


def day() -> list[ConnectionEvent]:
    """A fast sweep, a slow port trickle (10 ports per 15 minutes, never 20) and a port scan."""
    sweep = [attempt(9000 + i, f"10.0.1.{i + 1}", 22, source=SWEEPER) for i in range(30)]
    trickle = [attempt(100.0 * i, "10.0.2.5", 1000 + i, source=TRICKLE) for i in range(80)]
    portscan = [attempt(4000 + 5 * i, "10.0.3.8", 2000 + i, source=PORTSCAN) for i in range(25)]
    return sweep + trickle + portscan


def run(events: list[ConnectionEvent]) -> list[Incident]:
    detector = Detector(CONFIG)
    detector.feed_many(events)
    return detector.incidents()


IN_ORDER = run(sorted(day(), key=lambda event: event.time))


def test_in_order_the_sweep_and_the_port_scan_are_found_and_the_trickle_is_not() -> None:
    assert sorted(str(i.sources[0]) for i in IN_ORDER) == sorted([str(SWEEPER), str(PORTSCAN)])


def test_the_trickle_is_a_slow_scan_in_any_order() -> None:
    """80 ports of one host in 2 h 13 min, never 20 in 15 minutes: the slow rule's case."""
    events = [event for event in day() if event.source == TRICKLE]
    for order in (events, events[::-1], events[1::2] + events[::2]):
        detector = Detector()
        detector.feed_many(order)
        found = detector.incidents()
        assert [(i.kind, i.sources, i.port_count) for i in found] == [
            (IncidentKind.SLOW, (str(TRICKLE),), 80)
        ]


def test_a_late_line_does_not_stretch_the_window() -> None:
    events = sorted(day(), key=lambda event: event.time)
    trickle = [event for event in events if event.source == TRICKLE]
    # The first line of the trickle arrives last, two hours after its time.
    assert run(trickle[1:] + trickle[:1]) == run(trickle) == []


@settings(max_examples=60, deadline=None)
@given(st.permutations(day()))
def test_same_incidents_in_any_order(events: list[ConnectionEvent]) -> None:
    assert run(events) == IN_ORDER
