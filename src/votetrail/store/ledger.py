"""The log's tables: append in O(log n), read proofs from O(log n) stored hashes.

Appends lock the single ``ledger_head`` row, so concurrent writers take turns
and every transaction sees the frontier the previous one left. The caller's
transaction owns the commit: events and the records they describe land
together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Row, and_, insert, or_, select, tuple_, update

from votetrail.core.ledger.events import LogEntry
from votetrail.core.ledger.frontier import Frontier, StoredNode
from votetrail.core.ledger.merkle import (
    Subtree,
    consistency_ranges,
    empty_root,
    hash_ranges,
    inclusion_ranges,
    leaf_hash,
)
from votetrail.errors import NotFound, VerificationFailed
from votetrail.store.models import CHECKPOINTS as _CHECKPOINTS
from votetrail.store.models import LEDGER_ENTRIES as _ENTRIES
from votetrail.store.models import LEDGER_HEAD as _HEAD
from votetrail.store.models import LEDGER_NODES as _NODES
from votetrail.store.rows import insert_many


def create_head(conn: Connection) -> None:
    conn.execute(insert(_HEAD).values(id=1, size=0, root_hash=empty_root()))


def head(conn: Connection, *, lock: bool = False) -> tuple[int, bytes]:
    query = select(_HEAD.c.size, _HEAD.c.root_hash).where(_HEAD.c.id == 1)
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise VerificationFailed("the log's head row is missing from ledger_head")
    try:
        return int(row.size), bytes(row.root_hash)
    except (TypeError, ValueError):
        # SQLite keeps whatever a raw UPDATE puts in a column: name it, do not crash.
        raise VerificationFailed(
            "the log's head row in ledger_head holds a value of the wrong type"
        ) from None


def read_subtrees(conn: Connection, wanted: Sequence[Subtree]) -> list[bytes]:
    """Fetch stored subtree hashes in the order asked; a gap means tampering."""
    if not wanted:
        return []
    keys = sorted({(s.level, s.index) for s in wanted})
    found: dict[tuple[int, int], bytes] = {}
    for start in range(0, len(keys), 200):
        chunk = keys[start : start + 200]
        # OR of equalities, not a row-value IN: SQLite answers this from the primary key
        # (a multi-index OR) but scans the whole table for ``(level, idx) IN (...)``.
        rows = conn.execute(
            select(_NODES.c.level, _NODES.c.idx, _NODES.c.hash).where(
                or_(*(and_(_NODES.c.level == lvl, _NODES.c.idx == idx) for lvl, idx in chunk))
            )
        )
        found.update({(r.level, r.idx): bytes(r.hash) for r in rows})
    try:
        return [found[(s.level, s.index)] for s in wanted]
    except KeyError as exc:
        raise VerificationFailed(f"stored subtree hash {exc.args[0]} is missing") from None


def frontier(conn: Connection, size: int) -> Frontier:
    return Frontier(size, read_subtrees(conn, Frontier.layout(size)))


def append(conn: Connection, entries: Sequence[LogEntry]) -> tuple[int, int, bytes]:
    """Append entries; return (first seq, new size, new root)."""
    size, _ = head(conn, lock=True)
    tree = frontier(conn, size)
    first = size
    entry_rows = []
    nodes: list[StoredNode] = []
    for offset, entry in enumerate(entries):
        entry_rows.append(
            {
                "seq": first + offset,
                "event_type": entry.event_type,
                "actor": entry.actor,
                "jurisdiction_id": entry.jurisdiction,
                "occurred_at": entry.occurred_at,
                "record_type": entry.record_type,
                "record_id": entry.record_id,
                "payload_hash": entry.payload_hash,
            }
        )
        nodes.extend(tree.append(leaf_hash(entry.leaf())))
    if entry_rows:
        insert_many(conn, _ENTRIES, entry_rows)
        insert_many(
            conn, _NODES, [{"level": n.level, "idx": n.index, "hash": n.hash} for n in nodes]
        )
    new_root = tree.root()
    conn.execute(update(_HEAD).where(_HEAD.c.id == 1).values(size=tree.size, root_hash=new_root))
    return first, tree.size, new_root


def root_at(conn: Connection, size: int) -> bytes:
    if size == 0:
        return empty_root()
    return frontier(conn, size).root()


def _check_size(conn: Connection, size: int) -> None:
    current, _ = head(conn)
    if size > current:
        raise NotFound(f"the log has {current} entries, not {size}")


def inclusion(conn: Connection, index: int, size: int) -> list[bytes]:
    _check_size(conn, size)
    if not 0 <= index < size:
        raise NotFound(f"entry {index} is not in a log of size {size}")
    return hash_ranges(inclusion_ranges(index, size), lambda w: read_subtrees(conn, w))


def consistency(conn: Connection, old_size: int, new_size: int) -> list[bytes]:
    _check_size(conn, new_size)
    if not 0 < old_size <= new_size:
        raise NotFound(f"no consistency proof from size {old_size} to {new_size}")
    return hash_ranges(consistency_ranges(old_size, new_size), lambda w: read_subtrees(conn, w))


def leaf_hash_at(conn: Connection, index: int) -> bytes:
    return read_subtrees(conn, [Subtree(0, index)])[0]


def entry_from_row(row: Row[Any]) -> LogEntry:
    return LogEntry(
        event_type=row.event_type,
        actor=row.actor,
        jurisdiction=row.jurisdiction_id,
        occurred_at=row.occurred_at,
        record_type=row.record_type,
        record_id=row.record_id,
        payload_hash=row.payload_hash,
    )


def entries(conn: Connection, start: int, limit: int) -> list[tuple[int, LogEntry]]:
    rows = conn.execute(
        select(_ENTRIES).where(_ENTRIES.c.seq >= start).order_by(_ENTRIES.c.seq).limit(limit)
    )
    return [(int(r.seq), entry_from_row(r)) for r in rows]


def stream_entries(conn: Connection, batch: int = 20_000) -> Iterator[tuple[int, LogEntry]]:
    """All entries in order, read in keyset pages so memory stays flat."""
    after = -1
    while True:
        rows = conn.execute(
            select(_ENTRIES).where(_ENTRIES.c.seq > after).order_by(_ENTRIES.c.seq).limit(batch)
        ).all()
        if not rows:
            return
        for r in rows:
            yield int(r.seq), entry_from_row(r)
        after = int(rows[-1].seq)


def stream_nodes(conn: Connection, batch: int = 50_000) -> Iterator[tuple[int, int, bytes]]:
    after = (-1, -1)
    while True:
        rows = conn.execute(
            select(_NODES.c.level, _NODES.c.idx, _NODES.c.hash)
            .where(tuple_(_NODES.c.level, _NODES.c.idx) > after)
            .order_by(_NODES.c.level, _NODES.c.idx)
            .limit(batch)
        ).all()
        if not rows:
            return
        for r in rows:
            yield int(r.level), int(r.idx), _hash_bytes(r.hash)
        after = (int(rows[-1].level), int(rows[-1].idx))


def _hash_bytes(value: object) -> bytes:
    """A stored hash as bytes; anything else (SQLite keeps text in a BLOB column) never matches.

    ``verify`` then names the node or entry as altered instead of stopping on a
    TypeError before it has named anything.
    """
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return b"not a hash: " + str(value).encode("utf-8", "replace")


def save_checkpoint(conn: Connection, size: int, root: bytes, note: str, signed_at: str) -> None:
    conn.execute(
        insert(_CHECKPOINTS).values(size=size, root_hash=root, note=note, signed_at=signed_at)
    )


def latest_checkpoint(conn: Connection) -> str | None:
    row = conn.execute(
        select(_CHECKPOINTS.c.note).order_by(_CHECKPOINTS.c.size.desc()).limit(1)
    ).first()
    return None if row is None else str(row.note)


def checkpoints(conn: Connection) -> list[tuple[int, bytes, str]]:
    rows = conn.execute(
        select(_CHECKPOINTS.c.size, _CHECKPOINTS.c.root_hash, _CHECKPOINTS.c.note).order_by(
            _CHECKPOINTS.c.size
        )
    )
    return [(int(r.size), bytes(r.root_hash), str(r.note)) for r in rows]


def recent_for_jurisdiction(
    conn: Connection, jurisdiction: str, limit: int
) -> list[tuple[int, LogEntry]]:
    rows = conn.execute(
        select(_ENTRIES)
        .where(_ENTRIES.c.jurisdiction_id == jurisdiction)
        .order_by(_ENTRIES.c.seq.desc())
        .limit(limit)
    )
    return [(int(r.seq), entry_from_row(r)) for r in rows]
