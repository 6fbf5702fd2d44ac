"""``votetrail netmon totals``: a day's probes, whole, per source and per /24, end to end.

The logs are small Zeek conn.logs in the CTU-Normal captures' layout
(``stratosphereips/security-datasets-for-testing`` at 1c90a369,
``008-zeek-mixed/data/conn.log.labeled``), our own values:
:mod:`tests.services.netmon.zeek_days`.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.cli.helpers import Result, votetrail_on
from tests.services.netmon.zeek_days import HOME, first_day, second_day
from votetrail.services.context import App


def _ingest(capsys: pytest.CaptureFixture[str], app: App, *paths: Path) -> None:
    home = [option for network in HOME for option in ("--home-net", network)]
    done = votetrail_on(capsys, app, "netmon", "ingest", *map(str, paths), *home)
    assert done.code == 0, done.err


def _totals(capsys: pytest.CaptureFixture[str], app: App, *args: str) -> Result:
    return votetrail_on(capsys, app, "netmon", "totals", *args)


def test_totals_of_the_latest_day_then_by_source_and_network(
    capsys: pytest.CaptureFixture[str], demo_app: App, tmp_path: Path
) -> None:
    _ingest(capsys, demo_app, first_day(tmp_path), second_day(tmp_path))
    latest = _totals(capsys, demo_app)
    assert latest.code == 0
    assert latest.out.splitlines() == [
        "day         sources  attempts  answered  unexpected  ports  hosts  ingests",
        "2026-11-03        2        31         0           0     31      2        1",
    ]

    sources = _totals(capsys, demo_app, "--day", "2026-11-02", "--by", "source", "--limit", "2")
    lines = sources.out.splitlines()
    assert len(lines) == 3
    assert lines[0].split() == [
        "source", "network", "attempts", "answered", "unexpected", "ports", "hosts",
        "first_seen", "last_seen", "returning",
    ]  # fmt: skip
    assert lines[1].split()[:3] == ["203.0.113.7", "203.0.113.0/24", "3"]
    assert lines[2].split()[:3] == ["198.51.100.9", "198.51.100.0/24", "1"]

    back = _totals(capsys, demo_app, "--by", "source", "--format", "json")
    document = json.loads(back.out)
    assert (document["day"], document["by"]) == ("2026-11-03", "source")
    assert [(r["source"], r["attempts"], r["returning"]) for r in document["rows"]] == [
        ("203.0.113.7", 30, True),
        ("2001:db8:1::5", 1, False),
    ]

    networks = _totals(
        capsys, demo_app, "--day", "2026-11-02", "--by", "network", "--format", "csv"
    )
    assert list(csv.DictReader(io.StringIO(networks.out))) == [
        {
            "network": "203.0.113.0/24", "sources": "2", "attempts": "4", "answered": "1",
            "unexpected": "1", "ports": "3", "hosts": "1",  # the busiest source's: at least
        },
        {
            "network": "198.51.100.0/24", "sources": "1", "attempts": "1", "answered": "0",
            "unexpected": "0", "ports": "1", "hosts": "1",
        },
    ]  # fmt: skip
    whole = json.loads(_totals(capsys, demo_app, "--day", "2026-11-02", "--format", "json").out)
    assert whole["rows"] == [
        {
            "day": "2026-11-02", "sources": 3, "attempts": 5, "answered": 1, "unexpected": 1,
            "ports": 5, "hosts": 2, "ingests": 1,
        }
    ]  # fmt: skip


def test_the_report_leads_with_the_days_numbers(
    capsys: pytest.CaptureFixture[str], demo_app: App, tmp_path: Path
) -> None:
    _ingest(capsys, demo_app, first_day(tmp_path))
    report = votetrail_on(capsys, demo_app, "netmon", "report", "--day", "2026-11-02")
    assert report.code == 0
    lead = (
        "Probed 5 times from 3 addresses on 5 ports; "
        "1 attempt got an answer on a port that should be closed."
    )
    assert lead in report.out
    assert report.out.index(lead) < report.out.index("0 scans on")
    older = votetrail_on(capsys, demo_app, "netmon", "report", "--day", "2026-11-01")
    assert "No count of every probe is stored for this day" in older.out


def test_no_counts_and_a_bad_day_are_said_plainly(
    capsys: pytest.CaptureFixture[str], demo_app: App
) -> None:
    empty = _totals(capsys, demo_app)
    assert empty.code == 0
    assert "No day has counts yet" in empty.err
    assert empty.out == ""
    none = _totals(capsys, demo_app, "--day", "2026-11-02", "--format", "json")
    assert json.loads(none.out) == {"day": "2026-11-02", "by": "day", "rows": []}
    assert "No counts for 2026-11-02" in none.err
    bad = _totals(capsys, demo_app, "--day", "02/11/2026")
    assert bad.code != 0
    assert "must be YYYY-MM-DD" in bad.err
