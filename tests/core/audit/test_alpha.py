"""ALPHA: hand-worked martingales, SHANGRLA's estimator values, and the exact edges.

The published values come from SHANGRLA's ``NonnegMean.shrink_trunc`` as
printed in the SHANGRLA comparison tests of rlauxe
(JohnLCaron/rlauxe, ``TestShrinkTrunc``: "values from SHANGRLA"), and from
SHANGRLA's own ``tests/core/test_NonnegMean.py`` (pbstark/SHANGRLA).
"""

from __future__ import annotations

import itertools
import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from votetrail.core.audit.alpha import alpha_p_value, alpha_terms, truncated_shrinkage
from votetrail.errors import InvalidInput

LEADING_ONES = [1.0] * 5 + [0.0] * 5
LEADING_ZEROS = [0.0] * 5 + [1.0] * 5

# eta_j from SHANGRLA shrink_trunc with eta0 = 0.51, d = 10, c = (eta0 - 1/2)/2, u = 1,
# as printed in rlauxe TestShrinkTrunc (N = 10 unless N is None).
SHANGRLA_ETAS: list[tuple[list[float], int | None, list[float]]] = [
    (
        LEADING_ONES,
        10,
        [
            0.51,
            0.55454545,
            0.59166667,
            0.62307692,
            0.65,
            0.67333333,
            0.63125,
            0.59411765,
            0.56111111,
            0.53157895,
        ],
    ),
    (
        [1.0] * 6 + [0.0] * 4,
        10,
        [
            0.51,
            0.55454545,
            0.59166667,
            0.62307692,
            0.65,
            0.67333333,
            0.69375,
            0.65294118,
            0.61666667,
            0.58421053,
        ],
    ),
    (
        LEADING_ZEROS,
        None,
        [
            0.51,
            0.50150756,
            0.50144338,
            0.50138675,
            0.50133631,
            0.50129099,
            0.50125,
            0.50121268,
            0.50117851,
            0.50114708,
        ],
    ),
    # Only the first five: after five zeros of ten the null mean reaches u and the cap
    # (u(1 - eps) - eps_j in current SHANGRLA) takes over.
    (LEADING_ZEROS[:5], 10, [0.51, 0.55706311, 0.62644338, 0.71567246, 0.83466964]),
]


@pytest.mark.parametrize(("x", "population", "expected"), SHANGRLA_ETAS)
def test_truncated_shrinkage_matches_shangrla(
    x: list[float], population: int | None, expected: list[float]
) -> None:
    etas = truncated_shrinkage(x, N=population, eta0=0.51, d=10)
    assert etas == pytest.approx(expected, abs=5e-9)


def test_truncation_keeps_eta_below_the_upper_bound() -> None:
    # Once the null mean of what is left is 1, SHANGRLA's cap u(1 - eps) - c/sqrt(d+j-1).
    etas = truncated_shrinkage(LEADING_ZEROS, N=10, eta0=0.51, d=10)
    caps = [1 - 2.0**-52 - 0.005 / math.sqrt(10 + j - 1) for j in range(6, 11)]
    assert etas[5:] == pytest.approx(caps, rel=1e-12)


def test_hand_computed_with_replacement() -> None:
    # eta0 = 0.6, d = 2, c = 0.05: eta = 0.6, 2.2/3, 3.2/4; bets 0.6/0.5, (2.2/3)/0.5, 0.2/0.5.
    terms = alpha_terms([1, 1, 0], N=None, eta0=0.6, d=2)
    assert terms == pytest.approx([1.2, 1.2 * 2.2 / 1.5, 1.2 * 2.2 / 1.5 * 0.4])
    assert alpha_p_value([1, 1, 0], N=None, eta0=0.6, d=2) == pytest.approx(1 / 1.76)


def test_hand_computed_without_replacement() -> None:
    # N = 4, mu = 1/2: mu_2 = (2 - 1)/3, so the second bet is (2.2/3)/(1/3) = 2.2; then
    # mu_3 = 0 (the rest must be zeros under H0) and the zero drawn leaves T alone.
    terms = alpha_terms([1, 1, 0], N=4, eta0=0.6, d=2)
    assert terms == pytest.approx([1.2, 2.64, 2.64])
    assert alpha_p_value([1, 1, 0], N=4, eta0=0.6, d=2) == pytest.approx(1 / 2.64)


def test_fixed_alternative_limit_is_the_sprt() -> None:
    # SHANGRLA test_sample_size: with eta fixed at 0.75, ((.75/.5)*1)**8 = 25.6 > 1/0.05.
    assert alpha_p_value([1.0] * 8, N=None, eta0=0.75, d=10**12) == pytest.approx(1.5**-8)


def test_all_halves_carry_no_evidence() -> None:
    # SHANGRLA test_alpha_mart: a sample of 1/2s has P-value 1 for a null mean of 1/2.
    assert alpha_p_value([0.5] * 5, N=10**6) == 1.0
    assert alpha_terms([0.5] * 5, N=10**6) == pytest.approx([1.0] * 5)


def test_sample_total_above_n_mu_makes_the_null_impossible() -> None:
    # SHANGRLA test_alpha_mart: N = 7, mu = 3/7; four ones exceed N * mu = 3.
    s1 = [1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0]
    s2 = [*s1[:-1], 0.0]
    t1, t2 = alpha_terms(s1, N=7, mu=3 / 7), alpha_terms(s2, N=7, mu=3 / 7)
    assert t1[:-1] == t2[:-1]
    assert t1[-1] == math.inf
    assert alpha_p_value(s1, N=7, mu=3 / 7) == 0.0
    # s2 is the whole population, with mean exactly 3/7: the null is true.
    assert alpha_p_value(s2, N=7, mu=3 / 7) == 1.0


def test_p_value_is_zero_as_soon_as_the_total_passes_n_mu() -> None:
    terms = alpha_terms([1.0, 1.0, 1.0, 0.0], N=5)
    assert terms[2:] == [math.inf, math.inf]
    assert alpha_p_value([1.0, 1.0, 1.0], N=5) == 0.0


def test_a_sample_that_proves_the_null_gives_p_one() -> None:
    # One 1 then six 0s of N = 10: at most 1 + 3 = 4 < 5 ones in all, so the mean is
    # certainly below 1/2, whatever evidence the first draw seemed to give.
    x = [1.0] + [0.0] * 6
    assert alpha_terms(x[:1], N=10)[0] > 1
    assert alpha_p_value(x, N=10) == 1.0
    assert alpha_terms(x, N=10)[-1] == 0.0


def test_without_replacement_approaches_with_replacement_as_n_grows() -> None:
    rng = random.Random(20260317)
    x = [float(rng.random() < 0.6) for _ in range(300)]
    with_replacement = alpha_terms(x, N=None, eta0=0.6)
    gaps = [
        max(
            abs(a / b - 1)
            for a, b in zip(alpha_terms(x, N=n, eta0=0.6), with_replacement, strict=True)
        )
        for n in (10**4, 10**6, 10**8)
    ]
    # The finite-population correction to mu_j is O(1/N), so the gap shrinks like 1/N.
    assert gaps[1] < gaps[0] / 50
    assert gaps[2] < gaps[1] / 50
    assert gaps[2] < 1e-4


def test_without_replacement_is_never_weaker_for_a_winner_heavy_sample() -> None:
    # Drawing winners from a finite population lowers the null mean of what is left.
    x = [1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0, 1.0]
    assert alpha_p_value(x, N=50) < alpha_p_value(x, N=None)


@given(
    st.lists(st.sampled_from([0.0, 0.5, 1.0]), min_size=1, max_size=40),
    st.integers(min_value=0, max_value=10**6),
)
def test_raising_the_last_value_never_raises_p(prefix: list[float], extra: int) -> None:
    population = len(prefix) + extra
    low = alpha_terms([*prefix[:-1], 0.0], N=population)
    high = alpha_terms([*prefix[:-1], 1.0], N=population)
    assert high[-1] >= low[-1]


@given(st.lists(st.floats(min_value=0, max_value=1), min_size=1, max_size=60))
def test_p_value_never_increases_as_the_sample_grows(x: list[float]) -> None:
    p = [alpha_p_value(x[:n], N=None) for n in range(1, len(x) + 1)]
    assert all(later <= earlier for earlier, later in itertools.pairwise(p))
    assert all(0.0 <= value <= 1.0 for value in p)


def test_more_winners_means_lower_risk() -> None:
    weak = alpha_p_value([1.0, 0.0] * 20 + [1.0] * 10, N=None)
    strong = alpha_p_value([1.0, 0.0] * 20 + [1.0] * 30, N=None)
    assert strong < weak < 1.0


def test_empty_sample_has_p_one() -> None:
    assert alpha_p_value([], N=100) == 1.0
    assert alpha_terms([], N=None) == []


@pytest.mark.parametrize(
    ("kwargs", "where"),
    [
        ({"x": [0.2, 1.5], "N": None}, "sample value 2 (1.5)"),
        ({"x": [-0.1], "N": None}, "sample value 1 (-0.1)"),
        ({"x": [math.nan], "N": None}, "sample value 1"),
        ({"x": [1, 1, 1], "N": 2}, "sample"),
        ({"x": [1], "N": 0}, "N 0"),
        ({"x": [1], "N": True}, "N True"),
        ({"x": [1], "N": None, "mu": 1.0}, "mu 1.0"),
        ({"x": [1], "N": None, "mu": 0.0}, "mu 0.0"),
        ({"x": [1], "N": None, "upper": -1.0, "mu": 0.5}, "upper bound -1.0"),
        ({"x": [1], "N": None, "eta0": 0.5}, "eta0 0.5"),
        ({"x": [1], "N": None, "eta0": 1.2}, "eta0 1.2"),
        ({"x": [1], "N": None, "d": 0}, "d 0"),
        ({"x": [1], "N": None, "c": -0.1}, "c -0.1"),
    ],
)
def test_bad_input_names_the_value(kwargs: dict[str, object], where: str) -> None:
    x = kwargs.pop("x")
    with pytest.raises(InvalidInput) as caught:
        alpha_p_value(x, **kwargs)  # type: ignore[arg-type]
    assert caught.value.where is not None
    assert caught.value.where.startswith(where)
