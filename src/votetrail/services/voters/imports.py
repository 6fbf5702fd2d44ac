"""Loading a voter file: all or nothing, logged once, a million records in about two minutes.

The work per record (sealing and keyed-hashing the identifiers, the canonical
version and its hash, the row) is independent of every other record, so for
large files it runs in a second process while this one reads the file and
writes the rows: on a two-core machine the load takes about half the time.
Order is kept, so the import's Merkle root is the same whichever way it ran.
Everything happens in one transaction: an error anywhere (a bad line, a
voter already on file, a county that is not this state's) rolls it all back,
and the same file loaded again is recognised by its SHA-256 and changes nothing.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from votetrail.core.access import Principal
from votetrail.core.ledger.canonical import iso_utc
from votetrail.core.ledger.frontier import Frontier
from votetrail.core.ledger.merkle import leaf_hash
from votetrail.core.voters.record import VoterInput
from votetrail.core.voters.transactions import Kind
from votetrail.errors import InvalidInput
from votetrail.services.context import App
from votetrail.services.directory import state_id
from votetrail.services.unit_of_work import unit_of_work
from votetrail.services.voters.pii import PiiKeys
from votetrail.services.voters.records import (
    facts_of,
    guarded,
    new_record,
    next_ids,
    pii_keys,
    publish_map,
    require,
    today,
    version_row,
)
from votetrail.store import ledger, voter_rows
from votetrail.store.models import JURISDICTIONS, VOTER_IMPORTS, VOTER_VERSIONS, VOTERS
from votetrail.store.rows import insert_many

CHUNK = 10_000
"""Records handed to the preparing process at a time."""
PARALLEL_FROM = 50_000
"""Below this many records a second process costs more than it saves."""


@dataclass(frozen=True)
class ImportResult:
    id: str
    records: int
    merkle_root: str
    sha256: str
    created: bool


@dataclass(frozen=True)
class _Batch:
    """What a preparing process needs besides the records: nothing secret but the keys."""

    mac_key: bytes
    seal_key: bytes
    on: date
    actor: str
    file_name: str
    at: str
    import_id: str


def _prepare(
    batch: _Batch, start: int, items: Sequence[tuple[VoterInput, str]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows and versions for records ``start``… of the import, in order."""
    keys = PiiKeys(batch.mac_key, batch.seal_key)
    rows: list[dict[str, Any]] = []
    versions: list[dict[str, Any]] = []
    for offset, (item, voter_id) in enumerate(items):
        record = new_record(keys, item, voter_id, batch.on)
        version = version_row(
            record,
            Kind.REGISTRATION,
            batch.actor,
            f"loaded from {batch.file_name}",
            f"{batch.file_name}:{item.line}",
            batch.at,
            import_id=batch.import_id,
            position=start + offset,
        )
        versions.append(version)
        rows.append(voter_rows.record_to_row(record, version["version_hash"]))
    return rows, versions


def _county_ids(conn: Connection) -> dict[str, str]:
    """Every way a file may name a county: its id, its name, its name without 'County'."""
    names: dict[str, str] = {}
    for jid, name, kind in conn.execute(
        select(JURISDICTIONS.c.id, JURISDICTIONS.c.name, JURISDICTIONS.c.kind)
    ):
        if kind != "county":
            continue
        for alias in (jid, name, name.removesuffix(" County")):
            names[alias.strip().lower()] = jid
    return names


def _drop_indexes(conn: Connection) -> None:
    """Loading an empty list: build the secondary indexes once at the end, not row by row."""
    for table in (VOTERS, VOTER_VERSIONS):
        for index in table.indexes:
            index.drop(conn)


def _create_indexes(conn: Connection) -> None:
    for table in (VOTERS, VOTER_VERSIONS):
        for index in table.indexes:
            index.create(conn)


def _refuse_existing(conn: Connection, lines: dict[str, int], file_name: str) -> None:
    """An import adds voters; one already on file is changed by a transaction instead."""
    ids = list(lines)
    for start in range(0, len(ids), 900):
        clash = conn.execute(
            select(VOTERS.c.voter_id).where(VOTERS.c.voter_id.in_(ids[start : start + 900]))
        ).first()
        if clash is not None:
            raise InvalidInput(
                f"voter {clash[0]} is already on file; change a registration with "
                "`votetrail voters change`, not by loading it again",
                f"{file_name}:{lines[clash[0]]}",
            )


class _Checked:
    """The file's records with their final county and id, refusing what cannot be loaded."""

    def __init__(
        self, conn: Connection, items: Iterable[VoterInput], file_name: str, county: str | None
    ) -> None:
        self.conn = conn
        self.items = items
        self.file_name = file_name
        self.county = county
        self.counties = _county_ids(conn)
        self.lines: dict[str, int] = {}

    def __iter__(self) -> Iterator[tuple[VoterInput, str]]:
        new: list[VoterInput] = []
        for item in self.items:
            where = f"{self.file_name}:{item.line}"
            jid = self.counties.get(item.county.strip().lower())
            if jid is None:
                raise InvalidInput(f"county {item.county!r} is not a county of this state", where)
            if self.county is not None and jid != self.county:
                raise InvalidInput(
                    f"the record is for {jid}, but this file is being loaded for {self.county}",
                    where,
                )
            if item.county != jid:
                item = replace(item, county=jid)
            if not item.voter_id:
                new.append(item)
                continue
            first = self.lines.get(item.voter_id)
            if first is not None:
                raise InvalidInput(
                    f"voter id {item.voter_id} appears twice (first on line {first})", where
                )
            self.lines[item.voter_id] = item.line
            yield item, item.voter_id
        by_county: dict[str, list[VoterInput]] = {}
        for item in new:
            by_county.setdefault(item.county, []).append(item)
        for jid, group in sorted(by_county.items()):
            for item, voter_id in zip(group, next_ids(self.conn, jid, len(group)), strict=True):
                self.lines[voter_id] = item.line
                yield item, voter_id


def _chunks(pairs: Iterable[tuple[VoterInput, str]]) -> Iterator[list[tuple[VoterInput, str]]]:
    iterator = iter(pairs)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk


def _prepared(
    batch: _Batch, pairs: Iterable[tuple[VoterInput, str]], executor: Executor | None
) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """Prepared chunks in file order; with an executor, one chunk ahead in the other process."""
    start = 0
    if executor is None:
        for chunk in _chunks(pairs):
            yield _prepare(batch, start, chunk)
            start += len(chunk)
        return
    pending = []
    for chunk in _chunks(pairs):
        pending.append(executor.submit(_prepare, batch, start, chunk))
        start += len(chunk)
        if len(pending) > 2:
            yield pending.pop(0).result()
    for future in pending:
        yield future.result()


def _exit_with_parent(parent: int) -> None:
    """In the helper process: end it as soon as the command that started it is gone.

    A command killed outright (SIGKILL, the out-of-memory killer) cannot shut its
    pool down, and the helper would otherwise wait for work forever, holding the
    PII keys in memory. Polling the parent id works on every POSIX system.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _executor(expected: int | None) -> Executor | None:
    if (expected is not None and expected < PARALLEL_FROM) or (os.cpu_count() or 1) < 2:
        return None
    return ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_exit_with_parent,
        initargs=(os.getpid(),),
    )


def import_voters(
    app: App,
    principal: Principal,
    items: Iterable[VoterInput],
    *,
    file_name: str,
    sha256: str,
    fmt: str,
    county: str | None,
    expected: int | None = None,
) -> ImportResult:
    """Load records as a new part of the list: all of them, or (on any error) none.

    ``county`` is the county the file belongs to (its records must all be
    that county's); ``None`` is a statewide file, which only the state
    administrator may load. ``expected`` (e.g. the file's line count) lets a
    small import skip the second process.
    """
    keys = pii_keys(app)
    at = iso_utc(app.clock())
    import_id = "vi-" + hashlib.sha256(f"{sha256}|{at}".encode()).hexdigest()[:24]
    batch = _Batch(
        keys.mac_key, keys.seal_key, today(app), principal.username, file_name, at, import_id
    )
    with guarded(app, principal), unit_of_work(app, principal.username) as uow:
        conn = uow.conn
        require(app, conn, principal, county or state_id(conn) or "", "import voters")
        known = conn.execute(
            select(VOTER_IMPORTS.c.id, VOTER_IMPORTS.c.records, VOTER_IMPORTS.c.merkle_root).where(
                VOTER_IMPORTS.c.sha256 == sha256
            )
        ).first()
        if known is not None:
            return ImportResult(known[0], known[1], known[2], sha256, created=False)
        # One import at a time from here: two counties' first loads would otherwise both
        # see an empty list and both drop the indexes, which PostgreSQL ends in a deadlock.
        ledger.head(conn, lock=True)
        first_load = conn.execute(select(VOTERS.c.voter_id).limit(1)).first() is None
        if first_load:
            _drop_indexes(conn)
        checked = _Checked(conn, items, file_name, county)
        tree = Frontier(0, [])
        buckets: set[int] = set()
        executor = _executor(expected)
        try:
            for rows, versions in _prepared(batch, checked, executor):
                if not first_load:
                    lines = {r["voter_id"]: checked.lines.get(r["voter_id"], 0) for r in rows}
                    _refuse_existing(conn, lines, file_name)
                insert_many(conn, VOTERS, rows)
                insert_many(conn, VOTER_VERSIONS, versions)
                for version in versions:
                    tree.append(leaf_hash(facts_of(version).leaf()))
                for row in rows:
                    buckets.add(row["bucket"])
        finally:
            if executor is not None:
                executor.shutdown(cancel_futures=True)
        if tree.size == 0:
            raise InvalidInput("the file holds no voter records", file_name)
        if first_load:
            _create_indexes(conn)
        root = tree.root().hex()
        conn.execute(
            VOTER_IMPORTS.insert().values(
                id=import_id,
                county=county,
                file_name=Path(file_name).name,
                sha256=sha256,
                format=fmt,
                records=tree.size,
                merkle_root=root,
                imported_at=at,
            )
        )
        uow.record("voters.imported", import_id, county)
        publish_map(uow, buckets)
    return ImportResult(import_id, tree.size, root, sha256, created=True)
