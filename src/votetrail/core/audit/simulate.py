"""Sample sizes by seeded simulation, for tests that have no closed-form sample size.

ALPHA's stopping time depends on the order of the draws, so its round size is
estimated by simulating audits of an election exactly as reported: draw
assorter values from the reported distribution, run ALPHA, and note when the
risk first falls to the limit. The quantile of those stopping times is the
round size; the share of trials stopping within a round is the chance the
round finishes the audit. Seeds make every estimate reproducible, so two
officials running the same command get the same number.

Trials draw with replacement from the reported shares even when the audit
samples without replacement; for the sample sizes an audit actually needs
(far below the population) the difference is negligible and errs large.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from votetrail.core.audit.alpha import alpha_terms
from votetrail.core.audit.assertions import Assertion, Contest
from votetrail.core.audit.comparison import GAMMA, overstatement_assorter
from votetrail.core.audit.types import RiskLimit
from votetrail.errors import InvalidInput

Distribution = Sequence[tuple[float, float]]
"""Assorter values and their probabilities."""


@dataclass(frozen=True)
class SimulatedSize:
    """A round size at a quantile, and the chance a round of that size finishes."""

    size: int
    finish_probability: float
    trials: int


def polling_distribution(contest: Contest, assertion: Assertion) -> Distribution:
    """The assorter's values over the ballots as reported, with their shares."""
    n = contest.ballots
    if assertion.loser is None:
        valid = sum(contest.votes.values())
        win = contest.votes[assertion.winner] / n
        lose = (valid - contest.votes[assertion.winner]) / n
        return [(assertion.upper, win), (0.0, lose), (0.5, max(0.0, 1.0 - win - lose))]
    win = contest.votes[assertion.winner] / n
    lose = contest.votes[assertion.loser] / n
    return [(1.0, win), (0.0, lose), (0.5, max(0.0, 1.0 - win - lose))]


def comparison_distribution(
    diluted_margin: float, *, o1: float = 0.0, o2: float = 0.0, u1: float = 0.0, u2: float = 0.0
) -> Distribution:
    """Overstatement assorter values for expected discrepancy rates per card."""
    rest = 1.0 - o1 - o2 - u1 - u2
    if min(o1, o2, u1, u2, rest) < 0:
        raise InvalidInput("rates must be at least 0 and sum to at most 1", where="error rates")
    return [
        (overstatement_assorter(value, diluted_margin), share)
        for value, share in ((0, rest), (1, o1), (2, o2), (-1, u1), (-2, u2))
        if share > 0
    ]


def _draw(rng: random.Random, distribution: Distribution, count: int) -> list[float]:
    values = [value for value, _ in distribution]
    weights = [share for _, share in distribution]
    return rng.choices(values, weights=weights, k=count)


def _stop(terms: Sequence[float], threshold: float, start: int) -> int | None:
    for index in range(start, len(terms)):
        if terms[index] >= threshold:
            return index + 1
    return None


def alpha_sample_size(
    distribution: Distribution,
    risk_limit: RiskLimit | float,
    *,
    population: int,
    upper: float,
    eta0: float,
    seed: int,
    trials: int = 100,
    quantile: float = 0.9,
    seen: Sequence[float] = (),
    replacement: bool = False,
) -> SimulatedSize:
    """How many more draws ALPHA needs, at a quantile, after the values already ``seen``.

    A trial that has not stopped when it has drawn the whole population counts
    as needing the whole population (a full hand count).
    """
    alpha = risk_limit.value if isinstance(risk_limit, RiskLimit) else RiskLimit(risk_limit).value
    if not 0 < quantile < 1:
        raise InvalidInput("must be between 0 and 1", where=f"quantile {quantile}")
    if trials < 1:
        raise InvalidInput("must be at least 1", where=f"trials {trials}")
    remaining = population - len(seen)
    if remaining < 0:
        raise InvalidInput(f"{len(seen)} draws from {population} ballots", where="sample")
    rng = random.Random(seed)  # noqa: S311 - reproducible simulation, not secrecy
    threshold = 1.0 / alpha
    stops: list[int] = []
    for _ in range(trials):
        drawn: list[float] = list(seen)
        chunk = 64
        stop: int | None = None
        while stop is None and len(drawn) - len(seen) < remaining:
            chunk = min(chunk * 2, remaining - (len(drawn) - len(seen)))
            checked = len(drawn)
            drawn.extend(_draw(rng, distribution, chunk))
            terms = alpha_terms(
                drawn, N=None if replacement else population, mu=0.5, upper=upper, eta0=eta0
            )
            stop = _stop(terms, threshold, max(checked, len(seen)))
        stops.append((stop - len(seen)) if stop is not None else remaining)
    stops.sort()
    size = stops[max(0, math.ceil(quantile * trials) - 1)]
    finished = sum(1 for s in stops if s <= size) / trials
    return SimulatedSize(size=size, finish_probability=finished, trials=trials)


def alpha_comparison_eta0(diluted_margin: float) -> float:
    """The first guess ALPHA comparison uses, matching the super-simple audit's first bet."""
    upper = 2.0 / (2.0 - diluted_margin)
    return 0.5 + (upper - 0.5) / GAMMA
