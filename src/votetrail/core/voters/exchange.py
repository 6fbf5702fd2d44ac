"""ERIC-style cross-state matching where neither side reveals an identifier.

Each state turns its identifiers into keyed hashes with a key the member
states share (and the public does not): the hash of a date of birth with a
last name, of a licence number, of the last four SSN digits with the date of
birth. States exchange only these tokens and a voter id; a match on the
tokens says the same person appears on both lists, without either side
learning anything about voters who do not match. Names and dates are
normalised first so that "O'Neil" and "ONEIL" or a licence typed with dashes
give the same token.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

__all__ = ["ExchangeMatch", "IdentityTokens", "match_tokens", "normal_name", "tokens_for"]

TOKEN_KINDS = ("name_dob", "dl", "ssn4_dob")
_STRENGTH = {"dl": 2, "ssn4_dob": 2, "name_dob": 1}
"""A licence number or SSN4 with DOB alone is strong; name with DOB needs support."""


def normal_name(text: str) -> str:
    """Upper-case letters only, accents removed: the form both states hash."""
    decomposed = unicodedata.normalize("NFKD", text)
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^A-Z]", "", letters.upper())


@dataclass(frozen=True)
class IdentityTokens:
    voter_id: str
    tokens: dict[str, str]


def _token(key: bytes, kind: str, text: str) -> str:
    return hmac.new(key, f"{kind}\x1f{text}".encode(), hashlib.sha256).hexdigest()


def tokens_for(
    key: bytes,
    voter_id: str,
    *,
    first_name: str,
    last_name: str,
    dob: date | None,
    drivers_license: str = "",
    ssn4: str = "",
    license_state: str = "",
) -> IdentityTokens:
    tokens: dict[str, str] = {}
    last = normal_name(last_name)
    first = normal_name(first_name)
    if dob is not None and last and first:
        tokens["name_dob"] = _token(key, "name_dob", f"{last}|{first[:1]}|{dob.isoformat()}")
    licence = re.sub(r"[^0-9A-Z]", "", drivers_license.upper())
    if licence:
        tokens["dl"] = _token(key, "dl", f"{license_state.upper()}|{licence}")
    if dob is not None and re.fullmatch(r"\d{4}", ssn4):
        tokens["ssn4_dob"] = _token(key, "ssn4_dob", f"{ssn4}|{dob.isoformat()}")
    return IdentityTokens(voter_id, tokens)


@dataclass(frozen=True)
class ExchangeMatch:
    ours: str
    theirs: str
    agreeing: tuple[str, ...]
    strength: int


def match_tokens(
    ours: Iterable[IdentityTokens], theirs: Iterable[IdentityTokens], *, min_strength: int = 2
) -> list[ExchangeMatch]:
    """Pairs whose tokens agree strongly enough: a licence, SSN4+DOB, or name+DOB with support."""
    index: dict[tuple[str, str], list[str]] = {}
    for item in theirs:
        for kind, token in item.tokens.items():
            index.setdefault((kind, token), []).append(item.voter_id)
    found: list[ExchangeMatch] = []
    for item in ours:
        agreeing: dict[str, list[str]] = {}
        for kind, token in item.tokens.items():
            for other in index.get((kind, token), ()):
                agreeing.setdefault(other, []).append(kind)
        for other, kinds in sorted(agreeing.items()):
            strength = sum(_STRENGTH[k] for k in kinds)
            if strength >= min_strength:
                found.append(ExchangeMatch(item.voter_id, other, _ordered(kinds), strength))
    return found


def _ordered(kinds: Sequence[str]) -> tuple[str, ...]:
    return tuple(k for k in TOKEN_KINDS if k in kinds)
