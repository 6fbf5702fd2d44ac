"""A day's unsolicited attempts as stored: the whole day, per source, per /24 or /64.

Several ingests may count the same day (two files of one day, a watch that
flushed more than once), so the day's numbers are combined from their rows:

* ``sources`` is the number of distinct addresses among the day's source rows;
* ``attempts``, ``answered`` and ``unexpected`` are sums (two files that hold
  the same lines count them twice: read each log once);
* ``ports`` and ``hosts`` are distinct counts, which do not add up across
  files: the largest one ingest counted is shown, a lower bound when more
  than one ingest counted the day (``ingests`` says how many).

Per source, ``returning`` says the source was counted on an earlier day too.
Ties are broken by address text in byte order on both backends.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select

from votetrail.core.netmon.tally import DayTotal
from votetrail.errors import InvalidInput
from votetrail.formats.netmon.outputs.report import counted_sentence
from votetrail.services.context import App
from votetrail.store.models import NETMON_DAY_TOTALS, NETMON_SOURCE_DAYS

_S = NETMON_SOURCE_DAYS.c
_T = NETMON_DAY_TOTALS.c


@dataclass(frozen=True, slots=True)
class DayCounts:
    """The day's totals over every ingest that counted it."""

    total: DayTotal
    ingests: int

    @property
    def lower_bound(self) -> bool:
        """Ports and hosts are the largest of several files' counts: at least that many."""
        return self.ingests > 1

    @property
    def sentence(self) -> str:
        """The day in words, as the daily report leads with it."""
        return counted_sentence(self.total, self.lower_bound)


@dataclass(frozen=True, slots=True)
class SourceCounts:
    """One source's attempts on the day (over every ingest that counted it)."""

    source: str
    network: str
    attempts: int
    answered: int
    unexpected: int
    ports: int
    hosts: int
    first_seen: str
    last_seen: str
    returning: bool


@dataclass(frozen=True, slots=True)
class NetworkCounts:
    """One /24 or /64's attempts on the day; ports and hosts are its busiest source's."""

    network: str
    sources: int
    attempts: int
    answered: int
    unexpected: int
    ports: int
    hosts: int


def latest_day(app: App) -> date | None:
    """The last day any ingest counted, or None when nothing was counted yet."""
    with app.engine.connect() as conn:
        day = conn.execute(select(func.max(_T.day))).scalar()
    return None if day is None else date.fromisoformat(str(day))


def day_counts(app: App, day: date) -> DayCounts | None:
    """The day's totals, or None when no ingest counted that day (e.g. logs read before 0015)."""
    text = day.isoformat()
    with app.engine.connect() as conn:
        summed = conn.execute(
            select(
                func.count(),
                func.sum(_T.attempts),
                func.sum(_T.answered),
                func.sum(_T.unexpected),
                func.max(_T.ports),
                func.max(_T.hosts),
            ).where(_T.day == text)
        ).one()
        if not summed[0]:
            return None
        sources = conn.execute(
            select(func.count(func.distinct(_S.source))).where(_S.day == text)
        ).scalar()
    ingests, attempts, answered, unexpected, ports, hosts = (int(v or 0) for v in summed)
    total = DayTotal(day, int(sources or 0), attempts, answered, unexpected, ports, hosts)
    return DayCounts(total, ingests)


def by_source(app: App, day: date, limit: int | None = None) -> list[SourceCounts]:
    """The day's sources, most attempts first, each marked if it was counted on an earlier day."""
    text = day.isoformat()
    earlier = NETMON_SOURCE_DAYS.alias("earlier")
    returning = (
        select(earlier.c.source).where(earlier.c.source == _S.source, earlier.c.day < text).exists()
    )
    attempts = func.sum(_S.attempts)
    with app.engine.connect() as conn:
        query = (
            select(
                _S.source,
                func.min(_S.network),
                attempts,
                func.sum(_S.answered),
                func.sum(_S.unexpected),
                func.max(_S.ports),
                func.max(_S.hosts),
                func.min(_S.first_seen),
                func.max(_S.last_seen),
                returning,
            )
            .where(_S.day == text)
            .group_by(_S.source)
            .order_by(attempts.desc(), _bytewise(conn, _S.source))
            .limit(limit)
        )
        rows = conn.execute(query).all()
    return [
        SourceCounts(
            source=str(r[0]),
            network=str(r[1]),
            attempts=int(r[2]),
            answered=int(r[3]),
            unexpected=int(r[4]),
            ports=int(r[5]),
            hosts=int(r[6]),
            first_seen=str(r[7]),
            last_seen=str(r[8]),
            returning=bool(r[9]),
        )
        for r in rows
    ]


def by_network(app: App, day: date, limit: int | None = None) -> list[NetworkCounts]:
    """The day's /24s and /64s, most attempts first."""
    text = day.isoformat()
    attempts = func.sum(_S.attempts)
    with app.engine.connect() as conn:
        query = (
            select(
                _S.network,
                func.count(func.distinct(_S.source)),
                attempts,
                func.sum(_S.answered),
                func.sum(_S.unexpected),
                func.max(_S.ports),
                func.max(_S.hosts),
            )
            .where(_S.day == text)
            .group_by(_S.network)
            .order_by(attempts.desc(), _bytewise(conn, _S.network))
            .limit(limit)
        )
        rows = conn.execute(query).all()
    return [NetworkCounts(str(r[0]), *(int(v) for v in r[1:])) for r in rows]


BY = ("day", "source", "network")
"""The views of a day: as a whole, per source, per /24 or /64."""


def rows(app: App, day: date, by: str, limit: int | None = None) -> list[dict[str, Any]]:
    """A view of the day as plain rows (JSON and CSV): one for ``day``, else per source or
    network; no rows when nothing was counted that day."""
    if by == "source":
        return [asdict(row) for row in by_source(app, day, limit)]
    if by == "network":
        return [asdict(row) for row in by_network(app, day, limit)]
    if by != "day":
        raise InvalidInput(f"must be one of {', '.join(BY)}", where=f"by {by[:20]!r}")
    counts = day_counts(app, day)
    if counts is None:
        return []
    row = asdict(counts.total)
    row["day"] = day.isoformat()
    row["ingests"] = counts.ingests
    return [row]


def _bytewise(conn: Connection, column: ColumnElement[str]) -> ColumnElement[str]:
    """The column ordered by its bytes, as SQLite does, not by PostgreSQL's locale."""
    return column.collate("C") if conn.dialect.name == "postgresql" else column
