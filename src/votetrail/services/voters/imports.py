"""Loading a voter file: all or nothing, logged once, a state's list on one machine.

The work per record (reading it, sealing and keyed-hashing the identifiers,
the canonical version and its hash, the row) is independent of every other
record, so for a large file helper processes read parts of it themselves
(``FileParts``) and hand back rows ready to insert, as plain tuples, with
their share of the import's Merkle tree already hashed; this process only
inserts, in file order, and checks what needs the whole file. Order is kept,
so the stored rows, the log and the import's Merkle root are the same
whichever way it ran (a file that cannot be cut is read in one stream).
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
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from itertools import islice
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import Connection, Table, select

from votetrail.core.access import Principal
from votetrail.core.ledger.canonical import iso_utc
from votetrail.core.ledger.frontier import Frontier
from votetrail.core.ledger.merkle import fold_subtrees, leaf_hash, node_hash
from votetrail.core.voters import voter_map
from votetrail.core.voters.record import VoterInput, VoterRecord
from votetrail.core.voters.transactions import Kind
from votetrail.errors import InvalidInput
from votetrail.formats.voters.delimited import ColumnMap, Part, read_part
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
from votetrail.store.rows import copy_rows, insert_many

CHUNK = 10_000
"""Records handed to the preparing process at a time."""
PARALLEL_FROM = 50_000
"""Below this many records a second process costs more than it saves."""
PART_WORKERS = 2
"""Processes reading parts of a file: one per core of the reference machine; this one inserts."""
AHEAD = 4
"""Parts read ahead of the inserts: enough to keep the readers busy, few enough to bound memory."""


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


@dataclass(frozen=True)
class FileParts:
    """A delimited voter file cut at line ends (``file_parts``) for processes to read on their own.

    Passed beside the records of the same file; the loader reads the parts
    instead when the file is large enough for the helpers to pay off.
    """

    path: Path
    columns: ColumnMap
    parts: list[Part]


class _Loaded(NamedTuple):
    """One part, ready to insert: plain tuples and bytes, cheap to hand between processes.

    ``voters`` and ``versions`` are rows in ``VOTER_COLUMNS`` and
    ``VERSION_COLUMNS`` order; the batch's constants are one object each,
    which pickle sends once per part. ``blocks`` is the part's share of the
    import's Merkle tree (``_blocks``), so the leaves need not travel.
    ``error`` is (message, where) of the first record that could not be
    loaded; the records before it are here, so this process can still report
    an earlier duplicate first, as reading the whole file in one stream does.
    """

    voters: list[tuple[Any, ...]]
    versions: list[tuple[Any, ...]]
    blocks: list[tuple[int, bytes]]
    lines: list[int]
    error: tuple[str, str | None] | None


VOTER_COLUMNS = (
    "voter_id",
    "county",
    "version",
    "status",
    "status_reason",
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "res_street",
    "res_city",
    "res_state",
    "res_zip",
    "mail_street",
    "mail_city",
    "mail_state",
    "mail_zip",
    "precinct",
    "ballot_style",
    "party",
    "gender",
    "registered_on",
    "status_since",
    "notice_sent_on",
    "dob_mac",
    "dob_sealed",
    "ssn4_mac",
    "ssn4_sealed",
    "dl_mac",
    "dl_sealed",
    "version_hash",
    "bucket",
)
"""``voter_rows.record_to_row``'s keys, in its order (a test and every part check it)."""
VERSION_COLUMNS = (
    "voter_id",
    "version",
    "kind",
    "actor",
    "reason",
    "source_ref",
    "occurred_at",
    "record",
    "version_hash",
    "import_id",
    "import_position",
)
"""``records.version_row``'s keys, in its order."""
_ID, _VERSION, _HASH, _POSITION = (
    VERSION_COLUMNS.index(n) for n in ("voter_id", "version", "version_hash", "import_position")
)


def _voter_row(record: VoterRecord, version_hash: str) -> tuple[Any, ...]:
    """``tuple(voter_rows.record_to_row(record, version_hash).values())`` without the dict."""
    r, m, notice = record.residence, record.mailing, record.notice_sent_on
    return (
        record.voter_id,
        record.county,
        record.version,
        record.status.value,
        record.status_reason,
        record.first_name,
        record.middle_name,
        record.last_name,
        record.suffix,
        r.street,
        r.city,
        r.state,
        r.zip,
        m.street,
        m.city,
        m.state,
        m.zip,
        record.precinct,
        record.ballot_style,
        record.party,
        record.gender,
        record.registered_on.isoformat(),
        record.status_since.isoformat(),
        None if notice is None else notice.isoformat(),
        record.dob.mac,
        record.dob.sealed,
        record.ssn4.mac,
        record.ssn4.sealed,
        record.drivers_license.mac,
        record.drivers_license.sealed,
        version_hash,
        voter_map.bucket_of(record.voter_id),
    )


class _Leaves:
    """The leaf hash of an imported version, from the few values that differ between versions.

    ``VersionFacts.leaf`` with the batch's constants encoded once: of the ten
    keys only the voter id, version, line, version hash and position differ
    from one version of an import to the next. The first version of every
    part is checked against ``VersionFacts.leaf`` itself (``check``), so the
    two cannot drift apart unseen.
    """

    def __init__(self, batch: _Batch) -> None:
        q = encode_basestring
        self.head = (
            f'{{"actor":{q(batch.actor)},"import_id":{q(batch.import_id)},"import_position":'
        )
        # A source reference is "<file>:<line>": the colon and digits need no escaping.
        self.middle = (
            f',"kind":{q(Kind.REGISTRATION.value)},"occurred_at":{q(batch.at)},'
            f'"reason":{q(_reason(batch))},"source_ref":{q(batch.file_name)[:-1]}:'
        )

    def hash(
        self, voter_id: str, version: int, line: int, version_hash: str, position: int
    ) -> bytes:
        text = (
            f'{self.head}{position}{self.middle}{line}","version":{version},'
            f'"version_hash":"{version_hash}","voter_id":{encode_basestring(voter_id)}}}'
        )
        return hashlib.sha256(b"\x00" + text.encode()).digest()

    def check(self, version: Sequence[Any], leaf: bytes) -> None:
        if leaf != leaf_hash(facts_of(dict(zip(VERSION_COLUMNS, version, strict=True))).leaf()):
            raise RuntimeError("the import's leaf form differs from VersionFacts.leaf")


def _reason(batch: _Batch) -> str:
    return f"loaded from {batch.file_name}"


def _blocks(start: int, leaves: Sequence[bytes]) -> list[tuple[int, bytes]]:
    """Leaves at positions ``start``… as the aligned perfect subtrees (level, hash) they fill.

    A tree's frontier takes a perfect subtree of 2**level leaves in one step
    when it starts at a multiple of its size, exactly as if its leaves came
    one by one (``_Tree``); so a helper hashes its part's subtrees and hands
    back a few dozen hashes instead of a leaf per record.
    """
    out: list[tuple[int, bytes]] = []
    at, done, end = start, 0, start + len(leaves)
    while at < end:
        size = at & -at if at else 1 << (end - at).bit_length()
        while size > end - at:
            size >>= 1
        nodes = list(leaves[done : done + size])
        while len(nodes) > 1:
            nodes = [
                hashlib.sha256(b"\x01" + nodes[i] + nodes[i + 1]).digest()
                for i in range(0, len(nodes), 2)
            ]
        out.append((size.bit_length() - 1, nodes[0]))
        at += size
        done += size
    return out


class _Tree:
    """The import's Merkle tree built from perfect subtrees in order; only its root is kept."""

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []

    def add(self, blocks: Iterable[tuple[int, bytes]]) -> None:
        stack = self._stack
        for level, digest in blocks:
            if self.size % (1 << level):
                raise ValueError(f"a subtree of level {level} cannot start at {self.size}")
            stack.append((level, digest))
            while len(stack) > 1 and stack[-1][0] == stack[-2][0]:
                top, right = stack.pop()
                _, left = stack.pop()
                stack.append((top + 1, node_hash(left, right)))
            self.size += 1 << level

    def root(self) -> bytes:
        return fold_subtrees([digest for _, digest in self._stack])


def _checked_county(
    item: VoterInput, counties: dict[str, str], county: str | None, file_name: str
) -> VoterInput:
    """The record with its county's id, as ``_Checked`` gives it; the same refusals."""
    where = f"{file_name}:{item.line}"
    jid = counties.get(item.county.strip().lower())
    if jid is None:
        raise InvalidInput(f"county {item.county!r} is not a county of this state", where)
    if county is not None and jid != county:
        raise InvalidInput(
            f"the record is for {jid}, but this file is being loaded for {county}", where
        )
    return item if item.county == jid else replace(item, county=jid)


def _load_part(
    batch: _Batch,
    files: FileParts,
    part: Part,
    counties: dict[str, str],
    county: str | None,
    position: int,
) -> _Loaded:
    """In a helper: read, check, seal, hash one part; ``position`` is its first record's guess.

    The guess (lines before the part, less the header) is right unless an
    earlier part skipped blank rows; the loader then renumbers the part.
    Written flat, as it runs once per voter: the rows come straight from the
    record, without the dictionaries of ``version_row`` and ``record_to_row``
    (building and picking those apart was about a sixth of a helper's time);
    the first record of every part is checked against them.
    """
    keys = PiiKeys(batch.mac_key, batch.seal_key)
    form = _Leaves(batch)
    voters: list[tuple[Any, ...]] = []
    versions: list[tuple[Any, ...]] = []
    leaves: list[bytes] = []
    lines: list[int] = []
    error: tuple[str, str | None] | None = None
    kind, actor, reason = Kind.REGISTRATION.value, batch.actor, _reason(batch)
    at, import_id, file_name, on = batch.at, batch.import_id, batch.file_name, batch.on
    try:
        for item in read_part(files.path, files.columns, part, county=county):
            item = _checked_county(item, counties, county, file_name)
            record = new_record(keys, item, item.voter_id, on)
            version_hash = hashlib.sha256(record.canonical_text().encode()).hexdigest()
            line, number = item.line, position + len(voters)
            voters.append(_voter_row(record, version_hash))
            versions.append(
                (
                    record.voter_id,
                    record.version,
                    kind,
                    actor,
                    reason,
                    f"{file_name}:{line}",
                    at,
                    None,
                    version_hash,
                    import_id,
                    number,
                )
            )
            leaves.append(form.hash(record.voter_id, record.version, line, version_hash, number))
            lines.append(line)
            if len(voters) == 1:
                _check_first(batch, record, voters[0], versions[0], item.line)
                form.check(versions[0], leaves[0])
    except InvalidInput as exc:
        message = str(exc)
        if exc.where and message.startswith(f"{exc.where}: "):
            message = message[len(exc.where) + 2 :]
        error = (message, exc.where)
    return _Loaded(voters, versions, _blocks(position, leaves), lines, error)


def _check_first(
    batch: _Batch, record: VoterRecord, voter: tuple[Any, ...], version: tuple[Any, ...], line: int
) -> None:
    """The flat rows of a record are the rows of ``record_to_row`` and ``version_row``."""
    expected = version_row(
        record,
        Kind.REGISTRATION,
        batch.actor,
        _reason(batch),
        f"{batch.file_name}:{line}",
        batch.at,
        import_id=batch.import_id,
        position=version[_POSITION],
    )
    row = voter_rows.record_to_row(record, expected["version_hash"])
    if (tuple(expected), tuple(expected.values())) != (VERSION_COLUMNS, version) or (
        tuple(row),
        tuple(row.values()),
    ) != (VOTER_COLUMNS, voter):
        raise RuntimeError("the import's flat rows differ from record_to_row / version_row")


def _insert_tuples(
    conn: Connection, table: Table, names: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """``insert_many`` for rows already in column order: no dict is built or picked apart."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        copy_rows(conn, table, names, rows)
        return
    style = conn.dialect.paramstyle
    if style not in ("qmark", "format", "pyformat"):
        insert_many(conn, table, [dict(zip(names, row, strict=True)) for row in rows])
        return
    quote = conn.dialect.identifier_preparer
    mark = "?" if style == "qmark" else "%s"
    statement = (
        f"INSERT INTO {quote.format_table(table)} ({', '.join(quote.quote(n) for n in names)}) "
        f"VALUES ({', '.join([mark] * len(names))})"
    )
    conn.exec_driver_sql(statement, rows)


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


def _executor(expected: int | None, workers: int = 1) -> Executor | None:
    if (expected is not None and expected < PARALLEL_FROM) or (os.cpu_count() or 1) < 2:
        return None
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_exit_with_parent,
        initargs=(os.getpid(),),
    )


def _load_stream(
    conn: Connection,
    batch: _Batch,
    items: Iterable[VoterInput],
    county: str | None,
    first_load: bool,
    tree: Frontier,
    buckets: set[int],
    expected: int | None,
) -> None:
    """Records read here, prepared (for a large file) in one helper while the next are read."""
    checked = _Checked(conn, items, batch.file_name, county)
    executor = _executor(expected)
    try:
        for rows, versions in _prepared(batch, checked, executor):
            if not first_load:
                lines = {r["voter_id"]: checked.lines.get(r["voter_id"], 0) for r in rows}
                _refuse_existing(conn, lines, batch.file_name)
            insert_many(conn, VOTERS, rows)
            insert_many(conn, VOTER_VERSIONS, versions)
            for version in versions:
                tree.append(leaf_hash(facts_of(version).leaf()))
            for row in rows:
                buckets.add(row["bucket"])
    finally:
        if executor is not None:
            executor.shutdown(cancel_futures=True)


def _load_parts(
    conn: Connection,
    batch: _Batch,
    files: FileParts,
    county: str | None,
    first_load: bool,
    buckets: set[int],
    executor: Executor,
) -> tuple[int, bytes]:
    """Parts read by the helpers, inserted here in file order, a few parts ahead.

    This process keeps what needs the whole file: a voter id seen twice, the
    records already on file, the import's Merkle tree and the voter-map
    buckets. Returns the number of records and the import's root.
    """
    counties = _county_ids(conn)
    header = 1 if files.columns.header else 0
    queue = iter(files.parts)
    form = _Leaves(batch)
    tree = _Tree()

    def submit(part: Part) -> tuple[Part, Future[_Loaded]]:
        guess = part.first_line - 1 - header
        return part, executor.submit(_load_part, batch, files, part, counties, county, guess)

    pending = [submit(part) for part in islice(queue, AHEAD)]
    seen: dict[str, int] = {}
    id_at, bucket_at = VOTER_COLUMNS.index("voter_id"), VOTER_COLUMNS.index("bucket")
    while pending:
        part, future = pending.pop(0)
        loaded = future.result()
        following = next(queue, None)
        if following is not None:
            pending.append(submit(following))
        voters, versions, blocks = loaded.voters, loaded.versions, loaded.blocks
        if voters and part.first_line - 1 - header != tree.size:  # blank rows came before
            count = tree.size
            versions = [
                (*v[:_POSITION], count + i, *v[_POSITION + 1 :]) for i, v in enumerate(versions)
            ]
            leaves = [
                form.hash(v[_ID], v[_VERSION], line, v[_HASH], v[_POSITION])
                for v, line in zip(versions, loaded.lines, strict=True)
            ]
            blocks = _blocks(count, leaves)
        for row, line in zip(voters, loaded.lines, strict=True):
            first = seen.get(row[id_at])
            if first is not None:
                raise InvalidInput(
                    f"voter id {row[id_at]} appears twice (first on line {first})",
                    f"{batch.file_name}:{line}",
                )
            seen[row[id_at]] = line
        if loaded.error is not None:
            raise InvalidInput(*loaded.error)
        if not voters:
            continue
        if not first_load:
            lines = {row[id_at]: line for row, line in zip(voters, loaded.lines, strict=True)}
            _refuse_existing(conn, lines, batch.file_name)
        _insert_tuples(conn, VOTERS, VOTER_COLUMNS, voters)
        _insert_tuples(conn, VOTER_VERSIONS, VERSION_COLUMNS, versions)
        tree.add(blocks)
        buckets.update(row[bucket_at] for row in voters)
    return tree.size, tree.root()


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
    parts: FileParts | None = None,
) -> ImportResult:
    """Load records as a new part of the list: all of them, or (on any error) none.

    ``county`` is the county the file belongs to (its records must all be
    that county's); ``None`` is a statewide file, which only the state
    administrator may load. ``expected`` (e.g. the file's line count) lets a
    small import skip the second process. ``parts`` is the same file cut for
    helper processes: for a large file they read, check and hash its parts
    themselves and hand back rows ready to insert, and ``items`` is not read;
    the stored rows, the log and the root are the same as from ``items``.
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
        buckets: set[int] = set()
        executor = _executor(expected, PART_WORKERS) if parts is not None else None
        try:
            if parts is not None and executor is not None:
                size, top = _load_parts(conn, batch, parts, county, first_load, buckets, executor)
            else:
                tree = Frontier(0, [])
                _load_stream(conn, batch, items, county, first_load, tree, buckets, expected)
                size, top = tree.size, tree.root()
        finally:
            if executor is not None:
                executor.shutdown(cancel_futures=True)
        if size == 0:
            raise InvalidInput("the file holds no voter records", file_name)
        if first_load:
            _create_indexes(conn)
        root = top.hex()
        conn.execute(
            VOTER_IMPORTS.insert().values(
                id=import_id,
                county=county,
                file_name=Path(file_name).name,
                sha256=sha256,
                format=fmt,
                records=size,
                merkle_root=root,
                imported_at=at,
            )
        )
        uow.record("voters.imported", import_id, county)
        publish_map(uow, buckets)
    return ImportResult(import_id, size, root, sha256, created=True)
