"""Publications as the public sees them, their proof bundles, and finding a document.

Every answer of the verify page goes through the same check an offline
reader runs (:func:`votetrail.core.publications.check_bundle`): the server
builds the bundle from its database and checks it against its own signed
checkpoint, so "proof checked" on the page means exactly what it says.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Connection, select

from votetrail.core.ledger.checkpoint import Checkpoint
from votetrail.core.ledger.note import parse_signed_note
from votetrail.core.publications import (
    BUNDLE_FORMAT,
    KINDS,
    PUBLISHED_EVENTS,
    STATEMENT,
    TEXT_LIMIT,
    BundleCheck,
    Digests,
    check_bundle,
    normalise_text,
    text_of,
)
from votetrail.errors import NotFound
from votetrail.services.context import App
from votetrail.services.log_view import b64
from votetrail.services.publications import files
from votetrail.store import ledger
from votetrail.store.models import LEDGER_ENTRIES, PUBLICATION_WITHDRAWALS, PUBLICATIONS


@dataclass(frozen=True)
class Withdrawal:
    reason: str
    withdrawn_by: str
    withdrawn_at: str


@dataclass(frozen=True)
class PublicationView:
    id: str
    jurisdiction: str
    office: str
    kind: str
    title: str
    file_name: str
    media_type: str
    sha256: str
    size: int
    supersedes: str | None
    superseded_by: str | None
    published_by: str
    published_at: str
    entry: int | None
    withdrawal: Withdrawal | None

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def statement(self) -> bool:
        return self.media_type == STATEMENT

    @property
    def status(self) -> str:
        if self.withdrawal is not None:
            return "withdrawn"
        return "corrected" if self.superseded_by else "current"


def _entries(conn: Connection, ids: Collection[str]) -> dict[str, int]:
    """The log entry that published each publication."""
    if not ids:
        return {}
    rows = conn.execute(
        select(LEDGER_ENTRIES.c.record_id, LEDGER_ENTRIES.c.seq).where(
            LEDGER_ENTRIES.c.record_type == "publication",
            LEDGER_ENTRIES.c.record_id.in_(list(ids)),
            LEDGER_ENTRIES.c.event_type.in_(PUBLISHED_EVENTS),
        )
    )
    return {str(r.record_id): int(r.seq) for r in rows}


def _views(conn: Connection, where: Any = None) -> list[PublicationView]:
    query = select(PUBLICATIONS).order_by(PUBLICATIONS.c.published_at.desc(), PUBLICATIONS.c.id)
    rows = conn.execute(query if where is None else query.where(where)).all()
    ids = [str(r.id) for r in rows]
    withdrawn = {
        str(w.publication_id): Withdrawal(w.reason, w.withdrawn_by, w.withdrawn_at)
        for w in conn.execute(
            select(PUBLICATION_WITHDRAWALS).where(PUBLICATION_WITHDRAWALS.c.publication_id.in_(ids))
        )
    }
    corrected = {
        str(r.supersedes): str(r.id)
        for r in conn.execute(
            select(PUBLICATIONS.c.id, PUBLICATIONS.c.supersedes).where(
                PUBLICATIONS.c.supersedes.in_(ids)
            )
        )
    }
    entries = _entries(conn, ids)
    return [
        PublicationView(
            id=r.id,
            jurisdiction=r.jurisdiction_id,
            office=r.office,
            kind=r.kind,
            title=r.title,
            file_name=r.file_name,
            media_type=r.media_type,
            sha256=r.sha256,
            size=int(r.size),
            supersedes=r.supersedes,
            superseded_by=corrected.get(r.id),
            published_by=r.published_by,
            published_at=r.published_at,
            entry=entries.get(r.id),
            withdrawal=withdrawn.get(r.id),
        )
        for r in rows
    ]


def publications(app: App, jurisdiction: str | None = None) -> list[PublicationView]:
    """Every publication, newest first (of one office if given), withdrawn ones included."""
    with app.engine.connect() as conn:
        where = None if jurisdiction is None else PUBLICATIONS.c.jurisdiction_id == jurisdiction
        return _views(conn, where)


def publication(app: App, publication_id: str) -> PublicationView:
    with app.engine.connect() as conn:
        found = _views(conn, PUBLICATIONS.c.id == publication_id)
    if not found:
        raise NotFound(f"no publication {publication_id!r}")
    return found[0]


def stored_path(app: App, view: PublicationView) -> Path:
    """The published bytes; a missing file is an error ``verify`` also names."""
    path = files.path_of(app.data_dir, view.sha256)
    if not path.is_file():
        raise NotFound(f"the file of publication {view.id} is missing from the store")
    return path


def _bundle(conn: Connection, publication_id: str) -> dict[str, Any]:
    row = conn.execute(select(PUBLICATIONS).where(PUBLICATIONS.c.id == publication_id)).first()
    if row is None:
        raise NotFound(f"no publication {publication_id!r}")
    index = _entries(conn, [publication_id]).get(publication_id)
    note = ledger.latest_checkpoint(conn)
    if index is None or note is None:
        raise NotFound(f"publication {publication_id!r} has no log entry")
    size = Checkpoint.parse(parse_signed_note(note)[0]).size
    entry = ledger.entries(conn, index, 1)[0][1]
    status: dict[str, Any] = {"superseded_by": None, "withdrawn": None}
    for view in _views(conn, PUBLICATIONS.c.id == publication_id):
        status["superseded_by"] = view.superseded_by
        if view.withdrawal is not None:
            status["withdrawn"] = {
                "at": view.withdrawal.withdrawn_at,
                "reason": view.withdrawal.reason,
            }
    return {
        "format": BUNDLE_FORMAT,
        "document_sha256": row.sha256,
        "publication": dict(row._mapping),
        "log_entry": {"index": index, "leaf": b64(entry.leaf())},
        "inclusion_proof": {
            "tree_size": size,
            "inclusion_path": [b64(h) for h in ledger.inclusion(conn, index, size)],
        },
        "checkpoint": note,
        "status_when_downloaded": status,
    }


def bundle(app: App, publication_id: str) -> dict[str, Any]:
    """The proof bundle: record, log entry, inclusion proof and the signed checkpoint.

    Read in one transaction so the proof and the checkpoint are of one tree.
    """
    with app.engine.connect() as conn, conn.begin():
        return _bundle(conn, publication_id)


@dataclass(frozen=True)
class Match:
    publication: PublicationView
    proof: BundleCheck


def digests(source: BinaryIO) -> Digests:
    """SHA-256 of the bytes and, for UTF-8 text up to the limit, of its normalised text.

    Streams in 1 MB blocks; only the first ``TEXT_LIMIT`` bytes are ever kept.
    """
    digest = hashlib.sha256()
    head = bytearray()
    size = 0
    for block in iter(lambda: source.read(1 << 20), b""):
        digest.update(block)
        if size <= TEXT_LIMIT:
            head += block[: TEXT_LIMIT + 1 - len(head)]
        size += len(block)
    text = text_of(bytes(head)) if size <= TEXT_LIMIT else None
    return Digests(digest.hexdigest(), None if text is None else text_hash(text))


def text_hash(text: str) -> str:
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def find(app: App, document: Digests) -> list[Match]:
    """Publications of the document, each with its proof checked against the checkpoint."""
    wanted = [h for h in (document.exact, document.text) if h is not None]
    verifier = app.signer.verifier
    with app.engine.connect() as conn, conn.begin():
        views = _views(conn, PUBLICATIONS.c.sha256.in_(wanted))
        return [
            Match(view, check_bundle(_bundle(conn, view.id), verifier, document))
            for view in views
            if document.matches({"sha256": view.sha256, "media_type": view.media_type})
        ]
