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

A TCP connection whose originator sent no SYN but did send data or a SYN-ACK
(``history`` without ``S``, with ``D`` or ``H``) is not an attempt at all: Zeek
joined it mid-stream (a capture that started late, a long connection past
Zeek's inactivity timeout) and named as originator the side it saw first, so
the "source" is usually a server answering the office's own client (on the
CTU-Normal captures, 1.1.1.2 port 853 ending a desktop's DNS-over-TLS
connections: 63 lines that otherwise look like a slow scan of the desktop).
Such lines are ignored (:func:`mid_stream`). A SYN-less probe *without* data
(nmap's FIN, NULL, Xmas and ACK scans: ``F``, ``A``, ``R`` …) is still an attempt.

UDP and ICMP "connections" use ``S0`` (one way only), ``SF`` (both ways) and
``OTH``. ``accepted`` is always True: Zeek sees traffic that was let through.
A missing state (``-``) counts as UNANSWERED if ``resp_pkts`` is 0, else
ESTABLISHED.

TSV files carry their layout in ``#separator``, ``#fields`` and ``#types``
headers (a later ``#fields`` line, as after log rotation in a concatenated
file, applies from there on); ``-`` is unset. A header without ``#fields``
is taken to mean Zeek's default 21 conn.log columns (:data:`CONN_LOG_FIELDS`,
plus ``ip_proto`` as a 22nd in Zeek 7) when the data lines have that many. Rows whose ``proto`` is
``unknown_transport`` (neither TCP, UDP nor ICMP) are ignored, and a bad line's
problem names the field, its value and what was expected. JSON lines use the same field
names, with ``ts`` as epoch seconds or ISO 8601 text.

One parser (:func:`_scan`) has two outputs: :func:`parse_zeek` yields
``ConnectionEvent`` objects, :func:`iter_zeek_keys` the integer arguments of
:meth:`Detector.observe` for bulk detection (:func:`detect_zeek_file`), which
skips the per-line objects that dominate the event path's cost. Both see the
same lines as events, ignored or bad, with the same reasons.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any, cast

from votetrail.core.netmon.detector import Detector, address_key
from votetrail.core.netmon.events import ConnectionEvent, Outcome
from votetrail.formats.netmon.logs.common import (
    IP_CACHE,
    IP_CACHE_LIMIT,
    LINE_ERRORS,
    BadLine,
    IPAddress,
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
CONN_LOG_FIELDS = (
    "ts",
    "uid",
    "id.orig_h",
    "id.orig_p",
    "id.resp_h",
    "id.resp_p",
    "proto",
    "service",
    "duration",
    "orig_bytes",
    "resp_bytes",
    "conn_state",
    "local_orig",
    "local_resp",
    "missed_bytes",
    "history",
    "orig_pkts",
    "orig_ip_bytes",
    "resp_pkts",
    "resp_ip_bytes",
    "tunnel_parents",
)
"""The columns of Zeek's default conn.log, in order (for writing test and bench files)."""
CONN_LOG_TYPES = (
    "time",
    "string",
    "addr",
    "port",
    "addr",
    "port",
    "enum",
    "string",
    "interval",
    "count",
    "count",
    "string",
    "bool",
    "bool",
    "count",
    "string",
    "count",
    "count",
    "count",
    "count",
    "set[string]",
)
_HISTORY_AT = CONN_LOG_FIELDS.index("history")
_RESP_PKTS_AT = CONN_LOG_FIELDS.index("resp_pkts")
_PROTOCOLS = frozenset({"tcp", "udp", "icmp"})
UNKNOWN_TRANSPORT = "unknown_transport"
"""Zeek's ``proto`` for IP packets of another protocol (GRE, ESP, SCTP...): no port, no
attempt to judge, so such rows are ignored rather than bad."""
_NEEDED = ("ts", "id.orig_h", "id.resp_h", "id.resp_p", "proto", "conn_state")

_SPECIAL = frozenset({"#", "{", "\n", "\r", ""})
"""First characters (``raw[:1]``) of lines that are not TSV data: headers, JSON, blank."""

KeyRow = tuple[int, int, int, float, bool, bool]
"""The arguments of :meth:`Detector.observe`: source key, target key, port,
POSIX seconds, established, accepted."""

_EARLIEST = -62_135_596_800.0
_LATEST = 253_402_300_799.0
"""POSIX seconds of 0001-01-01 and the last second of 9999: within them an aware
``datetime`` can always be built, so only times outside (or NaN) need
:func:`_check_time`, which lets ``datetime`` itself decide."""

_Fields = tuple[float, str, str, str | int, str, str, str, str | int | None]
"""A JSON record's ts, orig, resp, resp_p, proto, conn_state, history, resp_pkts."""

KEY_CACHE: dict[str, int] = {}
"""Address text → detector key; the fast path's twin of ``IP_CACHE``, same limit."""


def read_zeek(path: Path, report: ReadReport | None = None) -> Iterator[ConnectionEvent]:
    """Stream a conn.log file's connections (TSV or JSON lines, gzip allowed)."""
    report = report if report is not None else ReadReport(str(path))
    with open_text(path) as lines:
        yield from parse_zeek(lines, report)


def parse_zeek(lines: Iterable[str], report: ReadReport) -> Iterator[ConnectionEvent]:
    """Parse conn.log lines; each line decides for itself whether it is TSV, JSON or a header.

    The parser is :func:`_scan`, shared with :func:`iter_zeek_keys`; this
    output builds a :class:`ConnectionEvent` per attempt.
    """
    return cast(Iterator[ConnectionEvent], _scan(lines, report, keys=False))


def iter_zeek_keys(lines: Iterable[str], report: ReadReport) -> Iterator[KeyRow]:
    """The bulk path: each attempt as the arguments of :meth:`Detector.observe`.

    Same parser, lines, counts and problems as :func:`parse_zeek`, but no
    ``ConnectionEvent``, ``IPv4Address`` or ``datetime`` per line: addresses
    become detector keys through :data:`KEY_CACHE` and ``ts`` stays the float
    Zeek wrote. Building those objects is most of the event path's cost, and a
    detector fed in bulk only needs the integers. The seconds equal the event
    path's ``time.timestamp()`` for up to six decimals, as Zeek writes them;
    finer times are rounded to the microsecond only by the event path.
    """
    return cast(Iterator[KeyRow], _scan(lines, report, keys=True))


def scan_zeek(lines: Iterable[str], report: ReadReport, detector: Detector) -> None:
    """Feed every attempt in ``lines`` to ``detector``: ``parse_zeek`` + ``feed_many``, faster."""
    observe = detector.observe
    for row in iter_zeek_keys(lines, report):
        observe(*row)  # a star call is a little cheaper than unpacking into six names


def detect_zeek_file(
    path: Path, detector: Detector, report: ReadReport | None = None
) -> ReadReport:
    """Parse and detect a whole conn.log file on the fast path; the read's report is returned."""
    report = report if report is not None else ReadReport(str(path))
    with open_text(path) as lines:
        scan_zeek(lines, report, detector)
    return report


def _key_miss(text: str) -> int:
    """The detector key of an address text; parsing is :func:`parse_ip`'s, so errors match."""
    found = address_key(parse_ip(text))
    if len(KEY_CACHE) >= IP_CACHE_LIMIT:
        KEY_CACHE.clear()
    KEY_CACHE[text] = found
    return found


def _check_time(seconds: float) -> None:
    """Fail as building the event's time fails, so both outputs reject the same lines.

    The ``ValueError`` (NaN, year out of range) is the line's problem as it
    always was; an ``OverflowError`` (far beyond time_t) used to escape and
    end the whole read, against the rule that a bad line is never fatal.
    """
    try:
        from_epoch(seconds)
    except OverflowError:
        raise BadLine(f"time {seconds!r} is out of range") from None


def _scan(
    lines: Iterable[str], report: ReadReport, *, keys: bool
) -> Iterator[ConnectionEvent | KeyRow]:
    """The one conn.log parser, with two outputs: events, or ``observe`` rows when ``keys``.

    The output is chosen inline, not through a callback, because a call per
    line costs a tenth of the fast path's budget. TSV data lines, nearly all
    of a large log, take the inlined branch; headers and JSON go through
    :meth:`_ZeekLines.parse`. Every check runs in the same order whatever the
    output (the time before the addresses for JSON, after them for TSV, as it
    always was), so both outputs count the same lines as bad, with the same
    reasons.
    """
    zeek = _ZeekLines()
    cache: dict[str, int] | dict[str, IPAddress] = KEY_CACHE if keys else IP_CACHE
    miss: Callable[[str], int | IPAddress] = _key_miss if keys else parse_ip
    special = _SPECIAL
    number = report.lines
    item: ConnectionEvent | KeyRow
    for raw in lines:
        number += 1
        report.lines = number
        try:
            pick = zeek.pick
            if pick is None or raw[:1] in special:
                fields = zeek.parse(raw.rstrip("\r\n"))
                if fields is None:
                    report.ignored += 1
                    continue
                seconds, orig, resp, port_value, proto, state, history, resp_pkts = fields
                if proto not in _PROTOCOLS:
                    if proto == UNKNOWN_TRANSPORT:
                        report.ignored += 1
                        continue
                    raise BadLine(f"proto {proto!r} is not tcp, udp or icmp")
                if proto == "tcp" and mid_stream(history):
                    report.ignored += 1
                    continue
                if not _EARLIEST <= seconds < _LATEST:
                    _check_time(seconds)
                source = cache.get(orig) or miss(orig)
                target = cache.get(resp) or miss(resp)
                port = parse_port(port_value)
                found = outcome(state, history, resp_pkts)
            else:
                values = raw.rstrip("\r\n").split(zeek.separator)
                if len(values) != zeek.width:
                    raise BadLine(f"{len(values)} fields where #fields names {zeek.width}")
                ts, orig, resp, port_text, proto, state = pick(values)
                if proto not in _PROTOCOLS:
                    if proto == UNKNOWN_TRANSPORT:
                        report.ignored += 1
                        continue
                    raise BadLine(f"proto {proto!r} is not tcp, udp or icmp")
                hist_at, pkts_at = zeek.extra
                if proto == "tcp" and hist_at is not None and mid_stream(values[hist_at]):
                    report.ignored += 1
                    continue
                known = STATES.get(state)
                if known is None or state in ("RSTR", "OTH"):
                    found = outcome(
                        state,
                        values[hist_at] if hist_at is not None else "",
                        values[pkts_at] if pkts_at is not None else None,
                    )
                else:
                    found = known
                port = int(port_text)
                if port < 0 or port > 65535:
                    raise BadLine(f"id.resp_p {port_text!r} is not a port number (0-65535)")
                source = cache.get(orig) or miss(orig)
                target = cache.get(resp) or miss(resp)
                seconds = float(ts)
                if not _EARLIEST <= seconds < _LATEST:
                    _check_time(seconds)
            # ``source``/``target`` are ints exactly when ``keys`` (the cache and miss
            # were chosen by it); a cast() per line would cost a call, hence the ignores.
            if keys:
                item = (source, target, port, seconds, found is E, True)  # type: ignore[assignment]
            else:
                item = ConnectionEvent(
                    datetime.fromtimestamp(seconds, UTC),
                    source,  # type: ignore[arg-type]
                    target,  # type: ignore[arg-type]
                    port,
                    proto,
                    found,
                    True,
                )
        except LINE_ERRORS as exc:
            record_failure(
                report, number, raw, exc if isinstance(exc, BadLine) else _explain(raw, zeek)
            )
            continue
        report.events += 1
        yield item


def mid_stream(history: str) -> bool:
    """Whether a TCP ``history`` is a connection's tail seen mid-stream, not an attempt.

    The originator sent no SYN (``S``) but sent data (``D``) or a SYN-ACK
    (``H``): it is answering, not trying. Cheap for the common case, where
    the history starts with the originator's ``S``.
    """
    return history[:1] != "S" and "S" not in history and ("D" in history or "H" in history)


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
        self.names: list[str] = []
        self.headed = False
        self.path: str | None = None

    def parse(self, line: str) -> _Fields | None:
        """A header (None), JSON record or data line before any header (raises)."""
        if not line:
            return None
        first = line[0]
        if first == "#":
            self._header(line)
            return None
        if first == "{":
            return _json_fields(line)
        return self._unnamed(line)

    def _unnamed(self, line: str) -> _Fields:
        """A data line before any ``#fields``: read as the default conn.log columns if it can be.

        Some exporters keep ``#separator``, ``#path`` and the like but drop
        ``#fields``. After such a header (whose ``#path``, if any, is ``conn``)
        a line of exactly the 21 columns of Zeek's default conn.log
        (:data:`CONN_LOG_FIELDS`), or 22 with Zeek 7's ``ip_proto`` last,
        fixes that layout for the rest of the stream; its fields are then
        checked like any other line's.
        """
        values = line.split(self.separator)
        if not self.headed or self.path not in (None, "conn"):
            raise BadLine("a data line before the #fields header")
        width = len(CONN_LOG_FIELDS)
        if len(values) not in (width, width + 1):
            raise BadLine(
                f"a data line before the #fields header, and its {len(values)} columns are "
                f"not the {width} (or {width + 1} with ip_proto) of a default conn.log"
            )
        self._columns([*CONN_LOG_FIELDS, "ip_proto"][: len(values)])
        assert self.pick is not None
        ts, orig, resp, port_text, proto, state = self.pick(values)
        history, resp_pkts = values[_HISTORY_AT], values[_RESP_PKTS_AT]
        return (float(ts), orig, resp, port_text, proto, state, history, resp_pkts)

    def _header(self, line: str) -> None:
        self.headed = True
        if line.startswith("#path"):
            self.path = line[5:].strip(self.separator + " ") or None
            return
        if line.startswith("#separator"):
            escaped = line.partition(" ")[2].strip()
            self.separator = escaped.encode().decode("unicode_escape") if escaped else "\t"
            return
        if not line.startswith("#fields"):
            return
        self._columns(line.split(self.separator)[1:])

    def _columns(self, names: list[str]) -> None:
        """Take ``names`` as the stream's columns from here on."""
        missing = [name for name in _NEEDED if name not in names]
        if missing:
            self.pick = None
            self.names = []
            raise BadLine(f"#fields lacks {', '.join(missing)}")
        self.names = names
        self.pick = itemgetter(*(names.index(name) for name in _NEEDED))
        hist_at = names.index("history") if "history" in names else None
        pkts_at = names.index("resp_pkts") if "resp_pkts" in names else None
        self.extra = (hist_at, pkts_at)
        self.width = len(names)


def _check_ts(value: object) -> None:
    if isinstance(value, int | float):
        from_epoch(value)
        return
    try:
        from_epoch(float(str(value)))
    except ValueError:
        from_iso(str(value))


def _check_ip(value: object) -> None:
    parse_ip(str(value))


def _check_port(value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise BadLine("not a number")
    parse_port(value)


_CHECKS: tuple[tuple[str, Callable[[object], None], str], ...] = (
    ("ts", _check_ts, "a time (Unix seconds or ISO 8601)"),
    ("id.orig_h", _check_ip, "an IPv4 or IPv6 address"),
    ("id.resp_h", _check_ip, "an IPv4 or IPv6 address"),
    ("id.resp_p", _check_port, "a port number (0-65535)"),
)
"""Fields :func:`_scan` converts, each with what it must be, to explain a failed line."""


def _explain(raw: str, zeek: _ZeekLines) -> BadLine:
    """Which field of a line that failed to convert is wrong, in words.

    The parser converts fields without stopping to name them, which keeps the
    common line fast; only a failed line is checked again here, field by
    field, so its message names the field, its value and what was expected
    instead of Python's exception text.
    """
    line = raw.rstrip("\r\n")
    values: dict[str, object] = {}
    if line.startswith("{"):
        try:
            record: Any = json.loads(line)
        except ValueError:
            record = None
        if isinstance(record, dict):
            values = record
    elif zeek.names:
        values = dict(zip(zeek.names, line.split(zeek.separator), strict=False))
    for name, check, expected in _CHECKS:
        if name not in values:
            continue
        try:
            check(values[name])
        except (*LINE_ERRORS, OverflowError):
            return BadLine(f"{name} {values[name]!r} is not {expected}")
    return BadLine("a field has a value of the wrong kind")


def _json_fields(line: str) -> _Fields:
    """A JSON record's fields, for :func:`_scan` to check in the same order as TSV."""
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
    return (
        float(seconds),
        str(record["id.orig_h"]),
        str(record["id.resp_h"]),
        record["id.resp_p"],
        str(record["proto"]),
        str(record["conn_state"]),
        str(record.get("history") or ""),
        record.get("resp_pkts"),
    )
