"""IRV ballots as RAIRE reads them: preference lists, consolidated, and who wins.

RAIRE (Blom, Stuckey, Teague 2019) reasons about one simple IRV count, not
about a jurisdiction's full rule book: each ballot is a list of distinct
candidates in order of preference; in a round a ballot counts for its first
preference among the continuing candidates, or for no one when none of them
is on it; the candidate with the fewest votes is eliminated. The assertions it
produces are about exactly these counts, so the audit's assorters read a paper
ballot with the same rules (:func:`preferences`).

Ballots with the same preference list are *consolidated*: a county's hundreds
of thousands of ballots hold a few hundred distinct lists, and every tally
RAIRE asks for is one pass over those lists.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from votetrail.core.rcv.ballots import OVERVOTE, RankedBallot
from votetrail.errors import InvalidInput

Preferences = tuple[str, ...]
"""A ballot's distinct candidates in order of preference, as RAIRE counts it."""


def preferences(ranks: Sequence[Sequence[str]]) -> Preferences:
    """The preference list of a ballot's ranks (``RankedBallot.ranks``).

    The simple IRV rules RAIRE's assertions are about: a skipped rank is passed
    over; a rank with two or more candidates, or marked as an overvote, ends
    the list (the ballot exhausts there); a candidate ranked again is counted
    at its first rank only.
    """
    listed: list[str] = []
    for marks in ranks:
        if not marks:
            continue
        if len(marks) > 1 or marks[0] == OVERVOTE:
            break
        if marks[0] not in listed:
            listed.append(marks[0])
    return tuple(listed)


@dataclass(frozen=True)
class IrvVotes:
    """Consolidated IRV ballots: each distinct preference list and how many ballots have it.

    ``candidates`` fixes each candidate's index (the order ties and reports use);
    ``lists`` holds the preference lists as tuples of indices. ``ballots`` is
    every ballot counted, blank ones included.
    """

    candidates: tuple[str, ...]
    lists: tuple[tuple[tuple[int, ...], int], ...]
    ballots: int
    _first: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _tallies: dict[int, tuple[int, ...]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        first = [0] * len(self.candidates)
        for prefs, count in self.lists:
            if prefs:
                first[prefs[0]] += count
        object.__setattr__(self, "_first", tuple(first))

    @classmethod
    def from_counts(
        cls,
        counts: Mapping[Preferences, int],
        *,
        candidates: Sequence[str] | None = None,
        where: str = "ballots",
    ) -> IrvVotes:
        """From preference lists and their ballot counts (candidate order: ``candidates``,
        else first appearance)."""
        order: dict[str, int] = {name: i for i, name in enumerate(candidates or ())}
        if len(order) != len(candidates or ()):
            raise InvalidInput("a candidate is listed twice", where=f"{where} candidates")
        merged: Counter[tuple[int, ...]] = Counter()
        total = 0
        for prefs, count in counts.items():
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise InvalidInput("must be a whole number of at least 0", where=f"{where} count")
            if len(set(prefs)) != len(prefs):
                raise InvalidInput(
                    f"lists a candidate twice: {list(prefs)}", where=f"{where} preferences"
                )
            indices = []
            for name in prefs:
                if name not in order:
                    if candidates is not None:
                        raise InvalidInput(
                            f"{name!r} is not a candidate in the contest",
                            where=f"{where} preferences",
                        )
                    order[name] = len(order)
                indices.append(order[name])
            merged[tuple(indices)] += count
            total += count
        return cls(tuple(order), tuple(sorted(merged.items())), total)

    @classmethod
    def from_ballots(
        cls, ballots: Iterable[RankedBallot], *, candidates: Sequence[str] | None = None
    ) -> IrvVotes:
        """From ranked ballots, each read by :func:`preferences`.

        With ``candidates`` a ballot ranking anyone else is refused, naming the
        ballot; without, every name ranked on some ballot is a candidate.
        """
        counts: Counter[Preferences] = Counter()
        known = None if candidates is None else set(candidates)
        for ballot in ballots:
            prefs = preferences(ballot.ranks)
            if known is not None:
                stray = [name for name in prefs if name not in known]
                if stray:
                    raise InvalidInput(
                        f"ranks {stray[0]!r}, who is not a candidate in the contest",
                        where=f"ballot {ballot.id!r}"
                        + (f" in {ballot.source}" if ballot.source else ""),
                    )
            counts[prefs] += 1
        return cls.from_counts(counts, candidates=candidates)

    @property
    def size(self) -> int:
        """How many candidates."""
        return len(self.candidates)

    def index(self, name: str) -> int:
        """A candidate's index, or a clear error naming the unknown name."""
        try:
            return self.candidates.index(name)
        except ValueError:
            raise InvalidInput(
                f"is not a candidate; the candidates are {list(self.candidates)}",
                where=f"candidate {name!r}",
            ) from None

    def first_preferences(self, candidate: int) -> int:
        """Ballots whose first preference is ``candidate``: its smallest tally in any round."""
        return self._first[candidate]

    def tallies(self, continuing: int) -> tuple[int, ...]:
        """Votes per candidate (indexed by candidate) when the bitmask ``continuing`` remain.

        Candidates outside the mask get 0. Cached: RAIRE asks for the same sets often.
        """
        cached = self._tallies.get(continuing)
        if cached is not None:
            return cached
        result = [0] * self.size
        for prefs, count in self.lists:
            for candidate in prefs:
                if continuing >> candidate & 1:
                    result[candidate] += count
                    break
        tallies = tuple(result)
        self._tallies[continuing] = tallies
        return tallies


def mask(candidates: Iterable[int]) -> int:
    """The bitmask of a set of candidate indices."""
    bits = 0
    for candidate in candidates:
        bits |= 1 << candidate
    return bits


def members(bits: int, size: int) -> list[int]:
    """The candidate indices in a bitmask, in index order."""
    return [c for c in range(size) if bits >> c & 1]


@dataclass(frozen=True)
class IrvOutcome:
    """Who can win the simple IRV count, and one elimination order that gets there."""

    winners: tuple[int, ...]
    """Every candidate some resolution of the ties makes the winner (one when no tie matters)."""
    elimination_order: tuple[int, ...]
    """One order of elimination, the winner last."""


def irv_outcome(votes: IrvVotes) -> IrvOutcome:
    """Count the IRV election, trying every way of breaking a tie for last place.

    Remembered per set of continuing candidates, so at most 2^n sets are
    counted. When the lowest candidates together have fewer votes than the
    next one they all go, in any order, with the same result (RAIRE's *bulk
    elimination*), which keeps many tiny write-in tallies cheap. The
    elimination order returned is one real count, one candidate at a time,
    a tie going to the first candidate in the contest's order.
    """
    if votes.size == 0:
        raise InvalidInput("has no candidates", where="contest")
    winners_of: dict[int, frozenset[int]] = {}

    def bulk(continuing: int, tallies: tuple[int, ...]) -> list[int] | None:
        ranked = sorted(members(continuing, votes.size), key=lambda c: tallies[c])
        total = 0
        for i, candidate in enumerate(ranked):
            if i > 1 and tallies[candidate] > total:
                return ranked[:i]
            total += tallies[candidate]
        return None

    def solve(continuing: int) -> frozenset[int]:
        remaining = members(continuing, votes.size)
        if len(remaining) == 1:
            return frozenset(remaining)
        known = winners_of.get(continuing)
        if known is not None:
            return known
        tallies = votes.tallies(continuing)
        lowest = min(tallies[c] for c in remaining)
        tied = [c for c in remaining if tallies[c] == lowest]
        if len(tied) > 1 and (group := bulk(continuing, tallies)) is not None:
            result = solve(continuing & ~mask(group))
        else:
            result = frozenset().union(*(solve(continuing & ~(1 << c)) for c in tied))
        winners_of[continuing] = result
        return result

    everyone = (1 << votes.size) - 1
    winners = solve(everyone)
    order: list[int] = []
    continuing = everyone
    while continuing:
        tallies = votes.tallies(continuing)
        last = min(members(continuing, votes.size), key=lambda c: tallies[c])
        order.append(last)
        continuing &= ~(1 << last)
    return IrvOutcome(tuple(sorted(winners)), tuple(order))
