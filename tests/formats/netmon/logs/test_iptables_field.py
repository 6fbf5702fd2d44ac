"""Router and syslog-relay iptables lines: ``<PRI>``, RFC 5424, no host, no prefix, EdgeOS labels.

Layouts seen in Elastic's iptables test logs: elastic/integrations
``packages/iptables/data_stream/log/_dev/test/pipeline/test-iptables-raw.log``
(commit 09228fba3975204a69f9b37a26482fa6ea95019b, 24 lines, of which the old
reader read 10) and ``test-ubiquiti.log`` (commit c81e9fe7), the same lines
as filebeat's ``x-pack/filebeat/module/iptables/log/test/*.log`` in
elastic/beats. They hold: ``<161>`` before a BSD stamp and ``<6>`` before an
RFC 3339 one; a BSD line with no host (``Jan  8 03:37:09 DENY: IN=...``) whose
ICMP error quotes the offending packet in ``[SRC=... ]``; ``iptables
DROP_INPUT:`` prefixes; kernel lines with only the uptime and no prefix
(ICMPv6, ESP); EdgeOS/Ubiquiti labels ``[LAN_LOCAL-default-A]``,
``[WAN_OUT-2000-A]``, ``[source-dest-default-D]`` written against ``IN=``;
a line without the ``kernel:`` tag (``Abc-A1 [SOMETHING-1234-A] IN=...``);
Ubiquiti lines cut before ``IN=`` (``user.info kernel: TTL=126 ...``). The
RFC 5424 form (``<4>1 TIME HOST kernel - - - MSG``, with and without
structured data) is what rsyslog's ``RSYSLOG_SyslogProtocol23Format`` sends.
``tests/fixtures/field/netmon/router-iptables.log`` reproduces each layout in
24 lines with our own addresses and ports; the old reader read 4 of them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from votetrail.core.netmon.events import Outcome
from votetrail.errors import InvalidInput
from votetrail.formats.netmon.logs.common import PASSED_OUTCOME, ReadReport
from votetrail.formats.netmon.logs.detect import NetlogFormat, detect_format, read_netlog
from votetrail.formats.netmon.logs.iptables import Prefixes, parse_iptables
from votetrail.formats.netmon.logs.iptables_prefixes import load_prefixes

FIELD = Path(__file__).parents[3] / "fixtures" / "field" / "netmon"
B, P = (Outcome.BLOCKED, False), (PASSED_OUTCOME, True)

EXPECTED = [
    # line, source, target, port, protocol, (outcome, accepted)
    (1, "203.0.113.50", "10.20.0.5", 3389, "tcp", B),  # <161> + BSD, [wan-lan-default-D]
    (2, "203.0.113.50", "10.20.0.5", 445, "tcp", B),  # <6> + RFC 3339
    (3, "203.0.113.50", "10.20.0.5", 23, "tcp", B),  # RFC 3339
    (5, "198.51.100.81", "10.20.0.5", 8080, "tcp", B),  # no host, DENY:
    (6, "198.51.100.90", "172.16.54.114", 445, "tcp", B),  # iptables DROP_INPUT:
    (7, "198.51.100.91", "172.16.54.114", 1433, "tcp", B),
    (8, "198.51.100.90", "172.16.54.114", 139, "tcp", B),
    (10, "2001:db8::7", "2001:db8::8", 0, "icmp", B),  # no prefix, ICMPv6 echo
    (12, "192.168.48.10", "192.168.48.1", 53, "udp", P),  # [LAN_LOCAL-default-A]
    (14, "192.168.48.11", "198.51.100.25", 443, "tcp", P),  # [WAN_OUT-2000-A]
    (15, "192.168.48.12", "198.51.100.25", 1443, "tcp", B),  # [source-dest-default-D]
    (16, "203.0.113.60", "192.168.48.1", 22, "tcp", B),  # [WAN_IN-default-D]
    (17, "203.0.113.61", "192.168.48.1", 25, "tcp", B),  # [WAN_IN-10-R]
    (19, "10.251.1.2", "10.251.1.3", 9001, "udp", P),  # no kernel: tag, [SOMETHING-1234-A]
    (20, "10.251.1.2", "10.251.1.3", 0, "icmp", P),
    (21, "203.0.113.70", "192.0.2.10", 5900, "tcp", B),  # RFC 5424, no structured data
    (22, "192.0.2.20", "192.0.2.1", 123, "udp", P),  # RFC 5424 with [meta ...]
    (23, "198.51.100.31", "10.20.0.6", 3306, "tcp", B),  # no prefix, IPv4 SYN
    (24, "203.0.113.80", "10.20.0.7", 22, "tcp", B),  # <4> + [UFW BLOCK]
]
"""Lines 4 (ICMP port unreachable), 9 (cut before IN=), 11 (ICMPv6 MLD report),
13 (ACK, not a new attempt) and 18 (ESP) are read and ignored: no attempt."""


def _lines() -> list[str]:
    return (FIELD / "router-iptables.log").read_text(encoding="utf-8").splitlines(keepends=True)


def test_every_layout_of_the_router_log_is_read() -> None:
    log = FIELD / "router-iptables.log"
    assert detect_format(log) is NetlogFormat.IPTABLES
    report = ReadReport(log.name)
    events = list(read_netlog(log, report, year=2026))
    assert report.problems == []
    assert (report.lines, report.events, report.ignored, report.bad) == (24, 19, 5, 0)
    got = [
        (str(e.source), str(e.target), e.port, e.protocol, (e.outcome, e.accepted)) for e in events
    ]
    assert got == [row[1:] for row in EXPECTED]
    assert events[0].time == datetime(2026, 12, 6, 7, 25, 12, tzinfo=UTC)
    assert events[15].time == datetime(2026, 12, 6, 7, 33, 0, 123456, tzinfo=UTC)  # +01:00


def test_prefix_rules_decide_labels_words_and_missing_prefixes() -> None:
    lines = _lines()
    strict = Prefixes(label_blocked=("D",), label_allowed=("A",), unprefixed="bad")
    report = ReadReport("router")
    events = list(parse_iptables(lines, report, year=2026, prefixes=strict))
    assert len(events) == 19 - 3
    assert {p.line: p.reason for p in report.problems} == {
        17: "rule label '[WAN_IN-10-R]' ends in 'R', not a known action letter",
        **dict.fromkeys((10, 11, 18, 23), "no log prefix, and unprefixed lines are set to be bad"),
    }
    trusting = Prefixes(unprefixed="allowed")
    events = list(parse_iptables(lines, ReadReport("router"), year=2026, prefixes=trusting))
    unprefixed = ("2001:db8::7", "198.51.100.31")  # lines 10 and 23
    assert [(str(e.source), e.outcome) for e in events if str(e.source) in unprefixed] == [
        ("2001:db8::7", PASSED_OUTCOME),
        ("198.51.100.31", PASSED_OUTCOME),
    ]


def test_settings_file_sets_the_rules(tmp_path: Path) -> None:
    settings = tmp_path / "netmon.toml"
    settings.write_text(
        '[iptables]\nblocked = ["FW-IN-X"]\nlabel_allowed = ["A", "P"]\nunprefixed = "ignored"\n',
        encoding="utf-8",
    )
    rules = load_prefixes(settings)
    assert rules == Prefixes(blocked=("FW-IN-X",), label_allowed=("A", "P"), unprefixed="ignored")
    assert rules.verdict("FW-IN-X: ") is True
    assert rules.verdict("[WAN-5-P]") is False
    assert rules.verdict("") is None
    with pytest.raises(Exception, match="neither blocked nor allowed"):
        rules.verdict("[UFW BLOCK]")  # the file's list replaces the default words
    assert rules.adding(blocked=("BLOCK",)).verdict("[UFW BLOCK]") is True


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[iptables]\nblockd = ["X"]\n', "iptables.blockd: is not a setting"),
        ('[iptables]\nblocked = "DROP"\n', "iptables.blocked: must be a list of non-empty words"),
        ('[iptables]\nunprefixed = "maybe"\n', "iptables.unprefixed: must be one of blocked"),
        ("[iptables\n", "is not valid TOML"),
    ],
)
def test_a_bad_settings_file_is_refused_naming_file_and_key(
    tmp_path: Path, text: str, message: str
) -> None:
    settings = tmp_path / "netmon.toml"
    settings.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput, match=message) as caught:
        load_prefixes(settings)
    assert str(settings) in str(caught.value)


def test_bad_addresses_and_ports_are_said_in_words() -> None:
    head = "Dec  6 07:00:00 gw kernel: [WAN_IN-default-D]IN=eth0 OUT= "
    report = ReadReport("kern.log")
    lines = [
        head + "SRC=203.0.113.999 DST=10.0.0.1 PROTO=TCP SPT=1 DPT=22 SYN",
        head + "SRC=203.0.113.9 DST=10.0.0.1 PROTO=UDP SPT=1 DPT=dns",
        '{"MESSAGE": "[X DROP] IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 PROTO=UDP DPT=1"}',
    ]
    assert list(parse_iptables([line + "\n" for line in lines], report, year=2026)) == []
    assert [p.reason for p in report.problems] == [
        "SRC=203.0.113.999 is not an IPv4 or IPv6 address",
        "DPT=dns is not a port number (0-65535)",
        "__REALTIME_TIMESTAMP None is not microseconds since 1970",
    ]
