"""Suricata eve.json flow and alert records."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from votetrail.core.netmon.events import Outcome
from votetrail.formats.netmon.logs.common import ReadReport
from votetrail.formats.netmon.logs.detect import NetlogFormat, detect_format, read_netlog


def _flow(port: int, to_client: int, tc: str | None, **extra: Any) -> str:
    record: dict[str, Any] = {
        "timestamp": "2026-11-29T12:05:00.000000+0000",
        "event_type": "flow",
        "src_ip": "203.0.113.9",
        "src_port": 40000,
        "dest_ip": "10.0.0.5",
        "dest_port": port,
        "proto": "TCP",
        "flow": {
            "pkts_toserver": 1,
            "pkts_toclient": to_client,
            "start": "2026-11-29T12:00:01.5+0000",
        },
    }
    if tc is not None:
        record["tcp"] = {"tcp_flags_tc": tc}
    record.update(extra)
    return json.dumps(record)


def test_flows_alerts_and_bad_lines(tmp_path: Path) -> None:
    blocked = json.loads(_flow(3389, 0, None))
    blocked.update(event_type="alert", alert={"action": "blocked", "signature": "ET SCAN"})
    allowed = {**blocked, "alert": {"action": "allowed"}}
    udp = json.loads(_flow(53, 1, None))
    udp["proto"] = "UDP"
    lines = [
        _flow(22, 0, None),  # 1 unanswered
        _flow(23, 1, "14"),  # 2 RST+ACK back: rejected
        _flow(443, 5, "1b"),  # 3 SYN+ACK back: established
        json.dumps(blocked),  # 4
        json.dumps(allowed),  # 5 ignored
        json.dumps({"event_type": "dns", "timestamp": "2026-11-29T12:00:00+0000"}),  # 6
        json.dumps(udp),  # 7
        _flow(99999, 0, None),  # 8 bad port
        _flow(22, 0, None).replace('"src_ip": "203.0.113.9", ', ""),  # 9 no src_ip
        _flow(22, 0, None)[:50],  # 10 cut
    ]
    log = tmp_path / "eve.json"
    log.write_text("\n".join(lines), encoding="utf-8")
    assert detect_format(log) is NetlogFormat.SURICATA
    report = ReadReport(str(log))
    events = list(read_netlog(log, report))
    assert [(e.port, e.protocol, e.outcome, e.accepted) for e in events] == [
        (22, "tcp", Outcome.UNANSWERED, True),
        (23, "tcp", Outcome.REJECTED, True),
        (443, "tcp", Outcome.ESTABLISHED, True),
        (3389, "tcp", Outcome.BLOCKED, False),
        (53, "udp", Outcome.ESTABLISHED, True),
    ]
    assert events[0].time == datetime(2026, 11, 29, 12, 0, 1, 500000, tzinfo=UTC)
    assert events[3].time == datetime(2026, 11, 29, 12, 5, tzinfo=UTC)
    assert [p.line for p in report.problems] == [8, 9, 10]
    assert "src_ip" in report.problems[1].reason
    assert "cut short" in report.problems[2].reason
    assert report.ignored == 2
