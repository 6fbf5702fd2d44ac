"""Link-layer headers of packet captures, peeled down to the IPv4 or IPv6 packet they carry.

A capture's link type is whatever the capturing interface spoke: Ethernet on
an office LAN, Linux "cooked" headers from ``tcpdump -i any`` (SLL, and SLL2
since libpcap 1.10), PPP and Cisco HDLC on a county's serial or DSL uplink,
loopback and raw IP from VPN tunnels. The reader only needs the IP packet, so
each link type is reduced to "which network protocol, starting where".
Non-IP frames (ARP, LCP, SLARP keepalives, CDP) are not attempts: None.

Layouts (https://www.tcpdump.org/linktypes.html), as seen in public captures:
SLL2 in OISF/suricata-verify ``tests/decode-sll2-01/input.pcap``; PPP with
and without ``ff 03`` and with a one-byte protocol field in tcpdump's
``tests/mpls-ldp-hello.pcap`` and suricata-verify's
``tests/defrag/bug-6887-defrag-ppp-ipv4-tcp-syn``; Cisco HDLC in
suricata-verify ``tests/decode-chdlc-01/hdlc-http_1tx.pcap`` and tcpdump's
``tests/HDLC.pcap``.
"""

from __future__ import annotations

from typing import Any

import dpkt

ETHERNET = 1
NULL = 0
LOOP = 108
PPP = 9
PPP_HDLC = 50
PPP_ETHER = 51
RAW = 101
RAW_OLD = (12, 14)
"""DLT_RAW as some platforms wrote it before LINKTYPE_RAW existed (12 is OpenBSD's DLT_LOOP)."""
C_HDLC = 104
LINUX_SLL = 113
PPP_PPPD = 166
PPP_WITH_DIR = 204
C_HDLC_WITH_DIR = 205
IPV4 = 228
IPV6 = 229
LINUX_SLL2 = 276

SUPPORTED = frozenset(
    {ETHERNET, NULL, LOOP, PPP, PPP_HDLC, PPP_ETHER, RAW, *RAW_OLD, C_HDLC, LINUX_SLL}
    | {PPP_PPPD, PPP_WITH_DIR, C_HDLC_WITH_DIR, IPV4, IPV6, LINUX_SLL2}
)

_COOKED = {LINUX_SLL: (14, 16), LINUX_SLL2: (0, 20)}
"""Linux cooked headers: offset of the protocol (an ethertype) and length of the header."""
_ETHERTYPE_IPV4, _ETHERTYPE_IPV6, _PPPOE_SESSION = 0x0800, 0x86DD, 0x8864
_VLAN_TAGS = frozenset({0x8100, 0x88A8, 0x9100})
_PPP_IPV4, _PPP_IPV6 = 0x0021, 0x0057
_LOOPBACK_FAMILIES = frozenset({2, 10, 23, 24, 28, 30})
"""AF_INET, and AF_INET6 as Linux (10), Windows/Npcap (23) and the BSDs (24, 28, 30) number it."""


def network_layer(link: int, buf: bytes) -> Any:
    """The IPv4/IPv6 packet (a dpkt object) inside a frame, or None for other traffic.

    Raises ValueError (with a reason in words) or dpkt's errors for a frame too
    short or malformed to read: the caller counts that packet as bad.
    """
    if link == ETHERNET:
        return _ethernet(buf)
    if link in _COOKED:
        where, size = _COOKED[link]
        _need(buf, size, "Linux cooked header")
        return _by_ethertype(int.from_bytes(buf[where : where + 2], "big"), buf[size:])
    if link in (PPP, PPP_HDLC):
        return _ppp(buf) if buf[:1] not in (b"\x0f", b"\x8f") else _cisco_hdlc(buf)
    if link == PPP_WITH_DIR:
        return _ppp(buf[1:])
    if link == PPP_PPPD:
        # A direction byte stands where the 0xff address would be, then 0x03.
        return _ppp(buf[2:] if buf[1:2] == b"\x03" else buf[1:])
    if link == PPP_ETHER:
        return _pppoe(buf)
    if link == C_HDLC:
        return _cisco_hdlc(buf)
    if link == C_HDLC_WITH_DIR:
        return _cisco_hdlc(buf[1:])
    if link in (NULL, LOOP) or (link == RAW_OLD[0] and _version(buf) not in (4, 6)):
        return _loopback(buf)
    return _ip(buf)


def _need(buf: bytes, size: int, what: str) -> None:
    if len(buf) < size:
        raise ValueError(f"the frame is {len(buf)} bytes, shorter than its {size}-byte {what}")


def _version(buf: bytes) -> int | None:
    return buf[0] >> 4 if buf else None


def _ip(buf: bytes) -> Any:
    """An IPv4 or IPv6 packet, told apart by its version field."""
    version = _version(buf)
    if version == 4:
        return dpkt.ip.IP(buf)
    if version == 6:
        return dpkt.ip6.IP6(buf)
    raise ValueError(f"the IP header has version {version}, neither 4 nor 6")


def _ethernet(buf: bytes) -> Any:
    frame = dpkt.ethernet.Ethernet(buf)
    inner = frame.data
    if isinstance(inner, dpkt.pppoe.PPPoE):
        # A DSL link seen on its Ethernet side: PPPoE session, PPP, then IP.
        inner = getattr(inner.data, "data", None)
    return inner if isinstance(inner, dpkt.ip.IP | dpkt.ip6.IP6) else None


def _by_ethertype(kind: int, payload: bytes) -> Any:
    """The packet after a header that names its payload by ethertype (SLL, SLL2, Cisco HDLC)."""
    while kind in _VLAN_TAGS:
        _need(payload, 4, "VLAN tag")
        kind, payload = int.from_bytes(payload[2:4], "big"), payload[4:]
    if kind in (_ETHERTYPE_IPV4, _ETHERTYPE_IPV6):
        return _ip(payload)
    if kind == _PPPOE_SESSION:
        return _pppoe(payload)
    return None


def _pppoe(buf: bytes) -> Any:
    """A PPPoE session header (6 bytes), then PPP without address and control bytes."""
    _need(buf, 6, "PPPoE header")
    return _ppp(buf[6:]) if buf[1] == 0 else None  # code 0: session data


def _ppp(buf: bytes) -> Any:
    """PPP: ``ff 03`` address and control bytes unless compressed away, then the protocol.

    The protocol field is one byte when its low bit is set (RFC 1661 protocol
    field compression), else two: 0x0021 (or 0x21) is IPv4, 0x0057 IPv6.
    """
    if buf[:2] == b"\xff\x03":
        buf = buf[2:]
    _need(buf, 1, "PPP protocol field")
    if buf[0] & 1:
        protocol, payload = buf[0], buf[1:]
    else:
        _need(buf, 2, "PPP protocol field")
        protocol, payload = int.from_bytes(buf[:2], "big"), buf[2:]
    return _ip(payload) if protocol in (_PPP_IPV4, _PPP_IPV6) else None


def _cisco_hdlc(buf: bytes) -> Any:
    """Cisco HDLC: address (0x0f unicast, 0x8f broadcast), control, then an ethertype."""
    _need(buf, 4, "Cisco HDLC header")
    return _by_ethertype(int.from_bytes(buf[2:4], "big"), buf[4:])


def _loopback(buf: bytes) -> Any:
    """A 4-byte address family (host order for NULL, network order for LOOP), then IP."""
    _need(buf, 4, "loopback header")
    little, big = int.from_bytes(buf[:4], "little"), int.from_bytes(buf[:4], "big")
    if little in _LOOPBACK_FAMILIES or big in _LOOPBACK_FAMILIES:
        return _ip(buf[4:])
    return None
