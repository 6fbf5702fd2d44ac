"""The columnar conn.log reader gives the line reader's events, counts, problems and incidents.

Every file is read by both readers, and by both with blocks small enough
that block edges fall inside header runs, bad lines and the last line.
"""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.bench_loader import load_bench
from tests.services.netmon.zeek_days import first_day, second_day
from votetrail.core.netmon.detector import Detector
from votetrail.core.netmon.events import ConnectionEvent, Outcome
from votetrail.errors import InvalidInput
from votetrail.formats.netmon.logs import zeek_columns
from votetrail.formats.netmon.logs.common import MAX_LINE, ReadReport
from votetrail.formats.netmon.logs.zeek import CONN_LOG_FIELDS as FIELDS
from votetrail.formats.netmon.logs.zeek import CONN_LOG_TYPES as TYPES
from votetrail.formats.netmon.logs.zeek import detect_zeek_file, read_zeek
from votetrail.formats.netmon.logs.zeek_columns import detect_zeek_columns, read_zeek_columns

HEADER = (
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
    "#path\tconn\n#fields\t" + "\t".join(FIELDS) + "\n#types\t" + "\t".join(TYPES) + "\n"
)


@pytest.fixture(params=[zeek_columns.BLOCK, 4096, 200])
def block(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """The reader's block size: its own, and two tiny ones that cut every run somewhere."""
    monkeypatch.setattr(zeek_columns, "BLOCK", request.param)
    return int(request.param)


def _counts(report: ReadReport) -> tuple[object, ...]:
    return (report.lines, report.events, report.ignored, report.bad, report.problems)


def assert_same(path: Path) -> ReadReport:
    """Both readers agree on ``path``: events, report, and detection on both outputs."""
    lines_report, columns_report = ReadReport(str(path)), ReadReport(str(path))
    expected = list(read_zeek(path, lines_report))
    got = list(read_zeek_columns(path, columns_report))
    assert got == expected
    assert _counts(columns_report) == _counts(lines_report)
    assert lines_report.messages() == columns_report.messages()
    by_lines, by_columns = Detector(), Detector()
    fast = detect_zeek_file(path, by_lines)
    columns = detect_zeek_columns(path, by_columns)
    assert _counts(columns) == _counts(fast) == _counts(lines_report)
    assert by_columns.incidents() == by_lines.incidents()
    assert by_columns.close_days(final=True) == by_lines.close_days(final=True)
    return columns_report


def _row(ts: str, orig: str, resp: str, port: str, state: str = "S0", **more: str) -> str:
    values = dict.fromkeys(FIELDS, "-")
    values.update(
        {
            "ts": ts,
            "uid": "C1",
            "id.orig_h": orig,
            "id.orig_p": "50000",
            "id.resp_h": resp,
            "id.resp_p": port,
            "proto": "tcp",
            "conn_state": state,
            "history": {"S0": "S", "REJ": "Sr", "RSTR": "Sr"}.get(state, "ShADadFf"),
            "resp_pkts": "0" if state == "S0" else "1",
        }
    )
    values.update(more)
    return "\t".join(values[name] for name in FIELDS) + "\n"


def _scan(first: int = 0, count: int = 40, source: str = "203.0.113.9") -> str:
    return "".join(
        _row(f"{1732881600 + n}.{n:06d}", source, f"10.0.0.{n % 250 + 1}", "22")
        for n in range(first, first + count)
    )


@pytest.mark.parametrize("size", [zeek_columns.BLOCK, 65536])
def test_shared_zeek_captures_read_the_same(
    shared_data: Path, size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(zeek_columns, "BLOCK", size)
    logs = sorted((shared_data / "netmon").rglob("*conn.log*"))
    assert logs, "no Zeek conn.log in the shared data"
    for path in logs:
        report = assert_same(path)
        assert report.events > 0


def test_synthetic_days_read_the_same(tmp_path: Path, block: int) -> None:
    assert_same(first_day(tmp_path))
    assert_same(second_day(tmp_path))
    bench = load_bench("bench_netmon_pipeline")
    path = tmp_path / "bench.conn.log"
    lines = 4000 if block > 1000 else 300  # tiny blocks: a few hundred lines cut everywhere
    bench.write_conn_log(path, lines)
    assert assert_same(path).events == lines


def test_labelled_synthetic_day_reads_the_same(tmp_path: Path) -> None:
    """The labelled bench's synthetic day of unsolicited attempts, written as a conn.log."""
    bench = load_bench("bench_netmon_labelled")
    events: list[ConnectionEvent] = bench.synthetic_day(6000, 800, 6, seed=7)
    state = {Outcome.REJECTED: ("REJ", "Sr", "1"), Outcome.UNANSWERED: ("S0", "S", "0")}
    path = tmp_path / "day.conn.log"
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for e in events:
            conn_state, history, pkts = state[e.outcome]
            ts = f"{e.time.timestamp():.6f}"
            target, port = str(e.target), str(e.port)
            out.write(
                _row(ts, str(e.source), target, port, conn_state, history=history, resp_pkts=pkts)
            )
    report = assert_same(path)
    assert report.events == len(events)
    detector = Detector()
    detect_zeek_columns(path, detector)
    assert detector.incidents()


def test_damaged_lines_get_the_same_problems(tmp_path: Path, block: int) -> None:
    text = (
        "1732881599.0\t10.0.0.1\n"  # data before any header
        + HEADER
        + _scan(0, 30)
        + _row("1732881650.0", "10.0.0.7", "192.0.2.1", "443", "SF")
        + _row("1732881651.0", "2001:db8::7", "2001:db8::1", "443", "RSTR")
        + _row("1732881651.5", "2001:db8::7", "2001:db8::1", "443", "RSTR", history="Shr")
        + _row("1732881652.0", "10.0.0.300", "192.0.2.1", "443")  # bad address
        + _row("1732881653.0", "10.0.0.7", "192.0.2.1", "70000")  # bad port
        + _row("1732881653.1", "10.0.0.7", "192.0.2.1", "+80")  # odd but good port
        + _row("1732881653.2", "10.0.0.7", "192.0.2.1", "-")  # unset port
        + _row("1732881654.0", "10.0.0.7", "192.0.2.1", "443", "ZZ")  # unknown state
        + _row("1732881654.5", "10.0.0.7", "192.0.2.1", "443", "-")  # unset state
        + _row("1732881655.0", "10.0.0.7", "192.0.2.1", "443", proto="sctp")
        + _row("1732881655.1", "10.0.0.7", "192.0.2.1", "0", proto="unknown_transport")
        + _row("1732881655.2", "10.0.0.7", "192.0.2.1", "443", "OTH", resp_pkts="0")
        + _row("1732881655.3", "10.0.0.7", "192.0.2.1", "443", "SF", history="DdA")  # mid-stream
        + _row("nan", "10.0.0.7", "192.0.2.1", "443")
        + _row("1e300", "10.0.0.7", "192.0.2.1", "443")
        + _row("-5", "10.0.0.7", "192.0.2.1", "443")
        + _row("soon", "10.0.0.7", "192.0.2.1", "443")
        + "1732881656.0\ttoo\tfew\n"
        + _row("1732881656.5", "10.0.0.7", "192.0.2.1", "443").rstrip("\n")
        + "\textra\n"
        + "\n"
        + json.dumps({"ts": 1732881700.25, "id.orig_h": "203.0.113.9", "id.resp_h": "10.0.0.9"})
        + "\n{not json\n"
        + _scan(40, 30)
        + "#close\t2026-11-29-13-00-00\n"
        + _row("1732881760.0", "10.0.0.8", "192.0.2.2", "53", "SF").rstrip("\n")  # cut
    )
    path = tmp_path / "conn.log"
    path.write_text(text, encoding="utf-8")
    report = assert_same(path)
    assert report.bad >= 12


def test_non_utf8_and_crlf_get_the_same_problems(tmp_path: Path, block: int) -> None:
    good = _scan(0, 25).encode()
    broken_address = _row("1732881700.0", "10.0.0.7", "192.0.2.1", "443").encode()
    broken_address = broken_address.replace(b"10.0.0.7", b"10.0.\xff.7")
    broken_service = _row("1732881701.0", "10.0.0.7", "192.0.2.1", "443", service="h\xe9").encode(
        "latin-1"
    )
    crlf = _scan(30, 5).replace("\n", "\r\n").encode()
    lone_cr = _row("1732881800.0", "10.0.0.7", "192.0.2.1", "443").replace("\t-\t", "\t\r\t", 1)
    path = tmp_path / "conn.log"
    path.write_bytes(
        HEADER.encode() + good + broken_address + broken_service + crlf + lone_cr.encode() + good
    )
    report = assert_same(path)
    assert report.bad >= 1


def test_several_fields_blocks_and_separators(tmp_path: Path, block: int) -> None:
    """Rotated logs concatenated, columns reordered, another separator, a header without #fields."""
    reordered = list(reversed(FIELDS))
    second = "#fields\t" + "\t".join(reordered) + "\n"
    rows = [
        "\t".join(
            reversed(
                _row(f"1732882000.{n}", "198.51.100.4", "10.0.1.1", str(n + 1))
                .rstrip("\n")
                .split("\t")
            )
        )
        + "\n"
        for n in range(30)
    ]
    comma = "#separator ,\n#fields," + ",".join(FIELDS) + "\n"
    comma_rows = [
        _row(f"1732883000.{n}", "198.51.100.5", f"10.0.2.{n + 1}", "445").replace("\t", ",")
        for n in range(30)
    ]
    lacking = "#separator \\x09\n#fields\tts\tuid\n" + _scan(0, 3)
    unnamed = "#separator \\x09\n#path\tconn\n" + _scan(100, 30, "203.0.113.77")
    text = (
        HEADER
        + _scan(0, 20)
        + "#close\t2026-11-29-13-00-00\n"
        + HEADER
        + second
        + "".join(rows)
        + comma
        + "".join(comma_rows)
        + lacking
        + unnamed
    )
    path = tmp_path / "conn.log"
    path.write_text(text, encoding="utf-8")
    report = assert_same(path)
    assert report.events >= 100
    assert report.bad >= 1


def test_gzip_reads_the_same(tmp_path: Path, block: int) -> None:
    path = tmp_path / "conn.log.gz"
    path.write_bytes(gzip.compress((HEADER + _scan(0, 200)).encode()))
    assert assert_same(path).events == 200


def test_damaged_gzip_is_refused_by_name(tmp_path: Path) -> None:
    whole = gzip.compress((HEADER + _scan(0, 3000)).encode())
    path = tmp_path / "conn.log.gz"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InvalidInput) as by_lines:
        list(read_zeek(path))
    with pytest.raises(InvalidInput) as by_columns:
        list(read_zeek_columns(path))
    assert str(by_columns.value) == str(by_lines.value)
    assert str(path) in str(by_columns.value)


def test_a_line_too_long_is_cut_as_before(tmp_path: Path) -> None:
    path = tmp_path / "conn.log"
    path.write_text(
        HEADER
        + _scan(0, 10)
        + "x" * (MAX_LINE + 5000)
        + "\n"
        + _scan(10, 10)
        + "y" * (MAX_LINE * 2)
    )
    report = assert_same(path)
    assert report.events == 20
    assert report.bad == 2


def test_events_are_the_line_readers_objects(tmp_path: Path) -> None:
    path = tmp_path / "conn.log"
    path.write_text(HEADER + _row("1732881600.5", "2001:db8::1", "10.0.0.1", "22", "REJ"))
    (event,) = list(read_zeek_columns(path))
    assert event.time == datetime(2024, 11, 29, 12, 0, 0, 500000, tzinfo=UTC)
    assert event.outcome is Outcome.REJECTED
    assert (event.port, event.protocol, event.accepted) == (22, "tcp", True)
