"""Every unsolicited attempt counted, per UTC day and per source.

The office's headline ("about 100,000 scans a day") is a count of
unsolicited attempts, most of them from sources that touch one to four ports
once and never reach any detection rule. Incidents alone would say "5 scans"
where the truth is thousands, so the detector also hands every counted
attempt to a :class:`DayTally`: per day and source, attempts, how many got an
answer, how many got one on a port that should be closed, and the distinct
ports and hosts touched (exact while small, a sketch when large:
:mod:`~votetrail.core.netmon.distinct`).

Which attempts count is the detector's decision (it knows the home
networks); the tally only adds up. Days are UTC days of the attempts' own
times. Lines arrive late (Zeek writes a connection when it ends), so a day
stays open until event time has passed its end by ``lateness``; then
:meth:`DayTally.close` hands it over and forgets it, which bounds memory by
the sources of the open days. An attempt for a day already handed over is
counted in :attr:`DayTally.late` instead of reopening it, so a day's numbers
once stored never change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from ipaddress import IPv4Address, IPv6Address

from votetrail.core.netmon.distinct import DistinctCount

_DAY = 86400.0
_V6 = 1 << 128


@dataclass(frozen=True, slots=True)
class SourceDay:
    """One source's unsolicited attempts on one UTC day."""

    day: date
    source: IPv4Address | IPv6Address
    attempts: int
    answered: int
    """Attempts the target answered (a connection made, or a probe's port answered)."""
    unexpected: int
    """Answered attempts on a port that is not one of the public ports: should have been closed."""
    ports: int
    """Distinct destination ports (exact up to 256, then an estimate within a few per cent)."""
    hosts: int
    """Distinct targets (as ``ports``)."""
    first_seen: datetime
    last_seen: datetime


@dataclass(frozen=True, slots=True)
class DayTotal:
    """A whole UTC day: the numbers the daily report leads with."""

    day: date
    sources: int
    attempts: int
    answered: int
    unexpected: int
    ports: int
    hosts: int


@dataclass(frozen=True, slots=True)
class ClosedDays:
    """Days handed over by :meth:`DayTally.close`: per source, and the day totals."""

    sources: tuple[SourceDay, ...] = ()
    """Sorted by day, then address (IPv4 first)."""
    days: tuple[DayTotal, ...] = ()
    """Sorted by day."""


class _Counts:
    """One source's running counts for one day."""

    __slots__ = ("answered", "attempts", "first", "hosts", "last", "ports", "unexpected")

    def __init__(self, seconds: float) -> None:
        self.attempts = 0
        self.answered = 0
        self.unexpected = 0
        self.ports = DistinctCount()
        self.hosts = DistinctCount()
        self.first = seconds
        self.last = seconds


class DayTally:
    """Adds up counted attempts per UTC day and source; hands over days once past lateness."""

    def __init__(self, lateness: float) -> None:
        self._lateness = lateness
        self._days: dict[int, dict[int, _Counts]] = {}
        """Open days (index since the epoch) → source → counts."""
        self._closed_before = -1
        """Days (index since the epoch) below this were handed over."""
        self.late = 0
        """Attempts that arrived after their day was handed over (not counted in it)."""

    def add(
        self,
        source: int,
        target: int,
        port: int,
        seconds: float,
        answered: bool,
        unexpected: bool,
    ) -> None:
        """Count one attempt (keys as the detector's :func:`address_key`, time as POSIX seconds)."""
        index = int(seconds // _DAY)
        if index < self._closed_before:
            self.late += 1
            return
        day = self._days.get(index)
        if day is None:
            day = self._days[index] = {}
        counts = day.get(source)
        if counts is None:
            counts = day[source] = _Counts(seconds)
        elif seconds < counts.first:
            counts.first = seconds
        elif seconds > counts.last:
            counts.last = seconds
        counts.attempts += 1
        if answered:
            counts.answered += 1
            if unexpected:
                counts.unexpected += 1
        counts.ports.add(port)
        counts.hosts.add(target)

    def absorb(self, other: DayTally) -> None:
        """Take over ``other``'s open days: a shard's tally, whose sources no other shard holds.

        A day's distinct ports and hosts are a union, which is the same however
        the sources were split, so the merged tally closes to the single one's days.
        """
        for index, day in other._days.items():
            mine = self._days.setdefault(index, {})
            for source, counts in day.items():
                if source in mine:
                    raise ValueError("a source was counted by two shards")
                mine[source] = counts
        self.late += other.late
        self._closed_before = max(self._closed_before, other._closed_before)

    @property
    def open_sources(self) -> int:
        """Source-days held (the tally's memory, in rows)."""
        return sum(len(day) for day in self._days.values())

    def close(self, now: float, *, final: bool = False) -> ClosedDays:
        """Hand over every day ended more than ``lateness`` before ``now`` (all, when ``final``)."""
        due = sorted(
            index for index in self._days if final or (index + 1) * _DAY + self._lateness <= now
        )
        if not due:
            return ClosedDays()
        sources: list[SourceDay] = []
        totals: list[DayTotal] = []
        for index in due:
            day = self._days.pop(index)
            rows = [_source_day(index, key, counts) for key, counts in day.items()]
            # The day's distinct ports and hosts are the union of its sources'
            # (merged once here rather than counted twice on every attempt).
            ports = DistinctCount()
            hosts = DistinctCount()
            for counts in day.values():
                ports.merge(counts.ports)
                hosts.merge(counts.hosts)
            rows.sort(key=lambda row: (row.source.version, int(row.source)))
            sources.extend(rows)
            totals.append(
                DayTotal(
                    day=_date(index),
                    sources=len(rows),
                    attempts=sum(row.attempts for row in rows),
                    answered=sum(row.answered for row in rows),
                    unexpected=sum(row.unexpected for row in rows),
                    ports=ports.count(),
                    hosts=hosts.count(),
                )
            )
            self._closed_before = max(self._closed_before, index + 1)
        return ClosedDays(tuple(sources), tuple(totals))


def _date(index: int) -> date:
    return datetime.fromtimestamp(index * _DAY, UTC).date()


def _source_day(index: int, key: int, counts: _Counts) -> SourceDay:
    source: IPv4Address | IPv6Address = IPv6Address(key ^ _V6) if key >= _V6 else IPv4Address(key)
    return SourceDay(
        day=_date(index),
        source=source,
        attempts=counts.attempts,
        answered=counts.answered,
        unexpected=counts.unexpected,
        ports=counts.ports.count(),
        hosts=counts.hosts.count(),
        first_seen=datetime.fromtimestamp(counts.first, UTC),
        last_seen=datetime.fromtimestamp(counts.last, UTC),
    )
