"""Ranked-choice contests in the L&A deck: the block's promises and the round-by-round comparison.

The properties are checked over generated contests (candidates, seats, ranks)
and over every share of the deck a device may run, since a device is compared
against its precincts' ballots only.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from votetrail.core.lat.deck import Deck, generate_deck
from votetrail.core.lat.definition import (
    BallotStyle,
    Choice,
    Contest,
    ElectionDefinition,
    Precinct,
    check,
    from_data,
    to_data,
)
from votetrail.core.lat.precinct_mixup import compare_device
from votetrail.core.lat.ranked_compare import compare_ranked
from votetrail.core.lat.ranked_deck import Ranking, can_transfer, round_table
from votetrail.core.lat.totals import count
from votetrail.errors import InvalidInput

NAMES = ("Ada Lane", "Bo Reyes", "Cy Park", "Di Moss", "Ez Kahn", "Flo Tran", "Gus Ike", "Hal Ng")


def ranked_definition(
    candidates: int = 4, seats: int = 1, ranks: int = 3, precincts: int = 2, write_in: bool = False
) -> ElectionDefinition:
    choices = [Choice(f"c{i}", NAMES[i]) for i in range(candidates)]
    if write_in:
        choices[-1] = Choice("write-in", "Write-in", write_in=True)
    mayor = Contest("mayor", "Mayor", "candidate", seats, tuple(choices), ranks=ranks)
    clerk = Contest("clerk", "Clerk", "candidate", 1, (Choice("x", "X One"), Choice("y", "Y Two")))
    ids = tuple(f"p{n}" for n in range(1, precincts + 1))
    return check(
        ElectionDefinition(
            title="Ranked test",
            date=None,
            source_format="test",
            contests=(mayor, clerk),
            ballot_styles=(
                BallotStyle("1", ids, ("mayor", "clerk")),
                BallotStyle("2", ids[:1], ("mayor",)),
            ),
            precincts=tuple(Precinct(p, p.upper()) for p in ids),
        ),
        "test",
    )


def _first_round(deck: Deck, precincts: list[str] | None) -> dict[str, Decimal]:
    return dict(deck.expected_rounds(precincts)["mayor"].rounds[0].tally)


@settings(max_examples=60, deadline=None)
@given(
    candidates=st.integers(2, 8),
    seats=st.integers(1, 3),
    ranks=st.integers(1, 8),
    precincts=st.integers(1, 3),
    write_in=st.booleans(),
)
def test_every_share_of_the_deck_keeps_the_ranked_promises(
    candidates: int, seats: int, ranks: int, precincts: int, write_in: bool
) -> None:
    definition = ranked_definition(candidates, seats, ranks, precincts, write_in)
    contest = definition.contest("mayor")
    deck = generate_deck(definition)
    shares: list[list[str] | None] = [None, *([p.id] for p in definition.precincts)]
    for share in shares:
        tabulation = deck.expected_rounds(share)["mayor"]
        first = tabulation.rounds[0]
        totals = list(_first_round(deck, share).values())
        assert len(set(totals)) == len(totals) == candidates, "distinct first-round totals"
        assert not any(d.by_tiebreak for r in tabulation.rounds for d in r.decisions)
        if can_transfer(contest):
            assert first.elected == ()
            assert first.eliminated == ("c0",)
            moved = first.decisions[0].transfers
            assert any(votes > 0 for name, votes in moved.items() if name in first.tally)
        used = {
            rank
            for ballot in deck.for_precincts(share)
            for rank, marks in enumerate(ballot.rankings.get("mayor", ()), start=1)
            if marks
        }
        assert used == set(range(1, min(ranks, candidates) + 1)), "every rank is marked"


def test_plurality_totals_leave_the_ranked_contest_out() -> None:
    deck = generate_deck(ranked_definition())
    assert set(deck.expected()) == {"clerk"}
    assert all("mayor" not in ballot.votes for ballot in deck.ballots)
    assert count(deck.ballots, deck.definition)["clerk"].ballots == sum(
        1 for b in deck.ballots if b.ballot_style == "1"
    )


def test_the_overvote_ballot_ranks_two_at_rank_one() -> None:
    deck = generate_deck(ranked_definition())
    overvotes = [b for b in deck.ballots if b.purpose == "overvote"]
    assert overvotes
    assert all(b.rankings["mayor"] == (("c0", "c1"),) for b in overvotes)


def test_ranked_contest_needs_a_rank_and_candidates_not_measures() -> None:
    definition = ranked_definition()
    bad = Contest("m", "M", "candidate", 1, (Choice("a", "A"),), ranks=0)
    with pytest.raises(InvalidInput, match="at least one rank"):
        check(ElectionDefinition("t", None, "t", (bad,), definition.ballot_styles[:0], ()), "f")
    measure = Contest("q", "Q", "yesno", 1, (Choice("yes", "Yes"), Choice("no", "No")), ranks=2)
    with pytest.raises(InvalidInput, match="cannot be ranked"):
        check(ElectionDefinition("t", None, "t", (measure,), (), ()), "f")


def test_ranks_survive_storage_and_plurality_data_is_unchanged() -> None:
    definition = ranked_definition()
    data = to_data(definition)
    assert data["contests"][0]["ranks"] == 3
    assert "ranks" not in data["contests"][1]
    assert from_data(data) == definition


def test_the_contract_carries_rankings_and_the_expected_rounds() -> None:
    deck = generate_deck(ranked_definition())
    contract = deck.contract()
    assert contract["ballots"][0]["rankings"]["mayor"][0] == ["c0"]
    rounds = contract["expected_rounds"]["mayor"]
    assert rounds[0]["eliminated"] == ["c0"]
    assert [r["round"] for r in rounds] == list(range(1, len(rounds) + 1))


def test_the_round_table_names_candidates_and_transfers() -> None:
    deck = generate_deck(ranked_definition())
    table = round_table(deck.definition.contest("mayor"), deck.expected_rounds()["mayor"])
    assert [row.name for row in table.rows] == list(NAMES[:4])
    assert table.rows[0].votes[0] == "6"  # three sections of 2
    assert table.rows[0].votes[1] is None  # Ada is out after round 1
    assert table.outcomes[0].startswith("Ada Lane eliminated: ")
    assert " to Bo Reyes" in table.outcomes[0]
    assert table.winners


def _cards(
    deck: Deck, change: dict[int, Ranking] | None = None
) -> dict[str, list[tuple[str, Ranking]]]:
    """The deck's rankings as a tabulator's CVRs would hold them, some cards changed."""
    change = change or {}
    return {
        "mayor": [
            (str(b.number), change.get(b.number, b.rankings["mayor"]))
            for b in deck.ballots
            if "mayor" in b.rankings
        ]
    }


def _transferring_ballot(deck: Deck) -> int:
    return next(
        b.number
        for b in deck.ballots
        if b.rankings.get("mayor", ((),))[0] == ("c0",) and len(b.rankings["mayor"]) > 1
    )


def test_the_deck_itself_passes() -> None:
    deck = generate_deck(ranked_definition())
    assert compare_ranked(deck, None, _cards(deck)) == []


def test_a_second_choice_not_transferred_is_explained_in_round_two() -> None:
    deck = generate_deck(ranked_definition())
    number = _transferring_ballot(deck)
    ranking = next(b for b in deck.ballots if b.number == number).rankings["mayor"]
    second = NAMES[int(ranking[1][0][1:])]
    found = compare_ranked(deck, None, _cards(deck, {number: ranking[:1]}))
    assert found[0].kind == "rounds"
    sentence = found[0].sentence
    assert sentence.startswith("Round 2 of Mayor: " + second)
    assert sentence.endswith(
        f"one ballot's second choice for {second} was not transferred after Ada Lane's elimination."
    )


def test_a_first_choice_read_for_another_is_explained_in_round_one() -> None:
    deck = generate_deck(ranked_definition())
    number = _transferring_ballot(deck)
    found = compare_ranked(deck, None, _cards(deck, {number: (("c3",),)}))
    assert found[0].sentence == (
        "Round 1 of Mayor: Ada Lane expected 6, counted 5; Di Moss expected 15, counted 16 — "
        "one ballot's first choice for Ada Lane was counted for Di Moss."
    )


def test_a_report_of_totals_only_fails_a_ranked_contest() -> None:
    deck = generate_deck(ranked_definition())
    comparison = compare_device(deck, None, deck.expected(), None, None, None)
    assert not comparison.passed
    assert [d.kind for d in comparison.discrepancies] == ["ranked_report"]


def test_a_ranking_past_the_ballots_ranks_is_a_finding_not_a_crash() -> None:
    deck = generate_deck(ranked_definition(ranks=2))
    number = _transferring_ballot(deck)
    found = compare_ranked(deck, None, _cards(deck, {number: (("c0",), ("c1",), ("c2",))}))
    assert found[0].kind == "rounds"
    assert "cannot be counted with the contest's 2 ranks" in found[0].sentence
