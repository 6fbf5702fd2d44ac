"""Password hashing with scrypt from the standard library.

scrypt is memory-hard, needs no extra dependency, and its parameters are
stored with each hash so they can be raised later without locking anyone out.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os

_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P)
    return "$".join(
        [
            "scrypt",
            str(_N),
            str(_R),
            str(_P),
            base64.b64encode(salt).decode(),
            base64.b64encode(digest).decode(),
        ]
    )


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


@functools.cache
def _dummy_hash() -> str:
    return hash_password(base64.b64encode(os.urandom(24)).decode())


def check_nothing(password: str) -> bool:
    """Spend exactly the work of a real check, for a user name with no account.

    Without it a wrong password for an unknown name answers at once and a
    known name costs a full scrypt, so the answer time tells who has an
    account. The dummy hash is made once per process with today's parameters.
    """
    check_password(password, _dummy_hash())
    return False
