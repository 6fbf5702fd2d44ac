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
    "check_seed",
    "encode_key",
    "key_id",
    "open_note",
    "parse_private_key",
    "parse_public_key",
    "parse_signed_note",
    "public_key_of",
    "sign_note",
]


def _check_name(name: str) -> None:
    if not name or _NAME_FORBIDDEN.search(name):
        raise SigningKeyError(f"key name {name!r} must be non-empty with no spaces or '+'")


def key_id(name: str, public_key: bytes, signature_type: int = ED25519) -> int:
    """SHA-256(name || 0x0A || type || public key)[:4], big-endian (0x04 for cosigners)."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([signature_type]) + public_key).digest()
    value: int = struct.unpack(">I", digest[:4])[0]
    return value


def public_key_of(seed: bytes) -> bytes:
    """The raw Ed25519 public key of a 32-byte private key."""
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    return public.public_bytes_raw()


def encode_key(name: str, key_id: int, signature_type: int, key: bytes) -> str:
    """``name+hexkeyid+base64(type||key)``: a verifier key, or a private key after PRIVATE+KEY+."""
    blob = base64.b64encode(bytes([signature_type]) + key).decode()
    return f"{name}+{key_id:08x}+{blob}"


def _decode(name: str, hex_id: str, blob: str, signature_type: int, what: str) -> tuple[bytes, int]:
    _check_name(name)
    try:
        raw = base64.b64decode(blob, validate=True)
        wanted_id = int(hex_id, 16)
    except (binascii.Error, ValueError) as exc:
        raise SigningKeyError(f"{what} is not valid base64/hex") from exc
    if not _HEX_ID.fullmatch(hex_id) or len(raw) != 33 or raw[0] != signature_type:
        raise SigningKeyError(f"{what} is not an Ed25519 key of type 0x{signature_type:02x}")
    return raw[1:], wanted_id


def parse_public_key(text: str, signature_type: int, what: str) -> tuple[str, bytes]:
    """Name and public key of ``name+keyid+base64(type||key)``, the key ID checked.

    Shared by the log's own key (type 0x01) and witness keys (type 0x04),
    which differ only in that byte.
    """
    # base64 may itself contain '+', so only the first two separate fields.
    parts = text.strip().split("+", 2)
    if len(parts) != 3:
        raise SigningKeyError(f"{what} must look like name+keyid+base64key")
    name, hex_id, blob = parts
    public_key, wanted_id = _decode(name, hex_id, blob, signature_type, what)
    if key_id(name, public_key, signature_type) != wanted_id:
        raise SigningKeyError(f"{what} ID does not match its name and key")
    return name, public_key


def parse_private_key(text: str, signature_type: int, what: str) -> tuple[str, bytes]:
    """Name and seed of ``PRIVATE+KEY+name+keyid+base64(type||seed)``, the key ID checked."""
    parts = text.strip().split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
        raise SigningKeyError(f"{what} must look like PRIVATE+KEY+name+keyid+base64key")
    _, _, name, hex_id, blob = parts
    seed, wanted_id = _decode(name, hex_id, blob, signature_type, what)
    if key_id(name, public_key_of(seed), signature_type) != wanted_id:
        raise SigningKeyError(f"{what} ID does not match its name and key")
    return name, seed


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
        return encode_key(self.name, self.key_id, ED25519, self.public_key)

    @classmethod
    def parse(cls, text: str) -> NoteVerifier:
        return cls(*parse_public_key(text, ED25519, "verifier key"))

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
        check_seed(self.name, self.seed)

    @property
    def verifier(self) -> NoteVerifier:
        return NoteVerifier(self.name, public_key_of(self.seed))

    def sign(self, message: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(message)

    def encode(self) -> str:
        """``PRIVATE+KEY+name+hexkeyid+base64(0x01||seed)``, as Go's note package writes."""
        return "PRIVATE+KEY+" + encode_key(self.name, self.verifier.key_id, ED25519, self.seed)

    @classmethod
    def parse(cls, text: str) -> NoteSigner:
        return cls(*parse_private_key(text, ED25519, "signing key"))


def check_seed(name: str, seed: bytes) -> None:
    """A key name signed notes can carry, and a private key of the right length."""
    _check_name(name)
    if len(seed) != 32:
        raise SigningKeyError("an Ed25519 private key is 32 bytes")


@dataclass(frozen=True)
class Signature:
    """One signature line: who signed, their key ID, and the raw signature."""

    name: str
    key_id: int
    signature: bytes

    def line(self) -> str:
        """The signature line as it appears in a note: ``— name base64(keyid||sig)``."""
        blob = struct.pack(">I", self.key_id) + self.signature
        return f"{EM_DASH} {self.name} {base64.b64encode(blob).decode()}\n"


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise VerificationFailed("note text must end with a newline")
    if _CONTROL.search(text):
        raise VerificationFailed("note text must not contain control characters")


def sign_note(text: str, signers: Sequence[NoteSigner]) -> str:
    """Append one signature line per signer to the note text."""
    _check_text(text)
    lines = [
        Signature(signer.name, signer.verifier.key_id, signer.sign(text.encode())).line()
        for signer in signers
    ]
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
