"""Counting L&A ballots by the definition's ids, the one rule both the deck and the comparison use.

The rule is the canvass rule of ``core/tally``: a contest on a ballot with more
marks than allowed is an overvote and counts for no choice; unused votes are
undervotes. It is written again here, over ids rather than vendor names,
because a deck is counted before any tabulator has named anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from votetrail.core.lat.definition import ElectionDefinition
from votetrail.errors import InvalidInput


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


def count(ballots: Iterable[MarkedBallot], definition: ElectionDefinition) -> Totals:
    """Count ``ballots``; every contest the definition's styles carry appears, even at zero."""
    allowed = {contest.id: contest.votes_allowed for contest in definition.contests}
    carried = {c for style in definition.ballot_styles for c in style.contests}
    votes: dict[str, dict[str, int]] = {
        contest.id: {choice.id: 0 for choice in contest.choices}
        for contest in definition.contests
        if contest.id in carried
    }
    cards = dict.fromkeys(votes, 0)
    over = dict.fromkeys(votes, 0)
    under = dict.fromkeys(votes, 0)
    for ballot in ballots:
        for contest_id, marks in ballot.votes.items():
            tally = votes.get(contest_id)
            if tally is None:
                raise InvalidInput(
                    "names a contest no ballot style carries",
                    where=f"ballot style {ballot.ballot_style!r}, contest {contest_id!r}",
                )
            cards[contest_id] += 1
            if len(marks) > allowed[contest_id]:
                over[contest_id] += 1
                continue
            under[contest_id] += allowed[contest_id] - len(marks)
            for choice in marks:
                if choice not in tally:
                    raise InvalidInput(
                        "is not a choice of the contest",
                        where=f"contest {contest_id!r}, choice {choice!r}",
                    )
                tally[choice] += 1
    return {
        contest_id: ContestTotals(
            contest_id, tally, cards[contest_id], over[contest_id], under[contest_id]
        )
        for contest_id, tally in votes.items()
    }
