"""Witnesses the office accepts, and the cosignatures they sent for its checkpoints."""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert, select, update

from votetrail.store.models import CHECKPOINTS, COSIGNATURES, WITNESSES


def witness_keys(conn: Connection) -> list[str]:
    """Every accepted witness's verifier key, by name."""
    rows = conn.execute(select(WITNESSES.c.verifier_key).order_by(WITNESSES.c.name))
    return [str(r.verifier_key) for r in rows]


def has_witness(conn: Connection, name: str) -> bool:
    return (
        conn.execute(select(WITNESSES.c.name).where(WITNESSES.c.name == name)).first() is not None
    )


def add_witness(conn: Connection, name: str, verifier_key: str, by: str, at: str) -> None:
    conn.execute(
        insert(WITNESSES).values(name=name, verifier_key=verifier_key, added_by=by, added_at=at)
    )


def remove_witness(conn: Connection, name: str) -> None:
    """The witness and the cosignatures it sent: a removed key vouches for nothing."""
    conn.execute(delete(COSIGNATURES).where(COSIGNATURES.c.witness_name == name))
    conn.execute(delete(WITNESSES).where(WITNESSES.c.name == name))


def checkpoint_note(conn: Connection, size: int | None = None) -> str | None:
    """The signed note of the checkpoint at ``size`` (the latest when None)."""
    query = select(CHECKPOINTS.c.note)
    if size is None:
        query = query.order_by(CHECKPOINTS.c.size.desc()).limit(1)
    else:
        query = query.where(CHECKPOINTS.c.size == size)
    row = conn.execute(query).first()
    return None if row is None else str(row.note)


def save_cosignature(
    conn: Connection, size: int, witness: str, timestamp: int, line: str, at: str
) -> None:
    """Keep the witness's newest cosignature of this checkpoint; an older one changes nothing."""
    where = (COSIGNATURES.c.checkpoint_size == size) & (COSIGNATURES.c.witness_name == witness)
    row = conn.execute(select(COSIGNATURES.c.timestamp).where(where)).first()
    values = {"timestamp": timestamp, "line": line, "received_at": at}
    if row is None:
        conn.execute(
            insert(COSIGNATURES).values(checkpoint_size=size, witness_name=witness, **values)
        )
    elif int(row.timestamp) < timestamp:
        conn.execute(update(COSIGNATURES).where(where).values(**values))


def cosignature_lines(conn: Connection, size: int) -> list[str]:
    rows = conn.execute(
        select(COSIGNATURES.c.line)
        .where(COSIGNATURES.c.checkpoint_size == size)
        .order_by(COSIGNATURES.c.witness_name)
    )
    return [str(r.line) for r in rows]
