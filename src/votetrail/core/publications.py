"""Official publications: what may be published, how a statement is normalised, and
how a proof bundle is checked offline.

Pure, so the office's server, its verify page and a voter's offline
``votetrail verify-document`` apply one rule and cannot drift apart.
"""

from __future__ import annotations

import base64
import binascii
import json
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from votetrail.core.ledger.canonical import canonical_hash
from votetrail.core.ledger.checkpoint import Checkpoint
from votetrail.core.ledger.merkle import leaf_hash, verify_consistency, verify_inclusion_hash
from votetrail.core.ledger.note import NoteVerifier, open_note
from votetrail.errors import VerificationFailed

KINDS: dict[str, str] = {
    "results": "Results",
    "notice": "Notice",
    "polling_place_change": "Polling-place change",
    "press_release": "Press release",
    "rumor_response": "Rumor response",
}
"""Kind of publication → its label on the pages."""

MEDIA_TYPES: dict[str, str] = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".csv": "text/csv",
    ".json": "application/json",
    ".txt": "text/plain",
}
"""What may be published, by the file's ending; anything else (HTML, SVG, scripts) is
refused because a served copy could run in a reader's browser."""

MAGIC: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}
"""How each binary type begins, so a renamed file is refused rather than published."""

STATEMENT = "text/plain"
"""Plain text is stored and hashed as its normalised text (:func:`normalise_text`)."""

TEXT_LIMIT = 1 << 20
"""The largest plain-text publication, in bytes: normalising reads it whole."""

BUNDLE_FORMAT = "votetrail-publication-proof/1"
PUBLISHED_EVENTS = ("publication.published", "publication.corrected")


def normalise_text(text: str) -> str:
    """The form a statement is stored, hashed and compared in.

    Line endings become LF (CRLF and lone CR alike), white space at the end of
    each line and at the end of the text is removed, a leading byte-order mark
    is dropped and the text is put in Unicode NFC. Copying a statement out of a
    web page, an e-mail or a word processor changes exactly these things and
    nothing a reader sees, so a pasted copy still matches; any change to a
    visible character does not.
    """
    text = unicodedata.normalize("NFC", text.removeprefix("\ufeff"))
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).rstrip()


def statement_bytes(text: str) -> bytes:
    """The stored bytes of a statement: its normalised text in UTF-8."""
    return normalise_text(text).encode("utf-8")


def text_of(data: bytes) -> str | None:
    """Bytes as UTF-8 text, or None if they are not text (then only the exact bytes match)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if "\x00" in text else text


@dataclass(frozen=True)
class Digests:
    """A document's SHA-256 and, if it is UTF-8 text, that of its normalised text."""

    exact: str
    text: str | None = None

    def matches(self, record: Mapping[str, Any]) -> bool:
        """Bytes match exactly; only a plain-text publication is compared as normalised text.

        A results CSV with its line endings changed is not the published file.
        """
        published = record.get("sha256")
        if published == self.exact:
            return True
        return record.get("media_type") == STATEMENT and published == self.text


@dataclass(frozen=True)
class BundleCheck:
    """What an offline check proved: this record is entry ``index`` of a log of ``size``."""

    publication: Mapping[str, Any]
    index: int
    size: int


def _b64(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise VerificationFailed(f"The bundle's {what} is missing.")
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error:
        raise VerificationFailed(f"The bundle's {what} is not base64.") from None


def _field(mapping: Any, name: str, kind: type) -> Any:
    value = mapping.get(name) if isinstance(mapping, Mapping) else None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise VerificationFailed(f"The bundle has no valid {name!r} field; is it a proof bundle?")
    return value


def _signed(note: str, verifier: NoteVerifier, what: str) -> Checkpoint:
    try:
        return Checkpoint.parse(open_note(note, [verifier]))
    except VerificationFailed:
        raise VerificationFailed(
            f"Refused: {what} is not validly signed by the office's key {verifier.name}, so it "
            "was altered or is not this office's."
        ) from None


def check_bundle(
    bundle: Any,
    verifier: NoteVerifier,
    document: Digests,
    newer: tuple[str, Sequence[bytes]] | None = None,
) -> BundleCheck:
    """Check a proof bundle and a document against it, or raise with one sentence.

    The bundle's signed checkpoint must verify with ``verifier``; its inclusion
    proof must lead from the log entry to that checkpoint's root; the entry
    must be the publication of exactly the bundle's record; and the document
    must be the record's (:meth:`Digests.matches`). ``newer`` is a later signed checkpoint and the
    consistency proof from the bundle's to it, so an old bundle is also checked
    against the log as it is now.
    """
    if not isinstance(bundle, Mapping) or bundle.get("format") != BUNDLE_FORMAT:
        raise VerificationFailed(f"This is not a publication proof bundle ({BUNDLE_FORMAT}).")
    record = _field(bundle, "publication", Mapping)
    entry = _field(bundle, "log_entry", Mapping)
    proof = _field(bundle, "inclusion_proof", Mapping)
    checkpoint = _signed(_field(bundle, "checkpoint", str), verifier, "the bundle's checkpoint")
    index = _field(entry, "index", int)
    size = _field(proof, "tree_size", int)
    path = [_b64(h, "inclusion proof") for h in _field(proof, "inclusion_path", list)]
    leaf = _b64(entry.get("leaf"), "log entry")
    if size != checkpoint.size:
        raise VerificationFailed(
            f"Refused: the bundle's proof is for a log of {size} entries but its checkpoint "
            f"signs {checkpoint.size}."
        )
    if not verify_inclusion_hash(leaf_hash(leaf), index, size, path, checkpoint.root_hash):
        raise VerificationFailed(
            f"Refused: the inclusion proof does not lead from log entry {index} to the signed "
            "checkpoint's root, so the bundle's proof or entry was altered."
        )
    try:
        logged = json.loads(leaf)
    except ValueError:
        raise VerificationFailed("Refused: the bundle's log entry is not a log entry.") from None
    if (
        not isinstance(logged, dict)
        or logged.get("type") not in PUBLISHED_EVENTS
        or logged.get("record_id") != record.get("id")
        or logged.get("payload_sha256") != canonical_hash(dict(record))
    ):
        raise VerificationFailed(
            f"Refused: log entry {index} is not the publication of the bundle's record, so the "
            "record was altered."
        )
    if newer is not None:
        note, consistency = newer
        current = _signed(note, verifier, "the checkpoint given")
        if current.size < size or not verify_consistency(
            size, current.size, checkpoint.root_hash, current.root_hash, consistency
        ):
            raise VerificationFailed(
                f"Refused: the log as the checkpoint given shows it (size {current.size}) does "
                f"not contain the bundle's log of {size} entries; the log was rewritten."
            )
        size = current.size
    if not document.matches(record):
        raise VerificationFailed(
            f"This file is not the document published as {record.get('title')!r}: its SHA-256 "
            f"differs from the published {record.get('sha256')}."
        )
    return BundleCheck(record, index, size)
