"""AWS VPC Flow Logs v2 default format."""

from __future__ import annotations

import gzip
from pathlib import Path

from votetrail.core.netmon.events import Outcome
from votetrail.formats.netmon.logs.common import PASSED_OUTCOME, ReadReport
from votetrail.formats.netmon.logs.detect import NetlogFormat, detect_format, read_netlog

HEADER = (
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
    "start end action log-status"
)
ENI = "2 123456789010 eni-1235b8ca123456789"


def test_records_header_nodata_and_problems(tmp_path: Path) -> None:
    window = "1732881600 1732881660"
    text = "\n".join(
        [
            HEADER,
            f"{ENI} 203.0.113.12 172.31.16.139 0 0 1 4 336 {window} REJECT OK",
            f"{ENI} 203.0.113.12 172.31.16.139 49761 3389 6 20 4249 {window} REJECT OK",
            f"{ENI} 172.31.9.69 172.31.9.12 49761 443 6 20 4249 {window} ACCEPT OK",
            f"{ENI} - - - - - - - {window} - NODATA",
            f"{ENI} - - - - - - - {window} - SKIPDATA",
            f"{ENI} 172.31.9.69 172.31.9.12 49761 443 6 20 4249 {window} MAYBE OK",
            f"{ENI} 172.31.9.69 172.31.9.12 49761 443 6 20",
            f"{ENI} 172.31.9.69 172.31.9.12 49761 53 17 1 70 {window} ACCEPT OK",
        ]
    )
    log = tmp_path / "flows.log.gz"
    log.write_bytes(gzip.compress(text.encode()))
    assert detect_format(log) is NetlogFormat.VPC_FLOW
    report = ReadReport(str(log))
    events = list(read_netlog(log, report))
    assert [(e.port, e.protocol, e.outcome, e.accepted) for e in events] == [
        (0, "icmp", Outcome.BLOCKED, False),
        (3389, "tcp", Outcome.BLOCKED, False),
        (443, "tcp", PASSED_OUTCOME, True),
        (53, "udp", PASSED_OUTCOME, True),
    ]
    assert [p.line for p in report.problems] == [7, 8]
    assert "cut short" in report.problems[1].reason or "fields" in report.problems[1].reason
    assert (report.lines, report.ignored) == (9, 3)
