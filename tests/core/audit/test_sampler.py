"""The sampler draws exactly what Rivest's ``consistent_sampler`` 1.0.10 draws; refuses bad input.

Tables are the package's own output (its docstrings, and runs of version
1.0.10 recorded here); the property tests run the package live on random seeds
and ids, with and without replacement.
"""

from __future__ import annotations

import dataclasses
import random

import consistent_sampler
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from votetrail.core.audit.sampler import Ticket, sample
from votetrail.core.audit.types import Seed
from votetrail.errors import InvalidInput

ACTON = [f"Acton::Tabulator A:Batch 1:{position}" for position in range(1, 21)]

# consistent_sampler.first_ticket / next_ticket docstrings: the 'AB-130' chain.
PUBLISHED_CHAIN = [
    ("0.262997141", "AB-130", 1),
    ("0.823235722", "AB-130", 2),
    ("0.9750491404", "AB-130", 3),
]

# (ids, seed, n, with replacement, draws) recorded from consistent_sampler 1.0.10.
RECORDED = [
    (
        ACTON,
        "01382438112797316654",
        5,
        False,
        [
            ("0.004678792", "Acton::Tabulator A:Batch 1:18", 1),
            ("0.048320652", "Acton::Tabulator A:Batch 1:9", 1),
            ("0.070109560", "Acton::Tabulator A:Batch 1:4", 1),
            ("0.075214251", "Acton::Tabulator A:Batch 1:1", 1),
            ("0.160866063", "Acton::Tabulator A:Batch 1:2", 1),
        ],
    ),
    (
        ACTON[:3],
        "99999999999999999999",
        8,
        True,
        [
            ("0.427182682", "Acton::Tabulator A:Batch 1:2", 1),
            ("0.625342071", "Acton::Tabulator A:Batch 1:3", 1),
            ("0.787743694", "Acton::Tabulator A:Batch 1:1", 1),
            ("0.9120169024", "Acton::Tabulator A:Batch 1:3", 2),
            ("0.9146156362", "Acton::Tabulator A:Batch 1:2", 2),
            ("0.9415724441", "Acton::Tabulator A:Batch 1:2", 3),
            ("0.9533112221", "Acton::Tabulator A:Batch 1:3", 3),
            ("0.9711676184", "Acton::Tabulator A:Batch 1:1", 2),
        ],
    ),
    (
        ["A-1", "A-2", "A-3", "B-1", "B-2", "B-3"],
        "00000000000000314159",
        10,
        True,
        [
            ("0.079379682", "A-1", 1),
            ("0.271678637", "B-1", 1),
            ("0.502511898", "B-1", 2),
            ("0.523256725", "B-2", 1),
            ("0.589076665", "B-3", 1),
            ("0.596644246", "A-1", 2),
            ("0.652682070", "A-3", 1),
            ("0.819211433", "A-2", 1),
            ("0.819998073", "A-1", 3),
            ("0.834661144", "B-1", 3),
        ],
    ),
]


def triples(tickets: list[Ticket]) -> list[tuple[str, str, int]]:
    return [(t.ticket, t.id, t.generation) for t in tickets]


def package(
    ids: list[str], seed: str, n: int, with_replacement: bool
) -> list[tuple[str, str, int]]:
    if n == 0:
        return []  # the package reads take=0 as "nothing" only after building its heap
    draws = consistent_sampler.sampler(ids, seed, with_replacement=with_replacement, take=n)
    return [tuple(draw) for draw in draws]


def test_published_generation_chain() -> None:
    drawn = sample(["AB-130"], "01382438112797316654", 3, with_replacement=True)
    assert triples(drawn) == PUBLISHED_CHAIN


@pytest.mark.parametrize(("ids", "seed", "n", "with_replacement", "expected"), RECORDED)
def test_recorded_samples(
    ids: list[str], seed: str, n: int, with_replacement: bool, expected: list[tuple[str, str, int]]
) -> None:
    assert triples(sample(ids, seed, n, with_replacement=with_replacement)) == expected


def test_accepts_a_seed_value_and_returns_frozen_tickets() -> None:
    drawn = sample(ACTON, Seed("01382438112797316654"), 1)
    assert drawn == [Ticket("0.004678792", "Acton::Tabulator A:Batch 1:18", 1)]
    with pytest.raises(dataclasses.FrozenInstanceError):
        drawn[0].generation = 2  # type: ignore[misc]


seeds = st.text(alphabet="0123456789", min_size=20, max_size=20)
ballot_ids = st.lists(st.text(st.characters(codec="utf-8"), max_size=12), unique=True, max_size=40)


@settings(max_examples=150, deadline=None)
@given(ids=ballot_ids, seed=seeds, data=st.data())
def test_same_as_package_without_replacement(
    ids: list[str], seed: str, data: st.DataObject
) -> None:
    n = data.draw(st.integers(0, len(ids)), label="n")
    assert triples(sample(ids, seed, n)) == package(ids, seed, n, False)


@settings(max_examples=150, deadline=None)
@given(ids=ballot_ids.filter(bool), seed=seeds, data=st.data())
def test_same_as_package_with_replacement(ids: list[str], seed: str, data: st.DataObject) -> None:
    n = data.draw(st.integers(0, 4 * len(ids) + 5), label="n")
    drawn = sample(ids, seed, n, with_replacement=True)
    assert triples(drawn) == package(ids, seed, n, True)


def test_many_generations_of_one_ballot_keep_the_nines() -> None:
    """Late tickets start 0.999...: the rule keeps the nines and prints 9 digits after them."""
    seed = "31415926535897932384"
    drawn = sample(["only"], seed, 60, with_replacement=True)
    assert triples(drawn) == package(["only"], seed, 60, True)
    assert [t.generation for t in drawn] == list(range(1, 61))
    assert drawn[-1].ticket.startswith("0.9999")
    assert len(drawn[-1].ticket) > len("0.") + 9


@pytest.mark.parametrize("with_replacement", [False, True])
@pytest.mark.parametrize(("population", "n"), [(20_000, 300), (100_000, 3)])
def test_large_population_matches_package(population: int, n: int, with_replacement: bool) -> None:
    """Small n / population: candidates are found by leading zeros, as in a state's audit."""
    rng = random.Random(population)
    ids = [
        f"County {rng.randrange(9)}:C{rng.randrange(5)}:B{i // 250}:{i}" for i in range(population)
    ]
    seed = "".join(rng.choice("0123456789") for _ in range(20))
    drawn = sample(ids, seed, n, with_replacement=with_replacement)
    assert triples(drawn) == package(ids, seed, n, with_replacement)


def test_population_skewed_to_high_tickets_still_exact() -> None:
    """Ballots whose tickets all start at 0.5 or more: the first guess at candidates is empty."""
    seed = "27182818284590452353"
    everyone = [f"ballot {i}" for i in range(6000)]
    tickets = {draw[1]: draw[0] for draw in consistent_sampler.sampler(everyone, seed)}
    high = [ballot for ballot in everyone if tickets[ballot] >= "0.5"]
    assert len(high) > 2000
    assert triples(sample(high, seed, 100)) == package(high, seed, 100, False)


def test_sampling_is_consistent_across_subsets() -> None:
    """A county's sample is the statewide sample filtered to the county: why the method is used."""
    seed = "01382438112797316654"
    state = [f"{county}::T:B:{i}" for county in ("Acton", "Lindow") for i in range(1, 400)]
    acton = [ballot for ballot in state if ballot.startswith("Acton")]
    statewide = [t for t in sample(state, seed, len(state)) if t.id.startswith("Acton")]
    assert sample(acton, seed, 50) == statewide[:50]


def test_whole_population_and_nothing() -> None:
    seed = "01382438112797316654"
    assert sorted(t.id for t in sample(ACTON, seed, len(ACTON))) == sorted(ACTON)
    assert sample(ACTON, seed, 0) == []
    assert sample([], seed, 0) == []
    assert sample([], seed, 0, with_replacement=True) == []


def test_duplicate_id_is_named() -> None:
    with pytest.raises(InvalidInput) as caught:
        sample(["a", "b", "Acton::T:B:7", "c", "Acton::T:B:7"], "01382438112797316654", 1)
    assert caught.value.where == "ballot id 'Acton::T:B:7'"
    assert "more than once" in str(caught.value)


def test_too_many_without_replacement() -> None:
    with pytest.raises(InvalidInput) as caught:
        sample(ACTON, "01382438112797316654", 21)
    assert caught.value.where == "sample size 21"
    assert "20 ballots" in str(caught.value)
    assert len(sample(ACTON, "01382438112797316654", 21, with_replacement=True)) == 21


def test_negative_size() -> None:
    with pytest.raises(InvalidInput) as caught:
        sample(ACTON, "01382438112797316654", -1)
    assert caught.value.where == "sample size -1"


def test_with_replacement_needs_ballots() -> None:
    with pytest.raises(InvalidInput) as caught:
        sample([], "01382438112797316654", 3, with_replacement=True)
    assert "no ballots" in str(caught.value)


@pytest.mark.parametrize("seed", ["314159", "0138243811279731665x", "013824381127973166541", ""])
def test_bad_seed(seed: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        sample(ACTON, seed, 1)
    assert caught.value.where == f"seed {seed!r}"


def test_id_that_is_not_text() -> None:
    with pytest.raises(InvalidInput) as caught:
        sample(["fine", "bad\ud800"], "01382438112797316654", 1)
    assert caught.value.where == "ballot id 'bad\\ud800'"
