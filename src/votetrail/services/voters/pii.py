"""Protecting voters' identifiers: one key file, a keyed hash to match on, ciphertext to keep.

Dates of birth, SSN4 and licence numbers are needed to tell two John Smiths
apart and to let a voter prove who they are, but they must never reach a
page, a log line or an error. So they are stored twice, and never in the
clear: as HMAC-SHA-256 under a secret key (equal values give equal hashes,
so matching and look-up work, but the small space of birth dates cannot be
searched without the key) and as AES-256-GCM ciphertext whose associated data
is the voter id (so a sealed value cannot be moved to another voter).

The key is 32 random bytes in ``voter-pii.key`` in the data directory,
readable by its owner only, or in the file named by ``VOTETRAIL_PII_KEY_FILE``
(to keep it on a separate volume). The MAC and sealing keys are derived from
it for their one purpose each. It is made once, at ``init``; losing it makes
the identifiers unrecoverable and breaks matching against stored hashes, so
a missing key with voters on file is an error, never a reason to make a new
one. Back it up offline with the signing key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from votetrail.core.voters.record import Protected
from votetrail.errors import ConfigurationError

KEY_FILE = "voter-pii.key"
KINDS = ("dob", "ssn4", "drivers_license")


def key_path(data_dir: Path) -> Path:
    override = os.environ.get("VOTETRAIL_PII_KEY_FILE")
    return Path(override) if override else data_dir / KEY_FILE


def create_key(data_dir: Path) -> None:
    path = key_path(data_dir)
    if path.exists():
        return
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(os.urandom(32).hex() + "\n")
    os.replace(temporary, path)


def normal(kind: str, value: str) -> str:
    """The one text form hashed and sealed, so '12-34-AB' and '1234ab' are one licence."""
    if kind == "drivers_license":
        return re.sub(r"[^0-9A-Z]", "", value.upper())
    return value.strip()


@dataclass(frozen=True)
class PiiKeys:
    mac_key: bytes
    seal_key: bytes

    @cached_property
    def _aead(self) -> AESGCM:
        return AESGCM(self.seal_key)

    @cached_property
    def _mac_base(self) -> Any:
        return hmac.new(self.mac_key, digestmod=hashlib.sha256)

    @classmethod
    def from_secret(cls, secret: bytes) -> PiiKeys:
        def derive(label: str) -> bytes:
            return hmac.new(secret, f"votetrail voter pii {label}".encode(), "sha256").digest()

        return cls(derive("mac"), derive("seal"))

    def mac(self, kind: str, value: str) -> str:
        text = normal(kind, value)
        return self._mac_normal(kind, text) if text else ""

    def _mac_normal(self, kind: str, text: str) -> str:
        mac = self._mac_base.copy()
        mac.update(f"{kind}\x1f{text}".encode())
        return str(mac.hexdigest())

    def protect(self, kind: str, voter_id: str, value: str, nonce: bytes) -> Protected:
        text = normal(kind, value)
        if not text:
            return Protected()
        sealed = self._aead.encrypt(nonce, text.encode(), _aad(kind, voter_id))
        return Protected(self._mac_normal(kind, text), (nonce + sealed).hex())

    def protect_all(
        self, voter_id: str, dob: str, ssn4: str, drivers_license: str
    ) -> tuple[Protected, Protected, Protected]:
        """The three identifiers of one voter, with one call for the three nonces."""
        nonces = os.urandom(36)
        return (
            self.protect("dob", voter_id, dob, nonces[:12]) if dob else _NONE,
            self.protect("ssn4", voter_id, ssn4, nonces[12:24]) if ssn4 else _NONE,
            self.protect("drivers_license", voter_id, drivers_license, nonces[24:])
            if drivers_license
            else _NONE,
        )

    def reveal(self, kind: str, voter_id: str, protected: Protected) -> str:
        """The identifier in the clear: for matching in memory only, never for display."""
        if not protected.sealed:
            return ""
        raw = bytes.fromhex(protected.sealed)
        try:
            plain = self._aead.decrypt(raw[:12], raw[12:], _aad(kind, voter_id))
        except InvalidTag:
            raise ConfigurationError(
                f"a protected identifier of voter {voter_id} cannot be opened with this key "
                "(wrong voter-pii.key, or the value was moved or altered)"
            ) from None
        return plain.decode()

    def dob_mac(self, dob: date) -> str:
        return self.mac("dob", dob.isoformat())


_NONE = Protected()


def _aad(kind: str, voter_id: str) -> bytes:
    return f"{kind}\x1f{voter_id}".encode()


def load_keys(data_dir: Path, *, create_if_missing: bool) -> PiiKeys:
    path = key_path(data_dir)
    if not path.exists():
        if not create_if_missing:
            raise ConfigurationError(
                f"the voter identifier key {path} is missing; restore it from backup (without "
                "it dates of birth and ID numbers cannot be matched), or run `votetrail init` "
                "if no voter was ever loaded"
            )
        create_key(data_dir)
    try:
        secret = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError, UnicodeDecodeError):
        raise ConfigurationError(f"the voter identifier key {path} cannot be read") from None
    if len(secret) != 32:
        raise ConfigurationError(f"the voter identifier key {path} is not 32 bytes")
    return PiiKeys.from_secret(secret)
