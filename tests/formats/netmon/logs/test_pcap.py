"""Packet captures from esnet curated-pcaps: who initiates, and what became of each attempt.

Which host scans which comes from the upstream READMEs (the scanner command's
argument is the scanned host); the counts from the shared data README. The
masscan captures' target is 198.124.152.15, not the 198.128.153.23 their
README's command names (the capture appears to have been taken against, or
rewritten to, another address), so those tests ask for one target only.
"""

from __future__ import annotations

from collections import Counter
from ipaddress import ip_address
from pathlib import Path

import pytest

from votetrail.core.netmon.events import ConnectionEvent, Outcome
from votetrail.errors import InvalidInput
from votetrail.formats.netmon.logs.common import ReadReport
from votetrail.formats.netmon.logs.detect import NetlogFormat, detect_format, read_netlog
from votetrail.formats.netmon.logs.pcap import read_pcap

SCANNERS = "netmon/esnet-curated-pcaps/attacks/scanners"
NMAP_TARGET = ip_address("130.211.223.103")


def _read(path: Path) -> tuple[list[ConnectionEvent], ReadReport]:
    report = ReadReport(str(path))
    return list(read_pcap(path, report)), report


def test_masscan_tcp_is_one_source_on_1001_ports(shared_data: Path) -> None:
    events, report = _read(shared_data / SCANNERS / "masscan/tcp_0_1000_20190821.pcap")
    assert report.lines == 1005
    assert report.bad == 0
    assert len({e.source for e in events}) == 1
    assert len({e.target for e in events}) == 1
    assert {e.port for e in events} == set(range(1001))
    assert {e.protocol for e in events} == {"tcp"}
    assert all(e.accepted and e.time.tzinfo is not None for e in events)
    assert report.lines == report.events + report.ignored + report.bad


def test_masscan_udp_is_one_source_on_1001_ports(shared_data: Path) -> None:
    events, report = _read(shared_data / SCANNERS / "masscan/udp_0_1000_20190821.pcap")
    assert (report.lines, report.events, report.bad) == (1001, 1001, 0)
    assert len({e.source for e in events}) == 1
    assert len({e.target for e in events}) == 1
    assert {e.port for e in events} == set(range(1001))
    assert {e.protocol for e in events} == {"udp"}
    assert {e.outcome for e in events} == {Outcome.UNANSWERED}


@pytest.mark.parametrize(
    "name", ["nmap_80_vanilla.pcap", "nmap_80_w_service_detection.pcap", "nmap_80_all.pcap"]
)
def test_nmap_the_scanner_is_the_only_initiator(shared_data: Path, name: str) -> None:
    events, report = _read(shared_data / SCANNERS / "nmap" / name)
    assert report.bad == 0
    assert events
    assert {e.target for e in events} == {NMAP_TARGET}
    (scanner,) = {e.source for e in events}
    assert scanner != NMAP_TARGET
    assert 80 in {e.port for e in events}
    # nmap resets every probe before sending a byte (a SYN scan at once, a connect
    # scan after the handshake): the target answered, and the probes show it.
    assert Outcome.PROBED in {e.outcome for e in events}


def test_nmap_all_replies_to_many_scanner_ports_never_become_attempts(shared_data: Path) -> None:
    """The target answers to many ports of the scanner; those answers are not its attempts."""
    events, report = _read(shared_data / SCANNERS / "nmap/nmap_80_all.pcap")
    assert report.lines == 431
    assert NMAP_TARGET not in {e.source for e in events}
    assert {e.port for e in events} <= {80, 443}
    assert report.ignored > report.events


def test_whois_is_one_ordinary_connection_by_the_client(shared_data: Path) -> None:
    path = shared_data / "netmon/esnet-curated-pcaps/protocols/whois/whois.pcap"
    events, report = _read(path)
    assert report.lines == 11
    assert len(events) == 1
    (event,) = events
    assert event.port == 43
    assert (event.protocol, event.outcome, event.accepted) == ("tcp", Outcome.ESTABLISHED, True)
    assert detect_format(path) is NetlogFormat.PCAP
    assert list(read_netlog(path)) == events


def test_a_cut_capture_keeps_its_packets_and_names_the_cut(
    shared_data: Path, tmp_path: Path
) -> None:
    whole = (shared_data / "netmon/esnet-curated-pcaps/protocols/whois/whois.pcap").read_bytes()
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(whole[:-20])
    events, report = _read(cut)
    assert len(events) == 1
    assert report.lines == 11
    assert report.bad == 1
    assert report.problems[0].line == 11


def test_a_malformed_packet_is_numbered_and_the_rest_is_read(
    shared_data: Path, tmp_path: Path
) -> None:
    import dpkt

    source = shared_data / "netmon/esnet-curated-pcaps/protocols/whois/whois.pcap"
    target = tmp_path / "broken.pcap"
    with source.open("rb") as inp, target.open("wb") as out:
        writer = dpkt.pcap.Writer(out)
        for n, (ts, buf) in enumerate(dpkt.pcap.Reader(inp), 1):
            writer.writepkt(buf[:40] if n == 3 else buf, ts=ts)  # 3: TCP header cut at 6 bytes
    events, report = _read(target)
    assert [p.line for p in report.problems] == [3]
    assert "TCP header" in report.problems[0].reason
    assert [(e.port, e.outcome) for e in events] == [(43, Outcome.ESTABLISHED)]


def test_a_file_that_is_no_capture_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "x.pcap"
    bogus.write_bytes(b"\xd4\xc3\xb2\xa1 not really")
    with pytest.raises(InvalidInput, match=r"x\.pcap"):
        list(read_pcap(bogus))


def test_an_unknown_link_type_is_refused(tmp_path: Path) -> None:
    import dpkt

    odd = tmp_path / "usb.pcap"
    with odd.open("wb") as out:
        dpkt.pcap.Writer(out, linktype=189).writepkt(b"\x00" * 40, ts=1.0)
    with pytest.raises(InvalidInput, match="link type 189"):
        list(read_pcap(odd))


def test_pcapng_is_read_too(shared_data: Path, tmp_path: Path) -> None:
    """dpkt writes pcapng; the reader must pick its reader by magic number."""
    import dpkt

    source = shared_data / "netmon/esnet-curated-pcaps/protocols/whois/whois.pcap"
    target = tmp_path / "whois.pcapng"
    with source.open("rb") as inp, target.open("wb") as out:
        writer = dpkt.pcapng.Writer(out)
        for ts, buf in dpkt.pcap.Reader(inp):
            writer.writepkt(buf, ts=ts)
    events, _ = _read(target)
    assert Counter(e.port for e in events) == Counter({43: 1})


def test_connect_and_syn_probes_are_told_from_conversations(shared_data: Path) -> None:
    """In nmap -p 80 every attempt is reset before a byte is sent; whois is a real exchange."""
    events, _ = _read(shared_data / SCANNERS / "nmap" / "nmap_80_vanilla.pcap")
    assert [e.outcome for e in events] == [Outcome.PROBED] * 3
    (whois,), _ = _read(shared_data / "netmon/esnet-curated-pcaps/protocols/whois/whois.pcap")
    assert whois.outcome is Outcome.ESTABLISHED
