"""Which of a county's uploads count now, and the explicit act of replacing one.

A county that exports one tabulator's CVRs at a time must not lose the
earlier files when it sends the next, so CVR uploads *accumulate*: the
county's CVRs are every current CVR upload together. A ballot manifest, the
paper-record counts, the poll-book check-ins and the reported results (the
totals the county published) are each one whole-county document, so exactly
one of each is current, and a new one must name the one it replaces. An
upload stops being current only through a replacement an official confirmed,
stored as its own ledgered record (``upload.replaced``) in the transaction
that imports the new file; nothing is ever replaced silently, and the
replaced upload stays stored and proven.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, Row, select

from votetrail.core.ledger.canonical import iso_utc
from votetrail.errors import InvalidInput, NotFound
from votetrail.services.unit_of_work import UnitOfWork
from votetrail.store.models import CVRS, LEDGER_ENTRIES, UPLOAD_REPLACEMENTS, UPLOADS

ACCUMULATING = ("cvrs",)
"""Kinds whose uploads add up: every current upload counts."""
WHOLE_COUNTY = ("manifest", "paper_counts", "check_ins", "reported_results")
"""Kinds of which one upload, the county's whole document, is current at a time."""
LABELS = {
    "cvrs": "cast vote records",
    "manifest": "ballot manifest",
    "paper_counts": "paper-record counts",
    "check_ins": "poll-book check-ins",
    "reported_results": "reported results",
}
SCHEMA_ACTOR = "schema 0009"
"""Who replaced uploads the pre-0009 newest-wins rule had superseded (see migration 0009)."""


def current_uploads(conn: Connection, jurisdiction: str, kind: str) -> list[Row[Any]]:
    """The county's uploads of ``kind`` that no replacement names, oldest first."""
    replaced = select(UPLOAD_REPLACEMENTS.c.replaced_id)
    return list(
        conn.execute(
            select(UPLOADS)
            .where(
                UPLOADS.c.jurisdiction_id == jurisdiction,
                UPLOADS.c.kind == kind,
                UPLOADS.c.id.not_in(replaced),
            )
            .order_by(UPLOADS.c.sequence)
        ).all()
    )


def current_document(conn: Connection, jurisdiction: str, kind: str) -> Row[Any] | None:
    """The one current upload of a whole-county kind, or None before the first."""
    rows = current_uploads(conn, jurisdiction, kind)
    return rows[-1] if rows else None


def file_names(upload: Any) -> str:
    """An upload's file names as a clerk would list them."""
    return ", ".join(str(f["name"]) for f in json.loads(upload.files))


def describe(upload: Any) -> str:
    return f"upload {upload.id} ({file_names(upload)}, imported {upload.imported_at})"


def replaced_upload(
    conn: Connection,
    jurisdiction: str,
    kind: str,
    current: list[Row[Any]],
    replace: str | None,
) -> Row[Any] | None:
    """The current upload ``replace`` names, checked; or None when adding a file.

    A whole-county document cannot be added beside the current one: the clerk
    must say it replaces it, so a second manifest never silently wins.
    """
    label = LABELS[kind]
    if replace is None:
        if kind in WHOLE_COUNTY and current:
            held = current[-1]
            raise InvalidInput(
                f"already has a current {label}, {describe(held)}; a new one must replace it "
                f"explicitly (votetrail: --replace {held.id}; web: choose it under "
                '"Replaces" and confirm)',
                where=f"county {jurisdiction!r}",
            )
        return None
    for upload in current:
        if upload.id == replace:
            return upload
    row = conn.execute(select(UPLOADS).where(UPLOADS.c.id == replace)).first()
    if row is None or row.jurisdiction_id != jurisdiction or row.kind != kind:
        raise NotFound(f"{jurisdiction!r} has no {label} upload {replace!r} to replace")
    by = conn.execute(
        select(UPLOAD_REPLACEMENTS.c.replacement_id).where(
            UPLOAD_REPLACEMENTS.c.replaced_id == replace
        )
    ).scalar()
    raise InvalidInput(f"was already replaced by upload {by}", where=f"upload {replace!r}")


def record_replacement(uow: UnitOfWork, replaced: str, replacement: str, jurisdiction: str) -> None:
    """Store and log the replacement in the caller's transaction (the new upload's)."""
    uow.conn.execute(
        UPLOAD_REPLACEMENTS.insert().values(
            replaced_id=replaced,
            replacement_id=replacement,
            replaced_by=uow.actor,
            replaced_at=iso_utc(uow.app.clock()),
        )
    )
    uow.record("upload.replaced", replaced, jurisdiction)


def file_holding(conn: Connection, upload: Any, cvr_id: str) -> str:
    """The name of the file of ``upload`` that holds CVR ``cvr_id``, from its position."""
    position = conn.execute(
        select(CVRS.c.position).where(CVRS.c.upload_id == upload.id, CVRS.c.cvr_id == cvr_id)
    ).scalar()
    files = json.loads(upload.files)
    before = 0
    for described in files:
        before += int(described["records"])
        if position is not None and position < before:
            return str(described["name"])
    return file_names(upload)


def log_schema_replacements(uow: UnitOfWork) -> int:
    """Log ``upload.replaced`` for the rows migration 0009 derived, once; how many.

    Only rows signed :data:`SCHEMA_ACTOR` that no event has logged yet: a row
    inserted behind the application's back under another name stays unlogged,
    and ``verify`` names it.
    """
    logged = select(LEDGER_ENTRIES.c.record_id).where(
        LEDGER_ENTRIES.c.record_type == "upload_replacement"
    )
    rows = uow.conn.execute(
        select(UPLOAD_REPLACEMENTS.c.replaced_id, UPLOADS.c.jurisdiction_id)
        .join(UPLOADS, UPLOADS.c.id == UPLOAD_REPLACEMENTS.c.replaced_id)
        .where(
            UPLOAD_REPLACEMENTS.c.replaced_by == SCHEMA_ACTOR,
            UPLOAD_REPLACEMENTS.c.replaced_id.not_in(logged),
        )
        .order_by(UPLOAD_REPLACEMENTS.c.replaced_id)
    ).all()
    for row in rows:
        uow.record("upload.replaced", row.replaced_id, row.jurisdiction_id)
    return len(rows)


__all__ = [
    "ACCUMULATING",
    "LABELS",
    "WHOLE_COUNTY",
    "current_document",
    "current_uploads",
    "describe",
    "file_holding",
    "file_names",
    "log_schema_replacements",
    "record_replacement",
    "replaced_upload",
]
