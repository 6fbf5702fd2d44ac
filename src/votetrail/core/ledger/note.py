"""C2SP signed notes with Ed25519 (https://c2sp.org/signed-note).

A checkpoint is only useful if tools that never heard of votetrail can check
it, so key names, key IDs, the verifier-key string and the signature lines
follow the spec byte for byte. The private key is kept in the same
``PRIVATE+KEY+name+id+base64`` form the Go ``note`` package uses, so an
operator can move it between tools.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from votetrail.errors import SigningKeyError, VerificationFailed

ED25519 = 0x01
EM_DASH = "\u2014"
_NAME_FORBIDDEN = re.compile(r"[\s+]")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")
_HEX_ID = re.compile(r"[0-9a-f]{8}")

__all__ = [
    "NoteSigner",
    "NoteVerifier",
    "Signature",
    "key_id",
    "open_note",
    "parse_signed_note",
    "sign_note",
]


def _check_name(name: str) -> None:
    if not name or _NAME_FORBIDDEN.search(name):
        raise SigningKeyError(f"key name {name!r} must be non-empty with no spaces or '+'")


def key_id(name: str, public_key: bytes) -> int:
    """SHA-256(name || 0x0A || 0x01 || public key)[:4], big-endian."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public_key).digest()
    value: int = struct.unpack(">I", digest[:4])[0]
    return value


@dataclass(frozen=True)
class NoteVerifier:
    """A public key the verifier trusts, with its name."""

    name: str
    public_key: bytes

    @property
    def key_id(self) -> int:
        return key_id(self.name, self.public_key)

    def encode(self) -> str:
        """The verifier-key string: ``name+hexkeyid+base64(0x01||pubkey)``."""
        blob = base64.b64encode(bytes([ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.key_id:08x}+{blob}"

    @classmethod
    def parse(cls, text: str) -> NoteVerifier:
        # base64 may itself contain '+', so only the first two separate fields.
        parts = text.strip().split("+", 2)
        if len(parts) != 3:
            raise SigningKeyError("verifier key must look like name+keyid+base64key")
        name, hex_id, blob = parts
        _check_name(name)
        try:
            raw = base64.b64decode(blob, validate=True)
            wanted_id = int(hex_id, 16)
        except (binascii.Error, ValueError) as exc:
            raise SigningKeyError("verifier key is not valid base64/hex") from exc
        if not _HEX_ID.fullmatch(hex_id) or len(raw) != 33 or raw[0] != ED25519:
            raise SigningKeyError("verifier key is not an Ed25519 signed-note key")
        verifier = cls(name, raw[1:])
        if verifier.key_id != wanted_id:
            raise SigningKeyError("verifier key ID does not match its name and key")
        return verifier

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class NoteSigner:
    """An Ed25519 private key with the key name it signs as."""

    name: str
    seed: bytes

    def __post_init__(self) -> None:
        _check_name(self.name)
        if len(self.seed) != 32:
            raise SigningKeyError("an Ed25519 private key is 32 bytes")

    @property
    def verifier(self) -> NoteVerifier:
        public = Ed25519PrivateKey.from_private_bytes(self.seed).public_key()
        return NoteVerifier(self.name, public.public_bytes(Encoding.Raw, PublicFormat.Raw))

    def sign(self, message: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(message)

    def encode(self) -> str:
        """``PRIVATE+KEY+name+hexkeyid+base64(0x01||seed)``, as Go's note package writes."""
        blob = base64.b64encode(bytes([ED25519]) + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_id:08x}+{blob}"

    @classmethod
    def parse(cls, text: str) -> NoteSigner:
        parts = text.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise SigningKeyError("signing key must look like PRIVATE+KEY+name+keyid+base64key")
        _, _, name, hex_id, blob = parts
        try:
            raw = base64.b64decode(blob, validate=True)
            wanted_id = int(hex_id, 16)
        except (binascii.Error, ValueError) as exc:
            raise SigningKeyError("signing key is not valid base64/hex") from exc
        if not _HEX_ID.fullmatch(hex_id) or len(raw) != 33 or raw[0] != ED25519:
            raise SigningKeyError("signing key is not an Ed25519 signed-note key")
        signer = cls(name, raw[1:])
        if signer.verifier.key_id != wanted_id:
            raise SigningKeyError("signing key ID does not match its name and key")
        return signer


@dataclass(frozen=True)
class Signature:
    """One signature line: who signed, their key ID, and the raw signature."""

    name: str
    key_id: int
    signature: bytes


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise VerificationFailed("note text must end with a newline")
    if _CONTROL.search(text):
        raise VerificationFailed("note text must not contain control characters")


def sign_note(text: str, signers: Sequence[NoteSigner]) -> str:
    """Append one signature line per signer to the note text."""
    _check_text(text)
    lines = []
    for signer in signers:
        blob = struct.pack(">I", signer.verifier.key_id) + signer.sign(text.encode())
        lines.append(f"{EM_DASH} {signer.name} {base64.b64encode(blob).decode()}\n")
    return text + "\n" + "".join(lines)


def parse_signed_note(note: str) -> tuple[str, list[Signature]]:
    """Split a signed note into its text and signature lines, checking the syntax."""
    if _CONTROL.search(note):
        raise VerificationFailed("a signed note must not contain control characters")
    cut = note.rfind("\n\n")
    if cut < 0 or not note.endswith("\n"):
        raise VerificationFailed("not a signed note: no blank line before the signatures")
    text, block = note[: cut + 1], note[cut + 2 :]
    _check_text(text)
    signatures: list[Signature] = []
    for line in block.splitlines():
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != EM_DASH or not parts[1] or "+" in parts[1]:
            raise VerificationFailed(f"malformed signature line {line!r}")
        try:
            blob = base64.b64decode(parts[2], validate=True)
        except binascii.Error as exc:
            raise VerificationFailed("signature is not valid base64") from exc
        if len(blob) < 5:
            raise VerificationFailed("signature too short")
        signatures.append(Signature(parts[1], struct.unpack(">I", blob[:4])[0], blob[4:]))
    if not signatures:
        raise VerificationFailed("signed note has no signatures")
    return text, signatures


def open_note(note: str, verifiers: Sequence[NoteVerifier]) -> str:
    """Return the note text if a known key signed it; refuse any bad known signature."""
    text, signatures = parse_signed_note(note)
    known = {(v.name, v.key_id): v for v in verifiers}
    verified = False
    for sig in signatures:
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None:
            continue
        if not verifier.verify(text.encode(), sig.signature):
            raise VerificationFailed(f"signature by {sig.name} does not verify")
        verified = True
    if not verified:
        raise VerificationFailed("note is not signed by any trusted key")
    return text
