"""Zeek ``conn.log``, as TSV (Zeek's ASCII writer) or JSON lines.

Zeek already reduces packets to connections and names the originator
(``id.orig_h``): the host that sent the first packet, i.e. who tried. Its
``conn_state`` says what became of the attempt:

======================================  ===========  =========================================
``conn_state``                          outcome      Zeek's meaning
======================================  ===========  =========================================
``S0``                                  UNANSWERED   attempt seen, no reply
``REJ``                                 REJECTED     attempt rejected (RST to the SYN)
``S1`` ``SF`` ``S2`` ``S3`` ``RSTO``    ESTABLISHED  handshake done (then open, closed, aborted)
``RSTR``                                ESTABLISHED  responder reset after the handshake;
                                                     REJECTED when ``history`` has no ``h``
``RSTOS0`` ``SH``                       UNANSWERED   SYN then RST/FIN from originator, no SYN-ACK
``RSTRH`` ``SHR``                       REJECTED /   responder's SYN-ACK then RST / FIN, the
                                        ESTABLISHED  originator's SYN not seen
``OTH``                                 ESTABLISHED  mid-stream traffic, no SYN seen;
                                                     UNANSWERED when ``resp_pkts`` is 0
======================================  ===========  =========================================

UDP and ICMP "connections" use ``S0`` (one way only), ``SF`` (both ways) and
``OTH``. ``accepted`` is always True: Zeek sees traffic that was let through.
A missing state (``-``) counts as UNANSWERED if ``resp_pkts`` is 0, else
ESTABLISHED.

TSV files carry their layout in ``#separator``, ``#fields`` and ``#types``
headers (a later ``#fields`` line, as after log rotation in a concatenated
file, applies from there on); ``-`` is unset. JSON lines use the same field
names, with ``ts`` as epoch seconds or ISO 8601 text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

from votetrail.core.netmon.events import ConnectionEvent, Outcome
from votetrail.formats.netlogs.common import (
    IP_CACHE,
    LINE_ERRORS,
    BadLine,
    ReadReport,
    from_epoch,
    from_iso,
    open_text,
    parse_ip,
    parse_port,
    record_failure,
)

E, R, U = Outcome.ESTABLISHED, Outcome.REJECTED, Outcome.UNANSWERED
STATES: dict[str, Outcome] = {
    "S0": U,
    "REJ": R,
    "S1": E,
    "SF": E,
    "S2": E,
    "S3": E,
    "RSTO": E,
    "RSTR": E,
    "RSTOS0": U,
    "SH": U,
    "RSTRH": R,
    "SHR": E,
    "OTH": E,
}
_PROTOCOLS = frozenset({"tcp", "udp", "icmp"})
_NEEDED = ("ts", "id.orig_h", "id.resp_h", "id.resp_p", "proto", "conn_state")


def read_zeek(path: Path, report: ReadReport | None = None) -> Iterator[ConnectionEvent]:
    """Stream a conn.log file's connections (TSV or JSON lines, gzip allowed)."""
    report = report if report is not None else ReadReport(str(path))
    with open_text(path) as lines:
        yield from parse_zeek(lines, report)


def parse_zeek(lines: Iterable[str], report: ReadReport) -> Iterator[ConnectionEvent]:
    """Parse conn.log lines; each line decides for itself whether it is TSV, JSON or a header.

    TSV data lines, nearly all of a large log, take an inlined path (about a
    third of the time of the general one, see ``bench/bench_netlogs_parse.py``);
    headers and JSON go through :meth:`_ZeekLines.parse`.
    """
    zeek = _ZeekLines()
    cache = IP_CACHE
    number = report.lines
    for raw in lines:
        number += 1
        report.lines = number
        try:
            pick = zeek.pick
            if pick is None or raw[:1] in ("#", "{", "\n", "\r", ""):
                event = zeek.parse(raw.rstrip("\r\n"))
                if event is None:
                    report.ignored += 1
                    continue
            else:
                values = raw.rstrip("\r\n").split(zeek.separator)
                if len(values) != zeek.width:
                    raise BadLine(f"{len(values)} fields where #fields names {zeek.width}")
                ts, orig, resp, port_text, proto, state = pick(values)
                found = STATES.get(state)
                if found is None or state in ("RSTR", "OTH"):
                    hist_at, pkts_at = zeek.extra
                    found = outcome(
                        state,
                        values[hist_at] if hist_at is not None else "",
                        values[pkts_at] if pkts_at is not None else None,
                    )
                port = int(port_text)
                if port < 0 or port > 65535 or proto not in _PROTOCOLS:
                    raise BadLine(f"port {port_text!r} or protocol {proto!r} is out of range")
                source = cache.get(orig) or parse_ip(orig)
                target = cache.get(resp) or parse_ip(resp)
                event = ConnectionEvent(
                    datetime.fromtimestamp(float(ts), UTC), source, target, port, proto, found, True
                )
        except LINE_ERRORS as exc:
            record_failure(report, number, raw, exc)
            continue
        report.events += 1
        yield event


def outcome(state: str, history: str, resp_pkts: str | int | None) -> Outcome:
    """The outcome of one connection from its ``conn_state``, ``history`` and ``resp_pkts``."""
    found = STATES.get(state)
    silent = resp_pkts in (0, "0")
    if found is None:
        if state in ("", "-"):
            return U if silent else E
        raise BadLine(f"unknown conn_state {state!r}")
    if state == "RSTR" and history not in ("", "-") and "h" not in history:
        return R
    if state == "OTH" and silent:
        return U
    return found


class _ZeekLines:
    """The header state of one TSV stream: separator and the column of each needed field."""

    def __init__(self) -> None:
        self.separator = "\t"
        self.pick: Callable[[list[str]], tuple[str, ...]] | None = None
        self.extra: tuple[int | None, int | None] = (None, None)
        self.width = 0

    def parse(self, line: str) -> ConnectionEvent | None:
        if not line:
            return None
        first = line[0]
        if first == "#":
            self._header(line)
            return None
        if first == "{":
            return _json_event(line)
        if self.pick is None:
            raise BadLine("a data line before the #fields header")
        values = line.split(self.separator)
        if len(values) != self.width:
            raise BadLine(f"{len(values)} fields where #fields names {self.width}")
        ts, orig, resp, port, proto, state = self.pick(values)
        hist_at, pkts_at = self.extra
        history = values[hist_at] if hist_at is not None else ""
        resp_pkts = values[pkts_at] if pkts_at is not None else None
        return _event(float(ts), orig, resp, port, proto, state, history, resp_pkts)

    def _header(self, line: str) -> None:
        if line.startswith("#separator"):
            escaped = line.partition(" ")[2].strip()
            self.separator = escaped.encode().decode("unicode_escape") if escaped else "\t"
            return
        if not line.startswith("#fields"):
            return
        names = line.split(self.separator)[1:]
        missing = [name for name in _NEEDED if name not in names]
        if missing:
            self.pick = None
            raise BadLine(f"#fields lacks {', '.join(missing)}")
        self.pick = itemgetter(*(names.index(name) for name in _NEEDED))
        hist_at = names.index("history") if "history" in names else None
        pkts_at = names.index("resp_pkts") if "resp_pkts" in names else None
        self.extra = (hist_at, pkts_at)
        self.width = len(names)


def _json_event(line: str) -> ConnectionEvent:
    try:
        record: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadLine(f"not valid JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(record, dict):
        raise BadLine("a JSON line that is not an object")
    missing = [name for name in _NEEDED if name not in record]
    if missing:
        raise BadLine(f"no {', '.join(missing)} in the JSON record")
    ts = record["ts"]
    seconds = ts if isinstance(ts, int | float) else from_iso(str(ts)).timestamp()
    return _event(
        float(seconds),
        str(record["id.orig_h"]),
        str(record["id.resp_h"]),
        record["id.resp_p"],
        str(record["proto"]),
        str(record["conn_state"]),
        str(record.get("history") or ""),
        record.get("resp_pkts"),
    )


def _event(
    ts: float,
    orig: str,
    resp: str,
    port: str | int,
    proto: str,
    state: str,
    history: str,
    resp_pkts: str | int | None,
) -> ConnectionEvent:
    if proto not in _PROTOCOLS:
        raise BadLine(f"protocol {proto!r} is not tcp, udp or icmp")
    return ConnectionEvent(
        time=from_epoch(ts),
        source=parse_ip(orig),
        target=parse_ip(resp),
        port=parse_port(port),
        protocol=proto,
        outcome=outcome(state, history, resp_pkts),
        accepted=True,
    )
