"""Dedupe and link on synthetic voter records: duplicates found, twins and households kept apart."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import pytest

from tests.bench_loader import load_bench
from votetrail.linkage import DEFAULT_THRESHOLD, Match, dedupe, link, people_from_rows

FIELDS: tuple[str, ...] = tuple(load_bench("bench_dedupe").COLUMNS)

TWIN_A = {"id": "twin-a", "first_name": "Olivia", "last_name": "Quennell", "dob": "2001-04-17"}
TWIN_B = {**TWIN_A, "id": "twin-b", "first_name": "Grace"}
WILLIAM = {"id": "dup-a", "first_name": "William", "last_name": "Abernathy", "dob": "19620830"}
BILL = {**WILLIAM, "id": "dup-b", "first_name": "Bill", "dob": "08/30/1962"}


def synthetic(records: int, seed: int = 7) -> tuple[list[dict[str, str | None]], dict[str, int]]:
    """Ordinary registrations with realistic duplicates and households, and each one's person."""
    rows, truth = load_bench("bench_dedupe").VoterGenerator(seed).registrations(records)
    people = [dict(zip(FIELDS, row, strict=True)) for row in rows]
    return people, {row[0]: person for row, person in zip(rows, truth, strict=True)}


def with_address(record: Mapping[str, str], street: str) -> dict[str, str | None]:
    return {**record, "street": street, "city": "Salida", "zip": "81201", "state": "CO"}


def pairs(matches: list[Match]) -> set[tuple[str, str]]:
    return {(match.left_id, match.right_id) for match in matches}


@pytest.fixture(scope="module")
def voters() -> tuple[list[dict[str, str | None]], dict[str, int]]:
    people, truth = synthetic(900)
    people += [
        with_address(TWIN_A, "14 Poncha Blvd"),
        with_address(TWIN_B, "14 Poncha Blvd"),
        with_address(WILLIAM, "7 Ouray Ave"),
        with_address(BILL, "7 Ouray Ave"),
    ]
    truth |= {"twin-a": -1, "twin-b": -2, "dup-a": -3, "dup-b": -3}
    return people, truth


@pytest.fixture(scope="module")
def matches(voters: tuple[list[dict[str, str | None]], dict[str, int]]) -> list[Match]:
    return dedupe(people_from_rows(voters[0]))


def test_twins_are_not_a_pair_but_a_nickname_duplicate_is(matches: list[Match]) -> None:
    found = pairs(matches)
    assert ("twin-a", "twin-b") not in found
    assert ("dup-a", "dup-b") in found


def test_duplicates_are_found_and_households_kept_apart(
    voters: tuple[list[dict[str, str | None]], dict[str, int]], matches: list[Match]
) -> None:
    truth = voters[1]
    true_pairs = sum(n * (n - 1) // 2 for n in Counter(truth.values()).values())
    hits = sum(truth[m.left_id] == truth[m.right_id] for m in matches)
    precision, recall = hits / len(matches), hits / true_pairs
    assert precision >= 0.95, precision
    assert recall >= 0.9, recall
    assert all(DEFAULT_THRESHOLD <= m.match_probability <= 1 for m in matches)


def test_the_same_records_give_the_same_pairs(
    voters: tuple[list[dict[str, str | None]], dict[str, int]], matches: list[Match]
) -> None:
    assert dedupe(people_from_rows(voters[0])) == matches


def test_a_higher_threshold_prints_a_subset(
    voters: tuple[list[dict[str, str | None]], dict[str, int]], matches: list[Match]
) -> None:
    strict = dedupe(people_from_rows(voters[0]), threshold=0.999)
    assert pairs(strict) < pairs(matches)


def test_link_pairs_one_record_from_each_side() -> None:
    people, truth = synthetic(900, seed=11)
    by_person: dict[int, list[dict[str, str | None]]] = {}
    for record in people:
        by_person.setdefault(truth[str(record["id"])], []).append(record)
    left = [records[0] for records in by_person.values()]
    right = [record for records in by_person.values() for record in records[1:]]
    right += left[:300]  # the same registrations again, as a second list would hold them
    right = [{**record, "id": f"R-{record['id']}"} for record in right]
    found = link(people_from_rows(left), people_from_rows(right))
    left_ids = {str(record["id"]) for record in left}
    assert found
    assert all(m.left_id in left_ids and m.right_id.startswith("R-") for m in found)
    hits = sum(truth[m.left_id] == truth[m.right_id.removeprefix("R-")] for m in found)
    expected = len(right)  # every right record's person is on the left exactly once
    assert hits / len(found) >= 0.95
    assert hits / expected >= 0.9


def test_nothing_to_match() -> None:
    assert dedupe(people_from_rows([])) == []
    assert dedupe(people_from_rows([{"id": "1", "first_name": "Ann"}])) == []
    one = people_from_rows([{"id": "1", "first_name": "Ann"}])
    assert link(one, people_from_rows([])) == []


def test_threshold_must_be_a_probability() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        dedupe(people_from_rows([]), threshold=1.0)
