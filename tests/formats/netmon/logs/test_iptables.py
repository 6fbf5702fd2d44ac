"""Kernel firewall lines (iptables, nftables, ufw) in syslog and journald files."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from ipaddress import ip_address
from pathlib import Path

from votetrail.core.netmon.events import Outcome
from votetrail.formats.netmon.logs.common import PASSED_OUTCOME, ReadReport
from votetrail.formats.netmon.logs.detect import NetlogFormat, detect_format, read_netlog
from votetrail.formats.netmon.logs.iptables import Prefixes, read_iptables

UFW_BLOCK = (
    "Nov 29 12:00:01 web1 kernel: [ 8812.123456] [UFW BLOCK] IN=eth0 OUT= "
    "MAC=00:16:3e:00:00:01:00:16:3e:00:00:02:08:00 SRC=203.0.113.9 DST=10.0.0.5 LEN=60 "
    "TOS=0x00 PREC=0x00 TTL=52 ID=4242 DF PROTO=TCP SPT=40000 DPT=22 WINDOW=64240 "
    "RES=0x00 SYN URGP=0"
)


def _line(prefix: str, rest: str, stamp: str = "Nov 29 12:00:02") -> str:
    return f"{stamp} web1 kernel: {prefix} IN=eth0 OUT= SRC=203.0.113.9 DST=10.0.0.5 {rest}"


def test_syslog_mixed_with_other_programs(tmp_path: Path) -> None:
    log = tmp_path / "syslog"
    log.write_text(
        "\n".join(
            [
                "Nov 29 11:59:59 web1 sshd[812]: Accepted publickey for admin from 10.0.0.2",
                UFW_BLOCK,
                _line("[UFW ALLOW]", "PROTO=TCP SPT=40001 DPT=443 WINDOW=1 RES=0x00 SYN URGP=0"),
                _line("[UFW BLOCK]", "PROTO=TCP SPT=40002 DPT=80 WINDOW=1 RES=0x00 ACK FIN URGP=0"),
                _line("[UFW AUDIT]", "PROTO=TCP SPT=40003 DPT=443 RES=0x00 SYN URGP=0"),
                _line("nft-drop: ", "PROTO=UDP SPT=5353 DPT=161 LEN=40"),
                _line("DROP", "PROTO=ICMP TYPE=8 CODE=0 ID=1 SEQ=1"),
                "Nov 29 12:00:03 web1 CRON[900]: (root) CMD (run-parts /etc/cron.hourly)",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    assert detect_format(log) is NetlogFormat.IPTABLES
    report = ReadReport(str(log))
    events = list(read_netlog(log, report, year=2026))
    assert [(e.port, e.protocol, e.outcome, e.accepted) for e in events] == [
        (22, "tcp", Outcome.BLOCKED, False),
        (443, "tcp", PASSED_OUTCOME, True),
        (161, "udp", Outcome.BLOCKED, False),
        (0, "icmp", Outcome.BLOCKED, False),
    ]
    assert events[0].source == ip_address("203.0.113.9")
    assert events[0].time == datetime(2026, 11, 29, 12, 0, 1, tzinfo=UTC)
    assert (report.lines, report.events, report.ignored, report.bad) == (8, 4, 4, 0)


def test_malformed_and_unknown_prefix_lines_are_bad_with_numbers(tmp_path: Path) -> None:
    log = tmp_path / "kern.log"
    log.write_text(
        "\n".join(
            [
                UFW_BLOCK,
                _line("[UFW BLOCK]", "PROTO=TCP SPT=1 DPT=99999 SYN"),  # 2: port
                _line("[UFW BLOCK]", "PROTO=TCP SPT=1 SYN"),  # 3: no DPT
                _line("MYRULE", "PROTO=TCP SPT=1 DPT=22 SYN"),  # 4: prefix
                "Foo 29 12:00:01 web1 kernel: [UFW BLOCK] IN=eth0 SRC=1.2.3.4 DST=5.6.7.8 "
                "PROTO=TCP DPT=22 SYN",  # 5: month
                UFW_BLOCK,
                UFW_BLOCK[:120],  # 7: cut short, no DST value... and no newline
            ]
        ),
        encoding="utf-8",
    )
    report = ReadReport(str(log))
    events = list(read_iptables(log, report, year=2026))
    assert len(events) == 2
    assert [p.line for p in report.problems] == [2, 3, 4, 5, 7]
    assert "65535" in report.problems[0].reason
    assert "DPT" in report.problems[1].reason
    assert "MYRULE" in report.problems[2].reason
    assert "cut short" in report.problems[4].reason


def test_prefixes_are_configurable_and_zone_and_year_apply(tmp_path: Path) -> None:
    log = tmp_path / "kern.log"
    log.write_text(
        _line("MYRULE", "PROTO=TCP SPT=1 DPT=22 SYN", "Dec 31 23:59:59")
        + "\n"
        + _line("MYRULE", "PROTO=TCP SPT=1 DPT=23 SYN", "Jan  1 00:00:01")
        + "\n",
        encoding="utf-8",
    )
    eastern = timezone(timedelta(hours=-5))
    events = list(
        read_iptables(log, year=2025, zone=eastern, prefixes=Prefixes(blocked=("MYRULE",)))
    )
    assert [e.outcome for e in events] == [Outcome.BLOCKED, Outcome.BLOCKED]
    assert events[0].time == datetime(2026, 1, 1, 4, 59, 59, tzinfo=UTC)
    assert events[1].time == datetime(2026, 1, 1, 5, 0, 1, tzinfo=UTC)


def test_rfc3339_syslog_and_journald_json(tmp_path: Path) -> None:
    message = UFW_BLOCK.split(" web1 ", 1)[1]
    journal = tmp_path / "journal.json"
    records = [
        {"__REALTIME_TIMESTAMP": "1764417601000000", "MESSAGE": message, "_TRANSPORT": "kernel"},
        {"__REALTIME_TIMESTAMP": "1764417602000000", "MESSAGE": "Started Session 4 of user x"},
        {"__REALTIME_TIMESTAMP": "1764417603000000", "MESSAGE": list(message.encode())},
        {"MESSAGE": message},
    ]
    journal.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    assert detect_format(journal) is NetlogFormat.IPTABLES
    report = ReadReport(str(journal))
    events = list(read_netlog(journal, report))
    assert [e.time.second for e in events] == [1, 3]
    assert (report.ignored, [p.line for p in report.problems]) == (1, [4])

    rsyslog = tmp_path / "messages"
    rsyslog.write_text(f"2026-11-29T13:00:01.5+01:00 web1 {message}\n", encoding="utf-8")
    (event,) = read_iptables(rsyslog)
    assert event.time == datetime(2026, 11, 29, 12, 0, 1, 500000, tzinfo=UTC)
