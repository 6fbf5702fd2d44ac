"""The cast vote record of a sampled ballot, as a reading the evidence can publish.

A comparison audit compares each sampled paper ballot with *its* CVR. The
ballot's id names its place (county, container, tabulator, batch, position);
its CVR is the county's current CVR with the same tabulator and batch whose
record number is that position, the way ballot accounting already pairs
manifest batches with CVR batches (``core/accounting/reconcile.py``, by
tabulator and batch). Only the sampled batches' CVRs are read, so a state's
millions of records never travel through Python.

A ballot with no such CVR reads ``not_found`` (the worst case, as a phantom:
the checker scores a missing CVR as a two-vote overstatement). A contest not
on the card reads ``blank`` (without card-style data it is a card with no vote
in it); more marks than the contest allows read ``overvote``.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, select

from votetrail.core.audit.evidence import BLANK, NOT_FOUND, OVERVOTE
from votetrail.core.audit.ranked_reading import ranked_text
from votetrail.services.counting.current_uploads import current_uploads
from votetrail.store.models import CVRS

_CHUNK = 500


@dataclass(frozen=True)
class Place:
    """A sampled ballot's id and where it is kept (a draw row carries these)."""

    ballot_id: str
    tabulator: str | None
    batch: str
    position: int
    phantom: bool


def reading_of(marks: Iterable[str], vote_for: int) -> str:
    """The marks a CVR records for one contest, written as a reading."""
    chosen = sorted(set(marks))
    if not chosen:
        return BLANK
    if len(chosen) > vote_for:
        return OVERVOTE
    return ";".join(chosen)


def cvr_readings(
    conn: Connection,
    county: str,
    places: Iterable[Place],
    vote_for: Mapping[str, int],
    ranked: Collection[str] = (),
) -> dict[str, dict[str, str]]:
    """Ballot id -> contest -> the CVR's reading, for each of ``places`` in one county.

    Every contest of ``vote_for`` gets a reading; a phantom or a ballot without
    a CVR reads ``not_found`` in every contest. A contest of ``ranked`` reads
    the CVR's ranks (``rank:choice`` entries, ``core/audit/ranked_reading``).
    """
    wanted = {(p.tabulator or "", p.batch, p.position): p for p in places}
    out = {p.ballot_id: dict.fromkeys(vote_for, NOT_FOUND) for p in wanted.values()}
    batches = sorted({batch for _, batch, _ in wanted})
    uploads = [u.id for u in current_uploads(conn, county, "cvrs")]
    for start in range(0, len(batches), _CHUNK):
        rows = conn.execute(
            select(CVRS.c.tabulator, CVRS.c.batch, CVRS.c.record).where(
                CVRS.c.upload_id.in_(uploads), CVRS.c.batch.in_(batches[start : start + _CHUNK])
            )
        )
        for row in rows:
            data = json.loads(row.record)
            number = str(data.get("record") or "")
            if not number.isdigit():
                continue
            place = wanted.get((row.tabulator or "", str(row.batch), int(number)))
            if place is None or place.phantom:
                continue
            marks: Mapping[str, list[str]] = data.get("marks", {})
            ranks: Mapping[str, list[list[str]]] = data.get("ranks", {})
            out[place.ballot_id] = {
                contest: (
                    ranked_text(ranks.get(contest, []))
                    if contest in ranked
                    else reading_of(marks[contest], allowed)
                    if contest in marks
                    else BLANK
                )
                for contest, allowed in vote_for.items()
            }
    return out
