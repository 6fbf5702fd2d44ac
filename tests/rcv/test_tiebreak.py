"""RCTab's random tie-breaks, reproduced draw for draw.

The expected values were printed by OpenJDK 17 (``java.util.Random``,
``Collections.shuffle``, ``new ArrayList<>(new HashSet<>(names))``), the
runtime RCTab ships with, so a seeded "random" tie-break here picks the
candidate RCTab picks from the same config.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import pytest

from votetrail.core.rcv.rules import TiebreakMode
from votetrail.core.rcv.tiebreak import (
    JavaRandom,
    OperatorNeeded,
    Tiebreaker,
    hash_set_order,
    java_order,
    shuffled,
)


def no_rounds(number: int) -> Mapping[str, Decimal]:
    raise AssertionError(f"round {number} should not be consulted")


def test_java_random_sequence() -> None:
    first = JavaRandom(0)
    assert (first.next_double(), first.next_double()) == (0.730967787376657, 0.24053641567148587)
    lowest = JavaRandom(-140737488355328)  # RCTab's smallest allowed seed
    assert (lowest.next_int(7), lowest.next_int(16), lowest.next_double()) == (
        4,
        5,
        0.7405364082209053,
    )


def test_shuffle_matches_collections_shuffle() -> None:
    names = ["Yinka Dare", "George Gervin", "Mookie Blaylock", "Sedale Threatt", "Ñandú", "B", "A"]
    ordered = sorted(names, key=java_order)
    assert shuffled(ordered, JavaRandom(123456789)) == [
        "Sedale Threatt",
        "George Gervin",
        "Yinka Dare",
        "Ñandú",
        "Mookie Blaylock",
        "A",
        "B",
    ]


def test_hash_set_iteration_order() -> None:
    names = ["Candidate D Name", "Candidate A Name", "Candidate C Name", "Aa", "BB", "Zebra", "x"]
    # "Aa" and "BB" share a hash code: insertion order decides within the bucket.
    assert hash_set_order(names) == [
        "Aa",
        "BB",
        "Candidate A Name",
        "Zebra",
        "Candidate D Name",
        "x",
        "Candidate C Name",
    ]
    thirteen = [f"Cand {chr(65 + i)}" for i in range(13)]  # a 32-bucket table
    assert hash_set_order(thirteen) == [f"Cand {c}" for c in "KJIHGFEDCBAML"]


def test_random_tiebreak_draws_from_sorted_names() -> None:
    breaker = Tiebreaker(TiebreakMode.RANDOM, 0, ["C", "B", "A"])
    # 0.7309... * 2 -> index 1 of ["B", "C"]; then 0.2405... * 3 -> index 0 of ["A", "B", "C"].
    assert (
        breaker.choose(["C", "B"], winner=False, round_number=1, earlier_tallies=no_rounds) == "C"
    )
    assert (
        breaker.choose(["C", "A", "B"], winner=True, round_number=1, earlier_tallies=no_rounds)
        == "A"
    )


def test_previous_round_counts_decide_before_random() -> None:
    tallies = {
        1: {"A": Decimal(3), "B": Decimal(2), "C": Decimal(2)},
        2: {"A": Decimal(4), "B": Decimal(4), "C": Decimal(4)},
    }
    breaker = Tiebreaker(TiebreakMode.PREVIOUS_ROUND_COUNTS_THEN_RANDOM, 0, ["A", "B", "C"])
    assert (
        breaker.choose(
            ["A", "B", "C"], winner=True, round_number=3, earlier_tallies=tallies.__getitem__
        )
        == "A"
    )
    # B and C stay tied in every earlier round: the draw is from the HashSet order.
    loser = breaker.choose(
        ["A", "B", "C"], winner=False, round_number=3, earlier_tallies=tallies.__getitem__
    )
    assert loser == hash_set_order(["B", "C"])[1]


def test_permutation_modes() -> None:
    in_config = Tiebreaker(TiebreakMode.USE_CANDIDATE_ORDER, None, ["C", "A", "B"])
    assert (
        in_config.choose(["A", "B"], winner=True, round_number=1, earlier_tallies=no_rounds) == "A"
    )
    assert (
        in_config.choose(["A", "C"], winner=False, round_number=1, earlier_tallies=no_rounds) == "A"
    )
    generated = Tiebreaker(
        TiebreakMode.GENERATE_PERMUTATION, 123456789, ["B", "A", "Mookie Blaylock"]
    )
    assert generated.permutation == shuffled(["A", "B", "Mookie Blaylock"], JavaRandom(123456789))


def test_interactive_modes_need_an_operator() -> None:
    asking = Tiebreaker(TiebreakMode.STOP_COUNTING_AND_ASK, None, ["A", "B"])
    with pytest.raises(OperatorNeeded):
        asking.choose(["B", "A"], winner=False, round_number=1, earlier_tallies=no_rounds)
