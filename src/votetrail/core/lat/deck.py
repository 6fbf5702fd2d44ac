"""Test decks whose every choice gets a different, non-zero total.

Equal totals hide exactly the faults an L&A test is for: two candidates
swapped, a column read one position off. So in every section (one precinct's
ballots of one style) the i-th choice of each contest gets i votes, which keeps
the totals distinct per section, per style, per tabulator and overall.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from votetrail.core.lat.definition import BallotStyle, Contest, ElectionDefinition
from votetrail.core.lat.totals import MarkedBallot, Totals, count
from votetrail.errors import InvalidInput

Purpose = Literal["votes", "blank", "overvote"]


@dataclass(frozen=True, slots=True)
class DeckBallot(MarkedBallot):
    """One ballot of the deck; ``number`` is its place in the whole deck, from 1."""

    number: int
    purpose: Purpose


@dataclass(frozen=True)
class Deck:
    definition: ElectionDefinition
    ballots: tuple[DeckBallot, ...]

    def for_precincts(self, precincts: Collection[str] | None) -> tuple[DeckBallot, ...]:
        """The ballots a tabulator serving ``precincts`` runs; ``None``: all (central count)."""
        if precincts is None:
            return self.ballots
        wanted = set(precincts)
        return tuple(ballot for ballot in self.ballots if ballot.precinct in wanted)

    def expected(self, precincts: Collection[str] | None = None) -> Totals:
        return count(self.for_precincts(precincts), self.definition)

    def expected_by_style(self, precincts: Collection[str] | None = None) -> dict[str, Totals]:
        chosen = self.for_precincts(precincts)
        return {
            style.id: count(
                (ballot for ballot in chosen if ballot.ballot_style == style.id), self.definition
            )
            for style in self.definition.ballot_styles
            if any(ballot.ballot_style == style.id for ballot in chosen)
        }

    def contract(self) -> dict[str, Any]:
        """The documented deck JSON.

        ``{"ballots": [...], "expected": {contest: {choice: votes}}}``: other
        tools recount the ballots and must arrive at ``expected``.
        """
        return {
            "ballots": [
                {
                    "ballot_style": ballot.ballot_style,
                    "precinct": ballot.precinct,
                    "votes": {contest: list(marks) for contest, marks in ballot.votes.items()},
                }
                for ballot in self.ballots
            ],
            "expected": {
                contest: dict(totals.votes) for contest, totals in self.expected().items()
            },
        }


def generate_deck(definition: ElectionDefinition, precincts: Collection[str] | None = None) -> Deck:
    """The deck for ``precincts`` (all when ``None``), built the same way every time.

    Determinism is what lets the deck go unstored: anyone holding the
    definition regenerates the same ballots and the same expected totals.
    """
    known = {precinct.id for precinct in definition.precincts}
    wanted = known if precincts is None else set(precincts)
    unknown = sorted(wanted - known)
    if unknown:
        raise InvalidInput(
            "not in the election definition: " + ", ".join(repr(p) for p in unknown),
            where="precincts",
        )
    layouts: dict[str, list[tuple[Purpose, dict[str, tuple[str, ...]]]]] = {}
    ballots: list[DeckBallot] = []
    for precinct in definition.precincts:
        if precinct.id not in wanted:
            continue
        for style in definition.styles_of_precinct(precinct.id):
            if style.id not in layouts:
                layouts[style.id] = _section(definition, style)
            for purpose, votes in layouts[style.id]:
                number = len(ballots) + 1
                ballots.append(DeckBallot(style.id, precinct.id, dict(votes), number, purpose))
    return Deck(definition, tuple(ballots))


def section_size(contests: Sequence[Contest]) -> int:
    """How many "votes" ballots a section needs so every contest fits its 1, 2, …, n marks.

    A choice is marked at most once per ballot (so at least ``n`` ballots), and
    a ballot carries at most ``k`` marks in a contest (so at least ``n(n+1)/2``
    divided by ``k``, rounded up).
    """
    size = 1
    for contest in contests:
        n = len(contest.choices)
        marks = n * (n + 1) // 2
        size = max(size, n, -(-marks // contest.votes_allowed))
    return size


def _section(
    definition: ElectionDefinition, style: BallotStyle
) -> list[tuple[Purpose, dict[str, tuple[str, ...]]]]:
    """The ballots of one style's section, the same in every precinct that uses the style.

    A style that carries no contest gives no section: such ballots would
    test nothing and no report could show whether they were counted.
    """
    contests = [definition.contest(contest_id) for contest_id in dict.fromkeys(style.contests)]
    if not contests:
        return []
    size = section_size(contests)
    marks: list[dict[str, list[str]]] = [{c.id: [] for c in contests} for _ in range(size)]
    for contest in contests:
        # McNaughton's wrap-around rule: the marks are laid in one stream over
        # the ballots, so choice i takes i + 1 consecutive ballots (never one
        # twice, as i + 1 <= size) and no ballot gets more than ceil(sum/size)
        # <= votes_allowed marks.
        cursor = 0
        for index, choice in enumerate(contest.choices):
            for step in range(index + 1):
                marks[(cursor + step) % size][contest.id].append(choice.id)
            cursor = (cursor + index + 1) % size
        if any(len(ballot[contest.id]) > contest.votes_allowed for ballot in marks):
            # Cannot happen while section_size holds; an overvoted "votes" ballot
            # would break the 1, 2, …, n totals, so such a deck is never handed out.
            raise RuntimeError(f"deck layout overvotes contest {contest.id!r}")
    section: list[tuple[Purpose, dict[str, tuple[str, ...]]]] = [
        ("votes", {contest: tuple(choices) for contest, choices in ballot.items()})
        for ballot in marks
    ]
    section.append(("blank", {contest.id: () for contest in contests}))
    if any(len(contest.choices) > contest.votes_allowed for contest in contests):
        overvoted = {
            contest.id: (
                tuple(choice.id for choice in contest.choices[: contest.votes_allowed + 1])
                if len(contest.choices) > contest.votes_allowed
                else ()
            )
            for contest in contests
        }
        section.append(("overvote", overvoted))
    return section
