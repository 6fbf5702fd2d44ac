"""TOTP against the published test vectors of RFC 6238 (Appendix B) and RFC 4226 (Appendix D)."""

from __future__ import annotations

import pytest

from votetrail.core.accounts import totp

SHA1_KEY = b"12345678901234567890"

# RFC 6238 Appendix B, SHA-1 column: (time, 8-digit TOTP).
RFC6238_SHA1 = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]


@pytest.mark.parametrize(("unix_time", "expected"), RFC6238_SHA1)
def test_rfc_6238_sha1_vectors(unix_time: int, expected: str) -> None:
    assert totp.code_at(SHA1_KEY, unix_time, digits=8) == expected


def test_rfc_4226_hotp_vectors() -> None:
    expected = ["755224", "287082", "359152", "969429", "338314"]
    assert [totp.hotp(SHA1_KEY, n) for n in range(5)] == expected


def test_a_code_is_accepted_one_step_either_side_and_no_further() -> None:
    now = 1111111111.0
    code = totp.code_at(SHA1_KEY, now)
    step = totp.step_of(now)
    assert totp.matching_step(SHA1_KEY, code, now) == step
    assert totp.matching_step(SHA1_KEY, code, now + 30) == step
    assert totp.matching_step(SHA1_KEY, code, now - 30) == step
    assert totp.matching_step(SHA1_KEY, code, now + 60) is None
    assert totp.matching_step(SHA1_KEY, "12345", now) is None
    assert totp.matching_step(SHA1_KEY, "abcdef", now) is None


def test_the_secret_and_uri_round_trip() -> None:
    secret = totp.secret_of(SHA1_KEY)
    assert secret == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert totp.key_of(secret.lower()) == SHA1_KEY
    uri = totp.otpauth_uri(secret, "adams-admin", "votetrail")
    assert uri.startswith("otpauth://totp/votetrail:adams-admin?secret=" + secret)
    assert "algorithm=SHA1&digits=6&period=30" in uri
