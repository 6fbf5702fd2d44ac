"""Read-only views of the log for the public: checkpoint, entries and proofs."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from votetrail.core.ledger.events import LogEntry
from votetrail.core.ledger.merkle import leaf_hash
from votetrail.errors import NotFound
from votetrail.services.context import App
from votetrail.services.keys import rotation_notes
from votetrail.services.remarks import EVENT as REMARK_EVENT
from votetrail.services.remarks import texts as remark_texts
from votetrail.store import ledger


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def checkpoint(app: App) -> str:
    with app.engine.connect() as conn:
        note = ledger.latest_checkpoint(conn)
    if note is None:
        raise NotFound("the log has no checkpoint yet")
    return note


def verifier_key(app: App) -> str:
    return app.signer.verifier.encode()


def key_rotations(app: App) -> list[str]:
    """The signed key rotation statements, oldest first (docs/reliability.md)."""
    with app.engine.connect() as conn:
        return [note for _, note in rotation_notes(conn)]


@dataclass(frozen=True)
class EntryView:
    seq: int
    entry: LogEntry
    leaf_hash: bytes

    def as_json(self) -> dict[str, Any]:
        e = self.entry
        return {
            "index": self.seq,
            "type": e.event_type,
            "actor": e.actor,
            "jurisdiction": e.jurisdiction,
            "time": e.occurred_at,
            "record_type": e.record_type,
            "record_id": e.record_id,
            "payload_sha256": e.payload_hash,
            "leaf": b64(e.leaf()),
            "leaf_hash": b64(self.leaf_hash),
        }


def size(app: App) -> int:
    with app.engine.connect() as conn:
        return ledger.head(conn)[0]


def entries(app: App, start: int, limit: int) -> list[EntryView]:
    with app.engine.connect() as conn:
        rows = ledger.entries(conn, max(start, 0), max(1, min(limit, 1000)))
    return [EntryView(seq, entry, leaf_hash(entry.leaf())) for seq, entry in rows]


def inclusion(app: App, index: int, tree_size: int | None = None) -> dict[str, Any]:
    with app.engine.connect() as conn:
        current, _ = ledger.head(conn)
        n = current if tree_size is None else tree_size
        path = ledger.inclusion(conn, index, n)
        rows = ledger.entries(conn, index, 1)
        root = ledger.root_at(conn, n)
    if not rows or rows[0][0] != index:
        raise NotFound(f"entry {index} is not in the log")
    entry = rows[0][1]
    return {
        "leaf_index": index,
        "tree_size": n,
        "leaf": b64(entry.leaf()),
        "leaf_hash": b64(leaf_hash(entry.leaf())),
        "root_hash": b64(root),
        "inclusion_path": [b64(h) for h in path],
    }


def consistency(app: App, old_size: int, new_size: int | None = None) -> dict[str, Any]:
    with app.engine.connect() as conn:
        current, _ = ledger.head(conn)
        n = current if new_size is None else new_size
        path = ledger.consistency(conn, old_size, n)
        old_root = ledger.root_at(conn, old_size)
        new_root = ledger.root_at(conn, n)
    return {
        "first": old_size,
        "second": n,
        "first_hash": b64(old_root),
        "second_hash": b64(new_root),
        "consistency_path": [b64(h) for h in path],
    }


def remarks(app: App, views: list[EntryView]) -> dict[int, str]:
    """Entry index → the remark's text, for the ``log.remark`` entries among ``views``."""
    wanted = {
        v.seq: v.entry.record_id
        for v in views
        if v.entry.event_type == REMARK_EVENT and v.entry.record_id
    }
    found = remark_texts(app, wanted.values())
    return {seq: found[rid] for seq, rid in wanted.items() if rid in found}


def recent_for_jurisdiction(app: App, jurisdiction: str, limit: int = 20) -> list[EntryView]:
    with app.engine.connect() as conn:
        rows = ledger.recent_for_jurisdiction(conn, jurisdiction, limit)
    return [EntryView(seq, entry, leaf_hash(entry.leaf())) for seq, entry in rows]
