"""Batch-level comparison audits: MACRO with PPS sampling and a Kaplan–Markov P-value.

Some voting systems report subtotals per batch (a precinct, a tabulator's box of
cards) but no record per card. The audit then hand-counts whole batches and
compares each count with the batch's reported subtotal.

MACRO (Stark 2009, "Efficient post-election audits of multiple contests: 2009
California tests") measures the error in batch p as the largest *relative*
overstatement over every audited contest and winner–loser pair,

    e_p = max over (w, l) of [(v_wp - v_lp) - (a_wp - a_lp)] / V_wl,

where v are reported votes, a hand-counted votes and V_wl the reported contest
margin. Some contest's outcome can be wrong only if the e_p add up to at least 1.
Each batch also has an a-priori bound u_p >= e_p (every card in the batch
secretly a vote for the loser), and U = sum u_p. Batches are drawn with
replacement with probability u_p / U (PPS), and the Kaplan–Markov product
prod (1 - 1/U) / (1 - e_p/u_p) is a nonnegative supermartingale under the
hypothesis that an outcome is wrong, so its running minimum is a P-value
(Ville's inequality).

Like Arlo's ``macro.py`` we count understatements (errors in the winner's
favour) as zero: the test stays valid and a miscount that happens to help the
reported winner never buys the audit an earlier stop. Passing one contest gives
Arlo's per-contest audit; passing several gives MACRO across them, one sample
for all. There are no strata: every batch is in one population.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from votetrail.core.audit.types import RiskLimit, check_count
from votetrail.errors import InvalidInput

HandCount = Mapping[str, Mapping[str, int]]
"""A batch's hand count: contest name -> candidate -> votes (absent candidate: 0 votes)."""


@dataclass(frozen=True, slots=True)
class BatchTally:
    """One contest's reported votes in one batch, and how many cards in the batch carry it."""

    votes: Mapping[str, int]
    cards: int


@dataclass(frozen=True, slots=True)
class BatchContest:
    """A contest's reported totals; the ``num_winners`` candidates with most votes won.

    The winner–loser pairs and their margins in votes are worked out once here,
    because every batch bound and every overstatement is measured against them.
    """

    name: str
    totals: Mapping[str, int]
    num_winners: int = 1
    pairs: tuple[tuple[str, str, int], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        where = f"contest {self.name!r}"
        for candidate, votes in self.totals.items():
            check_count(f"{where}: votes for {candidate!r}", votes)
        if not 1 <= self.num_winners < len(self.totals):
            raise InvalidInput(
                f"needs at least one winner and one loser ({len(self.totals)} candidates, "
                f"{self.num_winners} to elect)",
                where=where,
            )
        ranked = sorted(self.totals, key=lambda name: (-self.totals[name], name))
        winners, losers = ranked[: self.num_winners], ranked[self.num_winners :]
        last, first = winners[-1], losers[0]
        if self.totals[last] <= self.totals[first]:
            raise InvalidInput(
                f"the margin between {last!r} and {first!r} is 0 votes: a tie cannot be "
                "audited by sampling; count it by hand",
                where=where,
            )
        pairs = tuple((w, lo, self.totals[w] - self.totals[lo]) for w in winners for lo in losers)
        object.__setattr__(self, "pairs", pairs)


def batch_error_bound(tallies: Mapping[str, BatchTally], contests: Sequence[BatchContest]) -> float:
    """u_p: the largest relative overstatement the batch could hide, over contests and pairs.

    If every card in the batch that carries a contest were really a vote for the
    loser, the winner's lead would shrink by the reported net votes plus the cards.
    """
    return float(exact_error_bound(tallies, contests))


def exact_error_bound(
    tallies: Mapping[str, BatchTally], contests: Sequence[BatchContest]
) -> Fraction:
    """u_p as an exact fraction, which the PPEB sampler weighs batches with (no rounding)."""
    bound = Fraction(0)
    for contest in contests:
        tally = tallies.get(contest.name)
        if tally is None:
            continue
        for winner, loser, margin in contest.pairs:
            net = tally.votes.get(winner, 0) - tally.votes.get(loser, 0)
            bound = max(bound, Fraction(net + tally.cards, margin))
    return bound


@dataclass(frozen=True)
class BatchElection:
    """Every batch's reported subtotals, checked once against the contest totals.

    A batch total that does not add up would make every bound below wrong, so
    construction refuses it, naming the contest and candidate.
    """

    contests: tuple[BatchContest, ...]
    batches: Mapping[str, Mapping[str, BatchTally]]
    error_bounds: Mapping[str, float] = field(init=False, repr=False, compare=False)
    total_error_bound: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = [contest.name for contest in self.contests]
        if not names:
            raise InvalidInput("no contest to audit", where="batch audit")
        if len(set(names)) != len(names):
            raise InvalidInput("a contest is listed twice", where=f"contests {names}")
        _check_sums(self.contests, self.batches)
        bounds = {
            bid: batch_error_bound(tallies, self.contests) for bid, tallies in self.batches.items()
        }
        object.__setattr__(self, "error_bounds", bounds)
        object.__setattr__(self, "total_error_bound", math.fsum(bounds.values()))


def _check_sums(
    contests: Sequence[BatchContest], batches: Mapping[str, Mapping[str, BatchTally]]
) -> None:
    sums = {contest.name: dict.fromkeys(contest.totals, 0) for contest in contests}
    for batch_id, tallies in batches.items():
        for contest in contests:
            tally = tallies.get(contest.name)
            if tally is None:
                continue
            where = f"batch {batch_id!r}, contest {contest.name!r}"
            check_count(f"{where}: cards", tally.cards)
            for candidate, votes in tally.votes.items():
                if candidate not in contest.totals:
                    raise InvalidInput(
                        f"{candidate!r} is not a candidate in the contest", where=where
                    )
                check_count(f"{where}: votes for {candidate!r}", votes)
                if votes > tally.cards:
                    raise InvalidInput(
                        f"{votes} votes for {candidate!r} but only {tally.cards} cards", where=where
                    )
                sums[contest.name][candidate] += votes
    for contest in contests:
        for candidate, total in contest.totals.items():
            found = sums[contest.name][candidate]
            if found != total:
                raise InvalidInput(
                    f"the batches add up to {found} votes for {candidate!r} but the contest "
                    f"total is {total}",
                    where=f"contest {contest.name!r}",
                )


def batch_overstatement(
    election: BatchElection, batch_id: str, counted: HandCount, *, contest_name: str | None = None
) -> float:
    """e_p: the batch's largest relative overstatement over contests and pairs (may be negative).

    With ``contest_name``, only that contest's pairs count: its own error in the
    batch, still measured against the MACRO bound u_p of the whole election.
    """
    tallies = _tallies(election, batch_id)
    worst = -math.inf
    for contest in election.contests:
        tally = tallies.get(contest.name)
        if tally is None or contest_name not in (None, contest.name):
            continue
        where = f"hand count of batch {batch_id!r}, contest {contest.name!r}"
        hand = counted.get(contest.name)
        if hand is None:
            raise InvalidInput("no result for a contest the batch carries", where=where)
        for candidate, votes in hand.items():
            if candidate not in contest.totals:
                raise InvalidInput(f"{candidate!r} is not a candidate in the contest", where=where)
            check_count(f"{where}: votes for {candidate!r}", votes)
        for winner, loser, margin in contest.pairs:
            reported = tally.votes.get(winner, 0) - tally.votes.get(loser, 0)
            actual = hand.get(winner, 0) - hand.get(loser, 0)
            worst = max(worst, (reported - actual) / margin)
    return 0.0 if worst == -math.inf else worst


def _tallies(election: BatchElection, batch_id: str) -> Mapping[str, BatchTally]:
    tallies = election.batches.get(batch_id)
    if tallies is None:
        raise InvalidInput("not in the reported batch results", where=f"batch {batch_id!r}")
    return tallies


def macro_p_value(
    election: BatchElection,
    draws: Sequence[str],
    counted: Mapping[str, HandCount | None],
    *,
    contest_name: str | None = None,
) -> float:
    """The MACRO Kaplan–Markov P-value after the PPS draws so far, in draw order.

    With ``contest_name``, the P-value of that contest alone on the same sample:
    its errors e_p are at most the bounds u_p the batches were drawn with, so the
    product is still a supermartingale if that contest's outcome is wrong, and
    each contest's risk can be reported and decided on its own.

    ``draws`` lists batch ids as drawn, repeats included; ``counted`` maps each
    drawn batch to its hand count, or to None if the batch could not be found,
    which is treated as the worst case (taint 1: the audit cannot stop without
    a full hand count). The result is the running minimum of the product,
    capped at 1.
    """
    step = math.log1p(-1.0 / election.total_error_bound)
    log_p = 0.0
    best = 0.0
    for batch_id in draws:
        bound = election.error_bounds.get(batch_id)
        if bound is None:
            raise InvalidInput(
                "drawn but not in the reported batch results", where=f"batch {batch_id!r}"
            )
        if bound == 0.0:
            raise InvalidInput("drawn but carries no audited contest", where=f"batch {batch_id!r}")
        if batch_id not in counted:
            raise InvalidInput("drawn but has no hand count", where=f"batch {batch_id!r}")
        hand = counted[batch_id]
        error = (
            bound
            if hand is None
            else batch_overstatement(election, batch_id, hand, contest_name=contest_name)
        )
        taint = max(0.0, error) / bound
        if taint >= 1.0:
            break
        log_p += step - math.log1p(-taint)
        best = min(best, log_p)
    return min(1.0, math.exp(best))


def macro_sample_size(election: BatchElection, risk_limit: float) -> int:
    """Batch draws needed to confirm at the risk limit if every drawn batch is error-free.

    Solves (1 - 1/U)^n <= risk limit, as Arlo does for the first round; the
    caller compares the answer with the number of batches and may choose a full
    hand count instead.
    """
    alpha = RiskLimit(risk_limit).value
    return math.ceil(math.log(alpha) / math.log1p(-1.0 / election.total_error_bound))


def selection_probabilities(election: BatchElection) -> dict[str, float]:
    """PPS: each batch's chance of being drawn on one draw, u_p / U."""
    total = election.total_error_bound
    return {batch_id: bound / total for batch_id, bound in election.error_bounds.items()}
