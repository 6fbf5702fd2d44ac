"""The risk limit, measured: audits of wrong outcomes confirm at most alpha of the time.

A risk-limiting audit may confirm a wrong reported outcome with chance at most
the risk limit, however the rounds fall. Here thousands of seeded elections
whose reported winner did *not* really win (a true tie, the worst case, or a
true reversal) are audited in rounds with BRAVO and with ALPHA, and the
fraction wrongly confirmed must stay within binomial noise of alpha:
rate <= alpha + 3 sqrt(alpha (1 - alpha) / runs). Each scenario also audits a
correct outcome, to show the audits are not passing by never confirming.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence

from votetrail.core.audit.assertions import BallotVotes, Contest, ContestKind, assertions
from votetrail.core.audit.polling import alpha_polling_risk, bravo_risk, bravo_sample_size

RUNS = 2000
ALPHA = 0.1
BOUND = ALPHA + 3 * math.sqrt(ALPHA * (1 - ALPHA) / RUNS)

# BRAVO: reported 5,500 to 4,500, truly tied, measured after rounds that grow by 10% from
# 10 draws to 100,000 (many looks and a long horizon bring the rate close to alpha).
TIE_ROUND_ENDS = sorted({math.ceil(10 * 1.1**k) for k in range(97)})
# Reported 6,000 to 4,000: rounds at 1, 2 and 4 times a 90%-chance first round.
FIRST_ROUND = bravo_sample_size(0.6, ALPHA, quantile=0.9)
ROUND_ENDS = (FIRST_ROUND, 2 * FIRST_ROUND, 4 * FIRST_ROUND)

Draw = Callable[[random.Random, int], tuple[int, int]]


def _tie(rng: random.Random, n: int) -> tuple[int, int]:
    """n draws from a true tie with no other ballots: winner votes are fair coin flips."""
    won = rng.getrandbits(n).bit_count() if n else 0
    return won, n - won


def _shares(winner: float, loser: float) -> Draw:
    def draw(rng: random.Random, n: int) -> tuple[int, int]:
        picks = [rng.random() for _ in range(n)]
        won = sum(p < winner for p in picks)
        return won, sum(winner <= p < winner + loser for p in picks)

    return draw


def _bravo_confirmations(
    reported: tuple[int, int], draw: Draw, round_ends: Sequence[int], seed: int
) -> float:
    """Fraction of BRAVO audits, drawing with replacement, that confirm after some round."""
    rng, confirmed = random.Random(seed), 0
    for _ in range(RUNS):
        won = lost = drawn = 0
        for end in round_ends:
            more_won, more_lost = draw(rng, end - drawn)
            won, lost, drawn = won + more_won, lost + more_lost, end
            if bravo_risk(*reported, won, lost) <= ALPHA:
                confirmed += 1
                break
    return confirmed / RUNS


def test_bravo_true_tie_is_confirmed_at_most_alpha_of_the_time() -> None:
    assert _bravo_confirmations((5500, 4500), _tie, TIE_ROUND_ENDS, seed=1) <= BOUND


def test_bravo_true_reversal_is_confirmed_at_most_alpha_of_the_time() -> None:
    # 40.5% for the reported winner, 49.5% for the reported loser, 10% neither.
    reversal = _shares(0.405, 0.495)
    assert _bravo_confirmations((6000, 4000), reversal, ROUND_ENDS, seed=2) <= BOUND


def test_bravo_confirms_a_correct_outcome() -> None:
    correct = _shares(0.6, 0.4)
    assert _bravo_confirmations((6000, 4000), correct, ROUND_ENDS, seed=3) >= 0.95


# ALPHA scenario: one sample without replacement from 400 ballots audits three contests.
N = 400
MAYOR = Contest("mayor", {"w": 220, "l": 180}, ballots=N)  # truly 200 to 200: a tie
COUNCIL = Contest("council", {"w": 200, "l": 160}, ballots=N)  # truly 175 to 185: reversed
MEASURE = Contest(
    "measure", {"yes": 300, "no": 100}, ballots=N, kind=ContestKind.SUPERMAJORITY, fraction=0.6
)  # correct as reported
ALPHA_ROUND_ENDS = (25, 50, 100, 200)


def _true_ballots(rng: random.Random) -> list[BallotVotes]:
    columns = {
        "mayor": ["w"] * 200 + ["l"] * 200,
        "council": ["w"] * 175 + ["l"] * 185 + [""] * 40,
        "measure": ["yes"] * 300 + ["no"] * 100,
    }
    for column in columns.values():
        rng.shuffle(column)
    return [
        {contest: {column[i]} for contest, column in columns.items() if column[i]} for i in range(N)
    ]


def test_alpha_polling_limits_risk_for_every_contest_in_one_sample() -> None:
    found = assertions(MAYOR) + assertions(COUNCIL) + assertions(MEASURE)
    rng = random.Random(4)
    ballots = _true_ballots(rng)
    confirmed = dict.fromkeys((a.id for a in found), 0)
    for _ in range(RUNS):
        rng.shuffle(ballots)  # a uniformly random draw order, without replacement
        pending = list(found)
        for end in ALPHA_ROUND_ENDS:
            risks = alpha_polling_risk(pending, ballots[:end])
            for assertion in list(pending):
                if risks[assertion.id] <= ALPHA:
                    confirmed[assertion.id] += 1
                    pending.remove(assertion)
    rates = {key: count / RUNS for key, count in confirmed.items()}
    assert rates["mayor:w>l"] <= BOUND
    assert rates["council:w>l"] <= BOUND
    assert rates["measure:yes>3/5"] >= 0.95
