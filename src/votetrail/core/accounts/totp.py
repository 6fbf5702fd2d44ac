"""Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): SHA-1, 30 s, 6 digits.

Those are the parameters every authenticator app reads from an
``otpauth://`` URI without asking, so an administrator can enrol any of
them. A code is accepted for the current 30-second step and one step either
side, for clocks a little apart; the caller passes the time, so this module
stays pure.
"""

from __future__ import annotations

import base64
import hmac
import struct
from urllib.parse import quote

STEP = 30
DIGITS = 6
DRIFT = 1
"""Steps either side of the current one that are still accepted."""


def hotp(key: bytes, counter: int, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 4226: the HMAC of the counter, dynamically truncated to ``digits`` decimal digits."""
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    number = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def step_of(unix_time: float) -> int:
    return int(unix_time // STEP)


def code_at(key: bytes, unix_time: float, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 6238: the HOTP of the 30-second step ``unix_time`` falls in."""
    return hotp(key, step_of(unix_time), digits, digest)


def matching_step(key: bytes, code: str, unix_time: float) -> int | None:
    """The step (current, or one either side) whose code is ``code``; None if none is."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    now = step_of(unix_time)
    found = None
    for step in range(now - DRIFT, now + DRIFT + 1):
        # Every candidate is compared, so the time taken does not say which one matched.
        if hmac.compare_digest(hotp(key, step).encode(), code.encode()):
            found = step
    return found


def key_of(secret: str) -> bytes:
    """The key behind a base32 secret as apps show it (spaces and case ignored, no padding)."""
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def secret_of(key: bytes) -> str:
    """The base32 text an administrator types into an app, without padding."""
    return base64.b32encode(key).decode().rstrip("=")


def otpauth_uri(secret: str, account: str, issuer: str) -> str:
    """The ``otpauth://totp/`` URI an app can read (Key Uri Format), stating every parameter."""
    label = quote(f"{issuer}:{account}", safe=":@")
    return (
        f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer, safe='')}"
        f"&algorithm=SHA1&digits={DIGITS}&period={STEP}"
    )
