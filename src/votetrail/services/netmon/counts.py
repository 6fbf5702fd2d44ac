"""Every unsolicited attempt counted: an ingest's day counts, stored and committed to.

The detector hands over closed UTC days (:class:`~votetrail.core.netmon.tally.ClosedDays`):
per source, and for the whole day. An ingest stores them in ``netmon_source_days``
and ``netmon_day_totals`` in its own transaction, then puts the SHA-256 of
those rows, read back as stored, in its ledgered row's ``counts_sha256``. So
the one logged ingest row covers every count it wrote, as it covers its
incidents, and ``verify`` (:func:`check_counts`) names an ingest whose counts
were changed, added or deleted behind the application's back.

The same rows give the first day each source was seen probing, which makes an
incident ``returning`` (:func:`first_days`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, Table, func, select

from votetrail.core.ledger.canonical import canonical_bytes, iso_utc
from votetrail.store.models import NETMON_DAY_TOTALS, NETMON_INGESTS, NETMON_SOURCE_DAYS
from votetrail.store.records import row_payload

if TYPE_CHECKING:
    from votetrail.core.netmon.tally import ClosedDays

_CHUNK = 500
"""Sources per ``IN`` list: well inside every backend's limit on bound parameters."""


def store_counts(conn: Connection, ingest_id: str, closed: ClosedDays) -> str:
    """Insert the ingest's day counts and return the SHA-256 of them as stored."""
    # Imported here: ``votetrail verify`` checks stored counts without the detector's modules.
    from votetrail.core.netmon.grouping import network_of

    if closed.sources:
        conn.execute(
            NETMON_SOURCE_DAYS.insert(),
            [
                {
                    "ingest_id": ingest_id,
                    "day": row.day.isoformat(),
                    "source": str(row.source),
                    "network": str(network_of(row.source, ())),
                    "attempts": row.attempts,
                    "answered": row.answered,
                    "unexpected": row.unexpected,
                    "ports": row.ports,
                    "hosts": row.hosts,
                    "first_seen": iso_utc(row.first_seen),
                    "last_seen": iso_utc(row.last_seen),
                }
                for row in closed.sources
            ],
        )
    if closed.days:
        conn.execute(
            NETMON_DAY_TOTALS.insert(),
            [
                {
                    "ingest_id": ingest_id,
                    "day": total.day.isoformat(),
                    "sources": total.sources,
                    "attempts": total.attempts,
                    "answered": total.answered,
                    "unexpected": total.unexpected,
                    "ports": total.ports,
                    "hosts": total.hosts,
                }
                for total in closed.days
            ],
        )
    return counts_digest(
        _of_ingest(conn, NETMON_SOURCE_DAYS, ingest_id),
        _of_ingest(conn, NETMON_DAY_TOTALS, ingest_id),
    )


def counts_digest(sources: Iterable[Row[Any]], days: Iterable[Row[Any]]) -> str:
    """SHA-256 of an ingest's count rows as stored, in an order no collation decides.

    Rows become payloads as ledgered records do (:func:`~votetrail.store.records.row_payload`:
    every column, a stray float as text), so the same rows hash the same on
    both backends and any edited value changes the hash.
    """
    source_rows = sorted((row_payload(r) for r in sources), key=_source_key)
    day_rows = sorted((row_payload(r) for r in days), key=_day_key)
    body = canonical_bytes({"sources": source_rows, "days": day_rows})
    return hashlib.sha256(body).hexdigest()


def _source_key(payload: dict[str, Any]) -> tuple[str, str]:
    return (str(payload.get("day")), str(payload.get("source")))


def _day_key(payload: dict[str, Any]) -> str:
    return str(payload.get("day"))


def first_days(conn: Connection, sources: Iterable[str], closed: ClosedDays) -> dict[str, date]:
    """The first UTC day each of ``sources`` was counted probing: stored rows and ``closed``."""
    wanted = sorted(set(sources))
    found: dict[str, date] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        query = (
            select(NETMON_SOURCE_DAYS.c.source, func.min(NETMON_SOURCE_DAYS.c.day))
            .where(NETMON_SOURCE_DAYS.c.source.in_(chunk))
            .group_by(NETMON_SOURCE_DAYS.c.source)
        )
        for source, day in conn.execute(query):
            found[str(source)] = date.fromisoformat(str(day))
    chosen = set(wanted)
    for row in closed.sources:
        text = str(row.source)
        if text in chosen and (text not in found or row.day < found[text]):
            found[text] = row.day
    return found


# --- verify ------------------------------------------------------------------------------


def check_counts(conn: Connection, problem: Callable[[str], None]) -> int:
    """Hold each ingest's count rows to the ``counts_sha256`` it logged; returns rows checked.

    The ingest row itself (with ``counts_sha256``) is a ledgered record that
    ``verify`` re-hashes, so a digest edited to match edited counts is named
    there; this check names the ingest whose rows no longer match its digest,
    and rows that belong to no ingest that logged counts.
    """
    logged = {
        str(row.id): row.counts_sha256
        for row in conn.execute(select(NETMON_INGESTS.c.id, NETMON_INGESTS.c.counts_sha256))
    }
    claimed = {
        str(ingest_id)
        for table in (NETMON_SOURCE_DAYS, NETMON_DAY_TOTALS)
        for ingest_id in conn.execute(select(table.c.ingest_id).distinct()).scalars()
    }
    checked = 0
    for ingest_id in sorted(set(logged) | claimed):
        # one ingest's rows at a time (the primary key's prefix): memory stays one file's
        mine_sources = _of_ingest(conn, NETMON_SOURCE_DAYS, ingest_id)
        mine_days = _of_ingest(conn, NETMON_DAY_TOTALS, ingest_id)
        checked += len(mine_sources) + len(mine_days)
        digest = logged.get(ingest_id)
        if digest is None:
            if not (mine_sources or mine_days):
                continue  # an ingest from before migration 0015: it counted nothing
            problem(
                f"netmon ingest {ingest_id!r}: {_described(mine_sources, mine_days)} exist "
                "but no logged ingest stored them"
            )
            continue
        if counts_digest(mine_sources, mine_days) != digest:
            problem(
                f"netmon ingest {ingest_id!r}: its day counts were changed, added or deleted "
                f"without an event: {_described(mine_sources, mine_days)} are stored, and their "
                "SHA-256 no longer matches the one the ingest logged"
            )
    return checked


def _of_ingest(conn: Connection, table: Table, ingest_id: str) -> list[Row[Any]]:
    return list(conn.execute(select(table).where(table.c.ingest_id == ingest_id)))


def _described(sources: list[Row[Any]], days: list[Row[Any]]) -> str:
    """How many rows of each kind, and the days they name, for a message."""
    named = sorted({str(r.day)[:10] for r in [*sources, *days]})
    shown = ", ".join(named[:5]) + (f" and {len(named) - 5} more" if len(named) > 5 else "")
    return f"{len(sources):,} source-day rows and {len(days):,} day totals" + (
        f" (days {shown})" if named else ""
    )
