"""Zeek conn.log as the field writes it: no ``#fields``, ``unknown_transport``, worded problems.

Layouts seen:

* Zeek 7 conn.log with ``unknown_transport`` rows and a 22nd ``ip_proto``
  column (``policy/protocols/conn/disable-unknown-ip-proto-support.zeek`` in
  zeek/zeek names the field; sample rows of the CTU-13 Neris capture in a
  public project's "Zeek PCAP parse test" notes show ``... 224.0.0.22 0
  unknown_transport - ... OTH ... 2``). Fixture
  ``tests/fixtures/field/netmon/zeek7-conn-no-fields-header.log`` reproduces it
  with our own values and without its ``#fields``/``#types`` lines.
* A real Zeek 4 conn.log from ``../shared/data/netmon/ctu-normal`` (Stratosphere
  Laboratory, stratosphereips/security-datasets-for-testing at 1c90a369), read
  once as it is and once with ``#fields`` and ``#types`` removed.
"""

from __future__ import annotations

import json
from ipaddress import ip_address
from pathlib import Path

from votetrail.core.netmon.events import Outcome
from votetrail.formats.netmon.logs.common import ReadReport
from votetrail.formats.netmon.logs.detect import NetlogFormat, detect_format
from votetrail.formats.netmon.logs.zeek import CONN_LOG_FIELDS, read_zeek

FIELD = Path(__file__).parents[3] / "fixtures" / "field" / "netmon"
HEADER = "#separator \\x09\n#set_separator\t,\n#unset_field\t-\n#path\tconn\n"


def _row(**changed: str) -> str:
    values = dict.fromkeys(CONN_LOG_FIELDS, "-")
    values.update({"ts": "1764970000.5", "uid": "C1", "id.orig_h": "203.0.113.7"})
    values.update({"id.orig_p": "40000", "id.resp_h": "192.0.2.10", "id.resp_p": "22"})
    values.update({"proto": "tcp", "conn_state": "S0", "history": "S", "resp_pkts": "0"})
    values.update(changed)
    return "\t".join(values[name] for name in CONN_LOG_FIELDS) + "\n"


def test_zeek7_log_without_fields_line_and_unknown_transport_rows() -> None:
    log = FIELD / "zeek7-conn-no-fields-header.log"
    assert detect_format(log) is NetlogFormat.ZEEK
    report = ReadReport(log.name)
    events = list(read_zeek(log, report))
    assert [(str(e.source), str(e.target), e.port, e.protocol, e.outcome) for e in events] == [
        ("192.0.2.10", "198.51.100.20", 443, "tcp", Outcome.ESTABLISHED),
        ("192.0.2.11", "198.51.100.21", 53, "udp", Outcome.ESTABLISHED),
        ("203.0.113.7", "192.0.2.10", 22, "tcp", Outcome.UNANSWERED),
    ]
    # 6 header lines + #close, and the two unknown_transport rows: ignored, not bad
    assert (report.lines, report.events, report.ignored, report.bad) == (12, 3, 9, 0)
    assert report.problems == []


def test_real_conn_log_reads_the_same_without_its_fields_line(
    shared_data: Path, tmp_path: Path
) -> None:
    real = shared_data / "netmon" / "ctu-normal" / "008-zeek-mixed.conn.log"
    text = real.read_text(encoding="utf-8").splitlines(keepends=True)
    stripped = tmp_path / "conn.log"
    stripped.write_text(
        "".join(line for line in text if not line.startswith(("#fields", "#types"))),
        encoding="utf-8",
    )
    with_fields, without = ReadReport("a"), ReadReport("b")
    expected = list(read_zeek(real, with_fields))
    assert len(expected) > 5000
    assert list(read_zeek(stripped, without)) == expected
    assert (without.events, without.bad) == (with_fields.events, with_fields.bad)


def test_columns_that_are_not_the_default_are_still_refused(tmp_path: Path) -> None:
    log = tmp_path / "conn.log"
    log.write_text(HEADER + "1764970000.5\t203.0.113.7\t192.0.2.10\t22\ttcp\tS0\n")
    report = ReadReport(str(log))
    assert list(read_zeek(log, report)) == []
    assert report.bad == 1
    assert "6 columns are not the 21" in report.problems[0].reason
    other = tmp_path / "dns.log"
    other.write_text("#separator \\x09\n#path\tdns\n" + _row())
    report = ReadReport(str(other))
    assert list(read_zeek(other, report)) == []
    assert report.problems[0].reason == "a data line before the #fields header"


def test_bad_fields_are_named_in_words_not_python_errors(tmp_path: Path) -> None:
    log = tmp_path / "conn.log"
    log.write_text(
        HEADER
        + "#fields\t"
        + "\t".join(CONN_LOG_FIELDS)
        + "\n"
        + _row(ts="yesterday")  # 6
        + _row(**{"id.orig_h": "203.0.113.999"})  # 7
        + _row(**{"id.resp_h": "fileserver"})  # 8
        + _row(**{"id.resp_p": "ssh"})  # 9
        + _row(proto="sctp")  # 10
        + _row(proto="unknown_transport", conn_state="OTH")  # 11: ignored
        + json.dumps(
            {
                "ts": "soon",
                "id.orig_h": "203.0.113.7",
                "id.resp_h": "192.0.2.10",
                "id.resp_p": 22,
                "proto": "tcp",
                "conn_state": "S0",
            }
        )  # 12
        + "\n"
        + json.dumps(
            {
                "ts": 1764970000,
                "id.orig_h": "203.0.113.7",
                "id.resp_h": "192.0.2.10",
                "id.resp_p": [22],
                "proto": "tcp",
                "conn_state": "S0",
            }
        )  # 13
        + "\n"
        + json.dumps(
            {
                "ts": 1764970000,
                "id.orig_h": "203.0.113.7",
                "id.resp_h": "192.0.2.10",
                "id.resp_p": 0,
                "proto": "unknown_transport",
                "conn_state": "OTH",
            }
        )  # 14
        + "\n"
        + _row(),  # 15
        encoding="utf-8",
    )
    report = ReadReport(str(log))
    events = list(read_zeek(log, report))
    assert [e.source for e in events] == [ip_address("203.0.113.7")]
    assert {p.line: p.reason for p in report.problems} == {
        6: "ts 'yesterday' is not a time (Unix seconds or ISO 8601)",
        7: "id.orig_h '203.0.113.999' is not an IPv4 or IPv6 address",
        8: "id.resp_h 'fileserver' is not an IPv4 or IPv6 address",
        9: "id.resp_p 'ssh' is not a port number (0-65535)",
        10: "proto 'sctp' is not tcp, udp or icmp",
        12: "ts 'soon' is not a time (Unix seconds or ISO 8601)",
        13: "id.resp_p [22] is not a port number (0-65535)",
    }
    assert not any("Error" in p.reason for p in report.problems)
    assert (report.ignored, report.bad) == (5 + 2, 7)
