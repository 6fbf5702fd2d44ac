"""Measured risk: on elections whose reported outcome is wrong, audits rarely confirm.

A risk-limiting audit promises that when the reported winner did not really
win, the chance it stops without a full hand count is at most the risk limit.
Each test below builds 2,000 seeded elections whose CVRs or batch subtotals
report the wrong winner (the true count is a tie or the loser ahead: the
errors just cover the margin, where confirming is most likely), runs the
audit as the round logic would (checking after every draw, up to three times
the planned sample) and counts how often it confirms. The rate may exceed the
limit only by sampling noise: alpha + 3 * sqrt(alpha * (1 - alpha) / runs).

Each test also runs honest elections through the same harness and requires
them to confirm, so a harness that never confirms cannot pass.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from votetrail.core.audit.batch import (
    BatchContest,
    BatchElection,
    BatchTally,
    HandCount,
    macro_p_value,
    macro_sample_size,
)
from votetrail.core.audit.comparison import (
    alpha_comparison_p_value,
    kaplan_markov_p_value,
    pair_overstatement,
    sample_size,
    votes_for,
)

ALPHA = 0.1
RUNS = 2000
ALLOWED = ALPHA + 3 * math.sqrt(ALPHA * (1 - ALPHA) / RUNS)

# One card of each kind, classified by the same rule the round logic uses.
TWO_OVER = pair_overstatement(
    votes_for("w"), votes_for("l"), winner="w", loser="l", card_style=True
)
ONE_OVER = pair_overstatement(votes_for("w"), votes_for(), winner="w", loser="l", card_style=True)
ONE_UNDER = pair_overstatement(votes_for(), votes_for("w"), winner="w", loser="l", card_style=True)


@dataclass(frozen=True)
class CardElection:
    """N cards; the first two_over, then one_over, then one_under cards are miscounted."""

    cards: int
    margin_votes: int
    two_over: int
    one_over: int
    one_under: int

    def overstatement(self, index: int) -> int:
        if index < self.two_over:
            return TWO_OVER
        if index < self.two_over + self.one_over:
            return ONE_OVER
        if index < self.two_over + self.one_over + self.one_under:
            return ONE_UNDER
        return 0


def wrong_card_election(rng: random.Random, low: int, high: int) -> CardElection:
    cards = rng.randint(low, high)
    margin_votes = max(2, round(rng.uniform(0.02, 0.2) * cards))
    one_under = rng.randint(0, margin_votes // 4)
    needed = margin_votes + one_under + rng.randint(0, 2)  # understatements must be paid back
    two_over = rng.randint(0, needed // 2)
    election = CardElection(cards, margin_votes, two_over, needed - 2 * two_over, one_under)
    assert 2 * election.two_over + election.one_over - election.one_under >= margin_votes
    return election


def kaplan_markov_confirms(election: CardElection, rng: random.Random) -> bool:
    """Sequential super-simple audit, uniform draws with replacement.

    The P-value falls with every draw that is not an overstatement and jumps
    up at an overstatement, so it is smallest just before an overstatement or
    at the last draw: those are the only places it needs evaluating.
    """
    margin = election.margin_votes / election.cards
    limit = 3 * sample_size(margin, ALPHA)
    counts = {1: 0, 2: 0, -1: 0}
    for drawn in range(limit):
        found = election.overstatement(rng.randrange(election.cards))
        if found > 0:
            p = kaplan_markov_p_value(drawn, margin, o1=counts[1], o2=counts[2], u1=counts[-1])
            if p <= ALPHA:
                return True
        if found:
            counts[found] += 1
    return kaplan_markov_p_value(limit, margin, o1=counts[1], o2=counts[2], u1=counts[-1]) <= ALPHA


def alpha_confirms(election: CardElection, rng: random.Random) -> bool:
    """ALPHA comparison audit drawing without replacement; its P-value is already sequential."""
    margin = election.margin_votes / election.cards
    limit = min(election.cards, 3 * sample_size(margin, ALPHA))
    drawn = rng.sample(range(election.cards), limit)
    found = [election.overstatement(index) for index in drawn]
    return alpha_comparison_p_value(found, margin, cards=election.cards) <= ALPHA


def test_kaplan_markov_super_simple_risk_is_limited() -> None:
    confirmed = sum(
        kaplan_markov_confirms(wrong_card_election(rng, 2000, 20000), rng)
        for rng in (random.Random(1_000_000 + run) for run in range(RUNS))
    )
    assert confirmed / RUNS <= ALLOWED
    honest = CardElection(10000, 400, two_over=0, one_over=10, one_under=10)
    assert sum(kaplan_markov_confirms(honest, random.Random(run)) for run in range(100)) >= 90


def test_alpha_comparison_risk_is_limited() -> None:
    confirmed = sum(
        alpha_confirms(wrong_card_election(rng, 300, 3000), rng)
        for rng in (random.Random(2_000_000 + run) for run in range(RUNS))
    )
    assert confirmed / RUNS <= ALLOWED
    honest = CardElection(2000, 200, two_over=0, one_over=10, one_under=10)
    assert sum(alpha_confirms(honest, random.Random(run)) for run in range(100)) >= 90


CONTEST = "race"


def wrong_batch_election(rng: random.Random) -> tuple[BatchElection, dict[str, HandCount | None]]:
    """Batches whose subtotals report the winner ahead while the hand count is a loss or a tie."""
    while True:
        reported: dict[str, tuple[int, int, int]] = {}
        for number in range(rng.randint(20, 60)):
            cards = rng.randint(50, 300)
            share = min(1.0, max(0.0, 0.5 + rng.uniform(-0.05, 0.25) / 2))
            voted = round(cards * rng.uniform(0.9, 1.0))
            winner = round(voted * share)
            reported[f"b{number}"] = (winner, voted - winner, cards)
        margin = sum(w - lo for w, lo, _ in reported.values())
        if margin > 0:
            break
    counted: dict[str, HandCount | None] = {}
    spread = rng.random() < 0.5  # many small errors, or a few batches flipped wholesale
    owed = margin
    for batch_id in rng.sample(sorted(reported), len(reported)):
        winner, loser, _ = reported[batch_id]
        moved = max(0, min(winner, math.ceil(owed / 2)))
        if spread:
            moved = min(moved, math.ceil(0.3 * winner))
        owed -= 2 * moved
        counted[batch_id] = {CONTEST: {"w": winner - moved, "l": loser + moved}}
    assert owed <= 0
    totals = {
        "w": sum(w for w, _, _ in reported.values()),
        "l": sum(lo for _, lo, _ in reported.values()),
    }
    batches = {
        batch_id: {CONTEST: BatchTally({"w": w, "l": lo}, cards)}
        for batch_id, (w, lo, cards) in reported.items()
    }
    return BatchElection((BatchContest(CONTEST, totals),), batches), counted


def macro_confirms(
    election: BatchElection, counted: dict[str, HandCount | None], rng: random.Random
) -> bool:
    """MACRO with PPS draws (with replacement) in proportion to the error bounds."""
    limit = 3 * macro_sample_size(election, ALPHA)
    ids = list(election.error_bounds)
    draws = rng.choices(ids, weights=[election.error_bounds[i] for i in ids], k=limit)
    return macro_p_value(election, draws, counted) <= ALPHA


def test_macro_batch_comparison_risk_is_limited() -> None:
    confirmed = 0
    for run in range(RUNS):
        rng = random.Random(3_000_000 + run)
        election, counted = wrong_batch_election(rng)
        confirmed += macro_confirms(election, counted, rng)
    assert confirmed / RUNS <= ALLOWED
    rng = random.Random(7)
    election, _ = wrong_batch_election(rng)
    honest: dict[str, HandCount | None] = {
        batch_id: {CONTEST: dict(tallies[CONTEST].votes)}
        for batch_id, tallies in election.batches.items()
    }
    assert sum(macro_confirms(election, honest, random.Random(run)) for run in range(100)) >= 90
