"""pfSense and OPNsense ``filterlog``: the packet filter's CSV lines inside syslog.

The CSV follows the documented order (pfSense "Filter Log Format"):
rule number, sub-rule, anchor, tracker, interface, reason, action, direction,
IP version; for IPv4 then TOS, ECN, TTL, id, offset, flags, protocol id,
protocol name, length, source, destination; for IPv6 class, flow label, hop
limit, protocol name, protocol id, length, source, destination; then for TCP
and UDP source port, destination port, data length, and for TCP the flags.

``block`` and ``reject`` are BLOCKED and not accepted; ``pass`` is accepted
with :data:`~votetrail.formats.netmon.logs.common.PASSED_OUTCOME` (pf logs the
packet that creates the state, not the answer). A TCP packet counts only with
SYN and without ACK (flags ``S``); other TCP packets, protocols other than TCP
and UDP, and lines of other programs are ignored. The syslog stamp is BSD
(``Nov 29 12:00:01``, completed by ``year`` and ``zone``) or RFC 5424.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from votetrail.core.netmon.events import ConnectionEvent, Outcome
from votetrail.formats.netmon.logs.common import (
    PASSED_OUTCOME,
    BadLine,
    ReadReport,
    SyslogClock,
    drive,
    from_iso,
    open_text,
    parse_ip,
    parse_port,
)

_LINE = re.compile(
    r"(?:<\d+>)?(?:1 )?(?:(?P<iso>\d{4}-\d\d-\d\dT\S+)|(?P<mon>[A-Z][a-z]{2}) +(?P<day>\d{1,2}) "
    r"(?P<clock>\d\d:\d\d:\d\d(?:\.\d+)?)) .*?filterlog(?:\[\d+\]:|:| \d+ - (?:-|\[[^\]]*\]))\s*"
    r"(?P<csv>.*)"
)
_ACTIONS = {"pass": False, "block": True, "reject": True}
# Offsets of protocol name, source, destination and the first port, by IP version.
_LAYOUT = {"4": (16, 18, 19, 20), "6": (12, 15, 16, 17)}


def looks_like(line: str) -> bool:
    """Whether a line is a filterlog message (for format detection)."""
    return "filterlog" in line and "," in line


def read_filterlog(
    path: Path, report: ReadReport | None = None, *, year: int | None = None, zone: tzinfo = UTC
) -> Iterator[ConnectionEvent]:
    """Stream a syslog file's filterlog lines."""
    report = report if report is not None else ReadReport(str(path))
    with open_text(path) as lines:
        yield from parse_filterlog(lines, report, year=year, zone=zone)


def parse_filterlog(
    lines: Iterable[str], report: ReadReport, *, year: int | None = None, zone: tzinfo = UTC
) -> Iterator[ConnectionEvent]:
    """Parse syslog lines; lines of other programs are ignored."""
    clock = SyslogClock(year, zone)

    def parse(line: str) -> ConnectionEvent | None:
        if "filterlog" not in line:
            return None
        found = _LINE.match(line)
        if found is None:
            raise BadLine("a filterlog line without a syslog time stamp")
        iso = found["iso"]
        time = from_iso(iso) if iso else clock(found["mon"], found["day"], found["clock"])
        return _csv(found["csv"].split(","), time)

    return drive(lines, report, parse)


def _csv(fields: list[str], time: datetime) -> ConnectionEvent | None:
    if len(fields) < 9:
        raise BadLine(f"{len(fields)} CSV fields, too few for a filterlog record")
    blocked = _ACTIONS.get(fields[6])
    if blocked is None:
        raise BadLine(f"action {fields[6]!r} is not pass, block or reject")
    layout = _LAYOUT.get(fields[8])
    if layout is None:
        raise BadLine(f"IP version {fields[8]!r} is not 4 or 6")
    proto_at, src_at, dst_at, ports_at = layout
    if len(fields) <= dst_at:
        raise BadLine(f"{len(fields)} CSV fields, too few for an IPv{fields[8]} record")
    protocol = fields[proto_at].lower()
    if protocol not in ("tcp", "udp"):
        return None
    if len(fields) <= ports_at + (3 if protocol == "tcp" else 1):
        raise BadLine(f"{len(fields)} CSV fields, too few for a {protocol} record")
    if protocol == "tcp":
        flags = fields[ports_at + 3]
        if "S" not in flags or "A" in flags:
            return None
    return ConnectionEvent(
        time=time,
        source=parse_ip(fields[src_at]),
        target=parse_ip(fields[dst_at]),
        port=parse_port(fields[ports_at + 1]),
        protocol=protocol,
        outcome=Outcome.BLOCKED if blocked else PASSED_OUTCOME,
        accepted=not blocked,
    )
