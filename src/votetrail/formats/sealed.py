"""Passphrase-sealed files: the container ``votetrail backup`` writes.

A backup holds the whole log, voters' sealed identifiers and, when asked, the
signing key, so it is encrypted and authenticated before it touches the disk.
The key is derived from a passphrase with scrypt (a fresh random salt per file,
parameters stored in the header so they can be raised later); the content is
cut into chunks of at most ``CHUNK`` bytes, each sealed with AES-256-GCM under
a nonce made of a random prefix, the chunk's number and a last-chunk flag
(the STREAM construction). A reordered, dropped or truncated chunk, a wrong
passphrase or a flipped bit all fail the same authentication check, before
any plaintext of that chunk is handed on; memory stays bounded for a log of
any size.

Layout: ``MAGIC``, then a 4-byte big-endian header length and a JSON header
(format version, scrypt n/r/p, salt, nonce prefix), then chunks, each a 4-byte
length and its ciphertext. The header is the associated data of every chunk,
so it cannot be edited either.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import struct
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from votetrail.errors import InvalidInput

MAGIC = b"VOTETRAIL-SEALED\n"
VERSION = 1
CHUNK = 1024 * 1024
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
MIN_PASSPHRASE = 12
_MAX_HEADER = 4096
_TAG = 16


class WrongPassphrase(InvalidInput):
    """The file does not open with this passphrase, or was altered after it was written."""


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> AESGCM:
    if len(passphrase) < MIN_PASSPHRASE:
        raise InvalidInput(f"the passphrase must be at least {MIN_PASSPHRASE} characters")
    key = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))
    return AESGCM(key)


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", counter, 1 if last else 0)


class SealedWriter:
    """A write-only file object that seals what is written to ``target``."""

    def __init__(self, target: BinaryIO, passphrase: str) -> None:
        salt = os.urandom(16)
        self._prefix = os.urandom(7)
        self._aead = _derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
        header = json.dumps(
            {
                "version": VERSION,
                "kdf": "scrypt",
                "n": SCRYPT_N,
                "r": SCRYPT_R,
                "p": SCRYPT_P,
                "salt": base64.b64encode(salt).decode(),
                "nonce_prefix": base64.b64encode(self._prefix).decode(),
            },
            sort_keys=True,
        ).encode()
        self._header = header
        self._target = target
        self._buffer = bytearray()
        self._counter = 0
        target.write(MAGIC + struct.pack(">I", len(header)) + header)

    def write(self, data: bytes) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:
            self._emit(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _emit(self, plain: bytes, *, last: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._prefix, self._counter, last), plain, self._header)
        self._target.write(struct.pack(">I", len(sealed)) + sealed)
        self._counter += 1

    def close(self) -> None:
        """Seal what is left as the last chunk (even if empty), so truncation is detected."""
        self._emit(bytes(self._buffer), last=True)
        self._buffer.clear()


class SealedReader:
    """A read-only file object giving the plaintext of a sealed file, chunk by chunk."""

    def __init__(self, source: BinaryIO, passphrase: str, name: str) -> None:
        self._source = source
        self._name = name
        if source.read(len(MAGIC)) != MAGIC:
            raise InvalidInput("is not a votetrail backup (its first line is wrong)", where=name)
        try:
            (length,) = struct.unpack(">I", source.read(4))
            if length > _MAX_HEADER:
                raise ValueError
            self._header = source.read(length)
            fields = json.loads(self._header)
            if fields.get("version") != VERSION or fields.get("kdf") != "scrypt":
                raise ValueError
            salt = base64.b64decode(fields["salt"], validate=True)
            self._prefix = base64.b64decode(fields["nonce_prefix"], validate=True)
            n, r, p = int(fields["n"]), int(fields["r"]), int(fields["p"])
            if len(self._prefix) != 7 or not (2**14 <= n <= 2**20 and r <= 16 and p <= 4):
                raise ValueError
        except (struct.error, ValueError, KeyError, TypeError, binascii.Error):
            raise InvalidInput(
                "header: not a backup header this votetrail reads", where=name
            ) from None
        self._aead = _derive(passphrase, salt, n, r, p)
        self._counter = 0
        self._pending = b""
        self._done = False

    def _next_chunk(self) -> None:
        size_bytes = self._source.read(4)
        if len(size_bytes) < 4:
            raise WrongPassphrase("the file ends early: it was cut short", where=self._name)
        (size,) = struct.unpack(">I", size_bytes)
        sealed = self._source.read(size)
        if size > CHUNK + _TAG or len(sealed) != size:
            raise WrongPassphrase("the file ends early: it was cut short", where=self._name)
        for last in (False, True):
            try:
                plain = self._aead.decrypt(
                    _nonce(self._prefix, self._counter, last), sealed, self._header
                )
            except InvalidTag:
                continue
            self._counter += 1
            self._pending += plain
            self._done = last
            if last and self._source.read(1):
                raise WrongPassphrase("data follows the last sealed chunk", where=self._name)
            return
        raise WrongPassphrase(
            "does not open with this passphrase (a wrong passphrase, or the file was altered)",
            where=self._name,
        )

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._pending) < size):
            self._next_chunk()
        if size < 0:
            size = len(self._pending)
        data, self._pending = self._pending[:size], self._pending[size:]
        return data
