"""Windows Firewall pfirewall.log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from votetrail.core.netmon.events import Outcome
from votetrail.formats.netmon.logs.common import PASSED_OUTCOME, ReadReport
from votetrail.formats.netmon.logs.detect import NetlogFormat, detect_format, read_netlog

HEADER = """#Version: 1.5
#Software: Microsoft Windows Firewall
#Time Format: Local
#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack \
tcpwin icmptype icmpcode info path

"""


def test_drop_allow_and_problems(tmp_path: Path) -> None:
    log = tmp_path / "pfirewall.log"
    probe = "DROP TCP 203.0.113.9 10.0.0.5 40000 3389 52 S 1 0 64240 - - - RECEIVE"
    log.write_text(
        HEADER
        + f"2026-11-29 07:00:01 {probe}\n"
        + "2026-11-29 07:00:02 ALLOW UDP 10.0.0.5 192.0.2.53 50000 53 0 - - - - - - - SEND\n"
        + "2026-11-29 07:00:03 DROP ICMP 203.0.113.9 10.0.0.5 - - 60 - - - - 8 0 - RECEIVE\n"
        + "2026-11-29 07:00:04 INFO-EVENTS-LOST - - - - - - - - - - - - 12 -\n"
        + "2026-11-29 07:00:05 DROP TCP 203.0.113.9 10.0.0.5 40000 3389\n"
        + f"2026-11-31 07:00:06 {probe}\n"
        + "2026-11-29 07:00:07 DROP TCP 203.0.113.9 10.0.0.5 40000 3389 52 S 1 0 64240 - -",
        encoding="utf-8",
    )
    assert detect_format(log) is NetlogFormat.PFIREWALL
    report = ReadReport(str(log))
    events = list(read_netlog(log, report, zone=timezone(timedelta(hours=-5))))
    assert [(e.port, e.protocol, e.outcome, e.accepted) for e in events] == [
        (3389, "tcp", Outcome.BLOCKED, False),
        (53, "udp", PASSED_OUTCOME, True),
        (0, "icmp", Outcome.BLOCKED, False),
    ]
    assert events[0].time == datetime(2026, 11, 29, 12, 0, 1, tzinfo=UTC)
    assert [p.line for p in report.problems] == [10, 11, 12]
    assert "cut short" in report.problems[2].reason
    assert report.ignored == 6
