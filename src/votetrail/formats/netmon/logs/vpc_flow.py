"""AWS VPC Flow Logs, version 2 default format (space-separated).

Fields, in order: ``version account-id interface-id srcaddr dstaddr srcport
dstport protocol packets bytes start end action log-status``. A record
aggregates one direction of one flow over a capture window, so it says who
sent to whom and whether the security group or network ACL let it in
(``ACCEPT``/``REJECT``), not whether the target answered: REJECT is BLOCKED,
ACCEPT is accepted with :data:`~votetrail.formats.netmon.logs.common.PASSED_OUTCOME`.
``srcaddr`` is the sender of this direction; a reply direction therefore also
becomes an event, which detectors see as traffic from the server's port.

The header line, ``NODATA``/``SKIPDATA`` records (no traffic, or records lost
to capacity) and protocols other than TCP (6), UDP (17) and ICMP (1, 58) are
ignored. ``start`` (Unix seconds) is the event time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from votetrail.core.netmon.events import ConnectionEvent, Outcome
from votetrail.formats.netmon.logs.common import (
    PASSED_OUTCOME,
    BadLine,
    ReadReport,
    drive,
    from_epoch,
    open_text,
    parse_ip,
    parse_port,
)

HEADER = "version account-id interface-id srcaddr dstaddr srcport dstport protocol"
_PROTOCOLS = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmp"}
_WIDTH = 14


def looks_like(line: str) -> bool:
    """Whether a line is a v2 flow record or the header (for format detection)."""
    parts = line.split()
    if line.startswith(HEADER):
        return True
    return len(parts) == _WIDTH and parts[0] == "2" and parts[2].startswith("eni-")


def read_vpc_flow(path: Path, report: ReadReport | None = None) -> Iterator[ConnectionEvent]:
    """Stream a flow log file's records (gzip allowed, as S3 delivers them)."""
    report = report if report is not None else ReadReport(str(path))
    with open_text(path) as lines:
        yield from parse_vpc_flow(lines, report)


def parse_vpc_flow(lines: Iterable[str], report: ReadReport) -> Iterator[ConnectionEvent]:
    """Parse flow log lines; see the module text for what is ignored."""
    return drive(lines, report, _record)


def _record(line: str) -> ConnectionEvent | None:
    if not line.strip() or line.startswith("version"):
        return None
    parts = line.split()
    if len(parts) != _WIDTH:
        raise BadLine(f"{len(parts)} fields where the v2 format has {_WIDTH}")
    status, action = parts[13], parts[12]
    if status in ("NODATA", "SKIPDATA"):
        return None
    if status != "OK":
        raise BadLine(f"log-status {status!r} is not OK, NODATA or SKIPDATA")
    protocol = _PROTOCOLS.get(parts[7])
    if protocol is None:
        return None
    if action not in ("ACCEPT", "REJECT"):
        raise BadLine(f"action {action!r} is not ACCEPT or REJECT")
    blocked = action == "REJECT"
    return ConnectionEvent(
        time=from_epoch(int(parts[10])),
        source=parse_ip(parts[3]),
        target=parse_ip(parts[4]),
        port=0 if protocol == "icmp" else parse_port(parts[6]),
        protocol=protocol,
        outcome=Outcome.BLOCKED if blocked else PASSED_OUTCOME,
        accepted=not blocked,
    )
