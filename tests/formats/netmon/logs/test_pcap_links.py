"""Link types beyond Ethernet, and IP fragments, in pcap and pcapng files built byte by byte.

The captures are written here with ``struct`` (file header with the link
type, records with the link header + IPv4/IPv6 + a TCP SYN), with our own
addresses, in the layouts these public captures have (read, not copied):

* SLL2 (276): OISF/suricata-verify ``tests/decode-sll2-01/input.pcap`` and
  ``decode-sll2-02`` (``08 00`` protocol at offset 0, 20-byte header), commit
  10a45e4bad6d29d0f1239d93119ea24e1bbdab19.
* PPP (9) with ``ff 03 00 21``: the-tcpdump-group/tcpdump
  ``tests/mpls-ldp-hello.pcap``, ``tests/icmp-rfc5837.pcap`` (commit
  39b50f76672bca4af7d7eb52604c5b692c6b6b2c); PPP with neither address nor
  control byte and a one-byte protocol (``21`` IPv4, ``57`` IPv6):
  suricata-verify ``tests/defrag/bug-6887-defrag-ppp-ipv4-tcp-syn`` and
  ``bug-6887-defrag-ppp-ipv6-tcp``.
* Cisco HDLC (104) ``0f 00 08 00``: suricata-verify
  ``tests/decode-chdlc-01/hdlc-http_1tx.pcap``; SLARP keepalives
  ``8f 00 80 35``: tcpdump ``tests/HDLC.pcap``, ``tests/hdlc_slarp.pcapng``.
* IPv6 later fragments with the fragment header first: suricata-verify
  ``tests/defrag/bug-6887-defrag-ipv6-tcp/frag-ip-tcp.pcap`` (raw IPv6, 229)
  and ``bug-6887-defrag-eth-vlan-ipv6-tcp`` (Ethernet + VLAN); before this
  change their two later fragments were "TCP header cut short or malformed".
* NULL (0) with AF_INET little-endian: tcpdump ``tests/dns-badcookie.pcap``;
  LINKTYPE_RAW (101): tcpdump ``tests/LINKTYPE_RAW_ipv4.pcap``.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from ipaddress import ip_address
from pathlib import Path

import pytest

from votetrail.core.netmon.events import ConnectionEvent, Outcome
from votetrail.formats.netmon.logs.common import ReadReport
from votetrail.formats.netmon.logs.pcap import read_pcap

V4_SRC, V4_DST = bytes([10, 20, 0, 5]), bytes([192, 0, 2, 80])
V6_SRC = bytes.fromhex("20010db8000000000000000000000005")
V6_DST = bytes.fromhex("20010db8000000000000000000000050")
SYN, SYN_ACK = 0x02, 0x12


def tcp(sport: int, dport: int, flags: int) -> bytes:
    """A 20-byte TCP header (checksum left 0: the reader does not check it)."""
    return struct.pack("!HHIIBBHHH", sport, dport, 1000, 0, 5 << 4, flags, 65535, 0, 0)


def ipv4(payload: bytes, *, src: bytes = V4_SRC, dst: bytes = V4_DST, frag: int = 0) -> bytes:
    """An IPv4 header carrying TCP; ``frag`` is the flags+offset field (0x2000 = more fragments)."""
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 7, frag, 64, 6, 0, src, dst) + (
        payload
    )


def ipv6(payload: bytes, *, nxt: int = 6, src: bytes = V6_SRC, dst: bytes = V6_DST) -> bytes:
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nxt, 64, src, dst) + payload


def fragment_header(nxt: int, offset_units: int, more: bool) -> bytes:
    """IPv6 fragment header (next header 44): offset in 8-byte units, M flag."""
    return struct.pack("!BBHI", nxt, 0, (offset_units << 3) | int(more), 0xBEEF)


def hop_by_hop(nxt: int) -> bytes:
    """An 8-byte hop-by-hop options header (next header 0) holding only padding."""
    return struct.pack("!BB6s", nxt, 0, b"\x01\x04\x00\x00\x00\x00")


def pcap_file(path: Path, link: int, frames: list[bytes]) -> Path:
    """A classic little-endian pcap: 24-byte global header with the link type, then records."""
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, link)]
    for n, frame in enumerate(frames):
        out.append(struct.pack("<IIII", 1_767_000_000 + n, 0, len(frame), len(frame)) + frame)
    path.write_bytes(b"".join(out))
    return path


def _block(kind: int, body: bytes) -> bytes:
    body += b"\x00" * (-len(body) % 4)
    size = 12 + len(body)
    return struct.pack("<II", kind, size) + body + struct.pack("<I", size)


def pcapng_file(path: Path, link: int, frames: list[bytes]) -> Path:
    """A pcapng: section header, one interface with the link type, enhanced packet blocks."""
    out = [_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))]
    out.append(_block(1, struct.pack("<HHI", link, 0, 65535)))
    for n, frame in enumerate(frames):
        stamp = (1_767_000_000 + n) * 1_000_000
        head = struct.pack("<IIIII", 0, stamp >> 32, stamp & 0xFFFFFFFF, len(frame), len(frame))
        out.append(_block(6, head + frame))
    path.write_bytes(b"".join(out))
    return path


def read(path: Path) -> tuple[list[ConnectionEvent], ReadReport]:
    report = ReadReport(str(path))
    return list(read_pcap(path, report)), report


def sll2(ethertype: int) -> bytes:
    """SLL2: protocol, reserved, interface index, ARPHRD, packet type, address length, address."""
    return struct.pack("!HHiHBB8s", ethertype, 0, 3, 1, 4, 6, b"\x02\x00\x00\x00\x00\x05\x00\x00")


def sll(ethertype: int) -> bytes:
    """SLL: packet type, ARPHRD, address length, address, protocol at offset 14."""
    return struct.pack("!HHH8sH", 4, 1, 6, b"\x02\x00\x00\x00\x00\x05\x00\x00", ethertype)


ETH = b"\x02\x00\x00\x00\x00\x50" + b"\x02\x00\x00\x00\x00\x05"
V4, V6 = 0x0800, 0x86DD
Framer = Callable[[bool], bytes]
"""Link header for an IPv4 (False) or IPv6 (True) payload."""

LINKS: dict[str, tuple[int, Framer]] = {
    "SLL2": (276, lambda v6: sll2(V6 if v6 else V4)),
    "SLL2 + VLAN": (276, lambda v6: sll2(0x8100) + struct.pack("!HH", 42, V6 if v6 else V4)),
    "SLL": (113, lambda v6: sll(V6 if v6 else V4)),
    "PPP ff 03 + 2-byte protocol": (
        9,
        lambda v6: b"\xff\x03" + (b"\x00\x57" if v6 else b"\x00\x21"),
    ),
    "PPP 2-byte protocol only": (9, lambda v6: b"\x00\x57" if v6 else b"\x00\x21"),
    "PPP 1-byte protocol": (9, lambda v6: b"\x57" if v6 else b"\x21"),
    "PPP in HDLC framing (50)": (50, lambda v6: b"\xff\x03" + (b"\x00\x57" if v6 else b"\x00\x21")),
    "PPP with direction (204)": (
        204,
        lambda v6: b"\x01\xff\x03" + (b"\x00\x57" if v6 else b"\x00\x21"),
    ),
    "PPP for pppd (166)": (166, lambda v6: b"\x01\x03" + (b"\x00\x57" if v6 else b"\x00\x21")),
    "PPPoE session (51)": (
        51,
        lambda v6: struct.pack("!BBHH", 0x11, 0, 7, 0) + (b"\x00\x57" if v6 else b"\x00\x21"),
    ),
    "Ethernet + PPPoE": (
        1,
        lambda v6: ETH + struct.pack("!HBBHHH", 0x8864, 0x11, 0, 7, 0, 0x57 if v6 else 0x21),
    ),
    "Cisco HDLC": (104, lambda v6: struct.pack("!BBH", 0x0F, 0, V6 if v6 else V4)),
    "Cisco HDLC with direction (205)": (
        205,
        lambda v6: struct.pack("!BBBH", 1, 0x8F, 0, V6 if v6 else V4),
    ),
    "NULL, little-endian": (0, lambda v6: struct.pack("<I", 24 if v6 else 2)),
    "NULL, Npcap AF_INET6 23": (0, lambda v6: struct.pack("<I", 23 if v6 else 2)),
    "LOOP, big-endian": (108, lambda v6: struct.pack("!I", 30 if v6 else 2)),
    "RAW (101)": (101, lambda v6: b""),
    "old DLT_RAW (12)": (12, lambda v6: b""),
    "old DLT_RAW (14)": (14, lambda v6: b""),
    "Ethernet": (1, lambda v6: ETH + struct.pack("!H", V6 if v6 else V4)),
}


@pytest.mark.parametrize("writer", [pcap_file, pcapng_file], ids=["pcap", "pcapng"])
@pytest.mark.parametrize("name", list(LINKS))
def test_each_link_type_yields_the_syn_and_its_answer(
    tmp_path: Path, name: str, writer: Callable[[Path, int, list[bytes]], Path]
) -> None:
    """A SYN and its SYN-ACK, over IPv4 and IPv6: two established attempts, nothing bad.

    Fails on the old reader for SLL2, PPP, Cisco HDLC and the rest it refused
    ("link type 276 is not supported"), and for Ethernet + PPPoE (ignored).
    """
    link, header = LINKS[name]
    frames = [
        header(False) + ipv4(tcp(40000, 443, SYN)),
        header(False) + ipv4(tcp(443, 40000, SYN_ACK), src=V4_DST, dst=V4_SRC),
        header(True) + ipv6(tcp(40001, 22, SYN)),
        header(True) + ipv6(tcp(22, 40001, SYN_ACK), src=V6_DST, dst=V6_SRC),
    ]
    events, report = read(writer(tmp_path / "c.cap", link, frames))
    assert (report.lines, report.events, report.ignored, report.bad) == (4, 2, 2, 0)
    assert [(e.source, e.target, e.port, e.outcome) for e in events] == [
        (ip_address(V4_SRC), ip_address(V4_DST), 443, Outcome.ESTABLISHED),
        (ip_address(V6_SRC), ip_address(V6_DST), 22, Outcome.ESTABLISHED),
    ]


@pytest.mark.parametrize(
    ("link", "frame"),
    [
        (104, bytes.fromhex("8f008035") + bytes(14)),  # Cisco SLARP keepalive
        (104, bytes.fromhex("8f002000") + bytes(20)),  # CDP
        (9, bytes.fromhex("ff03c021") + bytes.fromhex("01010004")),  # LCP configure-request
        (276, sll2(0x0806) + bytes(28)),  # ARP
        (0, struct.pack("<I", 7) + bytes(20)),  # an address family that is not IP
    ],
)
def test_frames_that_carry_no_ip_are_ignored_not_bad(
    tmp_path: Path, link: int, frame: bytes
) -> None:
    events, report = read(pcap_file(tmp_path / "c.pcap", link, [frame]))
    assert events == []
    assert (report.ignored, report.bad) == (1, 0)


def test_a_frame_shorter_than_its_link_header_is_bad_in_words(tmp_path: Path) -> None:
    events, report = read(pcap_file(tmp_path / "c.pcap", 276, [b"\x08\x00\x00"]))
    assert events == []
    assert [str(p) for p in report.problems] == [
        "line 1: undecodable packet: the frame is 3 bytes, shorter than its 20-byte "
        "Linux cooked header"
    ]


def _fragmented_syn(
    tmp_path: Path, before: bytes, nxt: int
) -> tuple[list[ConnectionEvent], ReadReport]:
    """A SYN sent as two IPv6 fragments (raw IPv6, 229), then one more later fragment."""
    syn = tcp(40002, 8443, SYN) + b"x" * 12
    first = ipv6(before + fragment_header(6, 0, True) + syn[:24], nxt=nxt)
    second = ipv6(before + fragment_header(6, 3, True) + syn[24:], nxt=nxt)
    third = ipv6(before + fragment_header(6, 4, False) + b"\x00" * 8, nxt=nxt)
    return read(pcap_file(tmp_path / "f.pcap", 229, [first, second, third]))


@pytest.mark.parametrize(
    ("before", "nxt"), [(b"", 44), (hop_by_hop(44), 0)], ids=["fragment first", "after hop-by-hop"]
)
def test_later_ipv6_fragments_are_fragments_not_malformed_tcp(
    tmp_path: Path, before: bytes, nxt: int
) -> None:
    """The first fragment (whole TCP header) is the attempt; later ones count as fragments.

    Fails on the old reader: later fragments were "the TCP header is cut short
    or malformed" (dpkt only skips them when the fragment header comes first,
    and the old reader only checked IPv4 offsets).
    """
    events, report = _fragmented_syn(tmp_path, before, nxt)
    assert report.bad == 0, report.messages()
    assert (report.lines, report.events, report.ignored, report.fragments) == (3, 1, 2, 2)
    (event,) = events
    assert (event.port, event.outcome, event.protocol) == (8443, Outcome.UNANSWERED, "tcp")


def test_later_ipv4_fragments_are_counted_as_fragments(tmp_path: Path) -> None:
    syn = tcp(40003, 25, SYN) + b"y" * 4
    frames = [ipv4(syn[:24], frag=0x2000), ipv4(syn[24:], frag=3)]
    events, report = read(pcap_file(tmp_path / "f.pcap", 101, frames))
    assert [e.port for e in events] == [25]
    assert (report.fragments, report.bad) == (1, 0)


@pytest.mark.parametrize("v6", [False, True], ids=["IPv4", "IPv6"])
def test_a_first_fragment_cutting_the_tcp_header_is_named_as_such(tmp_path: Path, v6: bool) -> None:
    """A tiny first fragment (8 bytes of TCP) hides the flags: bad, with the reason in words."""
    syn = tcp(40004, 80, SYN)
    if v6:
        frames = [ipv6(fragment_header(6, 0, True) + syn[:8], nxt=44)]
        frames.append(ipv6(fragment_header(6, 1, False) + syn[8:], nxt=44))
    else:
        frames = [ipv4(syn[:8], frag=0x2000), ipv4(syn[8:], frag=1)]
    events, report = read(pcap_file(tmp_path / "t.pcap", 101, frames))
    assert events == []
    assert (report.bad, report.fragments) == (1, 1)
    assert "first fragment does not hold the whole TCP header" in report.problems[0].reason


def test_a_cut_ip_header_is_named_in_words_not_as_dpkt_text(tmp_path: Path) -> None:
    """A PPP frame whose IPv6 header stops after 10 bytes: the reason is a sentence."""
    events, report = read(pcap_file(tmp_path / "c.pcap", 9, [b"\x57" + ipv6(b"")[:10]]))
    assert events == []
    assert [p.reason for p in report.problems] == [
        "undecodable packet: its IP header is cut short or malformed"
    ]
