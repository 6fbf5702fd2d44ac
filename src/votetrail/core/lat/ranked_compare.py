"""Comparing a tabulator's count of a ranked contest with the deck's round table, round by round.

A ranked contest's fault shows first in one round and then spills into every
later one, so the explanation is the first round that differs, in words that
say what happened there: a first choice read for the wrong candidate (round
1), or a ballot's next choice not moved, or moved to the wrong candidate, when
the previous round's loser was eliminated. Later rounds follow from it and are
not listed; a different winner is said as well, since that is what the public
will ask about.

The tabulator's rounds are counted by votetrail from the tabulator's own cast
vote records (the rankings it read) with the rules the deck was counted with,
so a difference is a difference in what the tabulator read, whatever count its
own software printed.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal

from votetrail.core.lat.deck import Deck
from votetrail.core.lat.definition import Contest
from votetrail.core.lat.ranked_deck import Ranking, count_rounds, votes_text
from votetrail.core.lat.wording import Discrepancy, plural
from votetrail.core.rcv.rules import RoundResult, RulesError, Tabulation
from votetrail.core.rcv.tabulate import BallotError

ReportedRankings = Mapping[str, Sequence[tuple[str, Ranking]]]
"""Contest id to ``(card id, ranking by choice ids)`` for every card of a CVR report."""

_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def compare_ranked(
    deck: Deck, precincts: Collection[str] | None, reported: ReportedRankings | None
) -> list[Discrepancy]:
    """Each ranked contest of the device's deck against the rankings its CVRs hold.

    ``reported`` is ``None`` for a report with totals only (NIST results, a
    totals CSV): rounds cannot be checked from it, which fails the test
    rather than pass a contest nobody checked.
    """
    found: list[Discrepancy] = []
    expected = deck.expected_rounds(precincts)
    for contest in deck.ranked_contests():
        if contest.id not in expected:
            continue
        if reported is None:
            found.append(
                Discrepancy(
                    "ranked_report",
                    f"{contest.title} is ranked-choice: its rounds can only be checked from "
                    "the tabulator's cast vote records, and this report gives totals only.",
                    contest.id,
                )
            )
            continue
        cards = reported.get(contest.id, ())
        if not cards:
            found.append(
                Discrepancy(
                    "missing_contest",
                    f"{contest.title} is missing from the tabulator's cast vote records.",
                    contest.id,
                )
            )
            continue
        try:
            counted = count_rounds(contest, cards)
        except (BallotError, RulesError) as exc:
            found.append(
                Discrepancy(
                    "rounds",
                    f"{contest.title}: the tabulator's cast vote records cannot be counted "
                    f"with the contest's {plural(contest.ranks or 1, 'rank')}: {exc}.",
                    contest.id,
                )
            )
            continue
        found.extend(compare_rounds(contest, expected[contest.id], counted))
    return found


def compare_rounds(
    contest: Contest, expected: Tabulation, counted: Tabulation
) -> list[Discrepancy]:
    """The first round that differs, explained, and a different outcome; nothing if all agree."""
    names = {choice.id: choice.name or choice.id for choice in contest.choices}
    found: list[Discrepancy] = []
    for number, (wanted, got) in enumerate(
        zip(expected.rounds, counted.rounds, strict=False), start=1
    ):
        before = expected.rounds[number - 2] if number > 1 else None
        sentence = _round_difference(contest, names, number, wanted, got, before)
        if sentence is not None:
            changed = tuple(c for c in names if wanted.tally.get(c) != got.tally.get(c))
            found.append(Discrepancy("rounds", sentence, contest.id, changed))
            break
    else:
        if len(expected.rounds) != len(counted.rounds):
            found.append(
                Discrepancy(
                    "rounds",
                    f"{contest.title}: the test deck is decided in "
                    f"{plural(len(expected.rounds), 'round')}, the tabulator's records in "
                    f"{len(counted.rounds)}.",
                    contest.id,
                )
            )
    if expected.winners != counted.winners:
        want = " and ".join(names.get(w, w) for w in expected.winners) or "nobody"
        elect = " and ".join(names.get(w, w) for w in counted.winners) or "nobody"
        found.append(
            Discrepancy(
                "rounds",
                f"{contest.title}: the test deck elects {want}; the tabulator's records "
                f"elect {elect}.",
                contest.id,
            )
        )
    return found


def _round_difference(
    contest: Contest,
    names: Mapping[str, str],
    number: int,
    wanted: RoundResult,
    got: RoundResult,
    before: RoundResult | None,
) -> str | None:
    differences = {
        choice: (wanted.tally.get(choice, Decimal(0)), got.tally.get(choice, Decimal(0)))
        for choice in names
        if wanted.tally.get(choice) != got.tally.get(choice)
    }
    head = f"Round {number} of {contest.title}"
    if differences:
        figures = "; ".join(
            f"{names[c]} expected {votes_text(w)}, counted {votes_text(g)}"
            for c, (w, g) in differences.items()
        )
        return f"{head}: {figures} — {_cause(names, number, differences, before)}."
    if wanted.eliminated != got.eliminated or wanted.elected != got.elected:
        return (
            f"{head}: the test deck {_decided(wanted, names)}, the tabulator's records "
            f"{_decided(got, names)}."
        )
    return None


def _decided(result: RoundResult, names: Mapping[str, str]) -> str:
    parts = [f"elects {names.get(c, c)}" for c in result.elected]
    parts += [f"eliminates {names.get(c, c)}" for c in result.eliminated]
    return " and ".join(parts) or "decides nothing"


def _cause(
    names: Mapping[str, str],
    number: int,
    differences: Mapping[str, tuple[Decimal, Decimal]],
    before: RoundResult | None,
) -> str:
    """Why one round's tallies differ, from what the round before decided."""
    lost = {c: w - g for c, (w, g) in differences.items() if g < w}
    gained = {c: g - w for c, (w, g) in differences.items() if g > w}
    if before is None:
        return _first_choices(names, lost, gained)
    left = [names.get(c, c) for c in before.eliminated] or [names.get(c, c) for c in before.elected]
    owners = " and ".join(name + "'s" for name in left)
    after = f"after {owners} " + ("elimination" if before.eliminated else "election")
    choice = _ORDINALS[number - 1] if number <= len(_ORDINALS) else "next"
    if before.elected and not before.eliminated:
        choice = "next"
    if lost and not gained:
        moved = sum(lost.values(), Decimal(0))
        whose = " and ".join(names[c] for c in lost)
        return (
            f"{_ballots(moved)} {choice} choice for {whose} "
            f"{'was' if moved == 1 else 'were'} not transferred {after}"
        )
    if gained and not lost:
        moved = sum(gained.values(), Decimal(0))
        whose = " and ".join(names[c] for c in gained)
        return (
            f"{_ballots(moved)} transferred to {whose} {after} should have been exhausted "
            f"(no further choice)"
        )
    if len(lost) == 1 and len(gained) == 1:
        (loser, amount), (gainer, _) = next(iter(lost.items())), next(iter(gained.items()))
        return (
            f"{_ballots(amount)} {choice} choice for {names[loser]} "
            f"{'was' if amount == 1 else 'were'} transferred to {names[gainer]} instead "
            f"{after}"
        )
    return f"the votes transferred {after} differ from the test deck's"


def _first_choices(
    names: Mapping[str, str], lost: Mapping[str, Decimal], gained: Mapping[str, Decimal]
) -> str:
    """Round 1's cause: first choices read for another candidate, dropped or added."""
    if len(lost) == 1 and len(gained) == 1:
        (loser, amount), (gainer, extra) = next(iter(lost.items())), next(iter(gained.items()))
        if amount == extra:
            return (
                f"{_ballots(amount)} first choice for {names[loser]} "
                f"{'was' if amount == 1 else 'were'} counted for {names[gainer]}"
            )
    if lost and not gained:
        moved = sum(lost.values(), Decimal(0))
        whose = " and ".join(names[c] for c in lost)
        return (
            f"{_ballots(moved)} first choice for {whose} "
            f"{'was' if moved == 1 else 'were'} not counted"
        )
    if gained and not lost:
        return "the tabulator counted first choices the test deck does not have"
    return "first choices were read for other candidates"


def _ballots(votes: Decimal) -> str:
    if votes == 1:
        return "one ballot's"
    return f"{votes_text(votes)} ballots'"
