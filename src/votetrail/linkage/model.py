"""The Fellegi–Sunter model: which records are compared, and how each field is compared.

Everything here is data for Splink (its JSON settings format, with DuckDB SQL
in the conditions), built from the fields a file actually has, so one model
serves a full voter file, a death list with only names and dates, and a test
set with odd columns alike. The choices, and the figures they reach, are in
``docs/linkage.md``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from votetrail.linkage.normalise import phonetic

DEFAULT_THRESHOLD = 0.85
"""Match probability a pair needs to be reported (docs/linkage.md: why 0.85)."""

IDENTIFYING_FIELDS = ("first_name", "last_name", "dob", "street", "email", "phone")
"""Fields that single out a person; a model needs two of them (or extras), see ``evidence``."""

MIN_EVIDENCE = 2

_SIDE_COLUMN = re.compile(r"\b([a-z][a-z0-9_]*?)_[lr]\b")

WORD_COLUMNS = ("last_name",)
"""Columns (besides extras) compared word by word; the run adds ``<column>_words`` lists."""


def derived_columns(fields: Sequence[str]) -> dict[str, str]:
    """Blocking keys the run adds beside the voter fields (name -> SQL over the row ``p``)."""
    has = set(fields)
    columns = {}
    if "first_name" in has:
        columns["first_initial"] = "left(p.first_name, 1)"
        columns["first_code"] = phonetic("p.first_name")
    if "last_name" in has:
        columns["last_code"] = phonetic("p.last_name")
    if "dob" in has:
        columns["dob_year"] = "left(p.dob, 4)"
    if "zip" in has:
        columns["zip_area"] = "left(p.zip, 3)"
    return columns


@dataclass(frozen=True)
class Rule:
    """A blocking rule: records are compared only when these columns are equal.

    ``swapped`` pairs each column with the next one on the other side instead
    (first name on one record against last name on the other, and back).
    """

    columns: tuple[str, ...]
    swapped: bool = False

    def sql(self) -> str:
        if not self.columns:
            return "1 = 1"
        if self.swapped:
            a, b = self.columns
            return f"l.{a} = r.{b} and l.{b} = r.{a}"
        return " and ".join(f"l.{column} = r.{column}" for column in self.columns)


def _null(column: str) -> dict[str, Any]:
    return {
        "sql_condition": f"{column}_l is null or {column}_r is null",
        "label_for_charts": "missing",
        "is_null_level": True,
    }


def _level(sql: str, label: str, m: float, tf_column: str | None = None) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label, "m_probability": m}
    if tf_column is not None:
        level["tf_adjustment_column"] = tf_column
        level["tf_adjustment_weight"] = 1.0
    return level


def _else(m: float) -> dict[str, Any]:
    return {"sql_condition": "else", "label_for_charts": "different", "m_probability": m}


def _jw(column: str, threshold: float) -> str:
    return f"jaro_winkler_similarity({column}_l, {column}_r) >= {threshold}"


def _shares_word(column: str) -> dict[str, Any]:
    words = f"{column}_words"
    return _level(f"list_has_any({words}_l, {words}_r)", "shares a word", 0.02)


def _comparison(column: str, levels: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "output_column_name": column,
        "comparison_levels": [_null(column), *levels],
    }


def _name(column: str, other: str | None, groups: str | None) -> dict[str, Any]:
    levels = [_level(f"{column}_l = {column}_r", "exact", 0.7, tf_column=column)]
    if other is not None:
        levels.append(
            _level(
                f"{column}_l = {other}_r and {other}_l = {column}_r",
                "swapped with " + other,
                0.02,
            )
        )
    levels.append(_level(_jw(column, 0.92), "Jaro-Winkler >= 0.92", 0.1))
    if groups is not None:
        levels.append(_level(f"list_has_any({groups}_l, {groups}_r)", "known nickname", 0.05))
    levels += [
        _level(
            f"starts_with({column}_l, {column}_r) or starts_with({column}_r, {column}_l)",
            "initial or short form",
            0.05,
        ),
        _level(_jw(column, 0.8), "Jaro-Winkler >= 0.8", 0.05),
    ]
    if other is not None:
        levels.append(
            _level(
                f"{column}_l = {other}_r or {other}_l = {column}_r",
                f"equals the other's {other.replace('_', ' ')}",
                0.02,
            )
        )
    if column in WORD_COLUMNS:
        levels.append(_shares_word(column))
    levels.append(_else(0.06))
    return _comparison(column, levels)


def _middle_name() -> dict[str, Any]:
    column = "middle_name"
    return _comparison(
        column,
        [
            _level(f"{column}_l = {column}_r", "exact", 0.7, tf_column=column),
            _level(f"left({column}_l, 1) = left({column}_r, 1)", "same initial", 0.2),
            _else(0.1),
        ],
    )


def _exact_only(column: str, tf: bool = False) -> dict[str, Any]:
    return _comparison(
        column,
        [
            _level(f"{column}_l = {column}_r", "exact", 0.9, tf_column=column if tf else None),
            _else(0.1),
        ],
    )


def _dob() -> dict[str, Any]:
    """Dates are always ``YYYY-MM-DD`` here, so a typo is a Hamming distance, cheap per pair."""
    column = "dob"
    swapped = (
        "left(dob_l, 4) = left(dob_r, 4) and substr(dob_l, 6, 2) = substr(dob_r, 9, 2) "
        "and substr(dob_l, 9, 2) = substr(dob_r, 6, 2)"
    )
    return _comparison(
        column,
        [
            _level("dob_l = dob_r", "exact", 0.75, tf_column=column),
            _level("hamming(dob_l, dob_r) <= 1", "one digit off", 0.1),
            _level(swapped, "month and day swapped", 0.02),
            _level("left(dob_l, 7) = left(dob_r, 7)", "same year and month", 0.03),
            _level("hamming(dob_l, dob_r) <= 2", "two digits off", 0.03),
            _level("left(dob_l, 4) = left(dob_r, 4)", "same year", 0.03),
            _else(0.04),
        ],
    )


def _address_conditions(has: set[str]) -> tuple[str, str | None, str | None]:
    """SQL for: no address on one side; the same address; the same area (ZIP or city)."""
    parts = [column for column in ("street", "city", "zip") if column in has]
    missing = " and ".join(f"({column}_l is null or {column}_r is null)" for column in parts)
    area_parts = [f"{column}_l = {column}_r" for column in ("zip", "city") if column in has]
    area = " or ".join(area_parts) or None
    same = None
    if "street" in has:
        street = f"(street_l = street_r or {_jw('street', 0.9)})"
        same = f"{street} and ({area})" if area else street
    return missing, same, area


def _address(has: set[str]) -> dict[str, Any]:
    """Street, city and ZIP as one comparison, because they agree or differ together.

    Scored separately, one shared address would count three times (street,
    city and ZIP each "agree").
    """
    missing, same, area = _address_conditions(has)
    levels: list[dict[str, Any]] = []
    if same is not None:
        levels.append(_level(same, "same address", 0.6))
    if "zip" in has:
        levels.append(_level("zip_l = zip_r", "same ZIP", 0.05))
    if area is not None:
        levels.append(_level(area, "same city", 0.04))
    if "zip" in has:
        levels.append(_level("left(zip_l, 3) = left(zip_r, 3)", "same ZIP area", 0.03))
    levels.append(_else(0.16))
    return {
        "output_column_name": "address",
        "comparison_levels": [
            {"sql_condition": missing, "label_for_charts": "missing", "is_null_level": True},
            *levels,
        ],
    }


def _surname_and_address(has: set[str]) -> dict[str, Any]:
    """Surname and address as one comparison, because families share both.

    Counted as independent evidence, a shared rare surname (term frequency:
    strong) plus a shared address (strong) outweighs any difference of first
    name and age, and a household becomes one person. Scored jointly, the u
    of "same surname at the same address" is measured on random pairs, where
    households make it common; a rare surname counts in full (term
    frequency) only when the address does not already say "same family".
    """
    missing, same, area = _address_conditions(has)
    exact = "last_name_l = last_name_r"
    similar = f"({_jw('last_name', 0.92)} or list_has_any(last_name_words_l, last_name_words_r))"
    levels: list[dict[str, Any]] = []
    if same is not None:
        levels += [
            _level(f"{exact} and {same}", "same surname, same address", 0.55),
            _level(f"{similar} and {same}", "similar surname, same address", 0.08),
        ]
    if area is not None:
        levels.append(_level(f"{exact} and ({area})", "same surname, same area", 0.05))
    levels += [
        _level(exact, "same surname, elsewhere", 0.15, tf_column="last_name"),
        _level(similar, "similar surname", 0.05),
    ]
    if same is not None:
        levels.append(_level(same, "same address, other surname", 0.03))
    if area is not None:
        levels.append(_level(area, "same area, other surname", 0.02))
    levels.append(_else(0.07))
    nothing = f"(last_name_l is null or last_name_r is null) and {missing}"
    return {
        "output_column_name": "surname_address",
        "comparison_levels": [
            {"sql_condition": nothing, "label_for_charts": "missing", "is_null_level": True},
            *levels,
        ],
    }


def _place(column: str) -> dict[str, Any]:
    return _comparison(
        column,
        [
            _level(f"{column}_l = {column}_r", "exact", 0.8, tf_column=column),
            _level(_jw(column, 0.9), "Jaro-Winkler >= 0.9", 0.1),
            _else(0.1),
        ],
    )


def _zip() -> dict[str, Any]:
    column = "zip"
    return _comparison(
        column,
        [
            _level("zip_l = zip_r", "exact", 0.75, tf_column=column),
            _level("levenshtein(zip_l, zip_r) <= 1", "one character off", 0.08),
            _level("left(zip_l, 4) = left(zip_r, 4)", "same first four", 0.05),
            _level("left(zip_l, 3) = left(zip_r, 3)", "same first three", 0.04),
            _else(0.08),
        ],
    )


def _email() -> dict[str, Any]:
    """Typos count, but "similar" only where the digits agree.

    Addresses are built from names: john.smith12@ and john.smith45@ are
    alike for any two people called John Smith, and a plain similarity level
    would count their name twice; it is the digits that tell them apart.
    """
    column = "email"
    local = "split_part(email_{side}, '@', 1)"
    return _comparison(
        column,
        [
            _level("email_l = email_r", "exact", 0.7, tf_column=column),
            _level(f"{local.format(side='l')} = {local.format(side='r')}", "same user name", 0.1),
            _level(
                f"{_jw(column, 0.88)} and regexp_replace(email_l, '[^0-9]', '', 'g') = "
                "regexp_replace(email_r, '[^0-9]', '', 'g')",
                "similar, same digits",
                0.1,
            ),
            _else(0.1),
        ],
    )


def _phone() -> dict[str, Any]:
    column = "phone"
    return _comparison(
        column,
        [
            _level("phone_l = phone_r", "exact", 0.8, tf_column=column),
            _level("levenshtein(phone_l, phone_r) <= 1", "one digit off", 0.08),
            _level("right(phone_l, 7) = right(phone_r, 7)", "same last seven", 0.04),
            _else(0.08),
        ],
    )


def _extra(column: str, label: str) -> dict[str, Any]:
    comparison = _comparison(
        column,
        [
            _level(f"{column}_l = {column}_r", "exact", 0.7, tf_column=column),
            _level(_jw(column, 0.9), "Jaro-Winkler >= 0.9", 0.1),
            _shares_word(column),
            _else(0.1),
        ],
    )
    comparison["comparison_description"] = label
    return comparison


def comparisons(fields: Sequence[str], extras: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    """One comparison per field present; ``extras`` are (column, display name) pairs."""
    has = set(fields)
    both_names = {"first_name", "last_name"} <= has
    result: list[dict[str, Any]] = []
    if "first_name" in has:
        result.append(_name("first_name", "last_name" if both_names else None, "first_groups"))
    if "middle_name" in has:
        result.append(_middle_name())
    joint = "last_name" in has and "street" in has
    if "last_name" in has and not joint:
        result.append(_name("last_name", "first_name" if both_names else None, None))
    if "suffix" in has:
        result.append(_exact_only("suffix"))
    if "dob" in has:
        result.append(_dob())
    # No gender comparison: it is all but implied by the first name, so it adds little,
    # and among pairs blocked on names it always agrees, which EM (whose u values come
    # from random pairs, where it agrees half the time) reads as "everything matches".
    if joint:
        result.append(_surname_and_address(has))
    elif "street" in has:
        result.append(_address(has))
    else:  # no street: ZIP and city are separate evidence (a birthplace, a postcode area)
        if "city" in has:
            result.append(_place("city"))
        if "zip" in has:
            result.append(_zip())
    if "state" in has:
        result.append(_exact_only("state", tf=True))
    if "email" in has:
        result.append(_email())
    if "phone" in has:
        result.append(_phone())
    result += [_extra(column, label) for column, label in extras]
    return result


def candidate_rules(fields: Sequence[str], extras: Sequence[str]) -> list[Rule]:
    """Blocking rules worth trying, most telling first; the run keeps those it can afford."""
    has = set(fields) | set(extras)
    if "first_name" in has:
        has.update({"first_initial", "first_code"})
    if "last_name" in has:
        has.add("last_code")
    if "dob" in has:
        has.add("dob_year")
    if "zip" in has:
        has.add("zip_area")
    wanted: list[Rule] = [
        Rule(("first_name", "last_name")),
        Rule(("last_name", "dob")),
        Rule(("first_name", "dob")),
        Rule(("first_name", "last_name"), swapped=True),
        Rule(("email",)),
        Rule(("phone",)),
        Rule(("dob", "zip")),
        Rule(("last_name", "zip")),
        Rule(("first_name", "zip")),
        Rule(("street", "zip")),
        Rule(("street", "city")),
        Rule(("first_code", "last_code")),
        Rule(("last_code", "dob_year")),
        Rule(("first_code", "dob")),
        Rule(("last_name", "first_initial")),
        Rule(("dob", "first_initial")),
        Rule(("zip", "first_initial")),
        Rule(("last_code", "zip_area")),
    ]
    for extra in extras:
        wanted += [
            Rule((extra,)),
            Rule((extra, "dob_year")),
            Rule((extra, "last_code")),
            Rule((extra, "first_code")),
        ]
    wanted += [
        Rule(("dob",)),
        Rule(("last_name",)),
        Rule(("first_name",)),
        Rule(("zip",)),
        Rule(("city", "dob_year")),
        Rule(("dob_year", "first_initial")),
    ]
    return [rule for rule in wanted if set(rule.columns) <= has]


def evidence(fields: Sequence[str], extras: Sequence[str]) -> list[str]:
    """The identifying fields and extras present: what can tell two people apart.

    Middle name, suffix, gender, city, ZIP and state are shared by too many
    people to identify anyone, and with a single identifying field a "match"
    only means "same surname" (or same birth date): the model needs at least
    ``MIN_EVIDENCE`` of these (docs/linkage.md, "Which fields are needed").
    """
    return [field for field in IDENTIFYING_FIELDS if field in fields] + list(extras)


def _inputs(comparison: dict[str, Any]) -> set[str]:
    """The columns a comparison reads (``x`` for every ``x_l``/``x_r`` in its conditions)."""
    sql = " ".join(level["sql_condition"] for level in comparison["comparison_levels"])
    return set(_SIDE_COLUMN.findall(sql))


def training_rules(fields: Sequence[str], extras: Sequence[tuple[str, str]] = ()) -> list[str]:
    """EM sessions: each learns every comparison except those of the fields it blocks on.

    Names block to learn the date of birth, address and contact fields, and
    the date of birth blocks to learn the names. No session blocks on an
    address: pairs at one address are mostly households, and EM would learn
    "same family" (same surname and street, any first name, any age) as what
    a match looks like. A session whose blocking columns every comparison
    reads (first and last name, with or without a street, and nothing else)
    would have nothing to learn, and Splink fails on it; it is left out and
    the starting m values are kept.
    """
    has = set(fields)
    wanted = []
    if {"first_name", "last_name"} <= has:
        wanted.append(Rule(("first_name", "last_name")))
    wanted += [Rule((column,)) for column in ("dob", "email", "phone") if column in has]
    inputs = [_inputs(comparison) for comparison in comparisons(fields, extras)]
    rules = [
        rule.sql()
        for rule in wanted
        if any(not used & set(rule.columns) for used in inputs)  # something left to learn
    ]
    return rules[:2]


def settings(
    fields: Sequence[str],
    extras: Sequence[tuple[str, str]],
    rules: Sequence[Rule],
    *,
    link: bool,
) -> dict[str, Any]:
    """Splink settings; in a link both sides sit in one table and only cross pairs are made."""
    cross = " and l.side <> r.side" if link else ""
    blocking = [(rule.sql() + cross) if rule.columns else (cross[5:] or "1 = 1") for rule in rules]
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "comparisons": comparisons(fields, extras),
        "blocking_rules_to_generate_predictions": blocking,
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "em_convergence": 0.001,
        "max_iterations": 60,
    }


def twins_sql(fields: Sequence[str], identifiers: Sequence[str] = ()) -> str:
    """The twins rule over scored pairs: same surname, birth date and address, other first names.

    ``identifiers`` are extra attributes that single out one person (an SSN,
    a licence number): twins never share one, so a pair agreeing on one is
    not held to be twins, whatever its first names say.

    "Other first names" is the first-name comparison's "different" level: none
    of its other levels (nickname, initial, close spelling, swapped with the
    surname…) holds, so this is the model's own notion of different, applied
    to a scored table that kept its ``_l``/``_r`` columns. Without an address
    to compare the rule does not apply: a same-named, same-aged pair in two
    places is not twins, and the model weighs it like any other.
    """
    has = set(fields)
    _, same, area = _address_conditions(has)
    address = same or area
    if not {"first_name", "last_name", "dob"} <= has or address is None:
        return "false"
    first = _name("first_name", "last_name", "first_groups")["comparison_levels"]
    # coalesce: a missing nickname list makes its level NULL, which must read as "no".
    alike = " or ".join(f"coalesce({level['sql_condition']}, false)" for level in first[1:-1])
    unlike = "".join(f" and coalesce({column}_l <> {column}_r, true)" for column in identifiers)
    return (
        f"not ({first[0]['sql_condition']}) and not ({alike}) "
        f"and last_name_l = last_name_r and dob_l = dob_r and ({address}){unlike}"
    )
