"""Ballot polling: BRAVO against rlacalc and the BRAVO paper, ALPHA on assertions, decisions.

Sources of the published numbers:

* BRAVO = Lindeman, Stark & Yates, "BRAVO: Ballot-polling Risk-limiting Audits
  to Verify Outcomes", EVT/WOTE 2012, Table 1 (risk limit 10%, sampling with
  replacement, the reported share is the true share): percentiles of the number
  of ballots drawn before the audit stops, and the mean, by margin. Transcribed
  from gwexploratoryaudits/brla_explore, B2Audits/Scripts/BravoTableError.m,
  whose margins (0.4 ... 0.01) are listed in B2Audits/Scripts/B2BRAVOTestScript.m.
* rlacalc 0.4.0 (McBurnett) doctests: ``ballot_polling_risk_level`` for the
  Custer and Las Animas County 2018 Colorado audits, and ``findAsn`` for margins
  20%, 4% and 1% "based on table 1 in BRAVO".
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable, Sequence

import pytest
import rlacalc

from votetrail.core.audit.alpha import alpha_p_value
from votetrail.core.audit.assertions import BallotVotes, Contest, ContestKind, assertions
from votetrail.core.audit.polling import (
    PollingMeasurement,
    alpha_polling_risk,
    bravo_asn,
    bravo_contest_risks,
    bravo_contest_sample_size,
    bravo_finish_probability,
    bravo_risk,
    bravo_sample_size,
    decide,
    measure,
)
from votetrail.core.audit.types import Decision, RiskLimit
from votetrail.errors import InvalidInput

# BRAVO Table 1: margin -> (25th, 50th, 75th, 90th, 99th percentile, mean) ballots drawn.
BRAVO_TABLE_1: dict[float, tuple[int, int, int, int, int, int]] = {
    0.40: (12, 22, 38, 60, 131, 30),
    0.30: (23, 38, 66, 108, 236, 53),
    0.20: (49, 84, 149, 244, 538, 119),
    0.16: (77, 131, 231, 381, 840, 184),
    0.10: (193, 332, 587, 974, 2157, 469),
    0.08: (301, 518, 916, 1520, 3366, 730),
    0.06: (531, 914, 1619, 2700, 5980, 1294),
    0.04: (1188, 2051, 3637, 6053, 13455, 2900),
    0.02: (4725, 8157, 14486, 24149, 53640, 11556),
    0.01: (18839, 32547, 57838, 96411, 214491, 46126),
}
QUANTILES = (0.25, 0.5, 0.75, 0.9, 0.99)

# rlacalc 0.4.0 doctests (Colorado 2018 county audits): reported votes, sampled votes, risk.
RLACALC_RISKS = [
    ((1410, 1132, 170, 135), 0.1342382069344729),  # Custer County 2018
    ((2894, 1695, 45, 32), 0.47002027242290234),  # Las Animas County 2018
]

# rlacalc 0.4.0 findAsn doctests, risk limit 10%: margin -> ASN rounded up.
RLACALC_ASN = {0.20: 119, 0.04: 2902, 0.01: 46151}


@pytest.mark.parametrize(("counts", "risk"), RLACALC_RISKS)
def test_published_county_risks(counts: tuple[int, int, int, int], risk: float) -> None:
    assert bravo_risk(*counts) == pytest.approx(risk, rel=1e-12)


def test_matches_rlacalc_on_random_contests() -> None:
    rng = random.Random(20121108)
    for _ in range(3000):
        loser = rng.randint(1, 10 ** rng.randint(1, 7))
        winner = loser + rng.randint(1, 10 ** rng.randint(0, 7))
        scale = 10 ** rng.randint(0, 4)
        won, lost = rng.randint(0, scale), rng.randint(0, scale)
        expected = min(1.0, rlacalc.ballot_polling_risk_level(winner, loser, won, lost))
        assert math.isclose(bravo_risk(winner, loser, won, lost), expected, rel_tol=1e-9), (
            winner,
            loser,
            won,
            lost,
        )


def test_deviations_from_rlacalc() -> None:
    # rlacalc reports risks above 1 when the sample favours the loser; a risk is capped at 1.
    assert rlacalc.ballot_polling_risk_level(600, 400, 10, 30) > 1
    assert bravo_risk(600, 400, 10, 30) == 1.0
    # rlacalc returns NaN when the loser has no votes (log 0); the limit is 2**-draws.
    assert math.isnan(rlacalc.ballot_polling_risk_level(2894, 0, 30, 0))
    assert bravo_risk(2894, 0, 30, 0) == pytest.approx(2.0**-30)
    assert bravo_risk(2894, 0, 30, 1) == 1.0
    # Sampled counts above the reported votes are evidence (draws are with replacement).
    assert bravo_risk(3, 2, 40, 1) == pytest.approx(1 / (1.2**40 * 0.8))


@pytest.mark.parametrize(("margin", "row"), BRAVO_TABLE_1.items())
def test_asn_formula_tracks_the_published_mean(
    margin: float, row: tuple[int, int, int, int, int, int]
) -> None:
    # BRAVO eq. (5) is Wald's approximation; the table's mean is from simulation.
    asn = bravo_asn((1 + margin) / 2, (1 - margin) / 2, RiskLimit(0.1))
    assert asn == pytest.approx(row[5], rel=0.006)


@pytest.mark.parametrize(("margin", "asn"), RLACALC_ASN.items())
def test_asn_matches_rlacalc(margin: float, asn: int) -> None:
    assert math.ceil(bravo_asn((1 + margin) / 2, (1 - margin) / 2, 0.1)) == asn


def test_asn_counts_other_ballots_and_earlier_evidence() -> None:
    two_way = bravo_asn(0.55, 0.45, 0.1)
    # Half the ballots carry neither candidate: twice the draws for the same evidence.
    assert bravo_asn(0.275, 0.225, 0.1) == pytest.approx(2 * two_way)
    assert bravo_asn(0.55, 0.45, 0.1, current_risk=0.5) < two_way
    assert bravo_asn(0.55, 0.45, 0.1, current_risk=0.05) == 0.0


def _sequential_bravo(margin: float, alpha: float) -> tuple[list[int], float]:
    """Exact law of when ballot-by-ballot BRAVO (bravo_risk after every draw) stops.

    alive[i] is the chance of low + i winner draws so far without having
    stopped; the audit stops at the smallest winner count whose risk is within
    the limit. Rows whose chance is below 1e-18 are dropped from the bottom.
    """
    winner = round(10**6 * (1 + margin) / 2)
    loser, share = 10**6 - winner, (1 + margin) / 2
    alive, low, k_stop, n = [1.0], 0, 0, 0
    stopped = mean = 0.0
    percentiles: list[int] = []
    while stopped < 1 - 1e-7:
        n += 1
        alive = [
            a * (1 - share) + b * share for a, b in zip([*alive, 0.0], [0.0, *alive], strict=True)
        ]
        while k_stop <= n and bravo_risk(winner, loser, k_stop, n - k_stop) > alpha:
            k_stop += 1
        now = sum(alive[k_stop - low :])
        stopped, mean = stopped + now, mean + n * now
        alive = alive[: k_stop - low]
        while alive and alive[0] < 1e-18:
            alive, low = alive[1:], low + 1
        while len(percentiles) < len(QUANTILES) and stopped >= QUANTILES[len(percentiles)]:
            percentiles.append(n)
    return percentiles, mean


@pytest.mark.parametrize("margin", [0.40, 0.30, 0.20, 0.16, 0.10, 0.08])
def test_bravo_risk_reproduces_table_1_percentiles(margin: float) -> None:
    """Checking bravo_risk after each draw is the paper's procedure: same stopping law."""
    percentiles, mean = _sequential_bravo(margin, 0.1)
    published = BRAVO_TABLE_1[margin]
    for exact, simulated in zip(percentiles, published[:5], strict=True):
        assert abs(exact - simulated) <= max(1, 0.003 * simulated)
    assert abs(mean - published[5]) <= 1


@pytest.mark.parametrize(("margin", "row"), BRAVO_TABLE_1.items())
def test_end_of_round_size_needs_at_least_the_sequential_quantile(
    margin: float, row: tuple[int, int, int, int, int, int]
) -> None:
    # Measuring only at the end of the round can never finish sooner than checking
    # after every draw, so each round size is at least the published percentile.
    for quantile, sequential in zip(QUANTILES, row[:5], strict=True):
        size = bravo_sample_size((1 + margin) / 2, 0.1, quantile=quantile)
        assert sequential <= size <= 2 * sequential


def test_finish_probability_is_the_exact_binomial_chance() -> None:
    for draws in (0, 7, 50, 137, 400):
        by_enumeration = sum(
            math.comb(draws, k) * 0.6**k * 0.4 ** (draws - k)
            for k in range(draws + 1)
            if bravo_risk(600, 400, k, draws - k) <= 0.1
        )
        assert bravo_finish_probability(0.6, 0.1, draws) == pytest.approx(by_enumeration, abs=1e-12)


def test_finish_probability_counts_earlier_rounds() -> None:
    assert bravo_finish_probability(0.6, 0.1, 20, winner_sampled=60, loser_sampled=30) == 1.0
    assert bravo_finish_probability(0.6, 0.1, 20, winner_sampled=30, loser_sampled=60) < 0.01
    assert bravo_finish_probability(1.0, 0.1, 4) == 1.0  # 2**4 = 16 >= 10
    assert bravo_finish_probability(1.0, 0.1, 3) == 0.0
    assert bravo_finish_probability(1.0, 0.1, 50, loser_sampled=1) == 0.0


@pytest.mark.parametrize(("share", "quantile"), [(0.6, 0.9), (0.55, 0.5), (0.52, 0.8), (0.7, 0.99)])
def test_sample_size_is_where_the_chance_first_reaches_the_quantile(
    share: float, quantile: float
) -> None:
    size = bravo_sample_size(share, 0.05, quantile=quantile)
    assert bravo_finish_probability(share, 0.05, size) >= quantile
    assert bravo_finish_probability(share, 0.05, size - 1) < quantile


def test_sample_size_with_other_ballots_finishes_as_often_as_promised() -> None:
    # 48% winner, 32% loser, 20% neither: the size is scaled by 1/0.8 (as Arlo does).
    size = bravo_sample_size(0.6, 0.1, quantile=0.9, pair_fraction=0.8)
    assert size == math.ceil(bravo_sample_size(0.6, 0.1, quantile=0.9) / 0.8)
    rng, runs, finished = random.Random(7), 2000, 0
    for _ in range(runs):
        draws = [rng.random() for _ in range(size)]
        won, lost = sum(d < 0.48 for d in draws), sum(0.48 <= d < 0.8 for d in draws)
        finished += bravo_risk(600, 400, won, lost) <= 0.1
    assert finished / runs >= 0.9 - 3 * math.sqrt(0.9 * 0.1 / runs)


def test_sample_size_edges() -> None:
    assert bravo_sample_size(0.6, 0.1, winner_sampled=100, loser_sampled=10) == 0
    assert bravo_sample_size(0.5001, 0.1, cap=5000) == 5000
    assert bravo_sample_size(1.0, 0.1) == 4
    with pytest.raises(InvalidInput, match="too small"):
        bravo_sample_size(0.5 + 1e-9, 0.1)


CITY = Contest("city", {"ann": 500, "bob": 300, "cy": 150}, ballots=1000)


def test_multi_candidate_bravo_takes_every_pair() -> None:
    risks = bravo_contest_risks(CITY, {"ann": 60, "bob": 30, "cy": 10})
    assert set(risks) == {a.id for a in assertions(CITY)}
    assert risks["city:ann>bob"] == bravo_risk(500, 300, 60, 30)
    assert risks["city:ann>cy"] == bravo_risk(500, 150, 60, 10)
    assert risks["city:ann>bob"] > risks["city:ann>cy"]


def test_multi_candidate_sample_size_is_the_hardest_pair() -> None:
    size = bravo_contest_sample_size(CITY, 0.1, quantile=0.9)
    hardest = bravo_sample_size(500 / 800, 0.1, quantile=0.9, pair_fraction=0.8, cap=1000)
    assert size == hardest
    assert bravo_contest_sample_size(CITY, 0.1, sampled={"ann": 200, "bob": 60, "cy": 20}) == 0


def test_bravo_refuses_what_it_cannot_audit() -> None:
    measure_a = Contest(
        "m", {"yes": 70, "no": 29}, ballots=100, kind=ContestKind.SUPERMAJORITY, fraction=2 / 3
    )
    with pytest.raises(InvalidInput, match="ALPHA"):
        bravo_contest_risks(measure_a, {"yes": 3})
    with pytest.raises(InvalidInput, match="unknown choices \\['dee'\\]"):
        bravo_contest_risks(CITY, {"dee": 3})
    with pytest.raises(InvalidInput, match="'bob' -1"):
        bravo_contest_risks(CITY, {"bob": -1})


COUNCIL = Contest("council", {"a": 40, "b": 25, "c": 20}, ballots=100)
MEASURE = Contest(
    "measure", {"yes": 80, "no": 15}, ballots=100, kind=ContestKind.SUPERMAJORITY, fraction=0.6
)
A_AND_YES: BallotVotes = {"council": {"a"}, "measure": {"yes"}}
B_ONLY: BallotVotes = {"council": {"b"}}  # a ballot style without the measure
BOTH: Sequence[BallotVotes] = [A_AND_YES] * 12 + [B_ONLY] * 2


def test_one_sample_measures_several_contests_with_alpha() -> None:
    found = assertions(COUNCIL) + assertions(MEASURE)
    risks = alpha_polling_risk(found, BOTH)
    assert set(risks) == {"council:a>b", "council:a>c", "measure:yes>3/5"}
    for assertion in found:
        values = [assertion.assort(ballot) for ballot in BOTH]
        assert risks[assertion.id] == alpha_p_value(
            values, N=100, upper=assertion.upper, eta0=assertion.reported_mean
        )
    # The measure's ballots without the council contest assort to 1/2 for it.
    assert risks["measure:yes>3/5"] < risks["council:a>b"] < 1


def test_alpha_polling_with_replacement_and_learning_weight() -> None:
    found = assertions(COUNCIL)
    with_replacement = alpha_polling_risk(found, BOTH, replacement=True)
    without = alpha_polling_risk(found, BOTH)
    assert all(without[key] < with_replacement[key] for key in without)
    assert alpha_polling_risk(found, BOTH, d=10) != without


def test_alpha_polling_refuses_bad_samples() -> None:
    found = assertions(COUNCIL)
    with pytest.raises(InvalidInput, match="appears twice"):
        alpha_polling_risk(found + found, BOTH)
    with pytest.raises(
        InvalidInput, match="101 draws without replacement from a population of 100"
    ):
        alpha_polling_risk(found, [{"council": {"a"}}] * 101)


def test_alpha_polling_confirms_only_when_the_sample_shows_the_winner() -> None:
    contest = Contest("mayor", {"w": 600, "l": 400}, ballots=1000)
    found = assertions(contest)
    strong = [{"mayor": {"w"}}] * 60 + [{"mayor": {"l"}}] * 30
    reversed_sample = [{"mayor": {"l"}}] * 60 + [{"mayor": {"w"}}] * 30
    assert alpha_polling_risk(found, strong)["mayor:w>l"] < 0.01
    assert alpha_polling_risk(found, reversed_sample)["mayor:w>l"] == 1.0


@pytest.mark.parametrize(
    ("risk", "sampled", "decision"),
    [
        (0.05, 100, Decision.CONFIRMED),
        (0.049, 100, Decision.CONFIRMED),
        (0.051, 100, Decision.CONTINUE),
        (0.5, 999, Decision.CONTINUE),
        (0.5, 1000, Decision.FULL_HAND_COUNT),
        (0.01, 1000, Decision.CONFIRMED),
    ],
)
def test_decide(risk: float, sampled: int, decision: Decision) -> None:
    assert decide(risk, RiskLimit(0.05), ballots_sampled=sampled, ballots_cast=1000) is decision


def test_measure_reports_every_risk_and_the_largest() -> None:
    result = measure({"a": 0.01, "b": 0.2}, 0.05, ballots_sampled=50, ballots_cast=1000)
    assert result == PollingMeasurement({"a": 0.01, "b": 0.2}, 0.2, Decision.CONTINUE)
    assert measure({"a": 0.01}, 0.05, ballots_sampled=50, ballots_cast=1000).decision is (
        Decision.CONFIRMED
    )
    with pytest.raises(TypeError):
        result.risks["a"] = 0.0  # type: ignore[index]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: bravo_risk(500, 500, 10, 10), "winner votes 500, loser votes 500"),
        (lambda: bravo_risk(400, 600, 10, 10), "winner votes 400, loser votes 600"),
        (lambda: bravo_risk(0, 0, 0, 0), "winner votes 0, loser votes 0"),
        (lambda: bravo_risk(-5, 2, 1, 1), "winner votes -5"),
        (lambda: bravo_risk(5, 2, -1, 1), "winner votes sampled -1"),
        (lambda: bravo_risk(5, 2, 1, -1), "loser votes sampled -1"),
        (lambda: bravo_risk(5, 2, True, 1), "winner votes sampled True"),
        (lambda: bravo_risk(5, 2.0, 1, 1), "loser votes 2.0"),  # type: ignore[arg-type]
        (lambda: bravo_asn(0.4, 0.5, 0.1), "vote shares 0.4, 0.5"),
        (lambda: bravo_asn(0.6, 0.4, 1.5), "risk limit 1.5"),
        (lambda: bravo_sample_size(0.5, 0.1), "winner share 0.5"),
        (lambda: bravo_sample_size(0.6, 0.1, quantile=1.0), "quantile 1.0"),
        (lambda: bravo_sample_size(0.6, 0.1, pair_fraction=0.0), "pair fraction 0.0"),
        (lambda: bravo_finish_probability(0.6, 0.1, -3), "draws -3"),
        (lambda: decide(0.2, 0.05, ballots_sampled=11, ballots_cast=10), "polling audit"),
        (lambda: decide(1.2, 0.05, ballots_sampled=1, ballots_cast=10), "risk 1.2"),
        (lambda: decide(0.2, 0.05, ballots_sampled=-1, ballots_cast=10), "ballots sampled -1"),
        (lambda: measure({}, 0.05, ballots_sampled=1, ballots_cast=10), "polling audit"),
    ],
)
def test_bad_input_names_the_value(call: Callable[[], object], message: str) -> None:
    with pytest.raises(InvalidInput, match=re.escape(message)):
        call()
