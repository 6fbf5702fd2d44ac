"""The hash that covers who voted in one election, as the office recorded it.

Participation rows (voter, election, day, method) feed the "changed right
after voting" alert and tell the public record of who voted; an insider who
deletes or edits one hides a change or invents a vote. Each load therefore
logs the digest of the whole election's rows as they then stand
(``voters.participation_updated``, record id = the election), and ``verify``
recomputes it. Rows are taken in voter-id order (the order the database
returns them in, as for the voter map), one canonical JSON line each, so the
digest streams and never needs the election in memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from votetrail.core.ledger.canonical import canonical_bytes

__all__ = ["participation_digest"]


def participation_digest(election: str, rows: Iterable[tuple[str, str, str]]) -> str:
    """SHA-256 over the election's ``(voter_id, voted_on, method)`` rows in voter-id order."""
    digest = hashlib.sha256(canonical_bytes({"election": election}) + b"\n")
    for voter_id, voted_on, method in rows:
        digest.update(canonical_bytes([voter_id, voted_on, method]) + b"\n")
    return digest.hexdigest()
