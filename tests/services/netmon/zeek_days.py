"""Small Zeek conn.logs of an office's desktop, written per test, for the day counts.

The layout is the CTU-Normal captures' real conn.log (Stratosphere Laboratory,
``stratosphereips/security-datasets-for-testing`` at 1c90a369, ``008-zeek-mixed/
data/conn.log.labeled``; here ``../shared/data/netmon/ctu-normal/008-zeek-mixed.conn.log``):
Zeek's TSV header with ``#fields`` and ``#types``, one connection a line. The
addresses and times are our own: the office is 192.0.2.0/24 and
2001:db8:ffff::/48 (``HOME``), its desktop 192.0.2.10.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

HOME = ("192.0.2.0/24", "2001:db8:ffff::/48")
DESKTOP = "192.0.2.10"
DAY1 = datetime(2026, 11, 2, tzinfo=UTC)
DAY2 = DAY1 + timedelta(days=1)
HEADER = (
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n"
    "#open\t2026-11-02-00-00-07\n"
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\t"
    "orig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\t"
    "orig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n"
    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\t"
    "string\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n"
)
# conn_state, history, resp_pkts of each kind of attempt
KINDS = {
    "unanswered": ("S0", "S", "0"),
    "refused": ("REJ", "Sr", "1"),
    "answered": ("SF", "ShADadFf", "6"),
}
Row = tuple[datetime, str, str, int, str]
"""(time, source, target, port, kind)"""


def line(moment: datetime, source: str, target: str, port: int, kind: str) -> str:
    state, history, resp_pkts = KINDS[kind]
    values = [
        f"{moment.timestamp():.6f}",
        f"C{int(moment.timestamp()) % 10**9:09d}{port:05d}",
        source,
        "51000",
        target,
        str(port),
        "tcp",
        "-",
        "0.000010",
        "0",
        "0",
        state,
        "F",
        "T",
        "0",
        history,
        "2",
        "80",
        resp_pkts,
        "0",
        "(empty)",
    ]
    return "\t".join(values) + "\n"


def conn_log(path: Path, rows: list[Row]) -> Path:
    path.write_text(HEADER + "".join(line(*row) for row in rows))
    return path


def at(day: datetime, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return day + timedelta(hours=hour, minutes=minute, seconds=second)


def first_day(folder: Path) -> Path:
    """Day 1: three sources probe the desktop, one is answered on 8080; a visit and our own
    browsing are not counted.

    Counted: 203.0.113.7 (22, 23 unanswered, 3389 refused), 198.51.100.9 (445),
    203.0.113.8 (8080, answered: a port that should be closed). Not counted:
    203.0.113.9's visit to 443 (answered, public) and the desktop's browsing.
    """
    return conn_log(
        folder / "day1.conn.log",
        [
            (at(DAY1, 1), "203.0.113.7", DESKTOP, 22, "unanswered"),
            (at(DAY1, 1, 5), "203.0.113.7", DESKTOP, 23, "unanswered"),
            (at(DAY1, 9), "203.0.113.7", DESKTOP, 3389, "refused"),
            (at(DAY1, 10), "198.51.100.9", "192.0.2.11", 445, "unanswered"),
            (at(DAY1, 11), "203.0.113.8", DESKTOP, 8080, "answered"),
            (at(DAY1, 12), "203.0.113.9", DESKTOP, 443, "answered"),
            (at(DAY1, 13), DESKTOP, "93.184.216.34", 443, "answered"),
        ],
    )


def second_day(folder: Path, scan_ports: int = 30) -> Path:
    """Day 2: 203.0.113.7 comes back and sweeps ``scan_ports`` ports in a minute; an IPv6
    source probes the office's IPv6 network once."""
    rows: list[Row] = [
        (at(DAY2, 3, 0, n), "203.0.113.7", DESKTOP, 1000 + n, "unanswered")
        for n in range(scan_ports)
    ]
    rows.append((at(DAY2, 4), "2001:db8:1::5", "2001:db8:ffff::10", 22, "unanswered"))
    return conn_log(folder / "day2.conn.log", rows)
