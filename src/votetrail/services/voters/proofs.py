"""Proving one voter's record is the current one, to anyone, and letting voters check their own.

A proof bundle links five things a stranger can check with SHA-256 and the
log's public key alone: the record's canonical form hashes to its version
hash; that version is the current one in the voter map (``voter_map``
proof); the map root is what a ``voters.map_updated`` log entry committed
to; that entry is inside a signed checkpoint; and no later entry up to that
checkpoint changed the map (``core/voters/freshness.py``: the bundle carries
the log's frontier before the entry and every entry after it, which must
rebuild the signed root). Change the record in the database and the first or
second link breaks; change the map and the third does; re-attach an old
proof to a newer checkpoint and the last says "stale"; rewrite the log and
the signature or the published checkpoints do.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from votetrail.core.ledger.canonical import canonical_bytes, canonical_hash
from votetrail.core.ledger.checkpoint import Checkpoint
from votetrail.core.ledger.events import LogEntry
from votetrail.core.ledger.frontier import Frontier
from votetrail.core.ledger.merkle import verify_inclusion
from votetrail.core.ledger.note import NoteVerifier, open_note
from votetrail.core.voters import voter_map
from votetrail.core.voters.freshness import MAP_RECORD_TYPE, freshness_problems
from votetrail.core.voters.record import VoterRecord
from votetrail.errors import NotFound, VerificationFailed
from votetrail.services.context import App
from votetrail.services.voters.pii import load_keys
from votetrail.store import ledger, voter_rows
from votetrail.store.models import CHECKPOINTS, LEDGER_ENTRIES, VOTER_VERSIONS, VOTERS

MAX_TRAIL = 500
"""At most this many log entries after the map update go into a proof.

When more than this many entries (netmon, L&A, other counties' work) were
logged since the voter map last changed, the proof names the newest stored
checkpoint within this reach instead of the very newest one: it shows the
record current as of that (signed, later than the map update) checkpoint,
and the bundle stays small enough to embed in the public page.
"""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _entry_json(seq: int, entry: LogEntry) -> dict[str, Any]:
    return {
        "index": seq,
        "type": entry.event_type,
        "actor": entry.actor,
        "jurisdiction": entry.jurisdiction,
        "time": entry.occurred_at,
        "record_type": entry.record_type,
        "record_id": entry.record_id,
        "payload_sha256": entry.payload_hash,
    }


def _entry_from_json(e: dict[str, Any]) -> tuple[int, LogEntry]:
    index = e["index"]
    if not isinstance(index, int) or isinstance(index, bool):
        raise ValueError("an entry's index must be a number")
    return index, LogEntry(
        event_type=str(e["type"]),
        actor=str(e["actor"]),
        jurisdiction=e["jurisdiction"],
        occurred_at=str(e["time"]),
        record_type=e["record_type"],
        record_id=e["record_id"],
        payload_hash=str(e["payload_sha256"]),
    )


def _checkpoint_after(conn: Connection, seq: int) -> tuple[int, str] | None:
    """The newest stored checkpoint that includes entry ``seq`` within ``MAX_TRAIL`` entries.

    Every commit signs a checkpoint, so the one of the map update's own commit
    is always within reach; the smallest after ``seq`` is the fallback.
    """
    after = CHECKPOINTS.c.size > seq
    row = conn.execute(
        select(CHECKPOINTS.c.size, CHECKPOINTS.c.note)
        .where(after, CHECKPOINTS.c.size <= seq + 1 + MAX_TRAIL)
        .order_by(CHECKPOINTS.c.size.desc())
        .limit(1)
    ).first()
    if row is None:
        row = conn.execute(
            select(CHECKPOINTS.c.size, CHECKPOINTS.c.note)
            .where(after)
            .order_by(CHECKPOINTS.c.size)
            .limit(1)
        ).first()
    return None if row is None else (int(row[0]), str(row[1]))


def bundle_for(conn: Connection, voter_id: str, seq: int, size: int, note: str) -> dict[str, Any]:
    """The bundle proving ``voter_id``'s stored record under map entry ``seq`` and a checkpoint.

    ``prove`` picks the newest map entry and checkpoint; tests call this with
    older ones to build the bundles an attacker could.
    """
    record = voter_rows.get(conn, voter_id)
    if record is None:
        raise NotFound(f"no voter {voter_id}")
    proof = voter_map.prove(
        voter_id,
        voter_rows.bucket_entries(conn, voter_map.bucket_of(voter_id)),
        voter_rows.bucket_roots(conn),
    )
    state = voter_rows.map_state(conn)
    if state is None:
        raise NotFound("the voter map has not been logged yet")
    root, voters = state
    entry = ledger.entries(conn, seq, 1)[0][1]
    frontier = ledger.read_subtrees(conn, Frontier.layout(seq))
    later = ledger.entries(conn, seq + 1, size - seq - 1) if size > seq + 1 else []
    return {
        "voter_id": voter_id,
        "record": record.payload(),
        "version_hash": record.version_hash(),
        "map_proof": proof.to_json(),
        "map": {"id": voter_rows.MAP_ID, "root": root, "voters": voters},
        "map_entry": _entry_json(seq, entry),
        "inclusion_path": [_b64(h) for h in ledger.inclusion(conn, seq, size)],
        "log_frontier": [_b64(h) for h in frontier],
        "later_entries": [_entry_json(i, e) for i, e in later],
        "checkpoint": note,
    }


def prove(app: App, voter_id: str) -> dict[str, Any]:
    """The bundle for the current version of ``voter_id``, against the newest checkpoint in reach.

    One snapshot: the record, the map, the latest ``voters.map_updated``
    entry and the entries after it up to the checkpoint are read together.
    """
    with app.engine.connect() as conn, conn.begin():
        if voter_rows.get(conn, voter_id) is None:
            raise NotFound(f"no voter {voter_id}")
        seq = conn.execute(
            select(LEDGER_ENTRIES.c.seq)
            .where(LEDGER_ENTRIES.c.record_type == MAP_RECORD_TYPE)
            .order_by(LEDGER_ENTRIES.c.seq.desc())
            .limit(1)
        ).scalar()
        checkpoint = None if seq is None else _checkpoint_after(conn, int(seq))
        if seq is None or checkpoint is None:
            raise NotFound("the voter map has not been logged yet")
        return bundle_for(conn, voter_id, int(seq), *checkpoint)


def proof_text(bundle: dict[str, Any]) -> str:
    """The bundle as the file a clerk or a voter keeps: one layout for the command and the page."""
    return json.dumps(bundle, indent=2, default=str) + "\n"


def check_bundle(bundle: dict[str, Any], verifier_key: str) -> list[str]:
    """Every link of a proof bundle that does not hold (empty: the proof is good).

    A record that was current once but not at the checkpoint the bundle names
    gets a problem starting with "stale".
    """
    problems: list[str] = []
    try:
        record_hash = hashlib.sha256(canonical_bytes(bundle["record"])).hexdigest()
        if record_hash != bundle["version_hash"]:
            problems.append("the record does not hash to the version hash")
        if bundle["record"].get("voter_id") != bundle["voter_id"]:
            problems.append("the record is another voter's")
        proof = voter_map.VoterProof.from_json(bundle["map_proof"])
        if proof.version_hash != bundle["version_hash"] or proof.voter_id != bundle["voter_id"]:
            problems.append("the map proof is for another voter or version")
        state = bundle["map"]
        if not voter_map.verify_proof(proof, bytes.fromhex(state["root"])):
            problems.append("the record is not the current version under the map root")
        index, entry = _entry_from_json(bundle["map_entry"])
        if canonical_hash(state) != entry.payload_hash or entry.record_type != MAP_RECORD_TYPE:
            problems.append("the log entry does not commit to this map root")
        verifier = NoteVerifier.parse(verifier_key)
        checkpoint = Checkpoint.parse(open_note(bundle["checkpoint"], [verifier]))
        path = [base64.b64decode(p) for p in bundle["inclusion_path"]]
        if not verify_inclusion(entry.leaf(), index, checkpoint.size, path, checkpoint.root_hash):
            problems.append("the log entry is not included in the signed checkpoint")
        problems.extend(
            freshness_problems(
                [base64.b64decode(h) for h in bundle["log_frontier"]],
                index,
                entry,
                [_entry_from_json(e) for e in bundle["later_entries"]],
                checkpoint.size,
                checkpoint.root_hash,
            )
        )
    except VerificationFailed as exc:
        problems.append(f"the checkpoint does not verify: {exc}")
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        problems.append(f"the bundle is malformed ({type(exc).__name__}: {exc})")
    return problems


def is_stale(problems: list[str]) -> bool:
    """Whether the problems say the record was superseded (or cannot be shown current)."""
    return any(p.startswith("stale") for p in problems)


@dataclass(frozen=True)
class RegistrationCheck:
    record: VoterRecord
    history: list[tuple[int, str, str]]
    """(version, kind, date) of every version, oldest first: no actors, no content."""
    bundle: dict[str, Any]
    problems: list[str]


def check_registration(
    app: App, voter_id: str, last_name: str, dob: date
) -> RegistrationCheck | None:
    """The voter's own record and proof, if id, last name and birth date all match.

    Any mismatch gives ``None``, the same answer as an unknown id, so the page
    cannot be used to learn whether an id exists or whose it is.
    """
    keys = load_keys(app.data_dir, create_if_missing=False)
    with app.engine.connect() as conn:
        record = voter_rows.get(conn.execution_options(), voter_id.strip())
        if record is None:
            return None
        if record.last_name.strip().lower() != last_name.strip().lower():
            return None
        if not record.dob.present or keys.dob_mac(dob) != record.dob.mac:
            return None
    return _answer(app, record)


def check_registration_by_name(
    app: App, first_name: str, last_name: str, dob: date, county: str
) -> RegistrationCheck | None:
    """The same answer for a voter who does not know their id: name, birth date and county.

    Looked up by the keyed hash of the birth date (indexed) within the
    county, then the names compared in memory. Exactly one registration must
    match: two people of one name and birth date in one county get the same
    ``None`` as no match (they can ask the office), so the answer never tells
    which of the details was wrong.
    """
    keys = load_keys(app.data_dir, create_if_missing=False)
    first, last = first_name.strip().lower(), last_name.strip().lower()
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(VOTERS)
            .where(VOTERS.c.county == county.strip())
            .where(VOTERS.c.dob_mac == keys.dob_mac(dob))
        ).all()
    found = [
        r
        for r in (voter_rows.row_to_record(row) for row in rows)
        if r.last_name.strip().lower() == last and r.first_name.strip().lower() == first
    ]
    if len(found) != 1:
        return None
    return _answer(app, found[0])


def _answer(app: App, record: VoterRecord) -> RegistrationCheck:
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(VOTER_VERSIONS.c.version, VOTER_VERSIONS.c.kind, VOTER_VERSIONS.c.occurred_at)
            .where(VOTER_VERSIONS.c.voter_id == record.voter_id)
            .order_by(VOTER_VERSIONS.c.version)
        ).all()
    bundle = prove(app, record.voter_id)
    return RegistrationCheck(
        record=record,
        history=[(int(v), str(k), str(t)[:10]) for v, k, t in rows],
        bundle=bundle,
        problems=check_bundle(bundle, app.signer.verifier.encode()),
    )
