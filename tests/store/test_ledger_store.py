"""The stored log agrees with the in-memory RFC 9162 construction, on both backends."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from votetrail.core.ledger import merkle
from votetrail.core.ledger.events import LogEntry
from votetrail.services.context import App
from votetrail.services.setup import init
from votetrail.services.unit_of_work import unit_of_work
from votetrail.services.verify import verify
from votetrail.store import ledger


def _entries(count: int, tag: str = "") -> list[LogEntry]:
    return [
        LogEntry(
            event_type="log.annotation",
            actor="tester",
            jurisdiction=None,
            occurred_at="2026-11-03T20:00:00.000000Z",
            record_type=None,
            record_id=None,
            payload_hash=hashlib.sha256(f"{tag}{i}".encode()).hexdigest(),
        )
        for i in range(count)
    ]


@pytest.fixture
def app(data_dir: Path, database_url: str | None) -> Iterator[App]:
    result = init(data_dir, database_url)
    yield result.app
    result.app.engine.dispose()


def _all_leaves(app: App) -> list[bytes]:
    with app.engine.connect() as conn:
        return [entry.leaf() for _, entry in ledger.stream_entries(conn)]


def test_bulk_and_single_appends_match_memory(app: App) -> None:
    with unit_of_work(app, "tester") as uow:
        uow.extend(_entries(300, "a"))
    for batch in range(3):
        with unit_of_work(app, "tester") as uow:
            uow.extend(_entries(7, f"b{batch}"))
    leaves = _all_leaves(app)
    assert len(leaves) == 1 + 300 + 21
    with app.engine.connect() as conn:
        size, head_root = ledger.head(conn)
        assert size == len(leaves)
        assert head_root == merkle.root(leaves)
        for index in (0, 1, 150, 299, 300, size - 1):
            proof = ledger.inclusion(conn, index, size)
            assert proof == merkle.inclusion_proof(leaves, index)
            assert merkle.verify_inclusion(leaves[index], index, size, proof, head_root)
        for old in (1, 2, 64, 301, 315, size):
            proof = ledger.consistency(conn, old, size)
            assert proof == merkle.consistency_proof(leaves, old)
            old_root = ledger.root_at(conn, old)
            assert old_root == merkle.root(leaves[:old])
            assert merkle.verify_consistency(old, size, old_root, head_root, proof)
    assert verify(app).ok


def test_every_commit_signs_a_checkpoint(app: App) -> None:
    with unit_of_work(app, "tester") as uow:
        uow.extend(_entries(5))
    with app.engine.connect() as conn:
        sizes = [size for size, _, _ in ledger.checkpoints(conn)]
    assert sizes == [1, 6]


def test_rolled_back_work_leaves_no_trace(app: App) -> None:

    def failing_service() -> None:
        with unit_of_work(app, "tester") as uow:
            uow.extend(_entries(5))
            uow.flush()
            raise RuntimeError("the service failed half-way")

    with pytest.raises(RuntimeError):
        failing_service()
    with app.engine.connect() as conn:
        assert ledger.head(conn)[0] == 1
        assert [s for s, _, _ in ledger.checkpoints(conn)] == [1]
    assert verify(app).ok


def test_proofs_read_a_logarithmic_number_of_hashes(app: App) -> None:
    """A proof must not scan the log: count the rows the store reads for one."""
    with unit_of_work(app, "tester") as uow:
        uow.extend(_entries(4999))
    read_rows: list[int] = []

    def count(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if "ledger_nodes" in statement:
            read_rows.append(cursor.rowcount)

    event.listen(app.engine, "after_cursor_execute", count)
    try:
        with app.engine.connect() as conn:
            statements_before = len(read_rows)
            proof = ledger.inclusion(conn, 1234, 5000)
            assert len(read_rows) - statements_before == 1
            assert len(proof) <= 13
    finally:
        event.remove(app.engine, "after_cursor_execute", count)


def test_concurrent_writers_take_turns(app: App) -> None:
    """Two writers at once must serialise on the log head, not fork or fail."""
    errors: list[BaseException] = []

    def writer(tag: str) -> None:
        try:
            for round_ in range(10):
                with unit_of_work(app, tag) as uow:
                    uow.extend(_entries(3, f"{tag}{round_}"))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("w1", "w2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.engine.connect() as conn:
        assert ledger.head(conn)[0] == 1 + 2 * 10 * 3
    report = verify(app)
    assert report.ok, report.problems
