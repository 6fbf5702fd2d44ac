"""Windows Defender Firewall ``pfirewall.log`` (W3C extended log format).

The ``#Fields:`` header names the columns (normally ``date time action
protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin
icmptype icmpcode info path``); columns are found by name, so a header with
another order or extra columns still reads. ``-`` is empty. ``DROP`` is
BLOCKED and not accepted, ``ALLOW`` accepted with
:data:`~votetrail.formats.netmon.logs.common.PASSED_OUTCOME`; other actions
(``INFO-EVENTS-LOST``) and protocols other than TCP, UDP and ICMP are
ignored. ``src-ip`` is the initiator whatever the ``path`` (SEND/RECEIVE).
Times are local to the machine (``#Time Format: Local``): pass its ``zone``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from votetrail.core.netmon.events import ConnectionEvent, Outcome
from votetrail.formats.netmon.logs.common import (
    PASSED_OUTCOME,
    BadLine,
    ReadReport,
    drive,
    open_text,
    parse_ip,
    parse_port,
)

DEFAULT_FIELDS = [
    "date",
    "time",
    "action",
    "protocol",
    "src-ip",
    "dst-ip",
    "src-port",
    "dst-port",
    "size",
    "tcpflags",
    "tcpsyn",
    "tcpack",
    "tcpwin",
    "icmptype",
    "icmpcode",
    "info",
    "path",
]
_NEEDED = ("date", "time", "action", "protocol", "src-ip", "dst-ip", "dst-port")
_ACTIONS = {"DROP": True, "ALLOW": False}
_PROTOCOLS = {"TCP": "tcp", "UDP": "udp", "ICMP": "icmp", "ICMPV6": "icmp"}


def looks_like(line: str) -> bool:
    """Whether a line is a pfirewall.log header (for format detection)."""
    return line.startswith(("#Software: Microsoft Windows Firewall", "#Fields: date time action"))


def read_pfirewall(
    path: Path, report: ReadReport | None = None, *, zone: tzinfo = UTC
) -> Iterator[ConnectionEvent]:
    """Stream a pfirewall.log file's DROP and ALLOW lines."""
    report = report if report is not None else ReadReport(str(path))
    with open_text(path) as lines:
        yield from parse_pfirewall(lines, report, zone=zone)


def parse_pfirewall(
    lines: Iterable[str], report: ReadReport, *, zone: tzinfo = UTC
) -> Iterator[ConnectionEvent]:
    """Parse pfirewall.log lines; a missing ``#Fields:`` header means the default columns."""
    columns = {name: at for at, name in enumerate(DEFAULT_FIELDS)}
    width = len(DEFAULT_FIELDS)

    def parse(line: str) -> ConnectionEvent | None:
        nonlocal columns, width
        if not line.strip():
            return None
        if line.startswith("#"):
            if line.startswith("#Fields:"):
                names = line.split()[1:]
                missing = [name for name in _NEEDED if name not in names]
                if missing:
                    raise BadLine(f"#Fields lacks {', '.join(missing)}")
                columns, width = {name: at for at, name in enumerate(names)}, len(names)
            return None
        values = line.split()
        if len(values) != width:
            raise BadLine(f"{len(values)} fields where #Fields names {width}")
        return _event({name: values[at] for name, at in columns.items()}, zone)

    return drive(lines, report, parse)


def _event(row: dict[str, str], zone: tzinfo) -> ConnectionEvent | None:
    blocked = _ACTIONS.get(row["action"])
    protocol = _PROTOCOLS.get(row["protocol"].upper())
    if blocked is None or protocol is None:
        return None
    local = datetime.strptime(f"{row['date']} {row['time']}", "%Y-%m-%d %H:%M:%S")
    return ConnectionEvent(
        time=local.replace(tzinfo=zone).astimezone(UTC),
        source=parse_ip(row["src-ip"]),
        target=parse_ip(row["dst-ip"]),
        port=0 if protocol == "icmp" else parse_port(row["dst-port"]),
        protocol=protocol,
        outcome=Outcome.BLOCKED if blocked else PASSED_OUTCOME,
        accepted=not blocked,
    )
