"""Destinations that are not targets: broadcast, multicast and the discovery they carry.

A scan is one host guessing at other hosts' services. A datagram to a group
address is not addressed to a host at all: every Windows office desktop sends
DHCP to 255.255.255.255, LLMNR to 224.0.0.252 and ff02::1:3, mDNS to
224.0.0.251 and ff02::fb, SSDP and WS-Discovery to 239.255.255.250, NetBIOS
to its subnet's broadcast, and nobody answers most of them. Counted as first
contacts they are four failures of the random walk within seconds, so an
idle desktop, and the DHCP server answering to 255.255.255.255:68, were
reported as scanners.

The rule lives here, in ``core``, and is applied by
:meth:`~votetrail.core.netmon.detector.Detector.observe`, which every reader
reaches (through ``feed``/``feed_many`` or the Zeek fast path), so it holds
for every log format alike. It looks only at the destination, never at the
source port: a scanner can choose its source port (``nmap --source-port 53``),
not make a host out of a group address.

Not targets:

* IPv4 224.0.0.0 to 255.255.255.255: multicast (224.0.0.0/4, SSDP's
  239.255.255.250 among them), the reserved 240.0.0.0/4 no host may use,
  and the limited broadcast 255.255.255.255;
* IPv6 ff00::/8 (multicast; ff02::/16 is its link-local scope);
* the directed broadcast (last address) of each configured local network,
  on any port – the netmask is known there;
* an IPv4 address ending in ``.255`` when the destination port is a
  link-local discovery port (:data:`DISCOVERY_PORTS`): without the netmask
  this is the heuristic for NetBIOS and DHCP broadcasts to a /24 (or any
  prefix of /24 or shorter; a /23's x.x.x.255 inside it is a real host, so
  a sweep of those ports skips one host in 256);

Unicast is always a host. A DHCP server's unicast offers to port 68 and a
printer's unicast SSDP answers from port 1900 still count: telling an answer
from a probe needs the source port, which events do not carry, and dropping
every unicast attempt to a discovery port would hide a NetBIOS sweep
(``nbtscan``) and cut ports out of every vertical scan. Windows clients set
DHCP's broadcast flag, so their server answers to 255.255.255.255.
"""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv4Network, IPv6Network

_V6 = 1 << 128

FIRST_GROUP_V4 = 0xE0000000
"""224.0.0.0: from here to 255.255.255.255 is multicast, reserved or broadcast."""
LAST_V4 = 0xFFFFFFFF
FIRST_GROUP_V6 = _V6 | (0xFF << 120)
"""ff00:: as a detector key (IPv6 keys carry bit 128): multicast to the top."""

DISCOVERY_PORTS = frozenset({67, 68, 137, 138, 546, 547, 1900, 3702, 5353, 5355})
"""DHCP 67/68, NetBIOS name/datagram 137/138, DHCPv6 546/547, SSDP 1900,
WS-Discovery 3702, mDNS 5353, LLMNR 5355."""


def directed_broadcasts(networks: Iterable[IPv4Network | IPv6Network]) -> frozenset[int]:
    """Detector keys of the directed broadcasts of IPv4 local networks (/30 or wider).

    IPv6 has no broadcast, and a /31 or /32 has no broadcast address (RFC 3021).
    """
    return frozenset(
        int(network.broadcast_address)
        for network in networks
        if isinstance(network, IPv4Network) and network.prefixlen <= 30
    )


def is_group(target: int) -> bool:
    """Whether a detector key is a multicast or broadcast address (IPv4 or IPv6)."""
    return FIRST_GROUP_V4 <= target <= LAST_V4 or target >= FIRST_GROUP_V6


def not_a_target(target: int, port: int, directed: frozenset[int]) -> bool:
    """Whether an attempt to ``target`` (a detector key) on ``port`` probes no host.

    See the module text for the rule; ``directed`` comes from
    :func:`directed_broadcasts`.
    """
    if is_group(target) or target in directed:
        return True
    return port in DISCOVERY_PORTS and target <= LAST_V4 and target & 0xFF == 0xFF
