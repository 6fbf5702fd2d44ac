"""Test decks whose every choice gets a different, non-zero total.

Equal totals hide exactly the faults an L&A test is for: two candidates
swapped, a column read one position off. So in every section (one precinct's
ballots of one style) the i-th choice of each contest gets i votes, which keeps
the totals distinct per section, per style, per tabulator and overall.

A ranked-choice contest gets a block of ranked ballots in every section
instead (:mod:`votetrail.core.lat.ranked_deck`), whose expected result is a
round table.

Equal sections hide another fault: a tabulator programmed for the wrong
precinct. So precincts whose ballots carry the same contests each get a few
extra votes of their own (:func:`precinct_extras`), and no two of them have
the same totals.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from votetrail.core.lat.definition import BallotStyle, Contest, ElectionDefinition
from votetrail.core.lat.ranked_deck import Ranking, count_rounds, overvote_ranking, ranked_block
from votetrail.core.lat.totals import MarkedBallot, Totals, count
from votetrail.core.rcv.rules import Tabulation
from votetrail.errors import InvalidInput

Purpose = Literal["votes", "blank", "overvote"]
_Layout = tuple[Purpose, dict[str, tuple[str, ...]], dict[str, Ranking]]


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

    def ranked_contests(self) -> list[Contest]:
        """The ranked contests the deck carries, in definition order."""
        carried = {contest for ballot in self.ballots for contest in ballot.rankings}
        return [c for c in self.definition.contests if c.ranked and c.id in carried]

    def expected_rounds(self, precincts: Collection[str] | None = None) -> dict[str, Tabulation]:
        """Each ranked contest's round table for the ballots of ``precincts``."""
        chosen = self.for_precincts(precincts)
        return {
            contest.id: count_rounds(
                contest,
                (
                    (str(ballot.number), ballot.rankings[contest.id])
                    for ballot in chosen
                    if contest.id in ballot.rankings
                ),
            )
            for contest in self.ranked_contests()
        }

    def contract(self) -> dict[str, Any]:
        """The documented deck JSON.

        ``{"ballots": [...], "expected": {contest: {choice: votes}}}``: other
        tools recount the ballots and must arrive at ``expected``. A ranked
        contest is in a ballot's ``rankings`` (per rank, the choices marked)
        and its expected result in ``expected_rounds``: per round, the
        ``tally`` and who was ``elected`` or ``eliminated``.
        """
        contract: dict[str, Any] = {
            "ballots": [
                {
                    "ballot_style": ballot.ballot_style,
                    "precinct": ballot.precinct,
                    "votes": {contest: list(marks) for contest, marks in ballot.votes.items()},
                    **(
                        {
                            "rankings": {
                                contest: [list(rank) for rank in ranking]
                                for contest, ranking in ballot.rankings.items()
                            }
                        }
                        if ballot.rankings
                        else {}
                    ),
                }
                for ballot in self.ballots
            ],
            "expected": {
                contest: dict(totals.votes) for contest, totals in self.expected().items()
            },
        }
        rounds = self.expected_rounds()
        if rounds:
            contract["expected_rounds"] = {
                contest: [
                    {
                        "round": result.round,
                        "tally": {name: str(votes) for name, votes in result.tally.items()},
                        "elected": list(result.elected),
                        "eliminated": list(result.eliminated),
                    }
                    for result in tabulation.rounds
                ]
                for contest, tabulation in rounds.items()
            }
        return contract


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
    layouts: dict[tuple[str, int], list[_Layout]] = {}
    ranks = precinct_ranks(definition)
    ballots: list[DeckBallot] = []
    for precinct in definition.precincts:
        if precinct.id not in wanted:
            continue
        for style in definition.styles_of_precinct(precinct.id):
            rank = ranks[precinct.id, style.id]
            if (style.id, rank) not in layouts:
                layouts[style.id, rank] = _section(definition, style, rank)
            for purpose, votes, rankings in layouts[style.id, rank]:
                number = len(ballots) + 1
                ballots.append(
                    DeckBallot(
                        style.id, precinct.id, dict(votes), number, purpose, rankings=rankings
                    )
                )
    return Deck(definition, tuple(ballots))


def precinct_ranks(definition: ElectionDefinition) -> dict[tuple[str, str], int]:
    """(precinct, style) to the precinct's place (from 0) among those whose styles carry
    the same contests.

    A report of a precinct with other contests names contests this one lacks,
    but a precinct's totals add up all its styles: two precincts whose styles
    split the same contests differently (one style with both contests, or two
    styles with one each) can have the same totals at the same place. So a
    precinct whose votes would equal an earlier precinct's takes the next
    place of each of its contests instead, until its totals are its own.
    Counted over the whole definition, so a deck of some precincts has the
    same sections.
    """
    seen: dict[frozenset[str], int] = {}
    ranks: dict[tuple[str, str], int] = {}
    taken: set[tuple[tuple[str, tuple[int, ...]], ...]] = set()
    for precinct in definition.precincts:
        styles = list(definition.styles_of_precinct(precinct.id))
        groups = list(dict.fromkeys(frozenset(style.contests) for style in styles))
        while True:
            mine = {contests: seen.get(contests, 0) for contests in groups}
            for contests in groups:
                seen[contests] = mine[contests] + 1
            votes = _precinct_votes(definition, styles, mine)
            if not votes or votes not in taken:
                break
        taken.add(votes)
        for style in styles:
            ranks[precinct.id, style.id] = mine[frozenset(style.contests)]
    return ranks


def _precinct_votes(
    definition: ElectionDefinition,
    styles: Sequence[BallotStyle],
    ranks: Mapping[frozenset[str], int],
) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """Each contest's choice totals over a precinct's sections, at the given places."""
    sums: dict[str, list[int]] = {}
    for style in styles:
        contests = _plurality(definition, style)
        extras = precinct_extras(contests, ranks[frozenset(style.contests)])
        for contest in contests:
            targets = _targets(contest, extras[contest.id])
            total = sums.setdefault(contest.id, [0] * len(targets))
            for index, votes in enumerate(targets):
                total[index] += votes
    return tuple(sorted((contest_id, tuple(votes)) for contest_id, votes in sums.items()))


def precinct_extras(contests: Sequence[Contest], rank: int) -> dict[str, tuple[int, ...]]:
    """The votes each choice gets on top of 1, 2, …, n in the section of the ``rank``-th precinct.

    ``rank`` is written in a mixed radix over the contests (base ``n + 1``
    for each but the last, which takes what remains), and a contest's digit
    ``t`` adds one vote to each of its last ``t`` choices (``t`` above ``n``
    goes round again). The extras never decrease along a contest, so its
    totals stay distinct and increasing; different ranks give different
    totals; and the cost is a handful of ballots, not one more per choice
    per precinct.
    """
    extras: dict[str, tuple[int, ...]] = {}
    remaining = rank
    for index, contest in enumerate(contests):
        n = len(contest.choices)
        if index == len(contests) - 1:
            digit, remaining = remaining, 0
        else:
            digit, remaining = remaining % (n + 1), remaining // (n + 1)
        rounds, rest = divmod(digit, n)
        extras[contest.id] = tuple(rounds + (1 if i >= n - rest else 0) for i in range(n))
    return extras


def section_size(
    contests: Sequence[Contest], extras: Mapping[str, Sequence[int]] | None = None
) -> int:
    """How many "votes" ballots a section needs so every contest fits its 1, 2, …, n marks.

    A choice is marked at most once per ballot (so at least as many ballots as
    the largest total), and a ballot carries at most ``k`` marks in a contest
    (so at least the contest's marks divided by ``k``, rounded up). ``extras``
    are the precinct's own votes on top (:func:`precinct_extras`).
    """
    size = 1
    for contest in contests:
        totals = _targets(contest, (extras or {}).get(contest.id))
        size = max(size, *totals, -(-sum(totals) // contest.votes_allowed))
    return size


def _targets(contest: Contest, extra: Sequence[int] | None) -> list[int]:
    return [i + 1 + (extra[i] if extra else 0) for i in range(len(contest.choices))]


def _plurality(definition: ElectionDefinition, style: BallotStyle) -> list[Contest]:
    """The style's plurality contests: ranked ones get a block of their own, not 1, 2, …, n."""
    contests = [definition.contest(contest_id) for contest_id in dict.fromkeys(style.contests)]
    return [contest for contest in contests if not contest.ranked]


def _sections_carrying(definition: ElectionDefinition, contest_id: str) -> int:
    """How many sections (a style in a precinct) carry the contest: most blocks in a share."""
    return sum(
        len(style.precincts) for style in definition.ballot_styles if contest_id in style.contests
    )


def _section(definition: ElectionDefinition, style: BallotStyle, rank: int) -> list[_Layout]:
    """The ballots of one style's section in the ``rank``-th precinct of its contests.

    A style that carries no contest gives no section: such ballots would
    test nothing and no report could show whether they were counted.
    """
    everything = [definition.contest(contest_id) for contest_id in dict.fromkeys(style.contests)]
    if not everything:
        return []
    contests = [contest for contest in everything if not contest.ranked]
    blocks = {
        contest.id: ranked_block(contest, _sections_carrying(definition, contest.id))
        for contest in everything
        if contest.ranked
    }
    extras = precinct_extras(contests, rank)
    size = max([section_size(contests, extras), *(len(block) for block in blocks.values())])
    marks: list[dict[str, list[str]]] = [{c.id: [] for c in contests} for _ in range(size)]
    for contest in contests:
        # McNaughton's wrap-around rule: the marks are laid in one stream over
        # the ballots, so a choice with total v takes v consecutive ballots
        # (never one twice, as v <= size) and no ballot gets more than
        # ceil(sum/size) <= votes_allowed marks.
        cursor = 0
        for choice, total in zip(
            contest.choices, _targets(contest, extras[contest.id]), strict=True
        ):
            for step in range(total):
                marks[(cursor + step) % size][contest.id].append(choice.id)
            cursor = (cursor + total) % size
        if any(len(ballot[contest.id]) > contest.votes_allowed for ballot in marks):
            # Cannot happen while section_size holds; an overvoted "votes" ballot
            # would break the 1, 2, …, n totals, so such a deck is never handed out.
            raise RuntimeError(f"deck layout overvotes contest {contest.id!r}")
    section: list[_Layout] = [
        (
            "votes",
            {contest: tuple(choices) for contest, choices in ballot.items()},
            # A ballot past a block's end leaves that ranked contest blank.
            {c: block[index] if index < len(block) else () for c, block in blocks.items()},
        )
        for index, ballot in enumerate(marks)
    ]
    ranked = [contest for contest in everything if contest.ranked]
    section.append(("blank", {contest.id: () for contest in contests}, {c.id: () for c in ranked}))
    if any(len(contest.choices) > contest.votes_allowed for contest in contests) or any(
        len(contest.choices) > 1 for contest in ranked
    ):
        overvoted = {
            contest.id: (
                tuple(choice.id for choice in contest.choices[: contest.votes_allowed + 1])
                if len(contest.choices) > contest.votes_allowed
                else ()
            )
            for contest in contests
        }
        section.append(
            (
                "overvote",
                overvoted,
                {c.id: overvote_ranking(c) if len(c.choices) > 1 else () for c in ranked},
            )
        )
    return section
