"""Zeek conn.log in TSV and JSON: originators, the conn_state table, and bad lines counted."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from ipaddress import ip_address
from pathlib import Path

import pytest

from votetrail.core.netmon.events import Outcome
from votetrail.formats.netmon.logs.common import ReadReport
from votetrail.formats.netmon.logs.detect import NetlogFormat, detect_format, read_netlog
from votetrail.formats.netmon.logs.zeek import CONN_LOG_FIELDS as FIELDS
from votetrail.formats.netmon.logs.zeek import outcome, read_zeek

HEADER = (
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
    "#path\tconn\n#fields\t" + "\t".join(FIELDS) + "\n#types\t" + "\t".join(["x"] * 21) + "\n"
)


def _row(ts: str, orig: str, resp: str, port: str, proto: str, state: str, history: str) -> str:
    values = [ts, "C1", orig, "50000", resp, port, proto, "-", "-", "-", "-", state]
    values += ["F", "T", "0", history, "1", "60", "0", "0", "-"]
    return "\t".join(values) + "\n"


@pytest.mark.parametrize(
    ("state", "history", "resp_pkts", "expected"),
    [
        ("S0", "S", "0", Outcome.UNANSWERED),
        ("REJ", "Sr", "1", Outcome.REJECTED),
        ("SF", "ShADadFf", "5", Outcome.ESTABLISHED),
        ("S1", "ShA", "1", Outcome.ESTABLISHED),
        ("RSTO", "ShADR", "3", Outcome.ESTABLISHED),
        ("RSTR", "ShADr", "3", Outcome.ESTABLISHED),
        ("RSTR", "Sr", "1", Outcome.REJECTED),
        ("RSTOS0", "SR", "0", Outcome.UNANSWERED),
        ("SH", "SF", "0", Outcome.UNANSWERED),
        ("RSTRH", "r", "1", Outcome.REJECTED),
        ("OTH", "D", "0", Outcome.UNANSWERED),
        ("OTH", "Dd", "2", Outcome.ESTABLISHED),
        ("-", "-", "0", Outcome.UNANSWERED),
    ],
)
def test_conn_state_table(state: str, history: str, resp_pkts: str, expected: Outcome) -> None:
    assert outcome(state, history, resp_pkts) is expected


def test_tsv_scan_and_ordinary_connection(tmp_path: Path) -> None:
    log = tmp_path / "conn.log"
    log.write_text(
        HEADER
        + _row("1732881600.5", "203.0.113.9", "10.0.0.5", "22", "tcp", "S0", "S")
        + _row("1732881601.0", "203.0.113.9", "10.0.0.5", "23", "tcp", "REJ", "Sr")
        + _row("1732881602.0", "10.0.0.7", "192.0.2.1", "53", "udp", "SF", "Dd")
        + "#close\t2026-11-29-13-00-00\n",
        encoding="utf-8",
    )
    report = ReadReport(str(log))
    events = list(read_zeek(log, report))
    assert [(str(e.source), e.port, e.protocol, e.outcome) for e in events] == [
        ("203.0.113.9", 22, "tcp", Outcome.UNANSWERED),
        ("203.0.113.9", 23, "tcp", Outcome.REJECTED),
        ("10.0.0.7", 53, "udp", Outcome.ESTABLISHED),
    ]
    assert events[0].time == datetime(2024, 11, 29, 12, 0, 0, 500000, tzinfo=UTC)
    assert all(e.accepted for e in events)
    assert (report.lines, report.events, report.ignored, report.bad) == (11, 3, 8, 0)
    assert detect_format(log) is NetlogFormat.ZEEK


def test_bad_and_cut_tsv_lines_are_numbered_and_the_rest_is_read(tmp_path: Path) -> None:
    log = tmp_path / "conn.log"
    good = _row("1732881600", "203.0.113.9", "10.0.0.5", "22", "tcp", "S0", "S")
    log.write_text(
        HEADER
        + good
        + _row("1732881600", "203.0.113.999", "10.0.0.5", "22", "tcp", "S0", "S")  # line 9
        + _row("1732881600", "203.0.113.9", "10.0.0.5", "70000", "tcp", "S0", "S")  # 10
        + _row("1732881600", "203.0.113.9", "10.0.0.5", "22", "tcp", "WAT", "S")  # 11
        + "1732881600\tC1\t203.0.113.9\n"  # 12: too few fields
        + good
        + good[:40],  # 14: cut short, no newline
        encoding="utf-8",
    )
    report = ReadReport("conn.log")
    events = list(read_zeek(log, report))
    assert len(events) == 2
    assert [p.line for p in report.problems] == [9, 10, 11, 12, 14]
    assert "203.0.113.999" in report.problems[0].reason
    assert "conn_state" in report.problems[2].reason
    assert "cut short" in report.problems[4].reason
    assert report.messages()[0].startswith("conn.log:9: ")
    assert report.lines == report.events + report.ignored + report.bad == 14


def test_data_before_fields_header_is_bad_not_fatal(tmp_path: Path) -> None:
    log = tmp_path / "conn.log"
    row = _row("1732881600", "203.0.113.9", "10.0.0.5", "22", "tcp", "S0", "S")
    log.write_text(row + HEADER + row, encoding="utf-8")
    report = ReadReport(str(log))
    assert len(list(read_zeek(log, report))) == 1
    assert report.problems[0].line == 1


def test_json_lines_with_epoch_and_iso_times_and_problems(tmp_path: Path) -> None:
    base = {
        "uid": "C1",
        "id.orig_h": "2001:db8::1",
        "id.orig_p": 50000,
        "id.resp_h": "2001:db8::2",
        "id.resp_p": 443,
        "proto": "tcp",
        "conn_state": "SF",
        "history": "ShADadFf",
    }
    log = tmp_path / "conn.json"
    lines = [
        json.dumps({**base, "ts": 1732881600.25}),
        json.dumps({**base, "ts": "2024-11-29T12:00:01.000000Z", "conn_state": "S0"}),
        json.dumps({**base, "ts": 1732881602}).replace('"proto"', '"prot"'),
        "{not json",
        "[1, 2]",
        json.dumps({**base, "ts": 1732881603, "id.resp_p": "x"}),
    ]
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = ReadReport(str(log))
    events = list(read_netlog(log, report))
    assert [(e.source, e.outcome) for e in events] == [
        (ip_address("2001:db8::1"), Outcome.ESTABLISHED),
        (ip_address("2001:db8::1"), Outcome.UNANSWERED),
    ]
    assert events[1].time == datetime(2024, 11, 29, 12, 0, 1, tzinfo=UTC)
    assert [p.line for p in report.problems] == [3, 4, 5, 6]
    assert "proto" in report.problems[0].reason


def test_json_line_inside_a_tsv_file_is_read_on_its_own(tmp_path: Path) -> None:
    """Concatenated logs mix writers; each line decides for itself."""
    record = {
        "ts": 1732881600,
        "id.orig_h": "198.51.100.4",
        "id.resp_h": "10.0.0.5",
        "id.resp_p": 25,
        "proto": "tcp",
        "conn_state": "S0",
    }
    log = tmp_path / "conn.log"
    row = _row("1732881600", "203.0.113.9", "10.0.0.5", "22", "tcp", "S0", "S")
    log.write_text(HEADER + row + json.dumps(record) + "\n" + row, encoding="utf-8")
    report = ReadReport(str(log))
    assert [e.port for e in read_zeek(log, report)] == [22, 25, 22]
    assert report.bad == 0
