"""The voter list's part of ``votetrail verify``: every row, version, import, bucket and vote.

The rule: every column of every row that records something the office did is
covered by a hash the log holds, and every stored derived value is
recomputed and compared. For the voter tables that means:

- ``voter_versions``: each version's transaction facts (kind, actor, reason,
  source document, time, import and position, version hash;
  ``core/voters/version_facts.py``) hash to its own event's payload, in
  version order, or fold into its import's logged Merkle root; its stored
  text hashes to the version hash; only the current version of an imported
  voter may lack its text, and no version may be missing;
- ``voters``: each row rebuilds into the record its latest version holds, and
  its stored ``version_hash`` and ``bucket`` equal the values recomputed from it;
- ``voter_buckets`` and ``voter_map``: recomputed from the rows (root and size
  of every bucket, the map root and count); the map row is also a ledgered
  record (``store/records.py``), as are imports, reviews and alerts;
- ``voter_participation``: each election's rows hash to what its last load
  logged (``core/voters/participation.py``).

Every problem names the table and the voter, import, bucket or election.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from sqlalchemy import Connection, select

from votetrail.core.ledger.frontier import Frontier
from votetrail.core.ledger.merkle import leaf_hash
from votetrail.core.voters import voter_map
from votetrail.core.voters.participation import participation_digest
from votetrail.core.voters.version_facts import VersionFacts
from votetrail.store import voter_rows
from votetrail.store.models import (
    LEDGER_ENTRIES,
    VOTER_BUCKETS,
    VOTER_IMPORTS,
    VOTER_PARTICIPATION,
    VOTER_VERSIONS,
    VOTERS,
)

Problem = Callable[[str], None]
STREAM = 20_000
"""Rows fetched at a time, set per statement: ``Connection.execution_options`` would
change the caller's connection for good (its server-side cursors break bulk inserts)."""


@dataclass(slots=True)
class _History:
    """What the history table says about one voter, gathered in one pass."""

    latest: int
    latest_hash: str
    count: int = 0
    first: int = 0
    textless: int = 0
    textless_version: int = 0


@dataclass
class _Logged:
    changes: dict[str, list[str]]
    """Voter id to the payload hashes of its events, in log order."""
    participation: dict[str, str]
    """Election to the payload hash of its last ``voters.participation_updated``."""


def _logged(conn: Connection, types: tuple[str, ...] = ("voter", "voter_participation")) -> _Logged:
    """The voter events of the log (the main check has already rebuilt the log itself)."""
    changes: dict[str, list[str]] = {}
    participation: dict[str, str] = {}
    for record_type, record_id, payload in conn.execute(
        select(
            LEDGER_ENTRIES.c.record_type, LEDGER_ENTRIES.c.record_id, LEDGER_ENTRIES.c.payload_hash
        )
        .where(LEDGER_ENTRIES.c.record_type.in_(types))
        .order_by(LEDGER_ENTRIES.c.seq)
        .execution_options(yield_per=STREAM)
    ):
        if record_type == "voter":
            changes.setdefault(str(record_id), []).append(str(payload))
        else:
            participation[str(record_id)] = str(payload)
    return _Logged(changes, participation)


def _number(value: Any) -> int:
    """An integer column as stored; text put in one by raw SQL (SQLite allows it) is refused."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{value!r} is not a whole number")
    return value


def _facts(m: Any) -> VersionFacts:
    """A history row's transaction facts; ValueError if a number column holds something else."""
    import_id = m["import_id"]
    return VersionFacts(
        voter_id=str(m["voter_id"]),
        version=_number(m["version"]),
        kind=str(m["kind"]),
        actor=str(m["actor"]),
        reason=str(m["reason"]),
        source_ref=str(m["source_ref"]),
        occurred_at=str(m["occurred_at"]),
        version_hash=str(m["version_hash"]),
        import_id=None if import_id is None else str(import_id),
        import_position=None if m["import_position"] is None else _number(m["import_position"]),
    )


def _latest(conn: Connection) -> dict[str, _History]:
    """Each voter's newest readable version and its hash, all the row check needs of the
    history: so a helper process can check the rows while another checks the history."""
    histories: dict[str, _History] = {}
    columns = VOTER_VERSIONS.c
    for voter_id, version, version_hash, position in conn.execute(
        select(
            columns.voter_id, columns.version, columns.version_hash, columns.import_position
        ).execution_options(yield_per=STREAM)
    ):
        # The rows the history check skips as unreadable (see _facts) are skipped here too.
        try:
            number = _number(version)
            if position is not None:
                _number(position)
        except ValueError:
            continue
        voter, digest = str(voter_id), str(version_hash)
        known = histories.get(voter)
        if known is None:
            histories[voter] = _History(number, digest)
        elif number > known.latest:
            known.latest, known.latest_hash = number, digest
    return histories


def _check_versions(
    conn: Connection, logged: dict[str, list[str]], problem: Problem
) -> dict[str, _History]:
    """Check every history row; return each voter's history summary."""
    histories: dict[str, _History] = {}
    changes: dict[str, list[tuple[int, str]]] = {}
    imports: dict[str, list[tuple[int, bytes]]] = {}
    for row in conn.execute(select(VOTER_VERSIONS).execution_options(yield_per=STREAM)):
        m = row._mapping
        voter_id, text, version_hash, import_id = (
            str(m["voter_id"]),
            m["record"],
            str(m["version_hash"]),
            m["import_id"],
        )
        where = f"voter_versions: voter {voter_id} version {m['version']}"
        try:
            facts = _facts(m)
        except ValueError as exc:
            problem(f"{where}: the row cannot be read ({exc})")
            continue
        version, position = facts.version, facts.import_position
        if text is not None and hashlib.sha256(str(text).encode()).hexdigest() != version_hash:
            problem(f"{where}: its stored record was edited (it no longer hashes to the version)")
        if import_id is not None:
            imports.setdefault(str(import_id), []).append(
                (-1 if position is None else position, leaf_hash(facts.leaf()))
            )
        else:
            changes.setdefault(voter_id, []).append((version, facts.hash()))
            if text is None:
                problem(f"{where}: the stored record of a logged change was removed")
        known = histories.get(voter_id)
        if known is None:
            known = histories[voter_id] = _History(version, version_hash, first=version)
        elif version > known.latest:
            known.latest, known.latest_hash = version, version_hash
        known.count += 1
        known.first = min(known.first, version)
        if text is None and import_id is not None:
            known.textless += 1
            known.textless_version = version
    for voter_id, known in histories.items():
        if known.first != 1 or known.count != known.latest:
            problem(
                f"voter_versions: voter {voter_id}: versions are missing from the history "
                f"({known.count} stored, numbered {known.first} to {known.latest})"
            )
        elif known.textless and (known.textless > 1 or known.textless_version != known.latest):
            problem(
                f"voter_versions: voter {voter_id}: an earlier imported version lost its "
                "stored record"
            )
    for voter_id in sorted(set(changes) | set(logged)):
        _compare_with_log(
            voter_id, sorted(changes.get(voter_id, [])), logged.get(voter_id, []), problem
        )
    _check_imports(conn, imports, problem)
    return histories


def _compare_with_log(
    voter_id: str, versions: list[tuple[int, str]], events: list[str], problem: Problem
) -> None:
    """A voter's changes, in version order, must be exactly its logged events, in log order."""
    for position, (version, facts_hash) in enumerate(versions):
        if position >= len(events):
            problem(
                f"voter_versions: voter {voter_id} version {version} was never logged "
                "(a history row was inserted, or its import id removed)"
            )
            return
        if events[position] != facts_hash:
            problem(
                f"voter_versions: voter {voter_id} version {version} does not match what the "
                "log recorded for it (its kind, actor, reason, source document, time, "
                "record hash or import was changed)"
            )
            return
    if len(events) > len(versions):
        problem(
            f"voter_versions: voter {voter_id}: the log recorded {len(events)} change(s) but "
            f"the history holds {len(versions)}: a logged version was deleted"
        )


def _check_imports(
    conn: Connection, imports: dict[str, list[tuple[int, bytes]]], problem: Problem
) -> None:
    for import_id, records, root in conn.execute(
        select(VOTER_IMPORTS.c.id, VOTER_IMPORTS.c.records, VOTER_IMPORTS.c.merkle_root)
    ):
        leaves = sorted(imports.pop(import_id, []))
        tree = Frontier(0, [])
        for _, leaf in leaves:
            tree.append(leaf)
        if tree.size != records or tree.root().hex() != root:
            problem(
                f"voter_versions: the versions of voter import {import_id} no longer match its "
                f"logged Merkle root ({tree.size} of {records} records; a version's record, "
                "actor, reason, source line, time or position was changed, or one was "
                "added or deleted)"
            )
    for import_id in sorted(imports):
        problem(f"voter_versions: versions claim to come from import {import_id}, never logged")


def _rows(conn: Connection) -> Iterator[Any]:
    yield from conn.execute(
        select(VOTERS).order_by(VOTERS.c.voter_id).execution_options(yield_per=STREAM)
    )


def _check_rows(
    conn: Connection, histories: dict[str, _History], problem: Problem
) -> tuple[int, dict[int, list[tuple[str, str]]]]:
    """Check every current row; return the count and the map's buckets as recomputed."""
    buckets: dict[int, list[tuple[str, str]]] = {}
    checked = 0
    unseen = set(histories)
    for row in _rows(conn):
        checked += 1
        m = row._mapping
        voter_id = str(m["voter_id"])
        unseen.discard(voter_id)
        stored_hash = str(m["version_hash"])
        try:
            record = voter_rows.row_to_record(row)
            actual = record.version_hash()
            version: object = record.version
        except (ValueError, TypeError, KeyError) as exc:
            problem(f"voters: voter {voter_id}: the row cannot be read ({exc})")
            actual, version = f"unreadable:{stored_hash}", None
        bucket = voter_map.bucket_of(voter_id)
        buckets.setdefault(bucket, []).append((voter_id, actual))
        if stored_hash != actual:
            problem(
                f"voters: voter {voter_id}: the stored version_hash is not the hash of the row "
                "(recomputed and compared)"
            )
        if m["bucket"] != bucket:
            problem(
                f"voters: voter {voter_id}: the stored bucket {m['bucket']!r} is not the voter's "
                f"map bucket {bucket}"
            )
        known = histories.get(voter_id)
        if known is None:
            problem(f"voters: voter {voter_id} is on the list but has no recorded version")
        elif actual != known.latest_hash or version != known.latest:
            problem(
                f"voters: voter {voter_id} was changed outside the application: the row no "
                f"longer matches its recorded version {known.latest}"
            )
    for voter_id in sorted(unseen):
        problem(f"voters: voter {voter_id} was deleted from the list without a logged cancellation")
    return checked, buckets


def _check_map(
    conn: Connection, buckets: dict[int, list[tuple[str, str]]], checked: int, problem: Problem
) -> None:
    empty = voter_map.bucket_root([])
    roots = [empty] * voter_map.BUCKETS
    for bucket, entries in buckets.items():
        roots[bucket] = voter_map.bucket_root(entries)
    stored = {
        b: (r, s)
        for b, r, s in conn.execute(
            select(VOTER_BUCKETS.c.bucket, VOTER_BUCKETS.c.root, VOTER_BUCKETS.c.size)
        )
    }
    for bucket in sorted(set(stored) - set(range(voter_map.BUCKETS)), key=str):
        problem(f"voter_buckets: bucket {bucket!r} is not a bucket of the voter map")
    for bucket in range(voter_map.BUCKETS):
        root, size = stored.get(bucket, (empty.hex(), 0))
        if root != roots[bucket].hex():
            problem(f"voter_buckets: voter map bucket {bucket} does not match the voters in it")
        if size != len(buckets.get(bucket, [])):
            problem(
                f"voter_buckets: voter map bucket {bucket} says it holds {size!r} voters, "
                f"not the {len(buckets.get(bucket, []))} in it"
            )
    state = voter_rows.map_state(conn)
    if checked or state is not None:
        root_hex = voter_map.map_root(roots).hex()
        if state is None or state[0] != root_hex or state[1] != checked:
            problem(
                "voter_map: the voter list does not match the voter-map root recorded in the log"
            )


def _check_participation(conn: Connection, logged: dict[str, str], problem: Problem) -> int:
    rows = conn.execute(
        select(
            VOTER_PARTICIPATION.c.election,
            VOTER_PARTICIPATION.c.voter_id,
            VOTER_PARTICIPATION.c.voted_on,
            VOTER_PARTICIPATION.c.method,
        )
        .order_by(VOTER_PARTICIPATION.c.election, VOTER_PARTICIPATION.c.voter_id)
        .execution_options(yield_per=STREAM)
    )
    seen: set[str] = set()
    count = 0
    for election, group in groupby(rows, key=lambda r: r[0]):
        seen.add(str(election))
        items = [(r[1], r[2], r[3]) for r in group]
        count += len(items)
        digest = participation_digest(str(election), items)
        expected = logged.get(str(election))
        if expected is None:
            problem(
                f"voter_participation: who voted in election {election!r} was never logged "
                "(rows were inserted behind the application's back)"
            )
        elif digest != expected:
            problem(
                f"voter_participation: who voted in election {election!r} no longer matches "
                "what the log recorded (a row was added, edited or deleted)"
            )
    for election in sorted(set(logged) - seen):
        if logged[election] != participation_digest(election, []):
            problem(
                f"voter_participation: every record of who voted in election {election!r} "
                "was deleted"
            )
    return count


def check_voters(conn: Connection, problem: Problem) -> int:
    """Check the voter tables against the log; return the number of voters checked."""
    logged = _logged(conn)
    histories = _check_versions(conn, logged.changes, problem)
    return _check_list(conn, histories, logged.participation, problem)


def check_voter_history(conn: Connection, problem: Problem) -> None:
    """The first half of :func:`check_voters`, for a helper process: the history table."""
    _check_versions(conn, _logged(conn, ("voter",)).changes, problem)


def check_voter_list(conn: Connection, problem: Problem) -> int:
    """The second half, for another helper at the same time: the rows, map and who voted.

    It reads the newest version of each voter itself rather than wait for the
    first half; the problems of the two halves, in that order, are
    :func:`check_voters`' own.
    """
    participation = _logged(conn, ("voter_participation",)).participation
    return _check_list(conn, _latest(conn), participation, problem)


def _check_list(
    conn: Connection,
    histories: dict[str, _History],
    participation: dict[str, str],
    problem: Problem,
) -> int:
    checked, buckets = _check_rows(conn, histories, problem)
    _check_map(conn, buckets, checked, problem)
    _check_participation(conn, participation, problem)
    return checked
