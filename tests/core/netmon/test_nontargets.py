"""Broadcast, multicast and link-local discovery destinations are not scan targets.

Each case is a source that the random walk or a fan-out rule would flag if
the destinations counted as hosts (see ``test_detector.py`` for the rules).
"""

from __future__ import annotations

from ipaddress import ip_address, ip_network

import pytest

from tests.core.netmon.test_detector import attempt as _attempt
from votetrail.core.netmon.detector import Detector, DetectorConfig, address_key
from votetrail.core.netmon.events import ConnectionEvent
from votetrail.core.netmon.incidents import IncidentKind


def attempt(n: int, source: str, target: str, port: int) -> ConnectionEvent:
    """An unanswered attempt ``n`` seconds into the day (``test_detector``'s helper)."""
    return _attempt(float(n), target, port, source=source)


GROUPS = [
    # a Windows desktop's discovery at boot: five unanswered "first contacts"
    ("192.168.10.21", ["255.255.255.255", "224.0.0.252", "224.0.0.251", "239.255.255.250",
                       "224.0.0.22", "240.0.0.1"], [67, 5355, 5353, 1900, 3702, 9]),
    ("fe80::5d1c:3a7e:9b20:41f6", ["ff02::1:3", "ff02::fb", "ff02::c", "ff02::1:2", "ff05::1:3"],
     [5355, 5353, 1900, 547, 547]),
]  # fmt: skip


@pytest.mark.parametrize(("source", "targets", "ports"), GROUPS)
def test_group_addresses_are_not_first_contacts(
    source: str, targets: list[str], ports: list[int]
) -> None:
    detector = Detector()
    detector.feed_many(
        attempt(n, source, target, port)
        for n, (target, port) in enumerate(zip(targets, ports, strict=True))
    )
    assert detector.incidents() == []
    assert detector.active_sources == 0


def test_dhcp_server_answering_to_broadcast_is_no_scan() -> None:
    """Offers and acks to 255.255.255.255:68 (Windows clients set the broadcast flag)."""
    detector = Detector()
    detector.feed_many(attempt(n, "192.168.10.1", "255.255.255.255", 68) for n in range(30))
    assert detector.incidents() == []


def test_dot_255_is_a_broadcast_only_on_discovery_ports() -> None:
    """NetBIOS to x.x.x.255 is dropped; the same address on other ports is a host (a /23)."""
    detector = Detector()
    nets = ["10.1.0.255", "10.2.0.255", "10.3.0.255", "10.4.0.255", "10.5.0.255"]
    detector.feed_many(attempt(n, "10.9.9.9", net, 137) for n, net in enumerate(nets))
    assert detector.incidents() == []
    detector.feed_many(attempt(10 + n, "10.9.9.9", net, 22) for n, net in enumerate(nets))
    [incident] = detector.incidents()
    assert incident.kind is IncidentKind.TRW
    assert incident.connections == 5


def test_directed_broadcast_of_a_known_network_on_any_port() -> None:
    """With the netmask configured, 10.20.1.255 (a /23's broadcast) is never a target."""
    config = DetectorConfig(local_networks=(ip_network("10.20.0.0/23"),))
    detector = Detector(config)
    detector.feed_many(attempt(n, "10.20.0.7", "10.20.1.255", 7000 + n) for n in range(30))
    assert detector.incidents() == []
    # the unconfigured default counts the same 30 ports of one host as a vertical scan
    plain = Detector()
    plain.feed_many(attempt(n, "10.20.0.7", "10.20.1.255", 7000 + n) for n in range(30))
    assert [i.kind for i in plain.incidents()] == [IncidentKind.VERTICAL]


def test_a_unicast_sweep_of_discovery_ports_is_still_a_scan() -> None:
    """nbtscan-style: UDP 137 to 25 hosts is a horizontal scan; only the group address is spared."""
    detector = Detector()
    detector.feed_many(attempt(n, "10.9.9.9", f"192.168.10.{n + 1}", 137) for n in range(25))
    [incident] = detector.incidents()
    assert incident.kind in (IncidentKind.HORIZONTAL, IncidentKind.MIXED)
    assert len(incident.targets) == 25


def test_the_fast_path_drops_them_too() -> None:
    """Readers that call ``observe`` with keys (the Zeek bulk path) get the same rule."""
    detector = Detector()
    source = address_key(ip_address("192.168.10.21"))
    for n, target in enumerate(
        ["224.0.0.252", "224.0.0.251", "239.255.255.250", "255.255.255.255"]
    ):
        detector.observe(source, address_key(ip_address(target)), 5355, 1e9 + n, False, True)
    assert detector.incidents() == []
