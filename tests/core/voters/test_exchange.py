"""Cross-state tokens: normalised before hashing, matched only when strong enough."""

from __future__ import annotations

from datetime import date

from votetrail.core.voters.exchange import match_tokens, normal_name, tokens_for

KEY = b"k" * 32


def test_names_normalise() -> None:
    assert normal_name("O'Néil-Smith ") == "ONEILSMITH"


def test_same_person_matches_across_spellings() -> None:
    ours = tokens_for(KEY, "CO-1", first_name="José", last_name="O'Neil", dob=date(1980, 5, 1),
                      drivers_license="A12-345-678", license_state="co")  # fmt: skip
    theirs = tokens_for(KEY, "NV-9", first_name="JOSE", last_name="ONEIL", dob=date(1980, 5, 1),
                        drivers_license="a12345678", license_state="CO")  # fmt: skip
    found = match_tokens([ours], [theirs])
    assert [(m.ours, m.theirs, m.agreeing) for m in found] == [("CO-1", "NV-9", ("name_dob", "dl"))]


def test_name_and_dob_alone_is_weak() -> None:
    a = tokens_for(KEY, "CO-1", first_name="Ann", last_name="Lee", dob=date(1990, 1, 1))
    b = tokens_for(KEY, "NV-1", first_name="Amy", last_name="Lee", dob=date(1990, 1, 1))
    assert match_tokens([a], [b]) == []
    assert len(match_tokens([a], [b], min_strength=1)) == 1


def test_other_keys_give_other_tokens() -> None:
    a = tokens_for(KEY, "CO-1", first_name="Ann", last_name="Lee", dob=date(1990, 1, 1))
    b = tokens_for(b"x" * 32, "NV-1", first_name="Ann", last_name="Lee", dob=date(1990, 1, 1))
    assert a.tokens["name_dob"] != b.tokens["name_dob"]
