"""Byte-level mutations that break files the way real damage and attackers do.

Shared by the plain-Python fuzz driver and the hypothesis test: flip, insert,
delete, duplicate and truncate bytes, and splice in the tokens parsers trip on
(quotes, separators, NUL, invalid UTF-8, huge and negative numbers, deep nesting).
"""

from __future__ import annotations

import random

TOKENS = (
    b'"', b",", b"\n", b"\r", b"\t", b"\x00", b"\xff\xfe", b"\xc3", b"{", b"}", b"[", b"]",
    b"<", b">", b"&", b"-1", b"0", b"99999999999999999999", b"1e308", b"NaN", b"null", b"-",
    b"'", b";", b":", b"#", b"=", b"\x1f\x8b", b"PK\x03\x04", b"[" * 200, b"<a>" * 200,
    b"\xef\xbb\xbf", b"9" * 400,
)  # fmt: skip


def mutate(data: bytes, rng: random.Random, rounds: int | None = None) -> bytes:
    out = bytearray(data)
    for _ in range(rounds if rounds is not None else rng.randint(1, 8)):
        choice = rng.randrange(6)
        at = rng.randint(0, len(out))
        if choice == 0 and out:
            out[min(at, len(out) - 1)] ^= 1 << rng.randrange(8)
        elif choice == 1:
            out[at:at] = rng.choice(TOKENS)
        elif choice == 2:
            del out[at : at + rng.randint(1, 64)]
        elif choice == 3 and out:
            start = rng.randrange(len(out))
            out[at:at] = out[start : start + rng.randint(1, 128)]
        elif choice == 4:
            del out[at:]
        else:
            out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    return bytes(out)
