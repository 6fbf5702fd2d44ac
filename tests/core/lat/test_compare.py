"""Comparison: every fault a tabulator can show, named in the words read out at the public test."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from tests.core.lat.springfield import CENTER, NORTH, SOUTH, SPRINGFIELD
from votetrail.core.lat.compare import Comparison, compare, compare_report
from votetrail.core.lat.deck import DeckBallot, generate_deck
from votetrail.core.lat.precinct_mixup import compare_device
from votetrail.core.lat.totals import ContestTotals, Totals, count

DECK = generate_deck(SPRINGFIELD)
EXPECTED = DECK.expected()
CENTER_BALLOTS = DECK.for_precincts([CENTER])


def with_votes(totals: Totals, contest: str, **votes: int) -> Totals:
    changed = dict(totals)
    changed[contest] = replace(totals[contest], votes={**totals[contest].votes, **votes})
    return changed


def by_style(ballots: Sequence[DeckBallot]) -> dict[str, Totals]:
    styles = dict.fromkeys(ballot.ballot_style for ballot in ballots)
    return {
        style: count([b for b in ballots if b.ballot_style == style], SPRINGFIELD)
        for style in styles
    }


def kinds(comparison: Comparison) -> list[str]:
    return [d.kind for d in comparison.discrepancies]


def test_the_decks_own_totals_pass() -> None:
    assert compare(SPRINGFIELD, EXPECTED, EXPECTED).passed
    assert compare_report(SPRINGFIELD, DECK.ballots, EXPECTED).passed
    assert compare_report(SPRINGFIELD, DECK.ballots, EXPECTED, by_style(DECK.ballots)).passed
    assert compare_report(
        SPRINGFIELD, CENTER_BALLOTS, count(CENTER_BALLOTS, SPRINGFIELD), by_style(CENTER_BALLOTS)
    ).passed


def test_two_candidates_swapped_overall() -> None:
    reported = with_votes(EXPECTED, "president", barchi=8, cramer=4)
    comparison = compare(SPRINGFIELD, EXPECTED, reported)
    assert not comparison.passed
    [swap] = comparison.discrepancies
    assert swap.kind == "swap"
    assert swap.contest == "president"
    assert swap.choices == ("barchi", "cramer")
    assert swap.sentence == (
        "Barchi and Cramer swapped in President: Barchi was reported with 8 votes, Cramer's "
        "total in the test deck, and Cramer with 4, Barchi's."
    )


def test_two_candidates_swapped_on_one_style() -> None:
    styles = by_style(DECK.ballots)
    styles["2"] = with_votes(styles["2"], "president", barchi=4, cramer=2)
    reported = with_votes(EXPECTED, "president", barchi=6, cramer=6)
    comparison = compare_report(SPRINGFIELD, DECK.ballots, reported, styles)
    [swap] = comparison.discrepancies
    assert swap.kind == "swap"
    assert swap.ballot_style == "2"
    assert swap.choices == ("barchi", "cramer")
    assert swap.sentence.startswith("Barchi and Cramer swapped on style 2 (President): ")


def test_three_totals_rotated_are_a_shift() -> None:
    reported = with_votes(EXPECTED, "commissioners", argent=4, witherspoon=6, bainbridge=2)
    [shift] = compare(SPRINGFIELD, EXPECTED, reported).discrepancies
    assert shift.kind == "shift"
    assert shift.choices == ("argent", "witherspoon", "bainbridge")
    assert shift.sentence.startswith(
        "The totals of County Commissioners are shifted: Argent got Witherspoon's total (4), "
        "Witherspoon got Bainbridge's total (6), Bainbridge got Argent's total (2)"
    )
    assert "wrong column or position" in shift.sentence


def test_a_ballot_not_counted_is_named_by_its_number() -> None:
    ran = [b for b in CENTER_BALLOTS if b.number != 1]
    comparison = compare_report(SPRINGFIELD, CENTER_BALLOTS, count(ran, SPRINGFIELD), by_style(ran))
    [missing] = comparison.discrepancies
    assert missing.kind == "missing_ballot"
    assert missing.ballots == (1,)
    assert missing.ballot_style == "1"
    assert missing.sentence == (
        "One ballot was not counted on style 1: ballot 1 of the deck (precinct Center "
        "Springfield) — every contest on it is short by its marks."
    )


def test_a_ballot_not_counted_names_the_ballots_marked_alike() -> None:
    ran = [b for b in CENTER_BALLOTS if b.number != 2]
    comparison = compare_report(SPRINGFIELD, CENTER_BALLOTS, count(ran, SPRINGFIELD), by_style(ran))
    [missing] = comparison.discrepancies
    assert missing.ballots == (2, 3)
    # The wrap-around fill marks ballots 2 and 3 alike; totals cannot tell them apart.
    assert missing.sentence == (
        "One ballot was not counted on style 1: ballot 2 of the deck (precinct Center "
        "Springfield) or one marked like it (ballot 3) — every contest on it is short by its "
        "marks."
    )


def test_a_ballot_not_counted_overall_is_found_among_alike_ones() -> None:
    dropped = next(b for b in DECK.ballots if b.precinct == NORTH and b.ballot_style == "1")
    ran = [b for b in DECK.ballots if b is not dropped]
    comparison = compare_report(SPRINGFIELD, DECK.ballots, count(ran, SPRINGFIELD))
    [missing] = comparison.discrepancies
    assert missing.kind == "missing_ballot"
    assert dropped.number in missing.ballots
    assert "style 1" in missing.sentence
    assert "or one marked like it" in missing.sentence


def test_two_ballots_not_counted_are_two_discrepancies() -> None:
    ran = [b for b in CENTER_BALLOTS if b.number not in (3, 12)]
    comparison = compare(
        SPRINGFIELD,
        count(CENTER_BALLOTS, SPRINGFIELD),
        count(ran, SPRINGFIELD),
        deck_ballots=CENTER_BALLOTS,
    )
    assert kinds(comparison) == ["missing_ballot", "missing_ballot"]
    named = {d.ballots[0] for d in comparison.discrepancies}
    # Ballots 2 and 3 are marked alike in every contest, so either may be named for 3.
    assert named in ({3, 12}, {2, 12})


def test_a_blank_ballot_not_counted() -> None:
    ran = [b for b in CENTER_BALLOTS if b.number != 7]
    [missing] = compare_report(SPRINGFIELD, CENTER_BALLOTS, count(ran, SPRINGFIELD)).discrepancies
    assert missing.kind == "missing_ballot"
    assert missing.ballots == (7,)
    assert "ballot 7" in missing.sentence


def test_a_blank_ballot_not_counted_overall_is_named_as_an_example() -> None:
    ran = [b for b in DECK.ballots if b.number != 24]
    [missing] = compare_report(SPRINGFIELD, DECK.ballots, count(ran, SPRINGFIELD)).discrepancies
    assert missing.ballots == (7, 24)
    assert missing.sentence == (
        "One ballot was not counted: a blank ballot of the deck (e.g. ballot 7, style 1, "
        "precinct Center Springfield) — each contest on it is short by one ballot and its "
        "undervotes."
    )


def test_a_ballot_counted_twice() -> None:
    ran = [*CENTER_BALLOTS, CENTER_BALLOTS[4]]
    comparison = compare_report(SPRINGFIELD, CENTER_BALLOTS, count(ran, SPRINGFIELD), by_style(ran))
    [extra] = comparison.discrepancies
    assert extra.kind == "extra_ballot"
    assert extra.ballots[0] == 5
    assert extra.sentence.startswith("One ballot was counted twice on style 1: ballot 5 ")


def test_one_vote_read_for_another_candidate_is_a_moved_vote() -> None:
    ran = [
        replace(b, votes={**b.votes, "president": ("cramer",)}) if b.number == 1 else b
        for b in CENTER_BALLOTS
    ]
    comparison = compare_report(SPRINGFIELD, CENTER_BALLOTS, count(ran, SPRINGFIELD), by_style(ran))
    [moved] = comparison.discrepancies
    assert moved.kind == "moved_vote"
    assert moved.contest == "president"
    assert moved.choices == ("barchi", "cramer")
    assert moved.ballot_style == "1"
    assert moved.sentence == (
        "1 vote for Barchi was counted for Cramer in President on style 1 (the test deck: "
        "Barchi 1, Cramer 2; reported: Barchi 0, Cramer 3)."
    )


def test_an_overvote_counted_is_named() -> None:
    reported = dict(EXPECTED)
    reported["president"] = replace(EXPECTED["president"], overvotes=0)
    [over] = compare(SPRINGFIELD, EXPECTED, reported).discrepancies
    assert over.kind == "overvotes"
    assert over.sentence == (
        "President: the test deck has 4 overvoted ballots, the tabulator reported 0 overvotes "
        "— it counted an overvoted contest."
    )


def test_figures_missing_from_a_report_are_not_checked() -> None:
    bare = {
        contest: ContestTotals(contest, dict(totals.votes)) for contest, totals in EXPECTED.items()
    }
    assert compare(SPRINGFIELD, EXPECTED, bare).passed
    ran = [b for b in CENTER_BALLOTS if b.number != 1]
    counted = count(ran, SPRINGFIELD)
    bare = {c: ContestTotals(c, dict(t.votes), ballots=t.ballots) for c, t in counted.items()}
    [missing] = compare_report(SPRINGFIELD, CENTER_BALLOTS, bare).discrepancies
    assert missing.kind == "missing_ballot"
    assert missing.ballots == (1,)


def test_other_differences_name_the_baseline() -> None:
    reported = with_votes(EXPECTED, "president", cramer=11)
    comparison = compare(SPRINGFIELD, EXPECTED, reported, baseline="the pre-election test")
    [votes] = comparison.discrepancies
    assert votes.kind == "votes"
    assert votes.sentence == "Cramer in President: expected 8 (the pre-election test), reported 11."


def test_unexplained_differences_fall_back_to_each_figure() -> None:
    ran = [b for b in CENTER_BALLOTS if b.number != 2]
    reported = with_votes(count(ran, SPRINGFIELD), "measure", yes=5)
    comparison = compare_report(SPRINGFIELD, CENTER_BALLOTS, reported)
    assert "missing_ballot" not in kinds(comparison)
    order = [c.id for c in SPRINGFIELD.contests]
    positions = [order.index(d.contest or "") for d in comparison.discrepancies]
    assert positions == sorted(positions)
    assert "ballots" in kinds(comparison)


def test_missing_and_unexpected_contests_and_choices() -> None:
    reported = {c: t for c, t in EXPECTED.items() if c != "measure"}
    reported["orphan"] = ContestTotals("orphan", {"yes": 3, "no": 0})
    reported["president"] = replace(
        EXPECTED["president"], votes={**EXPECTED["president"].votes, "zed": 2}
    )
    comparison = compare(SPRINGFIELD, EXPECTED, reported)
    assert kinds(comparison) == ["unexpected_choice", "missing_contest", "unexpected_contest"]
    sentences = [d.sentence for d in comparison.discrepancies]
    assert sentences[1] == "Measure A is missing from the tabulator's report."
    assert "'zed'" in sentences[0]
    assert "Orphan Measure" in sentences[2]


def test_a_contest_reported_at_zero_that_no_style_carries_is_not_a_failure() -> None:
    reported = {**EXPECTED, "orphan": ContestTotals("orphan", {"yes": 0, "no": 0}, 0, 0, 0)}
    assert compare(SPRINGFIELD, EXPECTED, reported).passed


def test_a_style_missing_from_a_cvr_report_or_not_in_the_deck() -> None:
    south = DECK.for_precincts([SOUTH])
    styles = by_style(south)
    del styles["5"]
    ran = [b for b in south if b.ballot_style != "5"]
    comparison = compare_report(SPRINGFIELD, south, count(ran, SPRINGFIELD), styles)
    [missing] = comparison.discrepancies
    assert missing.kind == "missing_ballot"
    assert missing.sentence == "No ballots of style 5 were counted (expected 3 ballots)."
    styles = {**by_style(south), "1": by_style(CENTER_BALLOTS)["1"]}
    comparison = compare_report(SPRINGFIELD, south, count(south, SPRINGFIELD), styles)
    [extra] = comparison.discrepancies
    assert extra.kind == "extra_ballot"
    assert extra.ballot_style == "1"
    assert extra.sentence.startswith("Ballots of style 1 were counted (8 ballots in the report)")


def test_a_ballot_count_the_report_gives_is_checked() -> None:
    """A missing blank ballot changes no vote; a report without undervotes shows it in its count."""
    bare = {contest: ContestTotals(contest, totals.votes) for contest, totals in EXPECTED.items()}
    assert compare_report(SPRINGFIELD, DECK.ballots, bare, cards=len(DECK.ballots)).passed
    short = compare_report(SPRINGFIELD, DECK.ballots, bare, cards=len(DECK.ballots) - 1)
    [ballots] = short.discrepancies
    assert ballots.kind == "ballots"
    assert ballots.sentence == (
        f"The report says {len(DECK.ballots) - 1} ballots were counted; the test deck for this "
        f"tabulator has {len(DECK.ballots)}."
    )


def test_an_overvote_figure_off_with_a_card_missing_names_no_cause() -> None:
    """With a card missing, how marks were read is not the only explanation of an overvote."""
    changed = dict(EXPECTED)
    wanted = EXPECTED["president"]
    changed["president"] = replace(
        wanted, overvotes=(wanted.overvotes or 0) - 1, ballots=(wanted.ballots or 0) - 1
    )
    sentences = [d.sentence for d in compare(SPRINGFIELD, EXPECTED, changed).discrepancies]
    overvote = [s for s in sentences if "overvote" in s]
    assert overvote
    assert all("it counted an overvoted contest" not in s for s in overvote)


def test_a_report_of_another_precincts_deck_is_named_as_such() -> None:
    """Center and North share style 1; North's section has totals of its own."""
    north = DECK.for_precincts([NORTH])
    comparison = compare_device(DECK, [CENTER], count(north, SPRINGFIELD), by_style(north))
    [mixup] = comparison.discrepancies
    assert mixup.kind == "wrong_precinct"
    assert mixup.sentence.startswith(
        "The report matches the test deck of precinct North Springfield, not of precinct Center "
        "Springfield, which this device counts"
    )
    own = DECK.for_precincts([CENTER])
    assert compare_device(DECK, [CENTER], count(own, SPRINGFIELD), by_style(own)).passed
    both = compare_device(
        DECK, [CENTER, SOUTH], count(north + DECK.for_precincts([SOUTH]), SPRINGFIELD)
    )
    assert [d.kind for d in both.discrepancies] == ["wrong_precinct"]
    assert "with North Springfield in place of Center Springfield" in both.discrepancies[0].sentence
