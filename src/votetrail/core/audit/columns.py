"""An audit sample as columns, and the risk of each assertion measured on them.

A state audit reads some 20,000 ballots for 100 contests: two million
(ballot, contest) readings. Measured one Python object at a time, the risk
took seconds; yet a contest's readings are few *kinds* (for a plurality pair:
a vote for the winner, for the loser, for neither; for a comparison: a
handful of distinct CVR/paper pairs). So each contest is one column: a
pyarrow array with one small integer code per sampled card, and the tuple of
the kinds the codes name. Everything a risk needs is then scored once per
kind and counted or accumulated over the column:

* Kaplan–Markov and BRAVO depend only on counts, so they take the count of
  each code; the P-value functions they call are the per-card ones, so the
  numbers are the same to the bit.
* ALPHA depends on the order of the draws; it runs on the column with
  :func:`alpha.alpha_p_value_coded` (within 1e-12 of the per-draw loop).

The tests keep the former per-card measurement as the reference and compare.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Generic, TypeVar

from votetrail.core.audit import comparison, polling
from votetrail.core.audit.alpha import alpha_p_value_coded
from votetrail.core.audit.assertions import Assertion, Contest, ContestKind
from votetrail.core.audit.comparison import CardVotes, DiscrepancyCounts
from votetrail.errors import InvalidInput

Kind = TypeVar("Kind")

Reading = tuple[CardVotes, CardVotes]
"""A comparison card for one contest: (CVR, paper)."""


@dataclass(frozen=True, eq=False)
class Column(Generic[Kind]):
    """One contest's readings in draw order: ``kinds[codes[i]]`` is the i-th card's reading."""

    kinds: tuple[Kind, ...]
    codes: Any  # a pyarrow int32 array

    def __len__(self) -> int:
        return len(self.codes)

    @cached_property
    def counts(self) -> tuple[int, ...]:
        """How many cards read as each kind, once per column for all its assertions."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if len(self.kinds) <= 8:
            return tuple(
                int(pc.sum(pc.equal(self.codes, pa.scalar(k, self.codes.type))).as_py() or 0)
                for k in range(len(self.kinds))
            )
        found = dict.fromkeys(range(len(self.kinds)), 0)
        for row in pc.value_counts(self.codes).to_pylist():
            found[row["values"]] = row["counts"]
        return tuple(found[k] for k in range(len(self.kinds)))


@dataclass(frozen=True)
class PollingColumns:
    """A polling sample: every contest's column covers all ``ballots`` drawn ballots.

    Code 0 is the empty mark set: the ballot does not carry the contest or
    is blank in it, which every assorter and tally treat alike.
    """

    ballots: int
    contests: Mapping[str, Column[frozenset[str]]] = field(hash=False)

    def column(self, contest_id: str) -> Column[frozenset[str]]:
        """The contest's column; a contest on no sampled ballot is all code 0."""
        found = self.contests.get(contest_id)
        return found if found is not None else _blank(self.ballots)


@dataclass(frozen=True)
class ComparisonColumns:
    """A comparison sample: a contest's column holds only the cards that carry it.

    ``ballots`` is the number of distinct ballots drawn (a ballot of several
    cards or contests counts once), as the round decision needs.
    """

    ballots: int
    contests: Mapping[str, Column[Reading]] = field(hash=False)

    def column(self, contest_id: str) -> Column[Reading]:
        """The contest's column; a contest with no sampled card is empty."""
        found = self.contests.get(contest_id)
        return found if found is not None else _empty_readings()


def _blank(n: int) -> Column[frozenset[str]]:
    import pyarrow as pa

    return Column((frozenset(),), pa.array([0] * n, pa.int32()))


def _empty_readings() -> Column[Reading]:
    import pyarrow as pa

    return Column((), pa.array([], pa.int32()))


def polling_columns(sample: Sequence[Mapping[str, Set[str]]]) -> PollingColumns:
    """Columns of a polling sample given ballot by ballot (contest id -> marks), in draw order."""
    import pyarrow as pa

    n = len(sample)
    codes: dict[str, list[int]] = {}
    kinds: dict[str, dict[frozenset[str], int]] = {}
    for i, ballot in enumerate(sample):
        for contest_id, marks in ballot.items():
            if not marks:
                continue
            known = kinds.get(contest_id)
            if known is None:
                known = kinds[contest_id] = {frozenset(): 0}
                codes[contest_id] = [0] * n
            key = marks if isinstance(marks, frozenset) else frozenset(marks)
            code = known.get(key)
            if code is None:
                code = known[key] = len(known)
            codes[contest_id][i] = code
    return PollingColumns(
        n,
        {
            contest_id: Column(tuple(kinds[contest_id]), pa.array(column, pa.int32()))
            for contest_id, column in codes.items()
        },
    )


def comparison_columns(
    cards: Iterable[tuple[str, str, Hashable, CardVotes, CardVotes]],
) -> ComparisonColumns:
    """Columns of a comparison sample given card by card, in draw order.

    Each card is (ballot, contest, key, CVR, paper); cards with equal keys in
    a contest must read alike (a reader's reading number, or the pair itself),
    so each distinct reading is looked at once.
    """
    import pyarrow as pa

    codes: dict[str, list[int]] = {}
    kinds: dict[str, dict[Hashable, tuple[int, Reading]]] = {}
    ballots: set[str] = set()
    for ballot, contest_id, key, cvr, paper in cards:
        ballots.add(ballot)
        known = kinds.get(contest_id)
        if known is None:
            known = kinds[contest_id] = {}
            codes[contest_id] = []
        found = known.get(key)
        if found is None:
            found = known[key] = (len(known), (cvr, paper))
        codes[contest_id].append(found[0])
    return ComparisonColumns(
        len(ballots),
        {
            contest_id: Column(
                tuple(reading for _, reading in kinds[contest_id].values()),
                pa.array(column, pa.int32()),
            )
            for contest_id, column in codes.items()
        },
    )


def _pair(assertion: Assertion) -> tuple[str, str]:
    if assertion.loser is None:
        raise InvalidInput(
            "comparison audits here cover winner-loser pairs; audit it by ballot polling",
            where=f"assertion {assertion.id}",
        )
    return assertion.winner, assertion.loser


def overstatements(assertion: Assertion, column: Column[Reading]) -> list[int]:
    """Each kind's overstatement of the assertion's pair (scored without card style)."""
    winner, loser = _pair(assertion)
    return [
        comparison.pair_overstatement(cvr, paper, winner=winner, loser=loser, card_style=False)
        for cvr, paper in column.kinds
    ]


def discrepancy_counts(assertion: Assertion, column: Column[Reading]) -> DiscrepancyCounts:
    """The o1, o2, u1, u2 counts of the pair over the column."""
    tally = {-2: 0, -1: 0, 0: 0, 1: 0, 2: 0}
    for over, count in zip(overstatements(assertion, column), column.counts, strict=True):
        tally[over] += count
    return DiscrepancyCounts(o1=tally[1], o2=tally[2], u1=tally[-1], u2=tally[-2])


def kaplan_markov_risk(
    assertion: Assertion, column: Column[Reading], diluted_margin: float
) -> tuple[float, DiscrepancyCounts]:
    """The super-simple P-value of the pair after the column's cards, and its counts."""
    found = discrepancy_counts(assertion, column)
    risk = comparison.kaplan_markov_p_value(
        len(column), diluted_margin, o1=found.o1, o2=found.o2, u1=found.u1, u2=found.u2
    )
    return risk, found


def alpha_comparison_risk(
    assertion: Assertion, column: Column[Reading], diluted_margin: float, *, cards: int | None
) -> float:
    """:func:`comparison.alpha_comparison_p_value` of the column's cards, in draw order."""
    values = [
        comparison.overstatement_assorter(over, diluted_margin)
        for over in overstatements(assertion, column)
    ]
    return comparison.alpha_coded_p_value(column.codes, values, diluted_margin, cards=cards)


def tally(contest: Contest, column: Column[frozenset[str]]) -> dict[str, int]:
    """Valid votes per choice in the column; an overvote (too many marks) is no vote."""
    limit = len(contest.votes) if contest.kind is ContestKind.APPROVAL else contest.vote_for
    out = dict.fromkeys(contest.choices, 0)
    for marks, count in zip(column.kinds, column.counts, strict=True):
        if not count or len(marks) > limit:
            continue
        for choice in sorted(marks):
            if choice not in out:
                raise InvalidInput(
                    f"the sample marks choice {choice!r}, which is not in the contest",
                    where=f"contest {contest.id!r}",
                )
            out[choice] += count
    return out


def bravo_risk(assertion: Assertion, contest: Contest, counts: Mapping[str, int]) -> float:
    """BRAVO's risk of the pair from a contest's tally (see :func:`tally`)."""
    if assertion.loser is None:
        raise InvalidInput("use alpha-polling for a supermajority", where=assertion.id)
    win, lose = assertion.winner, assertion.loser
    return polling.bravo_risk(contest.votes[win], contest.votes[lose], counts[win], counts[lose])


def alpha_polling_risk(
    assertion: Assertion,
    column: Column[frozenset[str]],
    *,
    replacement: bool = False,
    d: int = 100,
) -> float:
    """:func:`polling.alpha_polling_risk` of one assertion, on its contest's column."""
    values = [assertion.assort({assertion.contest_id: marks}) for marks in column.kinds]
    return alpha_p_value_coded(
        column.codes,
        values,
        N=None if replacement else assertion.ballots,
        mu=0.5,
        upper=assertion.upper,
        eta0=assertion.reported_mean,
        d=d,
    )


__all__ = [
    "Column",
    "ComparisonColumns",
    "PollingColumns",
    "Reading",
    "alpha_comparison_risk",
    "alpha_polling_risk",
    "bravo_risk",
    "comparison_columns",
    "discrepancy_counts",
    "kaplan_markov_risk",
    "overstatements",
    "polling_columns",
    "tally",
]
