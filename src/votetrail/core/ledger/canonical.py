"""A canonical byte encoding for records, so the same record always hashes the same.

The encoding is JSON with object keys sorted by code point, no insignificant
white space and UTF-8 text (not ``\\u`` escapes). Only types whose text form
cannot drift are accepted: floats are refused, because SQLite and PostgreSQL
round-trip them differently; amounts travel as ``Decimal`` and become strings;
datetimes must carry a time zone and are written in UTC with microseconds, so
a value read back from either database encodes to the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

__all__ = ["canonical_bytes", "canonical_hash", "iso_utc", "to_canonical_value"]


def iso_utc(moment: datetime) -> str:
    """UTC with a fixed six-digit fraction and a Z, e.g. 2026-11-03T20:00:00.000000Z."""
    if moment.tzinfo is None:
        raise TypeError("naive datetimes are ambiguous; give a time zone")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_AS_IS = frozenset({str, int, bool, type(None)})
"""Exact types that are their own canonical value: checked first, by identity, because
records are mostly text and whole numbers and ``verify`` reduces every stored one."""


def to_canonical_value(value: Any) -> Any:
    """Reduce a value to JSON types, refusing those without one stable text."""
    kind = type(value)
    if kind in _AS_IS:
        return value
    if kind is dict:
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"object keys must be strings, not {type(key).__name__}")
            out[key] = item if type(item) in _AS_IS else to_canonical_value(item)
        return out
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        raise TypeError("floats have no stable encoding; use Decimal or an integer")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise TypeError(f"non-finite decimal {value}")
        # 12.50 and 12.5 are one amount: normalise, never use exponent notation, no "-0".
        normal = value.normalize()
        return "0" if normal == 0 else format(normal, "f")
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"object keys must be strings, not {type(key).__name__}")
            out[key] = to_canonical_value(item)
        return out
    if isinstance(value, Sequence):
        return [to_canonical_value(item) for item in value]
    raise TypeError(f"{type(value).__name__} has no canonical encoding")


def canonical_bytes(value: Any) -> bytes:
    """Encode a record; equal records give equal bytes on every run and backend."""
    return json.dumps(
        to_canonical_value(value),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    ).encode("utf-8")


def canonical_hash(value: Any) -> str:
    """SHA-256 of the canonical bytes, as lower-case hex."""
    return hashlib.sha256(canonical_bytes(value)).hexdigest()
