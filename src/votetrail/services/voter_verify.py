"""The voter list's part of ``votetrail verify``: every row, version, import and the map.

Three independent checks, so an edit made in SQL is caught however careful:
each current row must rebuild into a record whose hash is its latest
version's; every version's stored text must hash to its version hash, and
must be vouched for by the log (its own event, or its import's Merkle root);
and the voter map recomputed from the rows must equal the root the log last
recorded. The first two name the voter; the third catches anything they miss.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping

from sqlalchemy import Connection, select

from votetrail.core.ledger.frontier import Frontier
from votetrail.core.ledger.merkle import leaf_hash
from votetrail.core.voters import voter_map
from votetrail.store import voter_rows
from votetrail.store.models import VOTER_BUCKETS, VOTER_IMPORTS, VOTER_VERSIONS, VOTERS

Problem = Callable[[str], None]


def check_voters(conn: Connection, logged: Mapping[str, str], problem: Problem) -> int:
    """Check the voter tables; ``logged`` maps voter id to the hash its last event logged.

    Returns the number of voters checked.
    """
    latest: dict[str, tuple[int, str, str | None]] = {}
    imports: dict[str, list[tuple[int, str, str]]] = {}
    for voter_id, version, text, version_hash, import_id, position in conn.execution_options(
        yield_per=20_000
    ).execute(
        select(
            VOTER_VERSIONS.c.voter_id,
            VOTER_VERSIONS.c.version,
            VOTER_VERSIONS.c.record,
            VOTER_VERSIONS.c.version_hash,
            VOTER_VERSIONS.c.import_id,
            VOTER_VERSIONS.c.import_position,
        )
    ):
        if text is not None and hashlib.sha256(text.encode()).hexdigest() != version_hash:
            problem(f"voter {voter_id}: version {version} was edited in the history table")
        if import_id is not None:
            imports.setdefault(import_id, []).append((position, voter_id, version_hash))
        known = latest.get(voter_id)
        if known is None or version > known[0]:
            latest[voter_id] = (version, version_hash, import_id)
    for import_id, records, root in conn.execute(
        select(VOTER_IMPORTS.c.id, VOTER_IMPORTS.c.records, VOTER_IMPORTS.c.merkle_root)
    ):
        rows = sorted(imports.pop(import_id, []))
        tree = Frontier(0, [])
        for _, voter_id, version_hash in rows:
            tree.append(leaf_hash(voter_map.leaf(voter_id, version_hash)))
        if tree.size != records or tree.root().hex() != root:
            problem(
                f"voter import {import_id}: its versions no longer match the logged Merkle "
                f"root ({tree.size} of {records} records)"
            )
    for import_id in imports:
        problem(f"versions claim to come from import {import_id}, which was never logged")
    buckets: dict[int, list[tuple[str, str]]] = {}
    checked = 0
    for row in conn.execution_options(yield_per=20_000).execute(
        select(VOTERS).order_by(VOTERS.c.voter_id)
    ):
        checked += 1
        record = voter_rows.row_to_record(row)
        actual = record.version_hash()
        voter_id = record.voter_id
        buckets.setdefault(voter_map.bucket_of(voter_id), []).append((voter_id, actual))
        known = latest.pop(voter_id, None)
        if known is None:
            problem(f"voter {voter_id} is on the list but has no recorded version")
            continue
        version, version_hash, import_id = known
        if actual != version_hash or record.version != version:
            problem(
                f"voter {voter_id} was changed outside the application: the row no longer "
                f"matches its recorded version {version}"
            )
        event_hash = logged.get(voter_id)
        if import_id is None and event_hash != version_hash:
            problem(f"voter {voter_id}: version {version} is not the one the log recorded")
        elif import_id is not None and event_hash is not None:
            problem(
                f"voter {voter_id}: the log recorded a change, but the history holds only "
                "the imported version"
            )
    for voter_id in latest:
        problem(f"voter {voter_id} was deleted from the list without a logged cancellation")
    empty = voter_map.bucket_root([])
    roots = [empty] * voter_map.BUCKETS
    for bucket, entries in buckets.items():
        roots[bucket] = voter_map.bucket_root(entries)
    stored = dict(conn.execute(select(VOTER_BUCKETS.c.bucket, VOTER_BUCKETS.c.root)).all())
    for bucket in range(voter_map.BUCKETS):
        if stored.get(bucket, empty.hex()) != roots[bucket].hex():
            problem(f"voter map bucket {bucket} does not match the voters in it")
    state = voter_rows.map_state(conn)
    if checked or state is not None:
        root = voter_map.map_root(roots).hex()
        if state is None or state[0] != root or state[1] != checked:
            problem("the voter list does not match the voter-map root recorded in the log")
    return checked
