"""Linux kernel firewall log lines: iptables, nftables and ufw ``LOG`` rules.

The kernel writes one line per logged packet, e.g.::

    Nov 29 12:00:01 host kernel: [12.345] [UFW BLOCK] IN=eth0 OUT= MAC=... SRC=1.2.3.4
        DST=5.6.7.8 LEN=60 ... PROTO=TCP SPT=40000 DPT=22 WINDOW=... RES=0x00 SYN URGP=0

It reaches us through syslog (BSD stamps without a year, or RFC 3339 stamps
from rsyslog; either may start with a ``<PRI>`` field as sent over the
network, and BSD lines may lack the host name), RFC 5424 syslog
(``<4>1 2026-12-06T... host kernel - - - message``), or as ``journalctl -o
json`` lines (``MESSAGE`` and ``__REALTIME_TIMESTAMP`` in microseconds).
Each line is judged alone, since
these files mix the firewall with every other program: a line without
``IN=``/``OUT=`` (which the kernel's LOG target always writes) or
``SRC=``/``DST=`` is ignored; one with them that cannot be read is bad, so a
firewall line cut short still shows up as a problem.

The packet's verdict is not in the line, only in the prefix the rule's
author chose, so :class:`~votetrail.formats.netmon.logs.iptables_prefixes.Prefixes`
decides (words such as BLOCK or ACCEPT, EdgeOS/VyOS rule labels such as
``[WAN_IN-default-D]``, what a line with no prefix means; see that module).
Blocked lines are BLOCKED and not accepted; allowed ones are accepted with
the firewall outcome of
:data:`~votetrail.formats.netmon.logs.common.PASSED_OUTCOME`.

Only new attempts count: a TCP packet with SYN and without ACK, any UDP
packet, an ICMP echo request (port 0). Other TCP packets (stray ACKs, resets
of expired connections) and other ICMP types are ignored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from votetrail.core.netmon.events import ConnectionEvent, Outcome
from votetrail.formats.netmon.logs.common import (
    PASSED_OUTCOME,
    BadLine,
    IPAddress,
    ReadReport,
    SyslogClock,
    drive,
    from_iso,
    open_text,
    parse_ip,
    parse_port,
)
from votetrail.formats.netmon.logs.iptables_prefixes import DEFAULT_PREFIXES, Prefixes

__all__ = ["Prefixes", "kernel_message", "looks_like", "parse_iptables", "read_iptables"]

_PRI = re.compile(r"<\d{1,3}>")
_RFC5424 = re.compile(
    r"<\d{1,3}>1 (\S+) \S+ \S+ \S+ \S+ (?:-|(?:\[(?:[^\]\"]|\"(?:[^\"\\]|\\.)*\")*\])+) ?(.*)"
)
_BSD = re.compile(r"([A-Z][a-z]{2}) +(\d{1,2}) (\d\d:\d\d:\d\d(?:\.\d+)?) (\S+) (.*)")
_ISO = re.compile(r"(\d{4}-\d\d-\d\dT\S+) \S+ (.*)")
_KEY = re.compile(r"\b([A-Z]+)=(\S*)")
_UPTIME = re.compile(r"^\[\s*\d+\.\d+\]\s*")
_PROTOCOLS = {"TCP": "tcp", "UDP": "udp", "ICMP": "icmp", "ICMPV6": "icmp"}


def looks_like(line: str) -> bool:
    """Whether a line is a kernel firewall message (for format detection)."""
    return ("IN=" in line and "OUT=" in line) or ("SRC=" in line and "DST=" in line)


def read_iptables(
    path: Path,
    report: ReadReport | None = None,
    *,
    year: int | None = None,
    zone: tzinfo = UTC,
    prefixes: Prefixes = DEFAULT_PREFIXES,
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
    prefixes: Prefixes = DEFAULT_PREFIXES,
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
    stamp = record.get("__REALTIME_TIMESTAMP")
    if not isinstance(stamp, str | int) or not str(stamp).isdigit():
        raise BadLine(f"__REALTIME_TIMESTAMP {stamp!r} is not microseconds since 1970")
    micros = int(stamp)
    return datetime.fromtimestamp(micros / 1_000_000, UTC), str(message)


def _stamp(line: str, clock: SyslogClock) -> tuple[datetime, str]:
    """The time and the message of a syslog line.

    A BSD line's word after the time is its host, unless it ends in ``:``:
    then the host was left out and the word is the tag or the log prefix
    (``Jan  8 03:37:09 DENY: IN=...``), so it stays in the message.
    """
    rfc5424 = _RFC5424.match(line)
    if rfc5424:
        if rfc5424[1] == "-":
            raise BadLine("the RFC 5424 syslog line has no time stamp ('-')")
        return from_iso(rfc5424[1]), rfc5424[2].lstrip("\ufeff")
    pri = _PRI.match(line)
    if pri:
        line = line[pri.end() :]
    bsd = _BSD.match(line)
    if bsd:
        host, message = bsd[4], bsd[5]
        return clock(bsd[1], bsd[2], bsd[3]), f"{host} {message}" if host.endswith(":") else message
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
    packet = body[start:]
    quoted = packet.find("[")  # an ICMP error quotes the offending packet: [SRC=... DST=...]
    if quoted >= 0:
        packet = packet[:quoted]
    fields = dict(_KEY.findall(packet))
    words = set(packet.split())
    for name in ("SRC", "DST", "PROTO"):
        if not fields.get(name):
            raise BadLine(f"no {name}= in the firewall message")
    protocol = _PROTOCOLS.get(fields["PROTO"].upper())
    if protocol is None:
        return None
    if protocol == "tcp":
        if "SYN" not in words or "ACK" in words:
            return None
        port = _port(fields)
    elif protocol == "udp":
        port = _port(fields)
    else:
        if fields.get("TYPE") not in ("8", "128"):
            return None
        port = 0
    return ConnectionEvent(
        time=time,
        source=_address(fields, "SRC"),
        target=_address(fields, "DST"),
        port=port,
        protocol=protocol,
        outcome=Outcome.BLOCKED if blocked else PASSED_OUTCOME,
        accepted=not blocked,
    )


def _port(fields: dict[str, str]) -> int:
    value = fields.get("DPT")
    if not value:
        raise BadLine("no DPT= in the firewall message")
    if not value.isdigit():
        raise BadLine(f"DPT={value} is not a port number (0-65535)")
    return parse_port(value)


def _address(fields: dict[str, str], name: str) -> IPAddress:
    try:
        return parse_ip(fields[name])
    except ValueError:
        raise BadLine(f"{name}={fields[name]} is not an IPv4 or IPv6 address") from None
