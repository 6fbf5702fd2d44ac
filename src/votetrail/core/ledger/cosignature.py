"""C2SP witness cosignatures, Ed25519 ``cosignature/v1`` (https://c2sp.org/tlog-cosignature).

A witness that has checked a checkpoint is consistent with everything it saw
before adds one signature line to the note. Anyone who trusts k witnesses can
then refuse a checkpoint fewer than k of them vouched for, so the office cannot
show one history to some readers and another to the rest without those
witnesses noticing. The line is a signed-note signature of type 0x04 whose
signature is ``u64 timestamp || Ed25519 signature`` over
``"cosignature/v1\\ntime <timestamp>\\n" || checkpoint body``.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from votetrail.core.ledger.note import (
    Signature,
    check_seed,
    encode_key,
    key_id,
    parse_private_key,
    parse_public_key,
    public_key_of,
)
from votetrail.errors import VerificationFailed

COSIGNATURE_V1 = 0x04
MAX_TIMESTAMP = 2**63 - 1
_SIGNATURE_SIZE = 8 + 64

__all__ = [
    "COSIGNATURE_V1",
    "CosignerKey",
    "CosignerVerifier",
    "cosigned_message",
    "witnessed_by",
]


def cosigned_message(body: str, timestamp: int) -> bytes:
    """The bytes a v1 cosignature signs: header line, time line, then the checkpoint body."""
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise VerificationFailed("a cosignature timestamp must be between 0 and 2^63-1")
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


@dataclass(frozen=True)
class CosignerVerifier:
    """A witness's public key under its name (vkey ``name+id+base64(0x04||key)``)."""

    name: str
    public_key: bytes

    @property
    def key_id(self) -> int:
        return key_id(self.name, self.public_key, COSIGNATURE_V1)

    def encode(self) -> str:
        return encode_key(self.name, self.key_id, COSIGNATURE_V1, self.public_key)

    @classmethod
    def parse(cls, text: str) -> CosignerVerifier:
        return cls(*parse_public_key(text, COSIGNATURE_V1, "witness key"))

    def matches(self, signature: Signature) -> bool:
        """Whether a signature line claims to be by this witness (name and key ID)."""
        return signature.name == self.name and signature.key_id == self.key_id

    def timestamp(self, body: str, signature: Signature) -> int:
        """The time this witness vouched for ``body``; refuses a line that does not verify."""
        blob = signature.signature
        if len(blob) != _SIGNATURE_SIZE:
            raise VerificationFailed(
                f"cosignature by {self.name} is not a timestamp and an Ed25519 signature"
            )
        (timestamp,) = struct.unpack(">Q", blob[:8])
        message = cosigned_message(body, timestamp)
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(blob[8:], message)
        except InvalidSignature:
            raise VerificationFailed(f"cosignature by {self.name} does not verify") from None
        return int(timestamp)


@dataclass(frozen=True)
class CosignerKey:
    """A witness's private key, written ``PRIVATE+KEY+name+id+base64(0x04||seed)``."""

    name: str
    seed: bytes

    def __post_init__(self) -> None:
        check_seed(self.name, self.seed)

    @property
    def verifier(self) -> CosignerVerifier:
        return CosignerVerifier(self.name, public_key_of(self.seed))

    def encode(self) -> str:
        key = encode_key(self.name, self.verifier.key_id, COSIGNATURE_V1, self.seed)
        return "PRIVATE+KEY+" + key

    @classmethod
    def parse(cls, text: str) -> CosignerKey:
        return cls(*parse_private_key(text, COSIGNATURE_V1, "witness private key"))

    def cosign(self, body: str, timestamp: int) -> str:
        """One signature line vouching for ``body`` as of ``timestamp``."""
        signature = Ed25519PrivateKey.from_private_bytes(self.seed).sign(
            cosigned_message(body, timestamp)
        )
        blob = struct.pack(">Q", timestamp) + signature
        return Signature(self.name, self.verifier.key_id, blob).line()


def witnessed_by(
    body: str, signatures: Sequence[Signature], witnesses: Sequence[CosignerVerifier]
) -> list[str]:
    """The names of ``witnesses`` whose valid cosignature is among ``signatures``.

    Lines from unknown keys are ignored, as the signed-note spec requires; a
    line that claims a known witness and does not verify is refused outright.
    """
    names: list[str] = []
    for witness in witnesses:
        for signature in signatures:
            if witness.matches(signature):
                witness.timestamp(body, signature)
                if witness.name not in names:
                    names.append(witness.name)
    return names
