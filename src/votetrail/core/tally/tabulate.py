"""Count cast vote records into contest results, and add jurisdictions' results into a state's.

The rules are the ones a canvass board applies to a vote-for-N contest and are
written down in ``docs/cvr.md``:

* ``ballots`` is the number of cards that carry the contest (marked or not);
* a contest on a card with more marks than ``votes_allowed`` is *overvoted*:
  it counts for no choice, and ``overvotes`` is the number of such cards;
* otherwise each mark is one vote, and the votes left unused,
  ``votes_allowed - marks``, are added to ``undervotes``.

So for every contest ``sum(tally) + undervotes == (ballots - overvotes) *
votes_allowed``, an identity the tests check. Ranked-choice contests are not
plurality contests: they are not counted here (their records' ``ranks`` go to
round-by-round tabulation), and a plurality mark in one is refused. Counting is one pass with plain
dictionaries, so a state's three million cards cost seconds, not minutes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from votetrail.core.tally.records import CastVoteRecord, ContestDefinition
from votetrail.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class ContestResult:
    """One contest's count; ``tally`` holds every defined choice, in definition order."""

    name: str
    votes_allowed: int
    ballots: int
    overvotes: int
    undervotes: int
    tally: Mapping[str, int] = field(hash=False)
    write_ins: frozenset[str] = frozenset()
    """Which keys of ``tally`` stand for write-in candidates (so exports can flag them)."""

    @property
    def write_in_votes(self) -> int:
        """Votes for all write-in choices together, as results reports print them."""
        return sum(self.tally[choice] for choice in self.write_ins)


class _Count:
    """Mutable running totals for one contest while the records stream past."""

    __slots__ = ("allowed", "ballots", "definition", "overvotes", "tally", "undervotes")

    def __init__(self, definition: ContestDefinition) -> None:
        self.definition = definition
        self.allowed = definition.votes_allowed
        self.ballots = 0
        self.overvotes = 0
        self.undervotes = 0
        self.tally = dict.fromkeys(definition.choices, 0)

    def result(self) -> ContestResult:
        return ContestResult(
            name=self.definition.name,
            votes_allowed=self.allowed,
            ballots=self.ballots,
            overvotes=self.overvotes,
            undervotes=self.undervotes,
            tally=self.tally,
            write_ins=self.definition.write_ins,
        )


def tabulate(
    records: Iterable[CastVoteRecord], contests: Sequence[ContestDefinition]
) -> list[ContestResult]:
    """Count ``records`` in one pass; a mark outside ``contests`` is refused, never dropped."""
    counts: dict[str, _Count] = {}
    ranked: set[str] = set()
    for definition in contests:
        if definition.name in counts or definition.name in ranked:
            raise InvalidInput("is defined twice", where=f"contest {definition.name!r}")
        if definition.ranked:
            ranked.add(definition.name)
            continue
        if definition.votes_allowed < 1:
            raise InvalidInput("must allow at least one vote", where=f"contest {definition.name!r}")
        counts[definition.name] = _Count(definition)
    for record in records:
        for contest, chosen in record.marks.items():
            count = counts.get(contest)
            if count is None:
                if contest in ranked:
                    raise InvalidInput(
                        f"has plurality marks in ranked-choice contest {contest!r}, which are "
                        "never counted as plurality votes",
                        where=f"record {record.id!r}",
                    )
                raise InvalidInput(
                    f"names contest {contest!r}, which the election does not define",
                    where=f"record {record.id!r}",
                )
            count.ballots += 1
            marked = len(chosen)
            if marked > count.allowed:
                count.overvotes += 1
                continue
            count.undervotes += count.allowed - marked
            tally = count.tally
            for choice in chosen:
                if choice not in tally:
                    raise InvalidInput(
                        f"marks {choice!r}, which is not a choice of the contest",
                        where=f"record {record.id!r}, contest {contest!r}",
                    )
                tally[choice] += 1
    return [count.result() for count in counts.values()]


def merge(jurisdictions: Mapping[str, Sequence[ContestResult]]) -> list[ContestResult]:
    """Add up per-jurisdiction results; the same contest name is the same contest.

    Contests keep the order in which they are first seen, and each tally the
    order of its choices as first seen, so a contest that only some counties
    carry, or a choice only some list, is still reported. A contest whose vote
    limit differs between jurisdictions is refused: adding those would be wrong.
    ``jurisdictions`` maps each jurisdiction's name (used in errors) to its results.
    """
    merged: dict[str, _Sum] = {}
    for place, results in jurisdictions.items():
        for result in results:
            total = merged.get(result.name)
            if total is None:
                merged[result.name] = _Sum(result, place)
                continue
            if total.votes_allowed != result.votes_allowed:
                raise InvalidInput(
                    f"allows {result.votes_allowed} votes in {place!r} but "
                    f"{total.votes_allowed} in {total.first!r}",
                    where=f"contest {result.name!r}",
                )
            total.add(result)
    return [total.result() for total in merged.values()]


class _Sum:
    """Running statewide totals for one contest."""

    __slots__ = (
        "ballots",
        "first",
        "name",
        "overvotes",
        "tally",
        "undervotes",
        "votes_allowed",
        "write_ins",
    )

    def __init__(self, result: ContestResult, first: str) -> None:
        self.name = result.name
        self.votes_allowed = result.votes_allowed
        self.first = first
        self.ballots = 0
        self.overvotes = 0
        self.undervotes = 0
        self.tally: dict[str, int] = {}
        self.write_ins: frozenset[str] = frozenset()
        self.add(result)

    def add(self, result: ContestResult) -> None:
        self.ballots += result.ballots
        self.overvotes += result.overvotes
        self.undervotes += result.undervotes
        for choice, votes in result.tally.items():
            self.tally[choice] = self.tally.get(choice, 0) + votes
        self.write_ins |= result.write_ins

    def result(self) -> ContestResult:
        return ContestResult(
            self.name,
            self.votes_allowed,
            self.ballots,
            self.overvotes,
            self.undervotes,
            self.tally,
            self.write_ins,
        )
