"""Canonical record bytes: the same record must hash the same forever.

Leaf hashes are committed to in signed checkpoints, so the encoding is part of
the public format: if it drifted, every old inclusion proof would stop
matching. The fixed byte strings and digests below were written by hand from
the documented rules (sorted keys, no white space, raw UTF-8, UTC timestamps
with microseconds) and must never change without a format version bump.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from votetrail.core.ledger.canonical import canonical_bytes, canonical_hash, iso_utc
from votetrail.core.ledger.events import EVENT_TYPES, LogEntry, event_type
from votetrail.core.ledger.merkle import leaf_hash

RECORD: dict[str, Any] = {
    "type": "ballot.batch",
    "county": "Ada",
    "count": 250,
    "amount": Decimal("1250.00"),
    "closed_at": datetime(2026, 11, 3, 20, 0, tzinfo=UTC),
    "election_day": date(2026, 11, 3),
    "digest": bytes.fromhex("00ff10"),
    "flags": [True, False, None],
    "notes": "Zoë – 選挙",
    "nested": {"b": 2, "a": 1},
}
RECORD_BYTES = (
    '{"amount":"1250","closed_at":"2026-11-03T20:00:00.000000Z","count":250,"county":"Ada",'
    + '"digest":"00ff10","election_day":"2026-11-03","flags":[true,false,null],'
    + '"nested":{"a":1,"b":2},"notes":"Zoë – 選挙","type":"ballot.batch"}'
).encode()
RECORD_SHA256 = "8a17581889a29b15e2e8516fdbfa8b40770ef629f1cba0decc3c73a612d9c5e7"

EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
ENTRY = LogEntry(
    event_type="log.created",
    actor="clerk@ada",
    jurisdiction=None,
    occurred_at="2026-11-03T20:00:00.000000Z",
    record_type="setting",
    record_id="origin",
    payload_hash=EMPTY_SHA256,
)
ENTRY_LEAF = (
    '{"actor":"clerk@ada","jurisdiction":null,'
    + f'"payload_sha256":"{EMPTY_SHA256}","record_id":"origin","record_type":"setting",'
    + '"time":"2026-11-03T20:00:00.000000Z","type":"log.created","v":1}'
).encode()
ENTRY_LEAF_SHA256 = "e25085d7ffc7210e5d0ba592d0edd8d1f2a99f227ae3e91d1b983c8b3ae3803e"
ENTRY_MERKLE_LEAF_HASH = "a6bcca48f4dfdfce604c6d5a337485dcf49ef2bba61e2767ec93b4efb5b2d9c2"


def test_sample_record_has_fixed_bytes_and_hash() -> None:
    """The pinned encoding of a record that uses every supported type."""
    assert canonical_bytes(RECORD) == RECORD_BYTES
    assert hashlib.sha256(RECORD_BYTES).hexdigest() == RECORD_SHA256
    assert canonical_hash(RECORD) == RECORD_SHA256


def test_log_entry_leaf_has_fixed_bytes() -> None:
    """The leaf a log entry commits to, and its RFC 9162 leaf hash, are pinned."""
    assert ENTRY.leaf() == ENTRY_LEAF
    assert hashlib.sha256(ENTRY.leaf()).hexdigest() == ENTRY_LEAF_SHA256
    assert leaf_hash(ENTRY.leaf()).hex() == ENTRY_MERKLE_LEAF_HASH


def test_key_order_does_not_matter() -> None:
    """Insertion order is invisible; keys come out sorted at every depth."""
    shuffled = dict(reversed(list(RECORD.items())))
    shuffled["nested"] = {"a": 1, "b": 2}
    assert canonical_bytes(shuffled) == RECORD_BYTES


def test_keys_sort_by_code_point() -> None:
    """Upper case before lower case, then non-ASCII, astral characters last."""
    keys = ["b", "\U0001f600", "é", "a", "\uffff", "B"]
    out = canonical_bytes(dict.fromkeys(keys, 0)).decode()
    assert out == '{"B":0,"a":0,"b":0,"é":0,"\uffff":0,"\U0001f600":0}'


def test_no_insignificant_white_space() -> None:
    """Separators are bare ',' and ':' with no spaces or newlines anywhere."""
    assert canonical_bytes({"a": [1, 2, {"c": None}], "b": "x y"}) == (
        b'{"a":[1,2,{"c":null}],"b":"x y"}'
    )


def test_utf8_is_not_escaped() -> None:
    """Non-ASCII text is written as UTF-8 bytes, not \\u escapes."""
    out = canonical_bytes({"name": "Zoë 選挙"})
    assert out == '{"name":"Zoë 選挙"}'.encode()
    assert b"Zo\xc3\xab \xe9\x81\xb8\xe6\x8c\x99" in out
    assert b"\\u" not in out


def test_json_escapes_are_the_minimal_ones() -> None:
    """Quotes, backslashes and control characters use JSON's short escapes or \\u00XX."""
    assert canonical_bytes('a"b\\c\n\x00') == b'"a\\"b\\\\c\\n\\u0000"'


@pytest.mark.parametrize("value", [1.5, 0.0, float("nan"), float("inf"), [1.0], {"a": {"b": 2.0}}])
def test_floats_are_refused(value: object) -> None:
    """Floats round-trip differently between databases, so they have no encoding."""
    with pytest.raises(TypeError, match="float"):
        canonical_bytes(value)


def test_naive_datetime_is_refused() -> None:
    """A time without a zone could mean any instant."""
    with pytest.raises(TypeError, match="naive"):
        canonical_bytes({"at": datetime(2026, 11, 3, 20, 0)})
    with pytest.raises(TypeError, match="naive"):
        iso_utc(datetime(2026, 11, 3, 20, 0))


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 3, 20, 0, tzinfo=UTC),
        datetime(2026, 11, 3, 13, 0, tzinfo=timezone(timedelta(hours=-7))),
        datetime(2026, 11, 4, 5, 30, tzinfo=timezone(timedelta(hours=9, minutes=30))),
    ],
)
def test_aware_datetimes_encode_as_the_same_utc_instant(moment: datetime) -> None:
    """The same instant in any zone encodes to one UTC string with six fraction digits."""
    assert canonical_bytes(moment) == b'"2026-11-03T20:00:00.000000Z"'


def test_microseconds_are_kept() -> None:
    """Sub-second precision survives, zero-padded to six digits."""
    assert iso_utc(datetime(2026, 1, 2, 3, 4, 5, 60, tzinfo=UTC)) == "2026-01-02T03:04:05.000060Z"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("1250.00", "1250"),
        ("1E+2", "100"),
        ("100", "100"),
        ("0.00", "0"),
        ("12.50", "12.5"),
        ("-1.10", "-1.1"),
        ("0.0000001", "0.0000001"),
        ("1.0E-7", "0.0000001"),
        ("-0", "0"),
    ],
)
def test_decimals_are_normalised(value: str, text: str) -> None:
    """Equal amounts encode equally, whatever scale a database hands back, in plain notation.

    PostgreSQL NUMERIC(12,2) returns Decimal("12.50") where another backend may
    return Decimal("12.5"); both must give the same bytes.
    """
    assert canonical_bytes(Decimal(value)) == f'"{text}"'.encode()


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "sNaN"])
def test_non_finite_decimals_are_refused(value: str) -> None:
    """NaN and infinities are not amounts."""
    with pytest.raises(TypeError, match="non-finite"):
        canonical_bytes(Decimal(value))


@pytest.mark.parametrize(
    ("value", "message"),
    [({1: "a"}, "keys must be strings"), ({1, 2}, "no canonical"), (object(), "no canonical")],
)
def test_other_types_are_refused(value: object, message: str) -> None:
    """Non-string keys, sets and arbitrary objects have no stable encoding."""
    with pytest.raises(TypeError, match=message):
        canonical_bytes(value)


def test_scalars() -> None:
    """Booleans stay booleans (not 1/0), tuples become lists, big integers stay exact."""
    assert canonical_bytes([True, False, None, (1, "x"), 2**70]) == (
        b'[true,false,null,[1,"x"],1180591620717411303424]'
    )


def test_event_registry() -> None:
    """The declared events are looked up by name; anything else is refused."""
    assert all(name == e.name for name, e in EVENT_TYPES.items())
    assert event_type("log.created").record_type == "setting"
    with pytest.raises(ValueError, match="undeclared"):
        event_type("log.deleted")
