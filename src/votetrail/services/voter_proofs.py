"""Proving one voter's record is the current one, to anyone, and letting voters check their own.

A proof bundle links four things a stranger can check with SHA-256 and the
log's public key alone: the record's canonical form hashes to its version
hash; that version is the current one in the voter map (``voter_map``
proof); the map root is what the latest ``voters.map_updated`` log entry
committed to; and that entry is inside a signed checkpoint. Change the
record in the database and the first or second link breaks; change the map
and the third does; rewrite the log and the signature or the published
checkpoints do.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from votetrail.core.ledger.canonical import canonical_bytes, canonical_hash
from votetrail.core.ledger.checkpoint import Checkpoint
from votetrail.core.ledger.events import LogEntry
from votetrail.core.ledger.merkle import verify_inclusion
from votetrail.core.ledger.note import NoteVerifier, open_note
from votetrail.core.voters import voter_map
from votetrail.core.voters.record import VoterRecord
from votetrail.errors import NotFound, VerificationFailed
from votetrail.services.context import App
from votetrail.services.voter_pii import load_keys
from votetrail.store import ledger, voter_rows
from votetrail.store.models import LEDGER_ENTRIES, VOTER_VERSIONS


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def prove(app: App, voter_id: str) -> dict[str, Any]:
    """The bundle for the current version of ``voter_id``, against the newest checkpoint."""
    with app.engine.connect() as conn, conn.begin():
        record = voter_rows.get(conn, voter_id)
        if record is None:
            raise NotFound(f"no voter {voter_id}")
        bucket = voter_map.bucket_of(voter_id)
        proof = voter_map.prove(
            voter_id, voter_rows.bucket_entries(conn, bucket), voter_rows.bucket_roots(conn)
        )
        state = voter_rows.map_state(conn)
        seq = conn.execute(
            select(LEDGER_ENTRIES.c.seq)
            .where(LEDGER_ENTRIES.c.record_type == "voter_map")
            .order_by(LEDGER_ENTRIES.c.seq.desc())
            .limit(1)
        ).scalar()
        note = ledger.latest_checkpoint(conn)
        if state is None or seq is None or note is None:
            raise NotFound("the voter map has not been logged yet")
        size, _ = ledger.head(conn)
        entry = ledger.entries(conn, seq, 1)[0][1]
        path = ledger.inclusion(conn, seq, size)
    root, voters = state
    return {
        "voter_id": voter_id,
        "record": record.payload(),
        "version_hash": record.version_hash(),
        "map_proof": proof.to_json(),
        "map": {"id": voter_rows.MAP_ID, "root": root, "voters": voters},
        "map_entry": {
            "index": seq,
            "type": entry.event_type,
            "actor": entry.actor,
            "jurisdiction": entry.jurisdiction,
            "time": entry.occurred_at,
            "record_type": entry.record_type,
            "record_id": entry.record_id,
            "payload_sha256": entry.payload_hash,
        },
        "inclusion_path": [_b64(h) for h in path],
        "checkpoint": note,
    }


def check_bundle(bundle: dict[str, Any], verifier_key: str) -> list[str]:
    """Every link of a proof bundle that does not hold (empty: the proof is good)."""
    problems: list[str] = []
    try:
        record_hash = hashlib.sha256(canonical_bytes(bundle["record"])).hexdigest()
        if record_hash != bundle["version_hash"]:
            problems.append("the record does not hash to the version hash")
        proof = voter_map.VoterProof.from_json(bundle["map_proof"])
        if proof.version_hash != bundle["version_hash"] or proof.voter_id != bundle["voter_id"]:
            problems.append("the map proof is for another voter or version")
        state = bundle["map"]
        if not voter_map.verify_proof(proof, bytes.fromhex(state["root"])):
            problems.append("the record is not the current version under the map root")
        e = bundle["map_entry"]
        if canonical_hash(state) != e["payload_sha256"] or e["record_type"] != "voter_map":
            problems.append("the log entry does not commit to this map root")
        entry = LogEntry(
            event_type=e["type"],
            actor=e["actor"],
            jurisdiction=e["jurisdiction"],
            occurred_at=e["time"],
            record_type=e["record_type"],
            record_id=e["record_id"],
            payload_hash=e["payload_sha256"],
        )
        verifier = NoteVerifier.parse(verifier_key)
        checkpoint = Checkpoint.parse(open_note(bundle["checkpoint"], [verifier]))
        path = [base64.b64decode(p) for p in bundle["inclusion_path"]]
        if not verify_inclusion(
            entry.leaf(), int(e["index"]), checkpoint.size, path, checkpoint.root_hash
        ):
            problems.append("the log entry is not included in the signed checkpoint")
    except VerificationFailed as exc:
        problems.append(f"the checkpoint does not verify: {exc}")
    except (KeyError, TypeError, ValueError) as exc:
        problems.append(f"the bundle is malformed ({type(exc).__name__}: {exc})")
    return problems


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
