"""Counting L&A ballots by the definition's ids, the one rule both the deck and the comparison use.

The rule is the canvass rule of ``core/tally`` (a contest on a ballot with more
marks than allowed is an overvote and counts for no choice; unused votes are
undervotes), applied to ids rather than vendor names, because a deck is
counted before any tabulator has named anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from votetrail.core.lat.definition import ElectionDefinition
from votetrail.core.tally.records import CastVoteRecord, ContestDefinition
from votetrail.core.tally.tabulate import tabulate


@dataclass(frozen=True, slots=True)
class ContestTotals:
    """One contest's count; ``None`` marks a figure the tabulator's report does not give."""

    contest: str
    votes: Mapping[str, int] = field(hash=False)
    ballots: int | None = None
    overvotes: int | None = None
    undervotes: int | None = None


Totals = dict[str, ContestTotals]
"""Contest id to its totals, in definition order."""


@dataclass(frozen=True, slots=True)
class MarkedBallot:
    """A ballot as counted: its style, its precinct, and each contest it carries with its marks."""

    ballot_style: str
    precinct: str
    votes: Mapping[str, Sequence[str]] = field(hash=False)
    """Plurality contests only: a ranked contest's marks are in ``rankings``."""
    rankings: Mapping[str, tuple[tuple[str, ...], ...]] = field(
        default_factory=dict, hash=False, kw_only=True
    )
    """Ranked contests on the ballot: per rank, the choice ids marked (``RankedBallot.ranks``)."""


def count(ballots: Iterable[MarkedBallot], definition: ElectionDefinition) -> Totals:
    """Count ``ballots``; every plurality contest the definition's styles carry appears, even at
    zero. Ranked contests are counted round by round instead (``core.lat.ranked_deck``).

    The counting is ``core.tally.tabulate``'s, the canvass rule every other
    count in votetrail uses, applied with the definition's ids as names.
    """
    carried = {c for style in definition.ballot_styles for c in style.contests}
    contests = [
        ContestDefinition(contest.id, contest.votes_allowed, tuple(c.id for c in contest.choices))
        for contest in definition.contests
        if contest.id in carried and not contest.ranked
    ]
    records = (
        CastVoteRecord(
            id=f"ballot {number} (style {ballot.ballot_style})",
            tabulator=None,
            batch=None,
            record=None,
            marks={contest: tuple(marks) for contest, marks in ballot.votes.items()},
        )
        for number, ballot in enumerate(ballots, start=1)
    )
    return {
        result.name: ContestTotals(
            result.name, result.tally, result.ballots, result.overvotes, result.undervotes
        )
        for result in tabulate(records, contests)
    }
