"""Ballot accounting of many counties at once, from database aggregates.

:func:`votetrail.services.counting.results.accounting` reads every CVR of one
county through Python, which is right for the county's own report but far too
slow for a statewide dashboard of 116 counties and millions of ballots. The
reconciliation needs only counts per (tabulator, batch), per precinct and per
repeated id, so here the database counts them for every county in a handful
of GROUP BY queries, and :func:`votetrail.core.accounting.reconcile.reconcile`
(the same rule the county report uses) runs on those counts. The findings are
therefore the very ones the county's page lists.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from votetrail.core.accounting.reconcile import CvrSummary, ManifestBatch, Reconciliation, reconcile
from votetrail.errors import InvalidInput
from votetrail.store.models import CVRS, UPLOAD_REPLACEMENTS, UPLOAD_ROWS, UPLOADS


@dataclass(frozen=True)
class CurrentUpload:
    """An upload that counts now (no replacement names it)."""

    id: str
    county: str
    kind: str
    sequence: int
    records: int


@dataclass(frozen=True)
class CountyAccounting:
    """One county's reconciliation, or why its uploads cannot be reconciled."""

    county: str
    reconciliation: Reconciliation | None
    problem: str | None = None


def current_uploads(conn: Connection, counties: Sequence[str]) -> list[CurrentUpload]:
    """Every current upload of the given counties, in one query, oldest first per kind."""
    replaced = select(UPLOAD_REPLACEMENTS.c.replaced_id)
    rows = conn.execute(
        select(
            UPLOADS.c.id,
            UPLOADS.c.jurisdiction_id,
            UPLOADS.c.kind,
            UPLOADS.c.sequence,
            UPLOADS.c.records,
        )
        .where(UPLOADS.c.jurisdiction_id.in_(list(counties)), UPLOADS.c.id.not_in(replaced))
        .order_by(UPLOADS.c.jurisdiction_id, UPLOADS.c.kind, UPLOADS.c.sequence)
    ).all()
    return [
        CurrentUpload(
            str(r.id), str(r.jurisdiction_id), str(r.kind), int(r.sequence), int(r.records)
        )
        for r in rows
    ]


def _before_newest(conn: Connection, cvrs: dict[str, list[CurrentUpload]]) -> dict[str, list[str]]:
    """Per county, the CVR uploads as they stood before its newest one (see ``results.py``)."""
    newest = {county: uploads[-1].id for county, uploads in cvrs.items() if uploads}
    replaced: dict[str, list[str]] = {}
    if newest:
        for row in conn.execute(
            select(UPLOAD_REPLACEMENTS.c.replaced_id, UPLOAD_REPLACEMENTS.c.replacement_id).where(
                UPLOAD_REPLACEMENTS.c.replacement_id.in_(list(newest.values()))
            )
        ):
            replaced.setdefault(str(row.replacement_id), []).append(str(row.replaced_id))
    return {
        county: [u.id for u in uploads[:-1]] + replaced.get(uploads[-1].id, [])
        for county, uploads in cvrs.items()
        if uploads
    }


def _per_upload_batches(
    conn: Connection, upload_ids: Iterable[str]
) -> dict[str, dict[tuple[str | None, str | None], int]]:
    ids = sorted(set(upload_ids))
    out: dict[str, dict[tuple[str | None, str | None], int]] = {}
    if not ids:
        return out
    for row in conn.execute(
        select(CVRS.c.upload_id, CVRS.c.tabulator, CVRS.c.batch, func.count())
        .where(CVRS.c.upload_id.in_(ids))
        .group_by(CVRS.c.upload_id, CVRS.c.tabulator, CVRS.c.batch)
    ):
        out.setdefault(str(row[0]), {})[(row[1], row[2])] = int(row[3])
    return out


def _per_county_precincts(
    conn: Connection, county_of: dict[str, str]
) -> dict[str, dict[str | None, int]]:
    out: dict[str, dict[str | None, int]] = {}
    if not county_of:
        return out
    for row in conn.execute(
        select(CVRS.c.upload_id, CVRS.c.precinct, func.count())
        .where(CVRS.c.upload_id.in_(sorted(county_of)))
        .group_by(CVRS.c.upload_id, CVRS.c.precinct)
    ):
        counts = out.setdefault(county_of[str(row[0])], {})
        counts[row[1]] = counts.get(row[1], 0) + int(row[2])
    return out


def _per_county_duplicates(
    conn: Connection, county_of: dict[str, str]
) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    if not county_of:
        return out
    for row in conn.execute(
        select(UPLOADS.c.jurisdiction_id, CVRS.c.cvr_id, func.count())
        .join(UPLOADS, UPLOADS.c.id == CVRS.c.upload_id)
        .where(CVRS.c.upload_id.in_(sorted(county_of)))
        .group_by(UPLOADS.c.jurisdiction_id, CVRS.c.cvr_id)
        .having(func.count() > 1)
    ):
        out.setdefault(str(row[0]), {})[str(row[1])] = int(row[2])
    return out


def _documents(
    conn: Connection, uploads: Sequence[CurrentUpload]
) -> dict[tuple[str, str], list[dict[str, object]]]:
    """The rows of each county's current manifest, paper counts and check-ins."""
    newest: dict[tuple[str, str], str] = {}
    for upload in uploads:
        if upload.kind in ("manifest", "paper_counts", "check_ins"):
            newest[(upload.county, upload.kind)] = upload.id  # oldest first: the last wins
    which = {upload_id: key for key, upload_id in newest.items()}
    out: dict[tuple[str, str], list[dict[str, object]]] = {key: [] for key in newest}
    if not which:
        return out
    for row in conn.execute(
        select(UPLOAD_ROWS.c.upload_id, UPLOAD_ROWS.c.record)
        .where(UPLOAD_ROWS.c.upload_id.in_(sorted(which)))
        .order_by(UPLOAD_ROWS.c.upload_id, UPLOAD_ROWS.c.position)
    ):
        out[which[str(row.upload_id)]].append(json.loads(row.record))
    return out


def _add(
    into: dict[tuple[str | None, str | None], int], counts: dict[tuple[str | None, str | None], int]
) -> None:
    for key, n in counts.items():
        into[key] = into.get(key, 0) + n


def accounting_of(
    conn: Connection, uploads: Sequence[CurrentUpload]
) -> dict[str, CountyAccounting]:
    """The reconciliation of every county among ``uploads`` that has current CVRs.

    ``uploads`` are :func:`current_uploads`; counties without CVRs are absent,
    as the county page shows no accounting before its first CVR upload.
    """
    cvrs: dict[str, list[CurrentUpload]] = {}
    for upload in uploads:
        if upload.kind == "cvrs":
            cvrs.setdefault(upload.county, []).append(upload)
    for listed in cvrs.values():
        listed.sort(key=lambda u: u.sequence)
    before = _before_newest(conn, cvrs)
    county_of = {u.id: u.county for listed in cvrs.values() for u in listed}
    batches = _per_upload_batches(conn, [*county_of, *(i for ids in before.values() for i in ids)])
    precincts = _per_county_precincts(conn, county_of)
    duplicates = _per_county_duplicates(conn, county_of)
    documents = _documents(conn, uploads)
    out: dict[str, CountyAccounting] = {}
    for county, listed in cvrs.items():
        now: dict[tuple[str | None, str | None], int] = {}
        for upload in listed:
            _add(now, batches.get(upload.id, {}))
        previous: dict[str | None, int] | None = None
        if before.get(county):
            earlier: dict[tuple[str | None, str | None], int] = {}
            for upload_id in before[county]:
                _add(earlier, batches.get(upload_id, {}))
            previous = CvrSummary(earlier, {None: sum(earlier.values())}).per_tabulator()
        paper = documents.get((county, "paper_counts"))
        check_ins = documents.get((county, "check_ins"))
        try:
            summary = CvrSummary(now, precincts.get(county, {}), duplicates.get(county, {}))
            manifest = [
                ManifestBatch(d["tabulator"], d["batch"], d["ballots"])  # type: ignore[arg-type]
                for d in documents.get((county, "manifest"), [])
            ]
            outcome = reconcile(
                summary,
                manifest,
                paper_records=None if paper is None else _places(paper),
                check_ins=None if check_ins is None else _places(check_ins),
                previous=previous,
            )
        except InvalidInput as exc:
            out[county] = CountyAccounting(county, None, str(exc))
            continue
        out[county] = CountyAccounting(county, outcome)
    return out


def _places(rows: list[dict[str, object]]) -> dict[str, int]:
    return {str(row["place"]): int(str(row["count"])) for row in rows}


__all__ = ["CountyAccounting", "CurrentUpload", "accounting_of", "current_uploads"]
