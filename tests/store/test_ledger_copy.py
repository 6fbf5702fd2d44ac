"""PostgreSQL's COPY bulk path stores exactly what SQLite's INSERT path stores (issue 21).

The log's entries and Merkle nodes go to PostgreSQL through ``COPY ... FROM
STDIN`` and to SQLite through ``executemany``. The same events, appended in the
same batches, must leave byte-identical rows, the same head and the same roots
on both; a COPY that fails must fail as an INSERT would (SQLAlchemy's error
type) and leave nothing of its transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from tests.databases import _backends, new_database
from votetrail.core.ledger import merkle
from votetrail.core.ledger.events import LogEntry
from votetrail.store import db, ledger, migrate
from votetrail.store.models import LEDGER_NODES
from votetrail.store.rows import insert_many

pytestmark = pytest.mark.skipif(
    "postgresql" not in _backends(), reason="compares PostgreSQL with SQLite"
)

# Values COPY's text format must escape (tab, newline, backslash, "\N") or that are
# easy to mangle (NULL against empty text, non-ASCII) sit beside ordinary ones.
_AWKWARD = ["plain", "tab\there", "line\nbreak", "back\\slash", "\\N", "", "Zoë ✓", "cr\r"]


def _events(count: int, start: int = 0) -> list[LogEntry]:
    entries = []
    for i in range(start, start + count):
        word = _AWKWARD[i % len(_AWKWARD)]
        entries.append(
            LogEntry(
                event_type="log.annotation",
                actor=f"clerk {word}",
                jurisdiction=None if i % 3 == 0 else word,
                occurred_at=f"2026-11-03T20:00:{i % 60:02d}.{i:06d}Z"[:27],
                record_type=None if i % 2 else "cvr",
                record_id=None if i % 2 else f"{word}-{i}",
                payload_hash=hashlib.sha256(i.to_bytes(8, "big")).hexdigest(),
            )
        )
    return entries


@pytest.fixture
def engines(tmp_path: Path, postgres_server: str) -> Iterator[tuple[Engine, Engine]]:
    with new_database(postgres_server) as url:
        sqlite = db.create(f"sqlite:///{tmp_path / 'log.sqlite3'}")
        postgres = db.create(url)
        for engine in (sqlite, postgres):
            migrate.upgrade(engine)
            with engine.begin() as conn:
                ledger.create_head(conn)
        try:
            yield sqlite, postgres
        finally:
            sqlite.dispose()
            postgres.dispose()


Stored = tuple[tuple[int, bytes], list[tuple[int, LogEntry]], list[tuple[int, int, bytes]]]


def _stored(engine: Engine) -> Stored:
    with engine.connect() as conn:
        return (
            ledger.head(conn),
            list(ledger.stream_entries(conn)),
            list(ledger.stream_nodes(conn)),
        )


def test_postgres_copy_stores_the_same_log_as_sqlite(engines: tuple[Engine, Engine]) -> None:
    batches = [_events(1000), _events(333, 1000), _events(1, 1333), _events(2048, 1334)]
    results: dict[str, list[tuple[int, int, bytes]]] = {}
    for engine in engines:
        assert engine.dialect.name in ("sqlite", "postgresql")
        results[engine.dialect.name] = []
        for batch in batches:
            with engine.begin() as conn:
                results[engine.dialect.name].append(ledger.append(conn, batch))
    assert results["postgresql"] == results["sqlite"]

    sqlite_rows, postgres_rows = (_stored(engine) for engine in engines)
    assert postgres_rows == sqlite_rows
    size, root = postgres_rows[0]
    everything = [entry for batch in batches for entry in batch]
    assert size == len(everything) == 3382
    assert root == merkle.root([entry.leaf() for entry in everything])
    # The awkward text came back as written, not as COPY's escapes of it.
    assert [entry for _, entry in postgres_rows[1]] == everything


def test_a_failed_copy_is_an_integrity_error_and_leaves_nothing(
    engines: tuple[Engine, Engine],
) -> None:
    _, postgres = engines
    with postgres.begin() as conn:
        ledger.append(conn, _events(10))
    before = _stored(postgres)

    def append_then_clash() -> None:
        with postgres.begin() as conn:
            ledger.append(conn, _events(5, 10))
            # A node that is already stored: COPY fails on its primary key, like an INSERT.
            insert_many(conn, LEDGER_NODES, [{"level": 0, "idx": 3, "hash": b"\0" * 32}])

    with pytest.raises(IntegrityError):
        append_then_clash()
    assert _stored(postgres) == before
    with postgres.connect() as conn:
        count = len(conn.execute(select(LEDGER_NODES.c.idx)).all())
    assert count == len(before[2])
