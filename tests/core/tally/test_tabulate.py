"""Tabulation: Arlo's published tallies reproduced from the CVRs, then the counting rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from votetrail.core.tally.records import CastVoteRecord, ContestDefinition
from votetrail.core.tally.tabulate import ContestResult, merge, tabulate
from votetrail.errors import InvalidInput
from votetrail.formats.cvr.dominion_csv import open_dominion_csv

ARLO = "cvr/arlo-fixtures"
MAYOR = ContestDefinition("Mayor", 1, ("Ann", "Bob", "Write-In"), frozenset({"Write-In"}))
COUNCIL = ContestDefinition("Council", 2, ("Cy", "Di", "Ed"))


def card(number: int, **marks: tuple[str, ...]) -> CastVoteRecord:
    return CastVoteRecord(f"card-{number}", None, None, None, marks=marks)


def statewide(shared_data: Path, election: str) -> tuple[list[ContestResult], dict[str, Any]]:
    """Every jurisdiction's export counted on its own, then merged, as a state would."""
    folder = shared_data / ARLO / election
    by_jurisdiction = {}
    for path in sorted(folder.glob("* - cvrs.csv")):
        export = open_dominion_csv(path)
        by_jurisdiction[path.name.removesuffix(" - cvrs.csv")] = tabulate(
            export.records(), export.contests
        )
    spec = json.loads((folder / f"{election}.spec.json").read_text(encoding="utf-8"))
    assert set(by_jurisdiction) == {j["name"] for j in spec["jurisdictions"]}
    return merge(by_jurisdiction), spec


@pytest.mark.parametrize("election", ["small-election", "medium-election"])
def test_arlo_published_tallies(shared_data: Path, election: str) -> None:
    """Each contest's tally and ballots equal the spec's ``tally`` and ``total_ballots_cast``."""
    results, spec = statewide(shared_data, election)
    published = {contest["name"]: contest for contest in spec["contests"]}
    assert [result.name for result in results] == list(published)
    for result in results:
        contest = published[result.name]
        assert dict(result.tally) == contest["tally"]
        assert list(result.tally) == list(contest["tally"])
        assert result.ballots == contest["total_ballots_cast"]
        assert result.votes_allowed == contest["votes_allowed"]
        assert sum(result.tally.values()) + result.undervotes == result.ballots - result.overvotes


def test_arlo_small_election_overvotes_and_undervotes(shared_data: Path) -> None:
    """The fixture's overvoted cards mark every choice, so the tallies only match without them."""
    results, _ = statewide(shared_data, "small-election")
    counts = {r.name: (r.ballots, r.overvotes, r.undervotes, r.write_in_votes) for r in results}
    assert counts == {
        "Minister of Farming": (500, 45, 44, 1),
        "Master of Magic": (1000, 44, 45, 10),
        "Secretary of Treasure": (500, 15, 15, 0),
    }


def test_arlo_medium_election_overvotes_and_undervotes(shared_data: Path) -> None:
    (result,), _ = statewide(shared_data, "medium-election")
    assert (result.overvotes, result.undervotes) == (950, 950)


def test_counting_rules() -> None:
    cards = [
        card(1, Mayor=("Ann",), Council=("Cy", "Di")),
        card(2, Mayor=("Ann", "Bob"), Council=("Ed",)),  # Mayor overvoted
        card(3, Mayor=(), Council=("Cy", "Di", "Ed")),  # Council overvoted
        card(4, Mayor=("Write-In",)),  # Council not on the card
    ]
    mayor, council = tabulate(cards, [MAYOR, COUNCIL])
    assert mayor == ContestResult(
        "Mayor", 1, 4, 1, 1, {"Ann": 1, "Bob": 0, "Write-In": 1}, frozenset({"Write-In"})
    )
    assert list(mayor.tally) == ["Ann", "Bob", "Write-In"]
    assert mayor.write_in_votes == 1
    assert council == ContestResult("Council", 2, 3, 1, 1, {"Cy": 1, "Di": 1, "Ed": 1})


def test_no_records_gives_zero_for_every_choice() -> None:
    (mayor,) = tabulate([], [MAYOR])
    assert (mayor.ballots, mayor.overvotes, mayor.undervotes) == (0, 0, 0)
    assert mayor.tally == {"Ann": 0, "Bob": 0, "Write-In": 0}


def test_unknown_contest_is_refused() -> None:
    with pytest.raises(InvalidInput, match=r"record 'card-7': names contest 'Sheriff'"):
        tabulate([card(7, Sheriff=("Ann",))], [MAYOR])


def test_unknown_choice_is_refused() -> None:
    with pytest.raises(InvalidInput, match=r"record 'card-2', contest 'Mayor': marks 'Zed'"):
        tabulate([card(1, Mayor=("Ann",)), card(2, Mayor=("Zed",))], [MAYOR])


def test_contest_defined_twice_is_refused() -> None:
    with pytest.raises(InvalidInput, match="contest 'Mayor': is defined twice"):
        tabulate([], [MAYOR, MAYOR])


def test_merge_adds_contests_and_choices_seen_anywhere() -> None:
    north = tabulate([card(1, Mayor=("Ann",)), card(2, Mayor=("Ann", "Bob"))], [MAYOR])
    extra = ContestDefinition("Mayor", 1, ("Ann", "Bob", "Write-In", "Zoe"))
    south = tabulate([card(3, Mayor=("Zoe",)), card(4, Council=())], [extra, COUNCIL])
    mayor, council = merge({"North": north, "South": south})
    assert mayor.tally == {"Ann": 1, "Bob": 0, "Write-In": 0, "Zoe": 1}
    assert (mayor.ballots, mayor.overvotes, mayor.undervotes) == (3, 1, 0)
    assert mayor.write_ins == frozenset({"Write-In"})
    assert (council.ballots, council.undervotes) == (1, 2)


def test_merge_refuses_disagreeing_vote_limits() -> None:
    one = tabulate([], [COUNCIL])
    three = tabulate([], [ContestDefinition("Council", 3, COUNCIL.choices)])
    with pytest.raises(InvalidInput, match=r"contest 'Council': allows 3 votes in 'East' but 2"):
        merge({"West": one, "East": three})


@given(
    st.lists(
        st.lists(st.sampled_from(COUNCIL.choices), unique=True, max_size=3)
        .map(tuple)
        .map(lambda chosen: {"Council": chosen}),
        max_size=40,
    )
)
def test_votes_and_undervotes_fill_the_valid_cards(marks: list[dict[str, tuple[str, ...]]]) -> None:
    """Every vote a non-overvoted card allows is either cast for a choice or an undervote."""
    cards = [CastVoteRecord(str(i), None, None, None, marks=m) for i, m in enumerate(marks)]
    (council,) = tabulate(cards, [COUNCIL])
    assert council.ballots == len(cards)
    assert council.overvotes == sum(1 for m in marks if len(m["Council"]) > 2)
    valid = council.ballots - council.overvotes
    assert sum(council.tally.values()) + council.undervotes == valid * 2
