"""Fan-out counts attempts that got no answer, read from a Zeek conn.log.

The layout is Zeek's ASCII conn.log with its ``#fields`` header and default
21 columns, as in stratosphereips/security-datasets-for-testing
``008-zeek-mixed/data/conn.log.labeled`` (commit 1c90a369, copied to
``../shared/data/netmon/ctu-normal``). The rows are our own: one internal
client reaching 40 servers on tcp/443 within 15 minutes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from votetrail.core.netmon.detector import Detector
from votetrail.core.netmon.incidents import IncidentKind
from votetrail.formats.netmon.logs.common import ReadReport
from votetrail.formats.netmon.logs.detect import read_netlog
from votetrail.formats.netmon.logs.zeek import CONN_LOG_FIELDS, iter_zeek_keys

CLIENT = "10.20.1.15"


def _conn_log(path: Path, states: tuple[tuple[str, str, str], ...]) -> Path:
    """40 connections from CLIENT, 20 seconds apart, to 40 servers on 443, cycling ``states``."""
    lines = ["#separator \\x09", "#path\tconn", "#fields\t" + "\t".join(CONN_LOG_FIELDS)]
    for i in range(40):
        state, history, resp_pkts = states[i % len(states)]
        values = [f"{1_764_950_400 + 20 * i}.25", f"C{i:04d}", CLIENT, str(50_000 + i)]
        values += [f"192.0.2.{i + 10}", "443", "tcp", "ssl", "1.2", "600", "4000", state]
        values += ["T", "F", "0", history, "8", "900", resp_pkts, "4500", "-"]
        lines.append("\t".join(values))
    path.write_text("\n".join(lines) + "\n#close\t2025-12-05-16-00-00\n", encoding="utf-8")
    return path


def test_a_client_completing_40_https_connections_is_a_client(tmp_path: Path) -> None:
    log = _conn_log(tmp_path / "conn.log", (("SF", "ShADadFf", "7"),))
    detector = Detector()
    detector.feed_many(read_netlog(log))
    assert detector.incidents() == []


@pytest.mark.parametrize(
    "states",
    [
        (("S0", "S", "0"),),
        (("REJ", "Sr", "1"),),
        (("S0", "S", "0"), ("REJ", "Sr", "1"), ("RSTOS0", "SR", "0"), ("OTH", "F", "0")),
    ],
    ids=["S0", "REJ", "mixed"],
)
def test_the_same_attempts_unanswered_are_a_horizontal_scan(
    tmp_path: Path, states: tuple[tuple[str, str, str], ...]
) -> None:
    log = _conn_log(tmp_path / "conn.log", states)
    detector = Detector()
    detector.feed_many(read_netlog(log))
    [incident] = detector.incidents()
    assert incident.kind is IncidentKind.HORIZONTAL
    assert incident.sources == (CLIENT,)
    assert incident.ports == (443,)
    assert len(incident.targets) == 40


@pytest.mark.parametrize("history", ["DFa", "HdDaAfR", "DdAaFf", "HadADF", "Da"])
def test_a_connection_s_end_seen_mid_stream_is_no_attempt(tmp_path: Path, history: str) -> None:
    """A server's side of the office's own connection, joined late by Zeek and named backwards."""
    log = _conn_log(tmp_path / "conn.log", (("SH", history, "4"), ("OTH", history, "0")))
    report = ReadReport(str(log))
    assert list(read_netlog(log, report)) == []
    assert (report.events, report.ignored) == (0, 44)  # 40 ends, 3 header lines and #close
    keys = ReadReport(str(log))
    assert list(iter_zeek_keys(log.read_text(encoding="utf-8").splitlines(), keys)) == []


@pytest.mark.parametrize("history", ["F", "Fr", "A", "R", "FPU"])
def test_syn_less_probes_without_data_are_still_attempts(tmp_path: Path, history: str) -> None:
    """nmap's FIN, ACK, NULL and Xmas scans send no SYN and no data: a horizontal scan."""
    log = _conn_log(tmp_path / "conn.log", (("OTH", history, "0"),))
    detector = Detector()
    detector.feed_many(read_netlog(log))
    [incident] = detector.incidents()
    assert incident.kind is IncidentKind.HORIZONTAL
