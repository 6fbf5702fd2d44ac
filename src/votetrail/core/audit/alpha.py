"""ALPHA: a sequential test that a population mean is above a threshold.

Every risk measurement that SHANGRLA reduces to "is the mean of these
assorter values above 1/2?" ends here. ALPHA (Stark 2023, "ALPHA: Audit that
Learns from Previously Hand-Audited Ballots") tests the null hypothesis

    H0: the mean of the N values in [0, u] is at most mu

with the nonnegative supermartingale

    T_j = prod_{i <= j} ( X_i eta_i / mu_i + (u - X_i)(u - eta_i) / (u - mu_i) ) / u,

where mu_i is the mean the values not yet drawn would have if H0 held with
equality (it moves as values are drawn *without* replacement, and stays mu
*with* replacement) and eta_i is a guess of the true mean made from the draws
before i only. By Ville's inequality min(1, 1 / max_j T_j) is a P-value that
stays valid however often the audit looks, so an audit may stop as soon as it
falls to the risk limit.

The guess is the paper's truncated shrinkage estimator (section 2.5.2): the
running mean shrunk towards a prior guess eta0 with weight d, kept at least
eps_j = c / sqrt(d + j - 1) above mu_i so every bet is on the alternative, and
below u(1 - machine epsilon) - eps_j as SHANGRLA's ``NonnegMean.shrink_trunc``
does, so one zero can never wipe the evidence out. When the sample itself
settles the question the answer is exact: a sample total above N*mu makes H0
impossible (P-value 0); a sample that leaves the population unable to reach a
mean above mu proves H0 (P-value 1, the reported outcome is wrong).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from votetrail.errors import InvalidInput

_MACHINE_EPS = sys.float_info.epsilon


@dataclass(frozen=True, slots=True)
class _Setup:
    """Validated parameters of one run of the test."""

    values: tuple[float, ...]
    population: int | None
    mu: float
    upper: float
    eta0: float
    d: int
    c: float


def _setup(
    x: Sequence[float],
    N: int | None,  # noqa: N803 - the papers call the population size N
    mu: float,
    upper: float,
    eta0: float | None,
    d: int,
    c: float | None,
) -> _Setup:
    if not (math.isfinite(upper) and upper > 0):
        raise InvalidInput("must be a positive number", where=f"upper bound {upper}")
    if not (0 < mu < upper):
        raise InvalidInput(f"must be above 0 and below the upper bound {upper}", where=f"mu {mu}")
    if N is not None and (isinstance(N, bool) or not isinstance(N, int) or N < 1):
        raise InvalidInput("must be a whole number of ballots, at least 1", where=f"N {N!r}")
    if N is not None and len(x) > N:
        raise InvalidInput(
            f"{len(x)} draws without replacement from a population of {N}", where="sample"
        )
    guess = mu + (upper - mu) / 2 if eta0 is None else eta0
    if not (mu < guess <= upper):
        raise InvalidInput(f"must be above mu {mu} and at most {upper}", where=f"eta0 {guess}")
    if isinstance(d, bool) or not isinstance(d, int) or d < 1:
        raise InvalidInput("must be a whole number, at least 1", where=f"d {d!r}")
    scale = (guess - mu) / 2 if c is None else c
    if not (math.isfinite(scale) and scale >= 0):
        raise InvalidInput("must be a number, at least 0", where=f"c {scale}")
    values = tuple(map(float, x))
    if not all(0 <= value <= upper for value in values):  # also refuses NaN
        j, bad = next((j, v) for j, v in enumerate(values, start=1) if not 0 <= v <= upper)
        raise InvalidInput(f"must be between 0 and {upper}", where=f"sample value {j} ({bad})")
    return _Setup(values, N, mu, upper, guess, d, scale)


def _run(s: _Setup) -> tuple[list[float], list[float], bool]:
    """eta_1..eta_n, the martingale T_1..T_n, and whether the sample proved H0 true.

    One tight loop, as it runs on every ballot of every round: mu_j, then
    eta_j = min(max((d eta0 + S_{j-1}) / (d + j - 1), mu_j + eps_j), u(1 - eps) - eps_j)
    (ALPHA eq. 14 with SHANGRLA's cap), then the bet. Sample totals use
    Neumaier summation because they are compared with N*mu exactly.
    """
    mu, upper, d, c, population = s.mu, s.upper, s.d, s.c, s.population
    finite = population is not None
    size = population if population is not None else 0
    null_total = size * mu
    slack = 1e-9 * max(1.0, null_total)
    prior, cap = d * s.eta0, upper * (1 - _MACHINE_EPS)
    etas: list[float] = []
    terms: list[float] = []
    t, total, compensation = 1.0, 0.0, 0.0
    impossible = proven = False
    for j, x in enumerate(s.values, start=1):
        drawn = total + compensation
        mu_j = (null_total - drawn) / (size - j + 1) if finite else mu
        weight = d + j - 1
        eps_j = c / math.sqrt(weight)
        eta_j = (prior + drawn) / weight
        if eta_j < mu_j + eps_j:
            eta_j = mu_j + eps_j
        if eta_j > cap - eps_j:
            eta_j = cap - eps_j
        etas.append(eta_j)
        step = total + x
        compensation += (total - step) + x if abs(total) >= x else (x - step) + total
        total = step
        if finite and not (impossible or proven):
            drawn = total + compensation
            impossible = drawn > null_total + slack
            proven = drawn + upper * (size - j) <= null_total + slack
        if impossible:
            t = math.inf
        elif proven:
            t = 0.0
        elif 0 < mu_j < eta_j < upper:
            t *= (x * eta_j / mu_j + (upper - x) * (upper - eta_j) / (upper - mu_j)) / upper
        terms.append(t)
    return etas, terms, proven


def truncated_shrinkage(
    x: Sequence[float],
    *,
    N: int | None,  # noqa: N803 - the papers call the population size N
    mu: float = 0.5,
    upper: float = 1.0,
    eta0: float | None = None,
    d: int = 100,
    c: float | None = None,
) -> list[float]:
    """The guesses eta_1..eta_n ALPHA bets with; eta_j sees only x_1..x_{j-1}.

    Exposed so the estimator can be checked against SHANGRLA's on its own.
    """
    return _run(_setup(x, N, mu, upper, eta0, d, c))[0]


def alpha_terms(
    x: Sequence[float],
    *,
    N: int | None,  # noqa: N803 - the papers call the population size N
    mu: float = 0.5,
    upper: float = 1.0,
    eta0: float | None = None,
    d: int = 100,
    c: float | None = None,
) -> list[float]:
    """The running ALPHA martingale T_1..T_n for the draws x, in draw order.

    ``N`` is the population size for sampling without replacement, None for
    sampling with replacement. ``eta0`` defaults to halfway between mu and
    ``upper``; ``c`` (the truncation scale) to (eta0 - mu) / 2, as in SHANGRLA.
    T_j is infinite once the sample makes H0 impossible and 0 once it proves
    H0; a draw on which no honest bet exists (mu_j at a bound) leaves T alone.
    """
    return _run(_setup(x, N, mu, upper, eta0, d, c))[1]


def alpha_p_value(
    x: Sequence[float],
    *,
    N: int | None,  # noqa: N803 - the papers call the population size N
    mu: float = 0.5,
    upper: float = 1.0,
    eta0: float | None = None,
    d: int = 100,
    c: float | None = None,
) -> float:
    """Sequentially valid P-value min(1, 1 / max_j T_j) of H0: mean <= mu.

    0 when the sample total already exceeds N*mu, 1 when the sample proves
    the mean cannot exceed mu, 1 for an empty sample. Arguments as for
    :func:`alpha_terms`.
    """
    _, terms, proven = _run(_setup(x, N, mu, upper, eta0, d, c))
    if proven or not terms:
        return 1.0
    largest = max(terms)
    return 1.0 if largest <= 1.0 else 1.0 / largest
