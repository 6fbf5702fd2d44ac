"""Test decks: distinct non-zero totals at every level a report is read at, built the same way."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.core.lat.springfield import CENTER, NORTH, SOUTH, SPRINGFIELD
from votetrail.core.lat.deck import (
    Deck,
    DeckBallot,
    generate_deck,
    precinct_extras,
    precinct_ranks,
    section_size,
)
from votetrail.core.lat.definition import (
    NO,
    YES,
    BallotStyle,
    Choice,
    Contest,
    ElectionDefinition,
    Precinct,
    check,
)
from votetrail.core.lat.precinct_mixup import compare_device
from votetrail.core.lat.totals import count
from votetrail.errors import InvalidInput

DECK = generate_deck(SPRINGFIELD)


def assert_distinct_non_zero(
    definition: ElectionDefinition, ballots: Sequence[DeckBallot], contests: Iterable[str]
) -> None:
    totals = count(ballots, definition)
    for contest_id in contests:
        votes = list(totals[contest_id].votes.values())
        assert all(votes), (contest_id, votes)
        assert len(set(votes)) == len(votes), (contest_id, votes)


def assert_good_deck(definition: ElectionDefinition, deck: Deck) -> None:
    """Every rule of the deck, checked from the ballots alone."""
    sections: dict[tuple[str, str], list[DeckBallot]] = defaultdict(list)
    by_style: dict[str, list[DeckBallot]] = defaultdict(list)
    styles = {style.id: style for style in definition.ballot_styles}
    assert [ballot.number for ballot in deck.ballots] == list(range(1, len(deck.ballots) + 1))
    for ballot in deck.ballots:
        sections[ballot.precinct, ballot.ballot_style].append(ballot)
        by_style[ballot.ballot_style].append(ballot)
        style = styles[ballot.ballot_style]
        assert list(ballot.votes) == list(dict.fromkeys(style.contests))
        for contest_id, marks in ballot.votes.items():
            contest = definition.contest(contest_id)
            order = [choice.id for choice in contest.choices]
            assert len(set(marks)) == len(marks), (ballot.number, contest_id)
            assert list(marks) == sorted(marks, key=order.index)
            if ballot.purpose == "blank":
                assert marks == ()
            elif ballot.purpose == "overvote":
                overvotable = len(contest.choices) > contest.votes_allowed
                assert len(marks) == (contest.votes_allowed + 1 if overvotable else 0)
            else:
                assert len(marks) <= contest.votes_allowed
    ranks = precinct_ranks(definition)
    expected_votes: dict[str, Counter[str]] = defaultdict(Counter)
    for (precinct_id, style_id), section in sections.items():
        style = styles[style_id]
        contests = [definition.contest(c) for c in dict.fromkeys(style.contests)]
        extras = precinct_extras(contests, ranks[precinct_id, style_id])
        purposes = [ballot.purpose for ballot in section]
        overvotable = any(len(c.choices) > c.votes_allowed for c in contests)
        assert purposes == ["votes"] * section_size(contests, extras) + ["blank"] + (
            ["overvote"] if overvotable else []
        )
        section_totals = count(section, definition)
        for contest in contests:
            votes = list(section_totals[contest.id].votes.values())
            # 1, 2, …, n plus the precinct's own extras, which never decrease along a contest.
            assert votes == [i + 1 + e for i, e in enumerate(extras[contest.id])]
            assert votes == sorted(set(votes))
            expected_votes[contest.id].update(section_totals[contest.id].votes)
        assert_distinct_non_zero(definition, section, style.contests)
    for style_id, ballots in by_style.items():
        assert_distinct_non_zero(definition, ballots, styles[style_id].contests)
    carried = {c for style_id in by_style for c in styles[style_id].contests}
    assert_distinct_non_zero(definition, deck.ballots, carried)
    for contest_id, totals in deck.expected().items():
        if contest_id in carried:
            assert dict(totals.votes) == dict(expected_votes[contest_id])
    # No two precincts whose styles carry the same contests have the same section totals.
    signatures: dict[tuple[frozenset[str], str], list[Any]] = defaultdict(list)
    for (precinct_id, style_id), section in sections.items():
        key = (frozenset(styles[style_id].contests), precinct_id)
        counted = count(section, definition)
        signatures[key].append(sorted((c, sorted(t.votes.items())) for c, t in counted.items()))
    by_contests: dict[frozenset[str], list[Any]] = defaultdict(list)
    for (contests_key, _), found in signatures.items():
        by_contests[contests_key].append(found[0])
    for found in by_contests.values():
        assert len({repr(item) for item in found}) == len(found)
    # No two precincts' decks give the same votes, however their styles split the contests:
    # a tabulator programmed for one precinct and run with another's ballots must fail.
    whose: dict[str, list[str]] = defaultdict(list)
    for precinct in definition.precincts:
        own = deck.expected([precinct.id])
        signature = sorted(
            (c, sorted(t.votes.items())) for c, t in own.items() if any(t.votes.values())
        )
        if signature:
            whose[repr(signature)].append(precinct.id)
    assert [ids for ids in whose.values() if len(ids) > 1] == []


def test_precincts_splitting_the_same_contests_differently_have_their_own_totals() -> None:
    """One precinct's two styles carry a contest each, another's one style carries both.

    At the same place among their styles' contests both decks gave 1, 2 votes
    in each contest, so a tabulator programmed for one passed with the other's
    ballots. Now the second precinct's totals differ and the mix-up is named.
    """
    contests = tuple(
        Contest(
            f"c{i}",
            f"Contest {i}",
            "candidate",
            1,
            (Choice(f"c{i}-a", "A"), Choice(f"c{i}-b", "B")),
        )
        for i in range(2)
    )
    first, second = Precinct("p1", "First"), Precinct("p2", "Second")
    styles = (
        BallotStyle("s1", ("p1",), ("c0",)),
        BallotStyle("s2", ("p1",), ("c1",)),
        BallotStyle("s3", ("p2",), ("c0", "c1")),
    )
    definition = check(
        ElectionDefinition("Split", None, "test", contests, styles, (first, second)), "split"
    )
    deck = generate_deck(definition)
    assert_good_deck(definition, deck)
    comparison = compare_device(deck, ["p1"], deck.expected(["p2"]))
    [mixup] = comparison.discrepancies
    assert mixup.kind == "wrong_precinct"
    assert mixup.sentence.startswith(
        "The report matches the test deck of precinct Second, not of precinct First"
    )


def recount(contract: dict[str, Any], definition: ElectionDefinition) -> dict[str, dict[str, int]]:
    """The deck JSON counted by its documented rule, the way another tool would."""
    allowed = {contest.id: contest.votes_allowed for contest in definition.contests}
    totals: dict[str, dict[str, int]] = {}
    for ballot in contract["ballots"]:
        for contest_id, marks in ballot["votes"].items():
            tally = totals.setdefault(contest_id, {})
            if len(marks) <= allowed[contest_id]:
                for choice in marks:
                    tally[choice] = tally.get(choice, 0) + 1
    return totals


def test_springfield_deck_keeps_every_rule() -> None:
    assert_good_deck(SPRINGFIELD, DECK)


def test_sections_follow_precincts_then_styles_in_definition_order() -> None:
    sections = list(dict.fromkeys((b.precinct, b.ballot_style) for b in DECK.ballots))
    assert sections == [
        (CENTER, "1"),
        (CENTER, "D"),
        (NORTH, "1"),
        (NORTH, "2"),
        (SOUTH, "2"),
        (SOUTH, "D"),
        (SOUTH, "R"),
        (SOUTH, "5"),
    ]
    # North's style 1, South's style 2 and South's style D are each their style's second
    # precinct: one extra vote of their own (for the last choice) takes one more ballot.
    assert len(DECK.ballots) == 8 + 8 + 9 + 8 + 9 + 9 + 5 + 3


def test_first_section_is_laid_out_by_the_wrap_around_fill() -> None:
    section = [b for b in DECK.ballots if b.precinct == CENTER and b.ballot_style == "1"]
    assert [b.number for b in section] == list(range(1, 9))
    assert [b.votes["president"] for b in section] == [
        ("barchi",),
        ("cramer",),
        ("cramer",),
        ("write-in",),
        ("write-in",),
        ("write-in",),
        (),
        ("barchi", "cramer"),
    ]
    assert [b.votes["commissioners"] for b in section[:6]] == [
        ("argent", "hennessey", "savoy"),
        ("witherspoon", "hennessey", "savoy"),
        ("witherspoon", "hennessey", "savoy"),
        ("bainbridge", "hennessey"),
        ("bainbridge", "savoy"),
        ("bainbridge", "savoy"),
    ]
    assert [b.votes["measure"] for b in section] == [
        (YES,),
        (NO,),
        (NO,),
        (),
        (),
        (),
        (),
        (YES, NO),
    ]
    assert section[6].purpose == "blank"
    assert all(marks == () for marks in section[6].votes.values())
    assert section[7].purpose == "overvote"
    assert section[7].votes["commissioners"] == ("argent", "witherspoon", "bainbridge", "hennessey")


def test_write_in_position_gets_its_own_total() -> None:
    president = DECK.expected()["president"]
    # style 1 in two precincts and style 2 in two: four sections carry President, and the
    # second precinct of each style gets one more write-in vote (1, 2, 4 instead of 1, 2, 3).
    assert dict(president.votes) == {"barchi": 4, "cramer": 8, "write-in": 14}
    assert president.overvotes == 4
    assert president.ballots == 8 + 9 + 8 + 9


def test_vote_for_three_of_five_never_exceeds_three_marks() -> None:
    for ballot in DECK.ballots:
        marks = ballot.votes.get("commissioners")
        if marks is not None and ballot.purpose != "overvote":
            assert len(marks) <= 3
    assert list(DECK.expected()["commissioners"].votes.values()) == [2, 4, 6, 8, 10]


def test_yes_no_overvote_marks_both_options() -> None:
    overvoted = [b for b in DECK.ballots if b.purpose == "overvote"]
    assert all(b.votes["measure"] == (YES, NO) for b in overvoted if "measure" in b.votes)
    measure = DECK.expected()["measure"]
    assert dict(measure.votes) == {YES: 6, NO: 12}
    assert measure.overvotes == 6


def test_primary_style_carries_only_its_party_contests() -> None:
    for ballot in DECK.ballots:
        if ballot.ballot_style == "D":
            assert set(ballot.votes) == {"dem-chair", "measure"}
        if ballot.ballot_style == "R":
            assert set(ballot.votes) == {"rep-chair"}
    assert dict(DECK.expected()["dem-chair"].votes) == {"ames": 2, "burr": 4, "cole": 7}
    assert dict(DECK.expected()["rep-chair"].votes) == {"dunn": 1, "eads": 2}


def test_a_style_that_cannot_be_overvoted_has_no_overvote_ballot() -> None:
    purposes = [b.purpose for b in DECK.ballots if b.ballot_style == "5"]
    assert purposes == ["votes", "votes", "blank"]


def test_contest_on_no_style_is_left_out_and_reported_untested() -> None:
    assert "orphan" not in DECK.expected()
    assert "orphan" not in DECK.contract()["expected"]
    assert all("orphan" not in b.votes for b in DECK.ballots)
    assert [c.id for c in SPRINGFIELD.untested_contests()] == ["orphan"]


def test_contract_recounts_to_its_expected_totals() -> None:
    contract = DECK.contract()
    assert recount(contract, SPRINGFIELD) == contract["expected"]
    assert len(contract["ballots"]) == len(DECK.ballots)
    assert contract["ballots"][7] == {
        "ballot_style": "1",
        "precinct": CENTER,
        "votes": {
            "president": ["barchi", "cramer"],
            "commissioners": ["argent", "witherspoon", "bainbridge", "hennessey"],
            "measure": [YES, NO],
        },
    }


def test_deck_of_some_precincts_numbers_its_own_ballots() -> None:
    deck = generate_deck(SPRINGFIELD, [SOUTH])
    assert {b.precinct for b in deck.ballots} == {SOUTH}
    assert [b.number for b in deck.ballots] == list(range(1, 27))
    assert_good_deck(SPRINGFIELD, deck)
    assert "commissioners" not in {c for b in deck.ballots for c in b.votes}
    assert generate_deck(SPRINGFIELD, []).ballots == ()


def test_unknown_precinct_is_refused() -> None:
    with pytest.raises(InvalidInput, match="'P9'"):
        generate_deck(SPRINGFIELD, [CENTER, "P9"])


def test_deck_is_the_same_every_time() -> None:
    again = generate_deck(SPRINGFIELD)
    assert again.ballots == DECK.ballots
    assert again.contract() == DECK.contract()


def test_hamilton_sized_definition_is_quick() -> None:
    """Eleven styles with contests of up to twelve choices, like ElectionGuard's Hamilton."""
    contests = tuple(
        Contest(
            f"c{i}",
            f"Contest {i}",
            "candidate",
            1 + i % 4,
            tuple(Choice(f"c{i}-{j}", f"Candidate {j}") for j in range(2 + i % 11)),
        )
        for i in range(30)
    )
    precincts = tuple(Precinct(f"p{i}", f"Precinct {i}") for i in range(40))
    styles = tuple(
        BallotStyle(
            f"s{i}",
            tuple(p.id for p in precincts[i * 3 : i * 3 + 8]),
            tuple(c.id for c in contests[i : i + 12]),
        )
        for i in range(11)
    )
    definition = check(
        ElectionDefinition("Hamilton-like", None, "test", contests, styles, precincts), "h"
    )
    started = time.perf_counter()
    deck = generate_deck(definition)
    elapsed = time.perf_counter() - started
    assert_good_deck(definition, deck)
    assert elapsed < 1.0


@st.composite
def definitions(draw: st.DrawFn) -> ElectionDefinition:
    """Small random definitions: any number of choices and votes allowed, any style layout."""
    precincts = tuple(Precinct(f"p{i}", f"Precinct {i}") for i in range(draw(st.integers(1, 3))))
    contests: list[Contest] = []
    for i in range(draw(st.integers(1, 5))):
        if draw(st.booleans()):
            options = (Choice(YES, "Yes"), Choice(NO, "No"))
            contests.append(Contest(f"c{i}", f"Measure {i}", "yesno", 1, options))
            continue
        n = draw(st.integers(1, 8))
        k = draw(st.integers(1, n + 1))
        choices = tuple(
            Choice(f"c{i}-{j}", f"Candidate {j}", write_in=j == n - 1) for j in range(n)
        )
        contests.append(Contest(f"c{i}", f"Contest {i}", "candidate", k, choices))
    precinct_ids = [p.id for p in precincts]
    contest_ids = [c.id for c in contests]
    styles = tuple(
        BallotStyle(
            f"s{i}",
            tuple(draw(st.lists(st.sampled_from(precinct_ids), min_size=1, unique=True))),
            tuple(draw(st.lists(st.sampled_from(contest_ids), unique=True))),
        )
        for i in range(draw(st.integers(1, 4)))
    )
    return check(
        ElectionDefinition("random", None, "test", tuple(contests), styles, precincts), "r"
    )


@settings(max_examples=50, deadline=None)
@given(definitions())
def test_random_definitions_give_good_decks(definition: ElectionDefinition) -> None:
    deck = generate_deck(definition)
    assert_good_deck(definition, deck)
    assert generate_deck(definition) == deck
    assert recount(deck.contract(), definition) == {
        contest: {c: v for c, v in votes.items() if v}
        for contest, votes in deck.contract()["expected"].items()
        if any(votes.values())
    }


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 15), st.integers(1, 16))
def test_section_size_fits_any_contest(n: int, k: int) -> None:
    contest = Contest("c", "C", "candidate", k, tuple(Choice(str(i), str(i)) for i in range(n)))
    size = section_size([contest])
    assert size >= n
    assert size * k >= n * (n + 1) // 2
