"""The Threshold Random Walk against hand computation from the paper's formulas.

Source of the formulas and default values: J. Jung, V. Paxson, A. W. Berger,
H. Balakrishnan, "Fast Portscan Detection Using Sequential Hypothesis
Testing", IEEE Symposium on Security and Privacy, 2004: θ0 = 0.8, θ1 = 0.2,
PD = 0.99, PF = 0.01; η1 = PD/PF, η0 = (1−PD)/(1−PF); a success multiplies
Λ by θ1/θ0, a failure by (1−θ1)/(1−θ0).
"""

from __future__ import annotations

import pytest

from votetrail.core.netmon.trw import TrwFactors, TrwParams, TrwWalk, Verdict
from votetrail.errors import InvalidInput

PAPER = TrwParams()

# (params, eta1, eta0, success factor, failure factor), each computed by hand
THRESHOLDS = [
    (PAPER, 99.0, 0.01 / 0.99, 0.25, 4.0),
    (TrwParams(0.9, 0.1, 0.999, 0.001), 999.0, 0.001 / 0.999, 1 / 9, 9.0),
    (TrwParams(0.8, 0.4, 0.8, 0.1), 8.0, 0.2 / 0.9, 0.5, 3.0),
]


@pytest.mark.parametrize(("params", "eta1", "eta0", "success", "failure"), THRESHOLDS)
def test_thresholds_and_factors(
    params: TrwParams, eta1: float, eta0: float, success: float, failure: float
) -> None:
    assert params.eta1 == pytest.approx(eta1)
    assert params.eta0 == pytest.approx(eta0)
    assert params.success_factor == pytest.approx(success)
    assert params.failure_factor == pytest.approx(failure)


def test_paper_defaults() -> None:
    assert (PAPER.theta0, PAPER.theta1, PAPER.detection, PAPER.false_positive) == (
        0.8,
        0.2,
        0.99,
        0.01,
    )


P, B, S = Verdict.PENDING, Verdict.BENIGN, Verdict.SCANNER

# (params, outcomes as "s"/"f", verdict after each step, final Λ), by hand:
# with the paper's values failures go 4, 16, 64, 256 ≥ 99 and successes go
# 0.25, 0.0625, 0.015625 (> 0.0101), 0.00390625 ≤ 0.0101.
DECISIONS = [
    (PAPER, "ffff", [P, P, P, S], 256.0),
    (PAPER, "fff", [P, P, P], 64.0),
    (PAPER, "ssss", [P, P, P, B], 1.0),
    (PAPER, "sss", [P, P, P], 0.015625),
    (PAPER, "fsfff", [P, P, P, P, P], 64.0),
    (PAPER, "fsffff", [P, P, P, P, P, S], 256.0),
    (PAPER, "ssssf", [P, P, P, B, P], 4.0),
    (PAPER, "ffffss", [P, P, P, S, S, S], 256.0),
    (PAPER, "ssffffff", [P, P, P, P, P, P, P, S], 256.0),
    # θ0 = 0.9, θ1 = 0.1, PD = 0.999, PF = 0.001: 9³ = 729 < 999 ≤ 9⁴ = 6561
    (TrwParams(0.9, 0.1, 0.999, 0.001), "ffff", [P, P, P, S], 6561.0),
    # θ0 = 0.8, θ1 = 0.4, PD = 0.8, PF = 0.1: η1 = 8 ≤ 3² = 9; η0 = 0.2/0.9 ≈ 0.222,
    # 0.5² = 0.25 above it, 0.5³ = 0.125 below
    (TrwParams(0.8, 0.4, 0.8, 0.1), "ff", [P, S], 9.0),
    (TrwParams(0.8, 0.4, 0.8, 0.1), "ss", [P, P], 0.25),
    (TrwParams(0.8, 0.4, 0.8, 0.1), "sss", [P, P, B], 1.0),
]


@pytest.mark.parametrize(("params", "outcomes", "verdicts", "ratio"), DECISIONS)
def test_walk_decisions(
    params: TrwParams, outcomes: str, verdicts: list[Verdict], ratio: float
) -> None:
    walk = TrwWalk(TrwFactors.of(params))
    assert [walk.observe(o == "s") for o in outcomes] == verdicts
    assert walk.ratio == pytest.approx(ratio)
    assert walk.is_scanner is (verdicts[-1] is S)


@pytest.mark.parametrize(
    "arguments",
    [
        (0.0, 0.2, 0.99, 0.01),
        (0.8, 1.0, 0.99, 0.01),
        (0.2, 0.8, 0.99, 0.01),
        (0.8, 0.2, 0.01, 0.99),
        (0.8, 0.2, 0.99, 1.5),
    ],
)
def test_impossible_parameters_are_refused(arguments: tuple[float, float, float, float]) -> None:
    with pytest.raises(InvalidInput):
        TrwParams(*arguments)
