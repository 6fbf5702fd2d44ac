"""The part of a test deck that tests a ranked-choice contest, and the round table it should give.

A plurality deck proves each choice's column is read; a ranked contest also
needs proof that each *rank* is read and that votes move when a candidate is
eliminated. So every section carries one block of ranked ballots built so that

* every candidate has a different first-round total (candidate ``i`` in
  definition order is first on ``base + i`` ballots), so an exchange of two
  candidates changes round 1;
* nobody reaches the threshold in round 1 (``base`` is large enough), so the
  first candidate is eliminated alone and its ballots' next choices transfer:
  a tabulator that reads only rank 1 fails round 2;
* each group's first ballot ranks every rank the ballot offers (up to one rank
  per candidate), the next one rank fewer, and so on, so every rank position
  is marked and some ballots exhaust;
* no round needs a tie-break (``base`` grows until the count has none), since
  the tabulator's tie-break setting is not in the election definition.

The block is the same in every section, so a device's share of the deck is a
whole number of blocks and keeps these properties (scaling every tally keeps
every comparison). Precincts are told apart by the plurality contests.

The expected rounds are votetrail's own RCTab-compatible count
(:func:`votetrail.core.rcv.tabulate.tabulate`) with RCTab's default rules:
single-winner IRV, or multi-seat with several winners per round when the
contest elects more than one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from votetrail.core.lat.definition import Contest
from votetrail.core.rcv.ballots import RankedBallot
from votetrail.core.rcv.rules import (
    Candidate,
    ContestRules,
    Decision,
    Tabulation,
    TiebreakMode,
    WinnerElectionMode,
)
from votetrail.core.rcv.tabulate import tabulate

Ranking = tuple[tuple[str, ...], ...]
"""A ballot's marks in one ranked contest: per rank, the choice ids marked at it."""

_MAX_BASE = 40
"""The largest ``base`` tried in search of a layout without ties (see :func:`ranked_block`)."""


def deck_rules(contest: Contest) -> ContestRules:
    """The rules a ranked deck is counted with: RCTab's defaults for the contest's seats."""
    seats = contest.votes_allowed
    return ContestRules(
        candidates=tuple(Candidate(choice.id) for choice in contest.choices),
        winner_election_mode=(
            WinnerElectionMode.SINGLE_WINNER_MAJORITY
            if seats == 1
            else WinnerElectionMode.MULTI_SEAT_MULTIPLE_WINNERS_PER_ROUND
        ),
        number_of_winners=seats,
        max_rankings_allowed=contest.ranks,
        tiebreak_mode=TiebreakMode.USE_CANDIDATE_ORDER,
    )


def count_rounds(contest: Contest, rankings: Iterable[tuple[str, Ranking]]) -> Tabulation:
    """The round table of ``(ballot id, ranking)`` pairs under :func:`deck_rules`."""
    ballots = (RankedBallot(ballot_id, ranking) for ballot_id, ranking in rankings)
    return tabulate(deck_rules(contest), ballots)


def can_transfer(contest: Contest) -> bool:
    """Whether the block can show a transfer: two ranks, and two more candidates than seats.

    With fewer, every candidate left when the first is eliminated is elected
    (or there is no second rank to transfer to), so the block still tests
    round 1 but no transfer; ``docs/lat.md`` says so.
    """
    return (contest.ranks or 1) >= 2 and len(contest.choices) >= contest.votes_allowed + 2


def _layout(contest: Contest, base: int, gap: int) -> list[Ranking]:
    """Candidate ``i`` (from 0) first on ``base + gap * i + 1`` ballots; later ranks rotate."""
    ids = [choice.id for choice in contest.choices]
    depth = min(contest.ranks or 1, len(ids))
    rankings: list[Ranking] = []
    for index, first in enumerate(ids):
        others = [choice for choice in ids if choice != first]
        for j in range(base + gap * index + 1):
            length = depth - (j % depth)
            turn = (index + j) % len(others) if others else 0
            order = others[turn:] + others[:turn]
            rankings.append(tuple((choice,) for choice in (first, *order[: length - 1])))
    return rankings


def _shapes(contest: Contest) -> list[tuple[int, int]]:
    """``(base, gap)`` pairs to try, smallest deck first: officials mark every ballot by hand."""
    n = len(contest.choices)
    pairs = [(base, gap) for base in range(1, _MAX_BASE + 1) for gap in (1, 2, 3)]
    return sorted(pairs, key=lambda pair: (n * pair[0] + pair[1] * n * (n - 1) // 2, pair[1]))


def _fits(contest: Contest, counted: Tabulation) -> bool:
    """The block's promises: no tie-break anywhere and, when can_transfer, a transfer in round 1."""
    passes = counted.passes or (counted,)
    if any(d.by_tiebreak for p in passes for r in p.rounds for d in r.decisions):
        return False
    if not can_transfer(contest):
        return True
    first = counted.rounds[0]
    return [(d.candidate, d.elected) for d in first.decisions] == [
        (contest.choices[0].id, False)
    ] and any(
        votes for target, votes in first.decisions[0].transfers.items() if target in first.tally
    )


@cache
def ranked_block(contest: Contest, copies: int = 1) -> tuple[Ranking, ...]:
    """The ranked ballots one section carries for ``contest``, the same every time.

    The smallest layout that keeps the block's promises (see the module
    docstring) is taken; the first-round totals are distinct by construction.
    A share of the deck holds the block once per section, up to ``copies``
    times. Single-winner IRV scales (every tally times m), so one copy is
    checked; with several seats the Droop threshold and the truncated surplus
    fractions do not scale, so every count of copies up to ``copies`` must
    keep the promises too.
    """
    counts = range(1, (copies if contest.votes_allowed > 1 else 1) + 1)
    for base, gap in _shapes(contest):
        rankings = _layout(contest, base, gap)
        if all(
            _fits(contest, count_rounds(contest, ((str(i), r) for i, r in enumerate(rankings * m))))
            for m in counts
        ):
            return tuple(rankings)
    # Not reached in the deck tests (up to 8 candidates, 3 seats, 3 precincts); the deck
    # is still counted right, with a tie broken by candidate order (docs/lat.md).
    return tuple(_layout(contest, 1, 1))


def overvote_ranking(contest: Contest) -> Ranking:
    """The overvote ballot's marks: two candidates at rank 1 and nothing else.

    Under each of RCTab's overvote rules such a ballot counts for nobody in
    any round, so the expected rounds do not depend on a setting the
    definition does not carry.
    """
    return (tuple(choice.id for choice in contest.choices[:2]),)


@dataclass(frozen=True, slots=True)
class RoundRow:
    """One candidate's line of a round table: votes per round (``None`` once out)."""

    choice: str
    name: str
    votes: tuple[str | None, ...]


@dataclass(frozen=True, slots=True)
class RoundTable:
    """A contest's rounds as shown to officials: a row per candidate, a column per round."""

    contest: str
    title: str
    rows: tuple[RoundRow, ...]
    outcomes: tuple[str, ...]
    """Per round, who was elected or eliminated and where the votes went, in words."""
    exhausted: tuple[str, ...]
    """Per round, ballots no longer counting."""
    winners: tuple[str, ...]


def votes_text(votes: Decimal) -> str:
    """A tally as RCTab prints it: whole votes without decimals."""
    text = format(votes, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def round_table(contest: Contest, tabulation: Tabulation) -> RoundTable:
    """The rounds of ``tabulation`` with the definition's names, for pages and printed decks."""
    names = {choice.id: choice.name or choice.id for choice in contest.choices}
    rounds = tabulation.rounds
    rows = tuple(
        RoundRow(
            choice,
            name,
            tuple(votes_text(r.tally[choice]) if choice in r.tally else None for r in rounds),
        )
        for choice, name in names.items()
    )
    return RoundTable(
        contest.id,
        contest.title,
        rows,
        tuple(round_outcome(r.decisions, names) for r in rounds),
        tuple(votes_text(sum(r.inactive.values(), Decimal(0))) for r in rounds),
        tuple(names.get(w, w) for w in tabulation.winners),
    )


def round_outcome(decisions: Sequence[Decision], names: Mapping[str, str]) -> str:
    """ "Bo eliminated: 2 to Ada, 1 exhausted" for one round's decisions."""
    parts: list[str] = []
    for decision in decisions:
        moved = {target: votes for target, votes in decision.transfers.items() if votes}
        who = names.get(decision.candidate, decision.candidate)
        text = f"{who} {'elected' if decision.elected else 'eliminated'}"
        if moved:
            text += ": " + ", ".join(
                f"{votes_text(votes)} to {names.get(target, target)}"
                if target in names
                else f"{votes_text(votes)} {target}"
                for target, votes in moved.items()
            )
        parts.append(text)
    return "; ".join(parts)
