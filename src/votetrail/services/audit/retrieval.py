"""A county's retrieval list: the ballots to pull, sorted the way the warehouse is shelved.

Sorted by container, tabulator, batch and position (not ticket order), so a
clerk walks the shelves once; each row keeps its ticket number(s), which is
how the audit board and observers tie the ballot back to the public draw. A
ballot drawn more than once in a round (sampling with replacement) is one row
with every ticket. Phantoms have no paper: they are listed last under their
device, marked, and are entered as "not found" (worst case).
Only the county's administrator or the state administrator may read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TextIO

from sqlalchemy import select

from votetrail.core.access import Principal, may_read_retrieval_list
from votetrail.errors import NotFound
from votetrail.formats.csv_out import CsvWriter
from votetrail.services.audit.access import Refused, audit_row, guarded
from votetrail.services.audit.setup import audit_counties
from votetrail.services.context import App
from votetrail.services.directory import state_id
from votetrail.store.models import AUDIT_DRAWS, AUDIT_ROUNDS

COLUMNS = (
    "round",
    "container",
    "tabulator",
    "batch",
    "position",
    "ticket_numbers",
    "ballot_id",
    "phantom",
)


@dataclass(frozen=True)
class RetrievalRow:
    round: int
    container: str | None
    tabulator: str | None
    batch: str
    position: int
    ticket_numbers: tuple[str, ...]
    ballot_id: str
    phantom: bool


def retrieval_list(
    app: App, principal: Principal, audit_id: str, county: str, round_number: int | None = None
) -> list[RetrievalRow]:
    """The county's ballots to pull for one round (every round if None), in shelf order."""
    with guarded(app, principal), app.engine.connect() as conn:
        if not may_read_retrieval_list(principal, county, state_id(conn) or ""):
            raise Refused(
                county,
                f"read the retrieval list of {county} in {audit_id}",
                f"{principal.username} may not read {county}'s retrieval list",
            )
        audit_row(conn, audit_id)
        if county not in audit_counties(conn, audit_id):
            raise NotFound(f"{county!r} is not in {audit_id}")
        query = (
            select(AUDIT_DRAWS, AUDIT_ROUNDS.c.number)
            .join(AUDIT_ROUNDS, AUDIT_ROUNDS.c.id == AUDIT_DRAWS.c.round_id)
            .where(AUDIT_ROUNDS.c.audit_id == audit_id, AUDIT_DRAWS.c.jurisdiction_id == county)
            .order_by(AUDIT_DRAWS.c.draw_number)
        )
        if round_number is not None:
            query = query.where(AUDIT_ROUNDS.c.number == round_number)
        grouped: dict[tuple[int, str], tuple[Any, list[str]]] = {}
        for row in conn.execute(query):
            key = (int(row.number), str(row.ballot_id))
            if key not in grouped:
                grouped[key] = (row, [])
            grouped[key][1].append(str(row.ticket_number))
    rows = [
        RetrievalRow(
            number,
            first.container,
            first.tabulator,
            str(first.batch),
            int(first.position),
            tuple(tickets),
            ballot,
            bool(first.phantom),
        )
        for (number, ballot), (first, tickets) in grouped.items()
    ]
    return sorted(
        rows,
        key=lambda r: (
            r.round,
            r.phantom,
            r.container or "",
            r.tabulator or "",
            r.batch,
            r.position,
        ),
    )


def write_retrieval_list(rows: list[RetrievalRow], out: TextIO) -> None:
    writer = CsvWriter(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row.round,
                row.container,
                row.tabulator,
                row.batch,
                row.position,
                " ".join(row.ticket_numbers),
                row.ballot_id,
                "yes (no paper: enter as not found)" if row.phantom else "",
            ]
        )
