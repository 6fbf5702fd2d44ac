"""Publishing, correcting and withdrawing documents, each one logged change.

A publication row is never changed: a correction is a new publication that
names the one it supersedes (``publication.corrected``), a withdrawal is a
row of its own with the reason (``publication.withdrawn``). So nothing an
office published can disappear or change without ``verify`` naming it, and
the log entry of a publication proves the same record for good.

Who may publish for an office is :func:`~votetrail.core.access.may_publish`;
it is asked before any file is read and again inside the transaction, and a
refusal is logged as ``access.denied``.
"""

from __future__ import annotations

import io
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, func, insert, select

from votetrail.core.access import Principal, may_publish
from votetrail.core.ledger.canonical import iso_utc
from votetrail.core.publications import (
    KINDS,
    MAGIC,
    MEDIA_TYPES,
    STATEMENT,
    TEXT_LIMIT,
    statement_bytes,
    text_of,
)
from votetrail.errors import InvalidInput, NotFound
from votetrail.services import refused
from votetrail.services.context import App
from votetrail.services.directory import state_id
from votetrail.services.publications import files
from votetrail.services.refused import Refused
from votetrail.services.unit_of_work import unit_of_work
from votetrail.store import ledger
from votetrail.store.models import JURISDICTIONS, PUBLICATION_WITHDRAWALS, PUBLICATIONS

STATEMENT_NAME = "statement.txt"
"""The file name a pasted statement is published under."""


@dataclass(frozen=True)
class Document:
    """What is being published: a file on disk, or a statement typed or pasted."""

    name: str
    path: Path | None = None
    text: str | None = None


def _guarded(app: App, principal: Principal) -> AbstractContextManager[None]:
    return refused.guarded(app, principal, lambda r: f"publications of {r.jurisdiction}")


def _office(conn: Connection, principal: Principal, jurisdiction: str, what: str) -> str:
    """The office's name; raises :class:`Refused` if the principal may not act for it."""
    row = conn.execute(
        select(JURISDICTIONS.c.name).where(JURISDICTIONS.c.id == jurisdiction)
    ).first()
    if row is None:
        raise NotFound(f"no jurisdiction {jurisdiction!r}")
    if not may_publish(principal, jurisdiction, state_id(conn) or ""):
        raise Refused(jurisdiction, what)
    return str(row.name)


def _one_line(value: str, field: str, limit: int) -> str:
    text = " ".join(value.split())
    if not text:
        raise InvalidInput("must not be empty", where=field)
    if len(text) > limit:
        raise InvalidInput(f"is longer than {limit} characters", where=field)
    return text


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise InvalidInput(f"must be one of {', '.join(KINDS)}", where=f"kind {kind!r}")
    return kind


def media_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    found = MEDIA_TYPES.get(suffix)
    if found is None:
        raise InvalidInput(
            "publish a PDF, an image (PNG, JPEG, GIF, WebP), a CSV or JSON results file, or "
            "a plain-text statement (.txt)",
            where=f"file {name!r}",
        )
    return found


def _read_head(path: Path, size: int) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(size)
    except OSError as exc:
        raise InvalidInput(f"cannot be read: {exc.strerror}", where=path.name) from None


def _read_text(document: Document) -> str:
    """A plain-text file, whole: it is normalised, so it is bounded by ``TEXT_LIMIT``."""
    assert document.path is not None
    data = _read_head(document.path, TEXT_LIMIT + 1)
    if len(data) > TEXT_LIMIT:
        raise InvalidInput(
            f"a plain-text statement may be at most {TEXT_LIMIT:,} bytes", where=document.name
        )
    text = text_of(data)
    if text is None:
        raise InvalidInput("is not UTF-8 plain text", where=document.name)
    return text


def _store(app: App, document: Document, kind_of_file: str) -> tuple[str, int]:
    """Put the bytes in the store: plain text as its normalised text, anything else as is."""
    if document.text is not None or kind_of_file == STATEMENT:
        text = document.text if document.text is not None else _read_text(document)
        body = statement_bytes(text)
        if not body:
            raise InvalidInput("the statement is empty", where=document.name)
        if len(body) > TEXT_LIMIT:
            raise InvalidInput(
                f"a statement may be at most {TEXT_LIMIT:,} bytes", where=document.name
            )
        return files.store_stream(app.data_dir, io.BytesIO(body))
    assert document.path is not None
    starts = MAGIC.get(kind_of_file)
    if starts is not None:
        head = _read_head(document.path, 16)
        if not any(head.startswith(s) for s in starts):
            raise InvalidInput(
                f"is not really a {Path(document.name).suffix.lstrip('.').upper()} file "
                "(its first bytes are not that format's)",
                where=document.name,
            )
    return files.store_file(app.data_dir, document.path)


def _next_id(conn: Connection, jurisdiction: str) -> str:
    ledger.head(conn, lock=True)  # one writer numbers publications at a time (PostgreSQL)
    count = conn.execute(
        select(func.count())
        .select_from(PUBLICATIONS)
        .where(PUBLICATIONS.c.jurisdiction_id == jurisdiction)
    ).scalar_one()
    return f"{jurisdiction}-pub-{count + 1}"


def _check_supersedes(conn: Connection, jurisdiction: str, old_id: str) -> None:
    row = conn.execute(
        select(PUBLICATIONS.c.jurisdiction_id).where(PUBLICATIONS.c.id == old_id)
    ).first()
    if row is None or row.jurisdiction_id != jurisdiction:
        raise NotFound(f"no publication {old_id!r} of {jurisdiction}")
    corrected = conn.execute(
        select(PUBLICATIONS.c.id).where(PUBLICATIONS.c.supersedes == old_id)
    ).scalar()
    if corrected is not None:
        raise InvalidInput(f"was already corrected by {corrected}", where=f"publication {old_id}")
    withdrawn = conn.execute(
        select(PUBLICATION_WITHDRAWALS.c.publication_id).where(
            PUBLICATION_WITHDRAWALS.c.publication_id == old_id
        )
    ).first()
    if withdrawn is not None:
        raise InvalidInput(
            "was withdrawn; publish the new document on its own", where=f"publication {old_id}"
        )


def publish(
    app: App,
    principal: Principal,
    jurisdiction: str,
    document: Document,
    title: str,
    kind: str,
    supersedes: str | None = None,
) -> str:
    """Store, record and log one publication (a correction if ``supersedes``); its id."""
    title = _one_line(title, "title", 300)
    kind = _kind(kind)
    what = "publish" if supersedes is None else "correct a publication"
    # Refuse before a byte of the file is read.
    with _guarded(app, principal), app.engine.connect() as conn:
        _office(conn, principal, jurisdiction, what)
    kind_of_file = STATEMENT if document.text is not None else media_type(document.name)
    name = _one_line(document.name, "file name", 200)
    sha256, size = _store(app, document, kind_of_file)
    with _guarded(app, principal), unit_of_work(app, principal.username) as uow:
        office = _office(uow.conn, principal, jurisdiction, what)
        if supersedes is not None:
            _check_supersedes(uow.conn, jurisdiction, supersedes)
        publication_id = _next_id(uow.conn, jurisdiction)
        uow.conn.execute(
            insert(PUBLICATIONS).values(
                id=publication_id,
                jurisdiction_id=jurisdiction,
                office=office,
                kind=kind,
                title=title,
                file_name=name,
                media_type=kind_of_file,
                sha256=sha256,
                size=size,
                supersedes=supersedes,
                published_by=principal.username,
                published_at=iso_utc(app.clock()),
            )
        )
        event = "publication.published" if supersedes is None else "publication.corrected"
        uow.record(event, publication_id, jurisdiction)
    return publication_id


def withdraw(app: App, principal: Principal, publication_id: str, reason: str) -> None:
    """Mark a publication withdrawn, with the reason; it stays listed and served."""
    reason = _one_line(reason, "reason", 2000)
    with _guarded(app, principal), unit_of_work(app, principal.username) as uow:
        conn = uow.conn
        jurisdiction = conn.execute(
            select(PUBLICATIONS.c.jurisdiction_id).where(PUBLICATIONS.c.id == publication_id)
        ).scalar()
        if jurisdiction is None:
            raise NotFound(f"no publication {publication_id!r}")
        _office(conn, principal, jurisdiction, "withdraw a publication")
        done = conn.execute(
            select(PUBLICATION_WITHDRAWALS.c.withdrawn_at).where(
                PUBLICATION_WITHDRAWALS.c.publication_id == publication_id
            )
        ).scalar()
        if done is not None:
            raise InvalidInput(f"was already withdrawn on {done[:10]}", where=publication_id)
        conn.execute(
            insert(PUBLICATION_WITHDRAWALS).values(
                publication_id=publication_id,
                reason=reason,
                withdrawn_by=principal.username,
                withdrawn_at=iso_utc(app.clock()),
            )
        )
        uow.record("publication.withdrawn", publication_id, jurisdiction)
