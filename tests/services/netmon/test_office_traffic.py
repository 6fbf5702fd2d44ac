"""An ordinary Windows office's broadcast and multicast traffic raises no incident.

Fixture ``tests/fixtures/field/netmon/windows_office_eve.json``: Suricata
eve.json ``flow`` records written for this test (own addresses and times).
The record layout (top-level ``timestamp``, ``flow_id``, ``in_iface``,
``event_type``, ``src_ip``/``src_port``, ``dest_ip``/``dest_port``, ``proto``,
``app_proto``; a ``flow`` object with ``pkts_toserver``, ``pkts_toclient``,
``bytes_*``, ``start``, ``end``, ``age``, ``state``, ``reason``, ``alerted``;
``tcp`` flags as hex) is Suricata's, as documented in OISF/suricata
``doc/userguide/output/eve/eve-json-format.rst`` ("Event type: Flow").
What it holds is what a Windows desktop sends on a LAN: DHCP discover and
inform to 255.255.255.255:67 and the server's answers to
255.255.255.255:68, LLMNR (224.0.0.252 and ff02::1:3, 5355), mDNS
(224.0.0.251 and ff02::fb, 5353), SSDP (239.255.255.250 and ff02::c, 1900),
WS-Discovery (239.255.255.250:3702), NetBIOS name and datagram broadcasts
(192.168.10.255, 137/138), DHCPv6 solicit (ff02::1:2:547), none answered;
and answered DNS, SMB and HTTPS. Six desktops, one minute apart.

The masscan and nmap captures still raising theirs is asserted in
``test_ingest.py`` (``test_masscan_names_the_scanner...``,
``test_nmap_names_the_prober...``).
"""

from __future__ import annotations

from pathlib import Path

from votetrail.services.context import App
from votetrail.services.netmon import ingest as netmon

OFFICE = Path(__file__).parents[2] / "fixtures/field/netmon/windows_office_eve.json"


def test_windows_office_discovery_traffic_raises_no_incident(demo_app: App) -> None:
    result = netmon.ingest(demo_app, "analyst", [OFFICE])
    (read,) = result.files
    assert read.bad == 0
    assert read.events == 76
    assert read.incidents == 0
    assert netmon.incidents(demo_app) == []
