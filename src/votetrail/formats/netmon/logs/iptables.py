"""Linux kernel firewall log lines: iptables, nftables and ufw ``LOG`` rules.

The kernel writes one line per logged packet, e.g.::

    Nov 29 12:00:01 host kernel: [12.345] [UFW BLOCK] IN=eth0 OUT= MAC=... SRC=1.2.3.4
        DST=5.6.7.8 LEN=60 ... PROTO=TCP SPT=40000 DPT=22 WINDOW=... RES=0x00 SYN URGP=0

It reaches us through syslog (BSD stamps without a year, or RFC 3339 stamps
from rsyslog) or as ``journalctl -o json`` lines (``MESSAGE`` and
``__REALTIME_TIMESTAMP`` in microseconds). Each line is judged alone, since
these files mix the firewall with every other program: a line without
``IN=``/``OUT=`` (which the kernel's LOG target always writes) or
``SRC=``/``DST=`` is ignored; one with them that cannot be read is bad, so a
firewall line cut short still shows up as a problem.

The packet's verdict is not in the line, only in the prefix the rule's
author chose, so :class:`Prefixes` decides: a prefix containing a blocked
word (BLOCK, DROP, REJECT, DENY) is BLOCKED and not accepted; an allowed word
(ALLOW, ACCEPT, PASS) is accepted with the firewall outcome of
:data:`~votetrail.formats.netmon.logs.common.PASSED_OUTCOME`; ``[UFW AUDIT]``
lines repeat what another line says and are ignored; any other prefix is a
bad line naming it, so that a site configures its own prefixes rather than
have votetrail guess. Matching ignores case.

Only new attempts count: a TCP packet with SYN and without ACK, any UDP
packet, an ICMP echo request (port 0). Other TCP packets (stray ACKs, resets
of expired connections) and other ICMP types are ignored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

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

_BSD = re.compile(r"([A-Z][a-z]{2}) +(\d{1,2}) (\d\d:\d\d:\d\d(?:\.\d+)?) \S+ (.*)")
_ISO = re.compile(r"(\d{4}-\d\d-\d\dT\S+) \S+ (.*)")
_KEY = re.compile(r"\b([A-Z]+)=(\S*)")
_UPTIME = re.compile(r"^\[\s*\d+\.\d+\]\s*")
_PROTOCOLS = {"TCP": "tcp", "UDP": "udp", "ICMP": "icmp", "ICMPV6": "icmp"}


@dataclass(frozen=True, slots=True)
class Prefixes:
    """Words in a log prefix that say what the rule did with the packet."""

    blocked: tuple[str, ...] = ("BLOCK", "DROP", "REJECT", "DENY")
    allowed: tuple[str, ...] = ("ALLOW", "ACCEPT", "PASS")
    ignored: tuple[str, ...] = ("AUDIT",)

    def verdict(self, prefix: str) -> bool | None:
        """True if blocked, False if allowed, None if the line is to be ignored."""
        upper = prefix.upper()
        if any(word in upper for word in self.ignored):
            return None
        if any(word in upper for word in self.blocked):
            return True
        if any(word in upper for word in self.allowed):
            return False
        raise BadLine(f"log prefix {prefix.strip()!r} says neither blocked nor allowed")


def looks_like(line: str) -> bool:
    """Whether a line is a kernel firewall message (for format detection)."""
    return ("IN=" in line and "OUT=" in line) or ("SRC=" in line and "DST=" in line)


def read_iptables(
    path: Path,
    report: ReadReport | None = None,
    *,
    year: int | None = None,
    zone: tzinfo = UTC,
    prefixes: Prefixes = Prefixes(),
) -> Iterator[ConnectionEvent]:
    """Stream a syslog or journald file's firewall lines; ``year``/``zone`` complete BSD stamps."""
    report = report if report is not None else ReadReport(str(path))
    with open_text(path) as lines:
        yield from parse_iptables(lines, report, year=year, zone=zone, prefixes=prefixes)


def parse_iptables(
    lines: Iterable[str],
    report: ReadReport,
    *,
    year: int | None = None,
    zone: tzinfo = UTC,
    prefixes: Prefixes = Prefixes(),
) -> Iterator[ConnectionEvent]:
    """Parse log lines; see the module text for what counts as ours, ignored or bad."""
    clock = SyslogClock(year, zone)

    def parse(line: str) -> ConnectionEvent | None:
        if line.startswith("{"):
            entry = _journald(line)
            if entry is None:
                return None
            time, message = entry
        elif looks_like(line):
            time, message = _stamp(line, clock)
        else:
            return None
        return kernel_message(message, time, prefixes)

    return drive(lines, report, parse)


def _journald(line: str) -> tuple[datetime, str] | None:
    """Time and message of a ``journalctl -o json`` firewall line, None for other messages.

    journald writes a MESSAGE that is not valid UTF-8 as a list of byte values.
    """
    record: Any = json.loads(line)
    if not isinstance(record, dict):
        raise BadLine("a JSON line that is not an object")
    message = record.get("MESSAGE", "")
    if isinstance(message, list):
        message = bytes(message).decode("utf-8", "replace")
    if not looks_like(str(message)):
        return None
    micros = int(record["__REALTIME_TIMESTAMP"])
    return datetime.fromtimestamp(micros / 1_000_000, UTC), str(message)


def _stamp(line: str, clock: SyslogClock) -> tuple[datetime, str]:
    """The time and the message of a syslog line."""
    bsd = _BSD.match(line)
    if bsd:
        return clock(bsd[1], bsd[2], bsd[3]), bsd[4]
    iso = _ISO.match(line)
    if iso:
        return from_iso(iso[1]), iso[2]
    raise BadLine("no syslog time stamp at the start of the line")


def kernel_message(message: str, time: datetime, prefixes: Prefixes) -> ConnectionEvent | None:
    """One kernel firewall message (without the syslog header) as an attempt, or None."""
    _, _, body = message.partition("kernel:") if "kernel:" in message else ("", "", message)
    body = _UPTIME.sub("", body.lstrip())
    start = body.find("IN=")
    if start < 0:
        start = body.find("SRC=")
    blocked = prefixes.verdict(body[:start])
    if blocked is None:
        return None
    fields = dict(_KEY.findall(body[start:]))
    words = set(body[start:].split())
    for name in ("SRC", "DST", "PROTO"):
        if not fields.get(name):
            raise BadLine(f"no {name}= in the firewall message")
    protocol = _PROTOCOLS.get(fields["PROTO"].upper())
    if protocol is None:
        return None
    if protocol == "tcp":
        if "SYN" not in words or "ACK" in words:
            return None
        port = parse_port(_required(fields, "DPT"))
    elif protocol == "udp":
        port = parse_port(_required(fields, "DPT"))
    else:
        if fields.get("TYPE") not in ("8", "128"):
            return None
        port = 0
    return ConnectionEvent(
        time=time,
        source=parse_ip(fields["SRC"]),
        target=parse_ip(fields["DST"]),
        port=port,
        protocol=protocol,
        outcome=Outcome.BLOCKED if blocked else PASSED_OUTCOME,
        accepted=not blocked,
    )


def _required(fields: dict[str, str], name: str) -> str:
    value = fields.get(name)
    if not value:
        raise BadLine(f"no {name}= in the firewall message")
    return value
