"""pfSense/OPNsense filterlog CSV lines in syslog."""

from __future__ import annotations

from datetime import UTC, datetime
from ipaddress import ip_address
from pathlib import Path

from votetrail.core.netmon.events import Outcome
from votetrail.formats.netmon.logs.common import PASSED_OUTCOME, ReadReport
from votetrail.formats.netmon.logs.detect import NetlogFormat, detect_format, read_netlog

V4 = (
    "5,,,1000000103,em0,match,{action},in,4,0x0,,64,12345,0,DF,{pid},{proto},60,"
    "203.0.113.9,10.0.0.5"
)
TCP = V4 + ",40000,{port},0,{flags},1234,,64240,,mss"
UDP = V4 + ",5353,{port},32"
V6 = (
    "7,,,1000000105,em0,match,block,in,6,0x00,0x00000,64,tcp,6,60,"
    "2001:db8::9,2001:db8::5,40000,22,0,S"
)


def _bsd(csv: str, stamp: str = "Nov 29 12:00:01") -> str:
    return f"{stamp} fw filterlog[4242]: {csv}"


def test_block_pass_ipv6_rfc5424_and_problems(tmp_path: Path) -> None:
    lines = [
        _bsd(TCP.format(action="block", pid=6, proto="tcp", port=22, flags="S")),  # 1
        _bsd(TCP.format(action="pass", pid=6, proto="tcp", port=443, flags="S")),  # 2
        _bsd(TCP.format(action="block", pid=6, proto="tcp", port=80, flags="FA")),  # 3 ignored
        _bsd(UDP.format(action="reject", pid=17, proto="udp", port=161)),  # 4
        "<134>1 2026-11-29T13:00:02+01:00 fw.example filterlog 4242 - - " + V6,  # 5
        "Nov 29 12:00:03 fw sshd[1]: Accepted publickey for admin",  # 6 ignored
        _bsd(TCP.format(action="allow", pid=6, proto="tcp", port=22, flags="S")),  # 7 bad action
        _bsd(TCP.format(action="block", pid=6, proto="tcp", port=22, flags="S")[:60]),  # 8 short
        _bsd(TCP.format(action="block", pid=6, proto="tcp", port=22, flags="S"))[:-30],  # 9 cut
    ]
    log = tmp_path / "filter.log"
    log.write_text("\n".join(lines), encoding="utf-8")
    assert detect_format(log) is NetlogFormat.FILTERLOG
    report = ReadReport(str(log))
    events = list(read_netlog(log, report, year=2026))
    assert [(e.port, e.protocol, e.outcome, e.accepted) for e in events] == [
        (22, "tcp", Outcome.BLOCKED, False),
        (443, "tcp", PASSED_OUTCOME, True),
        (161, "udp", Outcome.BLOCKED, False),
        (22, "tcp", Outcome.BLOCKED, False),
    ]
    assert events[0].time == datetime(2026, 11, 29, 12, 0, 1, tzinfo=UTC)
    assert events[3].source == ip_address("2001:db8::9")
    assert events[3].time == datetime(2026, 11, 29, 12, 0, 2, tzinfo=UTC)
    assert [p.line for p in report.problems] == [7, 8, 9]
    assert "allow" in report.problems[0].reason
    assert report.ignored == 2
