"""Suricata ``eve.json``: flow and alert records.

Suricata writes one JSON object a line; ``event_type`` says what it is.

* ``flow``: one record per flow when it ends or times out. ``src_ip`` is the
  client, the side whose packet opened the flow, so it is the initiator.
  The outcome comes from what the server sent: TCP flags to the client
  (``tcp.tcp_flags_tc``, hex) with SYN and ACK are ESTABLISHED, with RST
  REJECTED; no packets to the client (``flow.pkts_toclient`` 0) is
  UNANSWERED; other packets back are ESTABLISHED. ``flow.action`` "drop"
  (IPS mode) is BLOCKED. The time is ``flow.start``.
* ``alert``: ``alert.action`` "blocked" (IPS mode dropped it) is BLOCKED and
  not accepted. An "allowed" alert is ignored: the same connection's flow
  record reports it, and counting both would double the attempt.

Other event types (dns, http, tls, stats, ...) and protocols other than TCP,
UDP and ICMP are ignored. A line that is not JSON, or a flow or alert lacking
addresses, is bad.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from votetrail.core.netmon.events import ConnectionEvent, Outcome
from votetrail.formats.netmon.logs.common import (
    BadLine,
    ReadReport,
    drive,
    from_iso,
    open_text,
    parse_ip,
    parse_port,
)

_PROTOCOLS = {"TCP": "tcp", "UDP": "udp", "ICMP": "icmp", "IPV6-ICMP": "icmp"}
_SYN_ACK, _RST = 0x12, 0x04


def looks_like(line: str) -> bool:
    """Whether a line is an eve.json record (for format detection)."""
    return line.startswith("{") and '"event_type"' in line


def read_suricata(path: Path, report: ReadReport | None = None) -> Iterator[ConnectionEvent]:
    """Stream an eve.json file's flow and blocked-alert records."""
    report = report if report is not None else ReadReport(str(path))
    with open_text(path) as lines:
        yield from parse_suricata(lines, report)


def parse_suricata(lines: Iterable[str], report: ReadReport) -> Iterator[ConnectionEvent]:
    """Parse eve.json lines; see the module text for what counts."""
    return drive(lines, report, _record)


def _record(line: str) -> ConnectionEvent | None:
    if not line.strip():
        return None
    try:
        record: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadLine(f"not valid JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(record, dict):
        raise BadLine("a JSON line that is not an object")
    kind = record.get("event_type")
    if kind not in ("flow", "alert"):
        return None
    protocol = _PROTOCOLS.get(str(record.get("proto", "")).upper())
    if protocol is None:
        return None
    if kind == "alert":
        if _object(record, "alert").get("action") != "blocked":
            return None
        return _event(record, protocol, record["timestamp"], Outcome.BLOCKED)
    flow = _object(record, "flow")
    return _event(record, protocol, flow.get("start") or record["timestamp"], _flow_outcome(record))


def _object(record: dict[str, Any], name: str, default: dict[str, Any] | None = None) -> Any:
    """``record[name]``, which must be a JSON object (fuzzing found a string there crashing)."""
    value = record[name] if default is None else record.get(name, default)
    if not isinstance(value, dict):
        raise BadLine(f"field {name!r} is not a JSON object")
    return value


def _flow_outcome(record: dict[str, Any]) -> Outcome:
    flow = _object(record, "flow")
    if flow.get("action") == "drop":
        return Outcome.BLOCKED
    to_client = int(flow.get("pkts_toclient", 0))
    tc = _object(record, "tcp", {}).get("tcp_flags_tc")
    if tc is not None:
        flags = int(str(tc), 16)
        if flags & _SYN_ACK == _SYN_ACK:
            return Outcome.ESTABLISHED
        if flags & _RST:
            return Outcome.REJECTED
    return Outcome.ESTABLISHED if to_client > 0 else Outcome.UNANSWERED


def _event(record: dict[str, Any], protocol: str, time: str, outcome: Outcome) -> ConnectionEvent:
    for name in ("src_ip", "dest_ip"):
        if not record.get(name):
            raise BadLine(f"no {name} in the {record['event_type']} record")
    port = 0 if protocol == "icmp" else parse_port(record["dest_port"])
    return ConnectionEvent(
        time=from_iso(str(time)),
        source=parse_ip(str(record["src_ip"])),
        target=parse_ip(str(record["dest_ip"])),
        port=port,
        protocol=protocol,
        outcome=outcome,
        accepted=outcome is not Outcome.BLOCKED,
    )
