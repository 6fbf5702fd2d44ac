"""A scan that crosses midnight counts on each day with that day's attempts only (both backends)."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.cli.helpers import votetrail_on
from votetrail.services.context import App
from votetrail.services.netmon import ingest as netmon

LINE = (
    "{moment} fw kernel: DROP IN=eth0 OUT= "
    "SRC=203.0.113.9 DST=198.51.100.7 LEN=60 PROTO=TCP SPT=40000 DPT={port} SYN\n"
)
MIDNIGHT = datetime(2026, 11, 4, tzinfo=UTC)
DAY1 = date(2026, 11, 3)
DAY2 = date(2026, 11, 4)


def midnight_scan(folder: Path, before: int = 30, after: int = 20) -> Path:
    """An iptables log: a port scan from 23:50 to 00:10, ``before`` and ``after`` midnight."""
    moments = [MIDNIGHT - timedelta(minutes=10) + timedelta(seconds=19 * n) for n in range(before)]
    moments += [MIDNIGHT + timedelta(seconds=30 * n) for n in range(after)]
    log = folder / f"kern-{before}-{after}.log"
    log.write_text(
        "".join(
            LINE.format(moment=m.isoformat(timespec="microseconds"), port=1000 + n)
            for n, m in enumerate(moments)
        )
    )
    return log


def _attempts_cell(html: str) -> str:
    """The attempts cell ("Attempts today") of the report's one incident row."""
    heads = re.findall(r"<th>([^<]*)</th>", html)
    row = re.findall(r"<tr[^>]*><td>.*?</tr>", html)[-1]
    cells: list[str] = re.findall(r"<td>([^<]*)</td>", row)
    return cells[[h.startswith("Attempts") for h in heads].index(True)]


def _hour_bar(html: str, hour: int) -> str:
    found = re.search(rf"<title>{hour:02d}:00 – ([0-9,]+)</title>", html)
    assert found is not None
    return found.group(1)


def test_report_counts_each_day_its_own_attempts(
    capsys: pytest.CaptureFixture[str], demo_app: App, tmp_path: Path
) -> None:
    netmon.ingest(demo_app, "analyst", [midnight_scan(tmp_path)])
    first = votetrail_on(capsys, demo_app, "netmon", "report", "--day", DAY1.isoformat())
    second = votetrail_on(capsys, demo_app, "netmon", "report", "--day", DAY2.isoformat())
    assert first.code == second.code == 0
    assert "1 scan on" in first.out
    assert "1 scan on" in second.out
    assert (_attempts_cell(first.out), _attempts_cell(second.out)) == ("30", "20")
    assert (_hour_bar(first.out, 23), _hour_bar(second.out, 0)) == ("30", "20")
    assert "peak 30 per hour" in first.out
    assert "peak 20 per hour" in second.out

    (stored,) = netmon.incidents(demo_app)
    assert stored["connections"] == 50
    assert stored["hours"] == {
        "2026-11-03T23:00:00.000000Z": 30,
        "2026-11-04T00:00:00.000000Z": 20,
    }
    listed = votetrail_on(capsys, demo_app, "netmon", "incidents", "--day", DAY2.isoformat())
    assert [i["day_attempts"] for i in json.loads(listed.out)] == [20]
    assert [i["day_attempts"] for i in netmon.incidents(demo_app, DAY1)] == [30]
    assert netmon.incidents(demo_app, date(2026, 11, 5)) == []
