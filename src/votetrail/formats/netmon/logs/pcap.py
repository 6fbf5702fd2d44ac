"""Packet captures (pcap and pcapng, via dpkt) reduced to connection attempts.

A capture holds packets, not attempts, and the difference matters: a scanned
host's replies go to hundreds of the scanner's ports, and counted as packets
they would make the victim look like the scanner. So only the side that opens
a conversation is an initiator:

* TCP: a SYN without ACK from A:a to B:b is an attempt by A on port b. B's
  SYN-ACK makes it ESTABLISHED, B's RST makes it REJECTED, silence until the
  end of the capture leaves it UNANSWERED. If A then resets the connection
  before sending a byte (a SYN scan resets at once, a connect scan after the
  handshake), the attempt was a scanner's probe: PROBED.
  A retransmitted SYN is the same attempt; a SYN on the same ports after an
  answer is a new one.
* UDP: the first packet A:a -> B:b, when no earlier packet went B:b -> A:a, is
  an attempt. A UDP packet back makes it ESTABLISHED; an ICMP port
  unreachable quoting it makes it REJECTED.
* ICMP echo request: an attempt on port 0, ESTABLISHED by an echo reply.
* ICMP destination unreachable with code "administratively prohibited"
  (9, 10, 13; ICMPv6 code 1) quoting an attempt marks it BLOCKED, not accepted.

Everything else (replies, data, ARP, mid-stream packets) is counted as ignored.
Later IP fragments (IPv4 offset, or an IPv6 fragment header anywhere in the
extension chain with a non-zero offset) carry no transport header: they are
ignored and counted in ``report.fragments``. A first fragment is read when it
holds the whole transport header; one that cuts it is a bad packet, named as a
tiny-fragment evasion. Link-layer headers are peeled in :mod:`pcap_links`.
``accepted`` is True: a capture sees what passed. Attempts are kept in memory
and yielded when the capture ends, since an answer can come at any later
packet; this is meant for small captures (thousands to a few million packets),
not for a continuous tap. Packet numbers stand in for line numbers.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address
from pathlib import Path
from typing import Any

import dpkt

from votetrail.core.netmon.events import ConnectionEvent, Outcome
from votetrail.errors import InvalidInput
from votetrail.formats.netmon.logs.common import IPAddress, ReadReport, from_epoch
from votetrail.formats.netmon.logs.pcap_links import SUPPORTED, network_layer

PCAP_MAGICS = (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"
_PROHIBITED = frozenset({9, 10, 13})
_ADDRESSES: dict[bytes, IPAddress] = {}
_TRANSPORTS = {6: "TCP", 17: "UDP", 1: "ICMP", 58: "ICMPv6"}
Key = tuple[str, IPAddress, int, IPAddress, int]
"""protocol, initiator, initiator port (ICMP: echo id), target, target port."""


@dataclass(slots=True)
class _Attempt:
    time: float
    key: Key
    outcome: Outcome


def read_pcap(path: Path, report: ReadReport | None = None) -> Iterator[ConnectionEvent]:
    """Yield the capture's connection attempts, in order of their first packet, at its end."""
    report = report if report is not None else ReadReport(str(path))
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InvalidInput(f"cannot read the capture: {exc.strerror}", where=str(path)) from None
    with handle:
        try:
            magic = handle.read(4)
            handle.seek(0)
            watched = _Watched(handle)
            kind = dpkt.pcapng.Reader if magic == PCAPNG_MAGIC else dpkt.pcap.Reader
            reader: Any = kind(watched)
        except (ValueError, dpkt.UnpackError, struct.error) as exc:
            raise InvalidInput(f"not a packet capture: {exc}", where=str(path)) from None
        tracker = _Tracker()
        packets = _packets(reader, watched, report)
        for ts, packet in packets:
            try:
                opened = tracker.see(ts, packet)
            except (dpkt.UnpackError, AttributeError, ValueError, struct.error) as exc:
                # dpkt leaves a part it cannot decode as bytes, so a malformed
                # header shows up as a missing attribute: the packet's fault.
                report.problem(report.lines, f"undecodable packet: {exc}")
                continue
            if not opened:
                report.ignored += 1
    for attempt in tracker.attempts:
        report.events += 1
        yield _event(attempt)


class _Watched:
    """A capture file that remembers a short read: dpkt hands a cut last packet over silently."""

    def __init__(self, handle: Any) -> None:
        self.name = str(getattr(handle, "name", "capture"))
        self._handle = handle
        self.short = False

    def read(self, size: int = -1) -> bytes:
        data: bytes = self._handle.read(size)
        self.short = 0 < size != len(data) and bool(data)
        return data


def _packets(reader: Any, watched: _Watched, report: ReadReport) -> Iterator[tuple[float, Any]]:
    """Decoded IP packets; undecodable ones are problems, a cut-off capture ends the loop."""
    link = reader.datalink()
    if link not in SUPPORTED:
        raise InvalidInput(
            f"link type {link} is not supported (docs/netmon-formats.md lists those read)",
            where=watched.name,
        )
    records = iter(reader)
    while True:
        number = report.lines + 1
        try:
            ts, buf = next(records)
        except StopIteration:
            return
        except (ValueError, dpkt.UnpackError, struct.error) as exc:
            report.lines = number
            report.problem(number, f"the capture is cut off or corrupt here: {exc}")
            return
        report.lines = number
        if watched.short:
            report.problem(number, "the capture is cut off inside this packet")
            return
        try:
            packet = network_layer(link, buf)
        except ValueError as exc:  # pcap_links says what is wrong in words
            report.problem(number, f"undecodable packet: {exc}")
            continue
        except (dpkt.UnpackError, struct.error):
            report.problem(number, "undecodable packet: its IP header is cut short or malformed")
            continue
        if packet is None:
            report.ignored += 1
            continue
        if _fragment(packet):
            report.ignored += 1
            report.fragments += 1
            continue
        if packet.p in _TRANSPORTS and isinstance(packet.data, bytes):
            name = _TRANSPORTS[packet.p]
            if _first_fragment(packet):
                report.problem(
                    number,
                    f"the first fragment does not hold the whole {name} header "
                    "(a tiny-fragment evasion, RFC 1858 and RFC 7112); not read",
                )
            else:
                report.problem(number, f"the {name} header is cut short or malformed")
            continue
        yield float(ts), packet


def _fragment(packet: Any) -> bool:
    """A later fragment (offset not 0): its payload continues a transport header sent before.

    For IPv6 the fragment header may follow other extension headers
    (hop-by-hop, routing, destination options), so the whole chain dpkt
    walked is searched, not only the first header.
    """
    if isinstance(packet, dpkt.ip.IP):
        return bool(packet.offset)
    return any(
        isinstance(ext, dpkt.ip6.IP6FragmentHeader) and ext.frag_off
        for ext in getattr(packet, "all_extension_headers", ())
    )


def _first_fragment(packet: Any) -> bool:
    """The first of several fragments: more follow, and this one is at offset 0."""
    if isinstance(packet, dpkt.ip.IP):
        return bool(packet.mf)
    return any(
        isinstance(ext, dpkt.ip6.IP6FragmentHeader) and ext.m_flag
        for ext in getattr(packet, "all_extension_headers", ())
    )


class _Tracker:
    """Per-flow state of one capture: the attempts so far and which one each 5-tuple is in."""

    def __init__(self) -> None:
        self.attempts: list[_Attempt] = []
        self._open: dict[Key, _Attempt] = {}
        self._answered: set[Key] = set()
        """Answered attempts whose initiator has sent neither data nor a FIN yet."""

    def see(self, ts: float, packet: Any) -> bool:
        """Account for one packet; True when it opened a new attempt."""
        src, dst = _addr(packet.src), _addr(packet.dst)
        body = packet.data
        if isinstance(body, dpkt.tcp.TCP):
            return self._tcp(ts, src, dst, body)
        if isinstance(body, dpkt.udp.UDP):
            return self._udp(ts, src, dst, body)
        if isinstance(body, dpkt.icmp.ICMP | dpkt.icmp6.ICMP6):
            return self._icmp(ts, src, dst, body)
        return False

    def _tcp(self, ts: float, src: IPAddress, dst: IPAddress, seg: Any) -> bool:
        flags = seg.flags
        syn, ack, rst = flags & dpkt.tcp.TH_SYN, flags & dpkt.tcp.TH_ACK, flags & dpkt.tcp.TH_RST
        if syn and not ack:
            key: Key = ("tcp", src, seg.sport, dst, seg.dport)
            current = self._open.get(key)
            if current is not None and current.outcome is Outcome.UNANSWERED:
                return False
            self._start(ts, key)
            return True
        forward: Key = ("tcp", src, seg.sport, dst, seg.dport)
        if forward in self._answered:
            # After the SYN-ACK, a reset before the initiator has sent a byte is a
            # scanner's probe; data or a FIN is an ordinary conversation.
            if rst:
                self._answered.discard(forward)
                started = self._open.get(forward)
                if started is not None:
                    started.outcome = Outcome.PROBED
            elif seg.data or flags & dpkt.tcp.TH_FIN:
                self._answered.discard(forward)
            return False
        backward: Key = ("tcp", dst, seg.dport, src, seg.sport)
        attempt = self._open.get(backward)
        if attempt is not None and attempt.outcome is Outcome.UNANSWERED:
            if syn and ack:
                attempt.outcome = Outcome.ESTABLISHED
                self._answered.add(backward)
            elif rst:
                attempt.outcome = Outcome.REJECTED
        return False

    def _udp(self, ts: float, src: IPAddress, dst: IPAddress, dgram: Any) -> bool:
        reply = self._open.get(("udp", dst, dgram.dport, src, dgram.sport))
        if reply is not None:
            if reply.outcome is Outcome.UNANSWERED:
                reply.outcome = Outcome.ESTABLISHED
            return False
        key: Key = ("udp", src, dgram.sport, dst, dgram.dport)
        if key in self._open:
            return False
        self._start(ts, key)
        return True

    def _icmp(self, ts: float, src: IPAddress, dst: IPAddress, msg: Any) -> bool:
        v6 = isinstance(msg, dpkt.icmp6.ICMP6)
        echo_request, echo_reply, unreachable = (128, 129, 1) if v6 else (8, 0, 3)
        if msg.type == echo_request:
            key: Key = ("icmp", src, msg.data.id, dst, 0)
            if key in self._open:
                return False
            self._start(ts, key)
            return True
        if msg.type == echo_reply:
            attempt = self._open.get(("icmp", dst, msg.data.id, src, 0))
            if attempt is not None:
                attempt.outcome = Outcome.ESTABLISHED
        elif msg.type == unreachable:
            self._unreachable(msg, v6)
        return False

    def _unreachable(self, msg: Any, v6: bool) -> None:
        """Mark the attempt quoted in an ICMP unreachable: refused by the host or by a firewall."""
        quoted = msg.data.data
        inner = quoted.data if isinstance(quoted, dpkt.ip.IP | dpkt.ip6.IP6) else None
        if inner is None or len(bytes(inner)[:4]) < 4:
            return
        sport, dport = struct.unpack("!HH", bytes(inner)[:4])
        proto = "tcp" if quoted.p == dpkt.ip.IP_PROTO_TCP else "udp"
        key: Key = (proto, _addr(quoted.src), sport, _addr(quoted.dst), dport)
        attempt = self._open.get(key)
        if attempt is None:
            return
        if (msg.code == 1) if v6 else (msg.code in _PROHIBITED):
            attempt.outcome = Outcome.BLOCKED
        elif (msg.code == 4) if v6 else (msg.code == 3):
            attempt.outcome = Outcome.REJECTED

    def _start(self, ts: float, key: Key) -> None:
        attempt = _Attempt(ts, key, Outcome.UNANSWERED)
        self._open[key] = attempt
        self.attempts.append(attempt)


def _addr(raw: bytes) -> IPAddress:
    """An address object from 4 or 16 raw bytes, cached: a capture repeats a few hosts."""
    found = _ADDRESSES.get(raw)
    if found is None:
        found = IPv4Address(raw) if len(raw) == 4 else IPv6Address(raw)
        _ADDRESSES[raw] = found
    return found


def _event(attempt: _Attempt) -> ConnectionEvent:
    proto, source, _, target, port = attempt.key
    return ConnectionEvent(
        time=from_epoch(attempt.time),
        source=source,
        target=target,
        port=port,
        protocol=proto,
        outcome=attempt.outcome,
        accepted=attempt.outcome is not Outcome.BLOCKED,
    )
