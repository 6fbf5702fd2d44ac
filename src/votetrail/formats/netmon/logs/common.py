"""What every network-log reader shares: the problem collector, the line loop and small parsers.

A monitoring run reads logs that rotate, get cut mid-line by a full disk and
mix in messages from other programs. One unreadable line must never cost the
run the million good ones around it, so readers do not raise on a bad line:
they count it in a :class:`ReadReport` with its line number and reason and go
on. The report also counts lines that are simply not for this reader
("ignored", e.g. sshd messages in a syslog file that also holds firewall lines)
apart from lines that looked like ours but could not be read ("bad").

Only a file that cannot be opened at all, or that is no log votetrail knows,
raises :class:`~votetrail.errors.InvalidInput`.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from ipaddress import IPv4Address, IPv6Address, ip_address
from pathlib import Path
from typing import IO, cast

from votetrail.core.netmon.events import ConnectionEvent, Outcome
from votetrail.errors import InvalidInput
from votetrail.formats.archives import CHUNK, MAX_STREAMED_BYTES, ExpansionGuard

IPAddress = IPv4Address | IPv6Address

PASSED_OUTCOME = Outcome.ESTABLISHED
"""Outcome of traffic a firewall or flow log records as let through.

Such a log sees the attempt but not the target's answer. A firewall passes
traffic only to the services its rules open, so the attempt is counted as
reaching one: ordinary clients behind a firewall that logs only allowed
traffic then never look like failed probers to the random walk, and a
scanner let through to a port that is not a public service is reported as
having got through, which is the case an analyst must see. Blocked traffic is
BLOCKED; Zeek, Suricata or a packet capture of the same traffic tell the
actual answer.
"""

MAX_KEPT_PROBLEMS = 1000
"""Problems kept with their reasons; beyond this only the count grows, so a
file of garbage cannot exhaust memory."""

_CUT = " (the last line has no newline: the file may have been cut short)"


class BadLine(ValueError):
    """A line that looked like the reader's format but could not be read; the text says why."""


@dataclass(frozen=True, slots=True)
class LineProblem:
    """One unreadable line: its 1-based number (packet number for captures) and why."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(slots=True)
class ReadReport:
    """Counters and problems of one read, filled in while its generator runs.

    ``lines`` = ``events`` + ``ignored`` + ``bad``: every line is exactly one
    of a connection attempt, not for this reader (headers, blank lines, other
    programs' messages, packets that are not attempts), or bad.
    """

    source: str
    lines: int = 0
    events: int = 0
    ignored: int = 0
    bad: int = 0
    problems: list[LineProblem] = field(default_factory=list)
    fragments: int = 0
    """Of ``ignored``: later IP fragments in a capture, which carry no transport header."""

    def problem(self, line: int, reason: str) -> None:
        """Count a bad line; its reason is kept for the first :data:`MAX_KEPT_PROBLEMS`."""
        self.bad += 1
        if len(self.problems) < MAX_KEPT_PROBLEMS:
            self.problems.append(LineProblem(line, reason))

    def messages(self) -> list[str]:
        """The kept problems as ``file:line: reason`` strings, ready for a clerk."""
        return [f"{self.source}:{p.line}: {p.reason}" for p in self.problems]


LINE_ERRORS = (ValueError, TypeError, KeyError)
"""What a parser raises for one line's bad field: that line's problem, not a bug in the run."""

LineParser = Callable[[str], ConnectionEvent | None]
"""Parses one line without its newline: an event, None for a line that is not
ours, or raises :class:`BadLine` (or ValueError/TypeError/KeyError from a field)."""


def drive(lines: Iterable[str], report: ReadReport, parse: LineParser) -> Iterator[ConnectionEvent]:
    """Feed each line to ``parse`` and count the result; a failing line is recorded, never raised.

    :data:`LINE_ERRORS` from a parser come from one line's fields (an address,
    a number, a JSON value of the wrong type), so they are recorded too.
    """
    number = report.lines
    for raw in lines:
        number += 1
        report.lines = number
        if too_long(raw):
            report.problem(number, f"is longer than {MAX_LINE:,} characters; not read")
            continue
        line = raw.rstrip("\r\n")
        try:
            event = parse(line)
        except LINE_ERRORS as exc:
            record_failure(report, number, raw, exc)
            continue
        if event is None:
            report.ignored += 1
            continue
        report.events += 1
        yield event


def record_failure(report: ReadReport, number: int, raw: str, exc: Exception) -> None:
    """Count line ``number`` as bad with the exception's reason; a cut last line says so."""
    reason = str(exc) if isinstance(exc, BadLine) else f"{type(exc).__name__}: {exc}"
    if not raw.endswith("\n"):
        reason += _CUT
    report.problem(number, reason)


MAX_LINE = 1 << 20
"""Characters of one line that are read; a longer line is a bad line, and the rest of it
is skipped without being held, so a file with no newlines cannot fill memory."""
_ENDS = ("\n", "\r")


class _Lines(io.TextIOWrapper):
    """Text whose iteration gives lines of at most :data:`MAX_LINE` characters.

    A longer line comes back cut, without its newline, and its rest is
    skipped; :func:`drive` reports it as too long. A gzip stream damaged
    part-way (found by fuzzing) is refused naming ``source``, the file.
    """

    source = ""

    def __iter__(self) -> Iterator[str]:  # type: ignore[override]  # typeshed: bytes
        # A generator, not __next__: resuming it costs about what the C iteration does.
        readline = self.readline
        try:
            while line := readline(MAX_LINE):
                if too_long(line):
                    while (rest := readline(MAX_LINE)) and not rest.endswith(_ENDS):
                        pass
                yield line
        except (OSError, EOFError, zlib.error):
            raise InvalidInput(
                "is a damaged gzip file and cannot be read to its end", where=self.source
            ) from None


def too_long(raw: str) -> bool:
    """Whether ``raw`` is a line :class:`_Lines` cut short."""
    return len(raw) >= MAX_LINE and not raw.endswith(_ENDS)


def open_text(path: Path) -> IO[str]:
    """Open a log as text, gunzipping ``.gz`` by its magic bytes; undecodable bytes become U+FFFD.

    Replacing rather than refusing bad bytes keeps one corrupt line a problem of
    that line: its address or number then fails to parse and is reported. A
    gzip log is decompressed as a stream and refused, naming the file, if it
    expands like a compression bomb (``formats.archives``); lines are cut at
    :data:`MAX_LINE` characters.
    """
    try:
        with path.open("rb") as probe:
            zipped = probe.read(2) == b"\x1f\x8b"
        if zipped:
            guard = ExpansionGuard(
                cast(IO[bytes], gzip.GzipFile(path, "rb")),
                str(path),
                compressed=path.stat().st_size,
                limit=MAX_STREAMED_BYTES,
            )
            handle: IO[bytes] = cast(IO[bytes], io.BufferedReader(guard, CHUNK))
        else:
            handle = path.open("rb")
    except OSError as exc:
        raise InvalidInput(f"cannot read the log: {exc.strerror}", where=str(path)) from None
    lines = _Lines(handle, encoding="utf-8", errors="replace", newline="")
    lines.source = str(path)
    return lines


IP_CACHE: dict[str, IPAddress] = {}
IP_CACHE_LIMIT = 65536


def parse_ip(text: str) -> IPAddress:
    """Parse an address, caching: logs repeat the same few hosts, and parsing dominates a line."""
    found = IP_CACHE.get(text)
    if found is None:
        found = ip_address(text)
        if len(IP_CACHE) >= IP_CACHE_LIMIT:
            IP_CACHE.clear()
        IP_CACHE[text] = found
    return found


def parse_port(text: str | int) -> int:
    """A port 0-65535 from text or a JSON number."""
    port = int(text)
    if not 0 <= port <= 65535:
        raise BadLine(f"port {port} is out of range 0-65535")
    return port


def from_epoch(seconds: float) -> datetime:
    """An aware UTC datetime from Unix seconds."""
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise BadLine(f"time {seconds} is outside the years a clock can give") from None


def from_iso(text: str) -> datetime:
    """An aware UTC datetime from ISO 8601 text; a time without zone is taken as UTC.

    Suricata writes ``+0000`` without a colon, which Python 3.11 accepts.
    """
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, 1)}


class SyslogClock:
    """Turns BSD syslog stamps (``Nov 29 12:00:01``), which lack year and zone, into UTC.

    The year is given (default: the current one) and steps forward when the
    month falls back by more than half a year (a file running from December
    into January); the zone is the logging host's (default UTC).
    """

    def __init__(self, year: int | None = None, zone: tzinfo = UTC) -> None:
        self.year = year if year is not None else datetime.now(UTC).year
        self.zone = zone
        self._month = 0

    def __call__(self, month: str, day: str, clock: str) -> datetime:
        number = _MONTHS.get(month)
        if number is None:
            raise BadLine(f"unknown month {month!r} in the syslog time")
        if number < self._month - 6:
            self.year += 1
        self._month = number
        hour, minute, second = clock.split(":")
        whole, _, fraction = second.partition(".")
        micro = int((fraction + "000000")[:6]) if fraction else 0
        local = datetime(
            self.year, number, int(day), int(hour), int(minute), int(whole), micro, self.zone
        )
        return local.astimezone(UTC)
