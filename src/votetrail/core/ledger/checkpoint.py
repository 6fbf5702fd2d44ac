"""C2SP tlog-checkpoint bodies (https://c2sp.org/tlog-checkpoint).

A checkpoint commits the log to a size and a root hash under an origin name;
signed as a note it is what the office publishes and what witnesses keep.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from votetrail.core.ledger.merkle import HASH_SIZE
from votetrail.errors import VerificationFailed

_DECIMAL = re.compile(r"0|[1-9][0-9]*")

__all__ = ["Checkpoint"]


@dataclass(frozen=True)
class Checkpoint:
    """Origin, tree size and root hash, plus optional extension lines."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # A newline inside a field would let one checkpoint read as another.
        for line in (self.origin, *self.extensions):
            if not line or "\n" in line:
                raise ValueError(f"checkpoint line {line!r} must be non-empty, one line")
        if self.size < 0 or len(self.root_hash) != HASH_SIZE:
            raise ValueError("checkpoint needs a non-negative size and a 32-byte root")

    def body(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root_hash).decode()]
        return "\n".join([*lines, *self.extensions]) + "\n"

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        if not body.endswith("\n"):
            raise VerificationFailed("checkpoint must end with a newline")
        lines = body[:-1].split("\n")
        if len(lines) < 3 or any(not line for line in lines):
            raise VerificationFailed("checkpoint needs origin, size and root on their own lines")
        origin, size_text, root_text, *extensions = lines
        if not _DECIMAL.fullmatch(size_text):
            raise VerificationFailed(f"checkpoint size {size_text!r} is not a decimal number")
        try:
            root_hash = base64.b64decode(root_text, validate=True)
        except binascii.Error as exc:
            raise VerificationFailed("checkpoint root is not base64") from exc
        if len(root_hash) != HASH_SIZE:
            raise VerificationFailed("checkpoint root is not a SHA-256 hash")
        return cls(origin, int(size_text), root_hash, tuple(extensions))
