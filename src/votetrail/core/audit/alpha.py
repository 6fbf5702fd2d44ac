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
from functools import lru_cache
from typing import Any

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
    guess, scale = _parameters(len(x), N, mu, upper, eta0, d, c)
    values = tuple(map(float, x))
    if not all(0 <= value <= upper for value in values):  # also refuses NaN
        j, bad = next((j, v) for j, v in enumerate(values, start=1) if not 0 <= v <= upper)
        raise InvalidInput(f"must be between 0 and {upper}", where=f"sample value {j} ({bad})")
    return _Setup(values, N, mu, upper, guess, d, scale)


def _parameters(
    draws: int,
    N: int | None,  # noqa: N803 - the papers call the population size N
    mu: float,
    upper: float,
    eta0: float | None,
    d: int,
    c: float | None,
) -> tuple[float, float]:
    """eta0 and c after their defaults, once every parameter is known to be usable."""
    if not (math.isfinite(upper) and upper > 0):
        raise InvalidInput("must be a positive number", where=f"upper bound {upper}")
    if not (0 < mu < upper):
        raise InvalidInput(f"must be above 0 and below the upper bound {upper}", where=f"mu {mu}")
    if N is not None and (isinstance(N, bool) or not isinstance(N, int) or N < 1):
        raise InvalidInput("must be a whole number of ballots, at least 1", where=f"N {N!r}")
    if N is not None and draws > N:
        raise InvalidInput(
            f"{draws} draws without replacement from a population of {N}", where="sample"
        )
    guess = mu + (upper - mu) / 2 if eta0 is None else eta0
    if not (mu < guess <= upper):
        raise InvalidInput(f"must be above mu {mu} and at most {upper}", where=f"eta0 {guess}")
    if isinstance(d, bool) or not isinstance(d, int) or d < 1:
        raise InvalidInput("must be a whole number, at least 1", where=f"d {d!r}")
    scale = (guess - mu) / 2 if c is None else c
    if not (math.isfinite(scale) and scale >= 0):
        raise InvalidInput("must be a number, at least 0", where=f"c {scale}")
    return guess, scale


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


def alpha_p_value_coded(
    codes: Any,
    values: Sequence[float],
    *,
    N: int | None,  # noqa: N803 - the papers call the population size N
    mu: float = 0.5,
    upper: float = 1.0,
    eta0: float | None = None,
    d: int = 100,
    c: float | None = None,
) -> float:
    """:func:`alpha_p_value` of the draws x_j = values[codes[j]], computed on whole columns.

    ``codes`` is a pyarrow integer array (a sample column: one small code per
    draw) and ``values`` the assorter value of each code. An audit's assorters
    take a handful of values, so the running sample total is a sum of value x
    running count, each count an exact integer: a few roundings per draw where
    the loop's compensated sum has about one, which keeps the P-value within
    1e-12 of :func:`alpha_p_value` (bit for bit when the values are halves, as
    a plurality pair's are; tests compare the two), while every step of the
    martingale runs as one array operation instead of one Python iteration per
    ballot, the cost that dominated a state's risk measurement. Each step
    does the loop's floating-point operations in the loop's order.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(codes)
    guess, scale = _parameters(n, N, mu, upper, eta0, d, c)
    table = [float(v) for v in values]
    bad_codes = [k for k, v in enumerate(table) if not 0 <= v <= upper]  # also refuses NaN
    if n and bad_codes:
        first = pc.index(pc.is_in(codes, value_set=pa.array(bad_codes, codes.type)), True)
        if first.as_py() >= 0:
            bad = table[codes[first.as_py()].as_py()]
            raise InvalidInput(
                f"must be between 0 and {upper}", where=f"sample value {first.as_py() + 1} ({bad})"
            )
    if n == 0:
        return 1.0
    f64 = pa.float64()

    def num(value: float) -> Any:
        return pa.scalar(value, f64)

    x, before, after = _draws_and_totals(codes, table)
    weight, root = _weights(n, d)
    finite = N is not None
    size = N if N is not None else 0
    null_total = size * mu
    slack = 1e-9 * max(1.0, null_total)
    if finite:
        mu_j = pc.divide(pc.subtract(num(null_total), before), _remaining(n, size))
    else:
        mu_j = pa.repeat(num(mu), n)
    eps_j = pc.divide(num(scale), root)
    eta_j = pc.divide(pc.add(num(d * guess), before), weight)
    floor = pc.add(mu_j, eps_j)
    eta_j = pc.if_else(pc.less(eta_j, floor), floor, eta_j)
    ceiling = pc.subtract(num(upper * (1 - _MACHINE_EPS)), eps_j)
    eta_j = pc.if_else(pc.greater(eta_j, ceiling), ceiling, eta_j)
    u = num(upper)
    bet = pc.add(
        pc.divide(pc.multiply(x, eta_j), mu_j),
        pc.divide(pc.multiply(pc.subtract(u, x), pc.subtract(u, eta_j)), pc.subtract(u, mu_j)),
    )
    if upper != 1.0:  # dividing by 1.0 changes no bit
        bet = pc.divide(bet, u)
    honest = pc.and_(pc.and_(pc.greater(mu_j, num(0.0)), pc.less(mu_j, eta_j)), pc.less(eta_j, u))
    if finite:
        settled = _settled(after, u, size, null_total + slack)
        if settled is not None:
            return settled
    largest = pc.max(pc.cumulative_prod(pc.if_else(honest, bet, num(1.0)))).as_py()
    return 1.0 if largest <= 1.0 else 1.0 / largest


def _settled(after: Any, upper: Any, size: int, limit: float) -> float | None:
    """1.0 if the sample proved H0 first, 0.0 if it made H0 impossible first, else None.

    The total after each draw only grows and total + upper x (ballots left)
    only shrinks, so the last draw tells whether either ever happened; only
    then (rarely: a sample close to the whole population) are the columns
    searched for which came first, with the loop's exact comparisons.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(after)
    last = after[n - 1].as_py()
    u = upper.as_py()
    if last <= limit and last + u * (size - n) > limit + 1e-9 * max(1.0, abs(limit)):
        return None
    bound = pa.scalar(limit, pa.float64())
    impossible = pc.index(pc.greater(after, bound), True).as_py()
    left = pc.multiply(upper, _remaining(n, size - 1))
    proven = pc.index(pc.less_equal(pc.add(after, left), bound), True).as_py()
    if proven >= 0 and (impossible < 0 or proven < impossible):
        return 1.0
    return 0.0 if impossible >= 0 else None


def _draws_and_totals(codes: Any, table: Sequence[float]) -> tuple[Any, Any, Any]:
    """x_1..x_n, and the sample total before and after each draw.

    Per distinct value v, a 0/1 column of the draws equal to v and its running
    count; x is the sum of v x indicator (one nonzero term per draw, so exact)
    and each total the sum of v x count.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    f64 = pa.float64()
    zeros = pa.repeat(pa.scalar(0.0, f64), len(codes))
    x = before = after = zeros
    for value in sorted(set(table)):
        if value == 0.0:
            continue
        own = [k for k, v in enumerate(table) if v == value]
        if len(own) == 1:
            hit = pc.equal(codes, pa.scalar(own[0], codes.type))
        else:
            hit = pc.is_in(codes, value_set=pa.array(own, codes.type))
        drawn = pc.cast(hit, f64)
        count = pc.cumulative_sum(drawn)  # whole numbers, exact in binary64
        v = pa.scalar(value, f64)
        x = pc.add(x, pc.multiply(drawn, v))
        after = pc.add(after, pc.multiply(count, v))
        before = pc.add(before, pc.multiply(pc.subtract(count, drawn), v))
    return x, before, after


@lru_cache(maxsize=8)
def _weights(n: int, d: int) -> tuple[Any, Any]:
    """d + j - 1 and its square root for j = 1..n: the same for every assertion of a sample."""
    import pyarrow as pa
    import pyarrow.compute as pc

    weight = pa.array(range(d, d + n), pa.float64())
    return weight, pc.sqrt(weight)


@lru_cache(maxsize=8)
def _remaining(n: int, size: int) -> Any:
    """size - j + 1 for j = 1..n: the ballots not yet drawn, the draw included."""
    import pyarrow as pa

    return pa.array(range(size, size - n, -1), pa.float64())
