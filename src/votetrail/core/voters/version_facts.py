"""What the log vouches for about one version: the record AND the transaction that made it.

A version hash covers only the record's content. The "who, why, on which
document, when" of a registration change lives beside it (``voter_versions``:
kind, actor, reason, source reference, time, and for a loaded file the import
and the position in it). If only the record were logged, those could be
rewritten in SQL unseen. So what the log commits to for a version is the
canonical JSON of all of them together:

- a change (or a single registration) logs ``facts.hash()`` as its event's
  payload hash;
- an import's Merkle root is over ``facts.leaf()`` of every version it made.

The voter map still commits to the record's version hash only (it says which
record is current; the log says how it came to be), so voter proofs are
unaffected. ``verify`` rebuilds these facts from every history row.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from json.encoder import encode_basestring

__all__ = ["VersionFacts"]


def _text(value: str | None) -> str:
    return "null" if value is None else encode_basestring(value)


def _number(value: int | None) -> str:
    return "null" if value is None else str(int(value))


@dataclass(frozen=True, slots=True)
class VersionFacts:
    """One ``voter_versions`` row minus the stored text (which must hash to ``version_hash``)."""

    voter_id: str
    version: int
    kind: str
    actor: str
    reason: str
    source_ref: str
    occurred_at: str
    version_hash: str
    import_id: str | None = None
    import_position: int | None = None

    def payload(self) -> dict[str, object]:
        return {
            "voter_id": self.voter_id,
            "version": self.version,
            "kind": self.kind,
            "actor": self.actor,
            "reason": self.reason,
            "source_ref": self.source_ref,
            "occurred_at": self.occurred_at,
            "version_hash": self.version_hash,
            "import_id": self.import_id,
            "import_position": self.import_position,
        }

    def leaf(self) -> bytes:
        """``canonical_bytes(self.payload())``, written out by hand: imports make millions.

        Keys in code-point order, no spaces, strings escaped as the generic
        encoder does; a test keeps the two equal.
        """
        return (
            f'{{"actor":{_text(self.actor)},"import_id":{_text(self.import_id)},'
            f'"import_position":{_number(self.import_position)},"kind":{_text(self.kind)},'
            f'"occurred_at":{_text(self.occurred_at)},"reason":{_text(self.reason)},'
            f'"source_ref":{_text(self.source_ref)},"version":{_number(self.version)},'
            f'"version_hash":{_text(self.version_hash)},"voter_id":{_text(self.voter_id)}}}'
        ).encode()

    def hash(self) -> str:
        """The payload hash a change's log entry carries."""
        return hashlib.sha256(self.leaf()).hexdigest()
