"""The fast path (observe rows) and the event path are one parser: same lines, counts, problems."""

from __future__ import annotations

import json
from pathlib import Path

from votetrail.core.netmon.detector import Detector, address_key
from votetrail.core.netmon.events import Outcome
from votetrail.formats.netmon.logs.common import ReadReport, open_text
from votetrail.formats.netmon.logs.zeek import CONN_LOG_FIELDS as FIELDS
from votetrail.formats.netmon.logs.zeek import (
    detect_zeek_file,
    iter_zeek_keys,
    parse_zeek,
    read_zeek,
)

HEADER = (
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
    "#path\tconn\n#fields\t" + "\t".join(FIELDS) + "\n#types\t" + "\t".join(["x"] * 21) + "\n"
)


def _row(ts: str, orig: str, resp: str, port: str, state: str = "S0", proto: str = "tcp") -> str:
    history, pkts = {"S0": ("S", "0"), "REJ": ("Sr", "1"), "RSTR": ("Sr", "1")}.get(
        state, ("ShADadFf", "5")
    )
    values = [ts, "C1", orig, "50000", resp, port, proto, "-", "-", "-", "-", state]
    values += ["F", "T", "0", history, "1", "60", pkts, "0", "-"]
    return "\t".join(values) + "\n"


def _json(**fields: object) -> str:
    record: dict[str, object] = {
        "ts": 1732881700.25,
        "id.orig_h": "203.0.113.9",
        "id.resp_h": "10.0.0.9",
        "id.resp_p": 8080,
        "proto": "tcp",
        "conn_state": "REJ",
    }
    record.update(fields)
    return json.dumps(record) + "\n"


def _log(tmp_path: Path) -> Path:
    """A conn.log mixing good TSV and JSON lines with every kind of bad one."""
    scan = [_row(f"17328816{i:02d}.5", "203.0.113.9", f"10.0.0.{i}", "22") for i in range(30)]
    text = (
        "1732881599.0\t10.0.0.1\n"  # data before any header
        + HEADER
        + "".join(scan)
        + _row("1732881650.0", "10.0.0.7", "192.0.2.1", "443", "SF")
        + _row("1732881651.0", "2001:db8::7", "2001:db8::1", "443", "RSTR")
        + _row("1732881652.0", "10.0.0.300", "192.0.2.1", "443")  # bad address
        + _row("1732881653.0", "10.0.0.7", "192.0.2.1", "70000")  # bad port
        + _row("1732881654.0", "10.0.0.7", "192.0.2.1", "443", "ZZ")  # unknown state
        + _row("1732881655.0", "10.0.0.7", "192.0.2.1", "443", proto="sctp")
        + _row("nan", "10.0.0.7", "192.0.2.1", "443")  # no representable time
        + _row("1e300", "10.0.0.7", "192.0.2.1", "443")
        + _row("soon", "10.0.0.7", "192.0.2.1", "443")
        + "1732881656.0\ttoo\tfew\n"
        + "\n"
        + _json()
        + _json(ts="2026-11-29T12:01:40Z")
        + _json(**{"id.orig_h": "bogus"})
        + _json(ts=float("nan"))
        + "{not json\n"
        + "#close\t2026-11-29-13-00-00\n"
        + _row("1732881660.0", "10.0.0.8", "192.0.2.2", "53", "SF", "udp").rstrip("\n")  # cut
    )
    path = tmp_path / "conn.log"
    path.write_text(text, encoding="utf-8")
    return path


BAD_LINES = [1, 41, 42, 43, 44, 45, 46, 47, 48, 52, 53, 54]
"""Line numbers of the bad lines in :func:`_log`'s file, whichever path reads it."""


def _same(fast: ReadReport, slow: ReadReport) -> None:
    assert (fast.lines, fast.events, fast.ignored, fast.bad) == (
        slow.lines,
        slow.events,
        slow.ignored,
        slow.bad,
    )
    assert fast.problems == slow.problems


def test_fast_path_agrees_with_events(tmp_path: Path) -> None:
    path = _log(tmp_path)
    slow = ReadReport(str(path))
    events = list(read_zeek(path, slow))
    fast = ReadReport(str(path))
    with open_text(path) as lines:
        rows = list(iter_zeek_keys(lines, fast))
    _same(fast, slow)
    assert slow.events == len(events) == len(rows) == 35
    assert [p.line for p in slow.problems] == BAD_LINES
    expected = [
        (
            address_key(e.source),
            address_key(e.target),
            e.port,
            e.time.timestamp(),
            e.outcome is Outcome.ESTABLISHED,
            e.accepted,
        )
        for e in events
    ]
    assert rows == expected


def test_fast_detection_agrees_with_feed_many(tmp_path: Path) -> None:
    path = _log(tmp_path)
    slow_detector, fast_detector = Detector(), Detector()
    slow = ReadReport(str(path))
    slow_detector.feed_many(read_zeek(path, slow))
    fast = detect_zeek_file(path, fast_detector)
    _same(fast, slow)
    incidents = fast_detector.incidents()
    assert incidents == slow_detector.incidents()
    assert [i.sources for i in incidents] == [("203.0.113.9",)]


def test_line_numbers_continue_from_the_report() -> None:
    """Both outputs number lines from ``report.lines``, as the log follower relies on."""
    lines = [HEADER, _row("1732881600.0", "10.0.0.300", "10.0.0.1", "22")]
    slow, fast = ReadReport("x", lines=100), ReadReport("x", lines=100)
    assert list(parse_zeek(lines, slow)) == []
    assert list(iter_zeek_keys(lines, fast)) == []
    _same(fast, slow)
    assert [p.line for p in fast.problems] == [102]
