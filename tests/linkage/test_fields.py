"""Which sets of fields the model accepts: every one it accepts can be trained and run.

The poll-book voter list of VotingWorks (votingworks/vxsuite,
libs/fixtures/data/electionFamousNames2021/voters.csv) has names and a street
but no date of birth; a training session blocked on first and last name then
had nothing left to learn and Splink failed with a DuckDB parser error.
"""

from __future__ import annotations

import itertools

import pytest
from splink.internals.parse_sql import get_columns_used_from_sql

from votetrail.errors import InvalidInput
from votetrail.linkage import dedupe, link, people_from_rows
from votetrail.linkage.model import IDENTIFYING_FIELDS, comparisons, training_rules

OTHERS = ("middle_name", "suffix", "gender", "city", "zip", "state")


def _read(sql: str) -> set[str]:
    """Columns a condition reads, as Splink itself parses them (``x_l`` and ``x_r`` are ``x``)."""
    columns: list[str] = get_columns_used_from_sql(sql, "duckdb")  # type: ignore[no-untyped-call]
    return {column.removesuffix("_l").removesuffix("_r") for column in columns}


@pytest.mark.parametrize(
    "fields",
    [
        list(combo) + list(others)
        for size in (2, 3)
        for combo in itertools.combinations(IDENTIFYING_FIELDS, size)
        for others in ((), OTHERS)
    ],
)
def test_every_training_session_leaves_a_comparison_to_learn(fields: list[str]) -> None:
    extras = [("extra_0", "birth place")]
    reads = [
        set().union(
            *(
                _read(level["sql_condition"])
                for level in comparison["comparison_levels"]
                if level["sql_condition"] != "else"
            )
        )
        for comparison in comparisons(fields, extras)
    ]
    for rule in training_rules(fields, extras):
        blocked = _read(rule)
        assert any(not (read & blocked) for read in reads), (fields, rule)


def test_names_and_street_only_are_linked() -> None:
    """Enough same-name records for the old code to train on the names, where it failed."""
    rows = [
        {"id": f"c{index}", "first_name": first, "last_name": last, "street": f"{index} Main St"}
        for index, (first, last) in enumerate(
            [("John", "Smith")] * 8 + [("Maria", "Garcia")] * 7 + [("David", "Lee")] * 7
        )
    ]
    rows += [
        {"id": f"p{index}", "first_name": f"{first}", "last_name": last, "street": "Elm St"}
        for index, (first, last) in enumerate(
            itertools.product(["Abel", "Bea", "Cyril", "Dora", "Enid"], ["Ng", "Orr", "Pike"])
        )
    ]
    rows += [{"id": f"u{index}", "first_name": f"Ann{chr(97 + index)}", "last_name": "Quill",
              "street": f"{index} Oak Rd"} for index in range(26)]  # fmt: skip
    rows += [
        {"id": "dup-a", "first_name": "Katherine", "last_name": "Stanhope", "street": "7 Mill Dr"},
        {
            "id": "dup-b",
            "first_name": "Kathrine",
            "last_name": "Stanhope",
            "street": "7 Mill Drive",
        },
    ]
    found = {(match.left_id, match.right_id) for match in dedupe(people_from_rows(rows))}
    assert ("dup-a", "dup-b") in found


def test_one_identifying_field_is_refused_in_one_sentence() -> None:
    rows = [{"id": "a", "last_name": "Smith", "zip": "03301"}, {"id": "b", "last_name": "Smith"}]
    with pytest.raises(InvalidInput) as caught:
        dedupe(people_from_rows(rows))
    assert str(caught.value) == (
        "records: too few fields to tell people apart: linking needs at least 2 of first_name, "
        "last_name, dob, street, email, phone or an --extra column, and it has only last_name"
    )
    deaths = people_from_rows([{"id": "d1", "dob": "1931-03-07", "city": "Keene"}])
    with pytest.raises(InvalidInput, match=r"and the two lists share none of them$"):
        link(people_from_rows(rows), deaths)


def test_an_extra_counts_as_identifying() -> None:
    rows = [
        {"id": "a", "last_name": "Smith", "ssn": "123"},
        {"id": "b", "last_name": "Smith", "ssn": "123"},
    ]
    dedupe(people_from_rows(rows, extras=["ssn"]))  # accepted: no error
