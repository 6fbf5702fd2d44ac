"""Columnar risk gives the per-card numbers: bit for bit for counts, to 1e-12 for ALPHA.

The reference is the former per-card path, kept in ``per_card_reference``.
Samples are seeded random audits with the awkward cases mixed in: phantoms and
missing paper, two-vote over- and understatements, all-agree samples, cards
without the contest, overvotes, a contest nobody sampled, populations so small
that the sample settles the question, and rounds measured one after another
so the stopping decision is compared round by round.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pyarrow as pa
import pytest

from tests.core.audit import per_card_reference as reference
from votetrail.core.audit import columns, comparison, polling
from votetrail.core.audit.alpha import alpha_p_value, alpha_p_value_coded
from votetrail.core.audit.assertions import Contest, ContestKind, assertions
from votetrail.core.audit.comparison import ABSENT, NO_CONTEST, CardVotes, votes_for
from votetrail.errors import InvalidInput
from votetrail.formats.audit.inputs import ComparedCard, PolledBallot
from votetrail.services.audit.rounds import Method, RiskReport, measure_risk, sample_columns

RELATIVE = 1e-12


def _close(new: float, old: float) -> bool:
    return new == old or abs(new - old) <= RELATIVE * max(abs(new), abs(old))


def _contests(rng: random.Random, ballots: int, count: int) -> list[Contest]:
    out: list[Contest] = []
    for i in range(count):
        shape = rng.choice(["plurality", "plurality3", "vote_for_n", "approval"])
        if shape == "vote_for_n":
            votes = {"A": ballots // 2 + 7, "B": ballots // 2 - 1, "C": ballots // 3}
            out.append(Contest(f"c{i}", votes, ballots, 2, ContestKind.VOTE_FOR_N))
        elif shape == "approval":
            votes = {"A": ballots // 2 + 3, "B": ballots // 3, "C": ballots // 4}
            out.append(Contest(f"c{i}", votes, ballots, 1, ContestKind.APPROVAL))
        else:
            names = ["A", "B", "C"] if shape == "plurality3" else ["A", "B"]
            lead = rng.randint(1, max(1, ballots // 5))
            b = rng.randint(0, (ballots - lead) // len(names))
            votes = {"A": b + lead, "B": b} | ({"C": b // 2} if len(names) == 3 else {})
            out.append(Contest(f"c{i}", votes, ballots))
    return out


def _polled(rng: random.Random, found: list[Contest], n: int) -> list[PolledBallot]:
    sample = []
    for i in range(n):
        votes: dict[str, frozenset[str]] = {}
        for contest in found:
            roll = rng.random()
            if roll < 0.1:
                continue  # the contest is not on this ballot
            choices = list(contest.choices)
            if roll < 0.15:
                votes[contest.id] = frozenset()  # blank
            elif roll < 0.2:
                votes[contest.id] = frozenset(choices)  # overvote (an approval ballot's all)
            else:
                votes[contest.id] = frozenset({rng.choice(choices[:2] + choices[:1])})
        sample.append(PolledBallot(f"b{i}", votes))
    return sample


def _record(rng: random.Random, choices: list[str]) -> CardVotes:
    roll = rng.random()
    if roll < 0.02:
        return ABSENT
    if roll < 0.05:
        return NO_CONTEST
    if roll < 0.1:
        return votes_for()
    return votes_for(rng.choice(choices))


def _compared(rng: random.Random, found: list[Contest], n: int, error: float) -> list[ComparedCard]:
    cards = []
    readings: dict[tuple[CardVotes, CardVotes], int] = {}
    numbered = rng.random() < 0.5
    for i in range(n):
        for contest in found:
            if rng.random() < 0.1:
                continue  # the card does not carry the contest: no row
            choices = list(contest.choices)
            cvr = _record(rng, choices)
            paper = _record(rng, choices) if rng.random() < error else cvr
            key = readings.setdefault((cvr, paper), len(readings)) if numbered else -1
            cards.append(ComparedCard(f"b{i}", contest.id, cvr, paper, key))
    return cards


def _same(new: RiskReport, old: RiskReport, exact: bool) -> None:
    assert [r.assertion for r in new.risks] == [r.assertion for r in old.risks]
    for a, b in zip(new.risks, old.risks, strict=True):
        assert (a.diluted_margin, a.o1, a.o2, a.u1, a.u2) == (
            b.diluted_margin,
            b.o1,
            b.o2,
            b.u1,
            b.u2,
        ), a.assertion
        if exact:
            assert a.risk == b.risk, a.assertion
        else:
            assert _close(a.risk, b.risk), (a.assertion, a.risk, b.risk)
    assert _close(new.max_risk, old.max_risk)
    assert (new.decision, new.ballots_sampled, new.ballots_cast) == (
        old.decision,
        old.ballots_sampled,
        old.ballots_cast,
    )


@pytest.mark.parametrize("seed", range(12))
def test_polling_risk_matches_the_per_card_path_round_by_round(seed: int) -> None:
    rng = random.Random(seed)
    ballots = rng.choice([60, 400, 100_000])
    found = _contests(rng, ballots, rng.randint(1, 5))
    sample = _polled(rng, found, min(ballots, rng.randint(0, 300)))
    plain = [c for c in found if c.kind is not ContestKind.SUPERMAJORITY]
    for size in sorted({0, len(sample) // 3, len(sample) // 2, len(sample)}):
        for method, exact in ((Method.BRAVO, True), (Method.ALPHA_POLLING, False)):
            risk_limit = rng.choice([0.05, 0.1, 0.2])
            new = measure_risk(plain, method, risk_limit, polled=sample[:size])
            old = reference.measure_risk(plain, method, risk_limit, polled=sample[:size])
            _same(new, old, exact)


@pytest.mark.parametrize("seed", range(12))
def test_comparison_risk_matches_the_per_card_path_round_by_round(seed: int) -> None:
    rng = random.Random(1000 + seed)
    ballots = rng.choice([80, 500, 3_000_000])
    found = _contests(rng, ballots, rng.randint(1, 4))
    error = rng.choice([0.0, 0.0, 0.01, 0.2, 1.0])  # 0: every card agrees
    cards = _compared(rng, found, min(ballots, rng.randint(0, 60)), error)
    # a contest with no sampled card at all
    found.append(Contest("unsampled", {"A": ballots // 2, "B": ballots // 3}, ballots))
    for cut in sorted({0, len(cards) // 2, len(cards)}):
        for method, exact in ((Method.COMPARISON, True), (Method.ALPHA_COMPARISON, False)):
            new = measure_risk(found, method, 0.05, compared=cards[:cut])
            old = reference.measure_risk(found, method, 0.05, compared=cards[:cut])
            _same(new, old, exact)


def test_columns_given_directly_give_the_same_report() -> None:
    rng = random.Random(7)
    found = _contests(rng, 5000, 3)
    cards = _compared(rng, found, 50, 0.1)
    sample = _polled(rng, found, 50)
    assert measure_risk(
        found, Method.COMPARISON, 0.05, compared_columns=sample_columns(cards)
    ) == measure_risk(found, Method.COMPARISON, 0.05, compared=cards)
    polls = columns.polling_columns([b.votes for b in sample])
    assert measure_risk(found, Method.BRAVO, 0.05, polled_columns=polls) == measure_risk(
        found, Method.BRAVO, 0.05, polled=sample
    )


def test_alpha_polling_risk_matches_with_supermajority_and_replacement() -> None:
    rng = random.Random(3)
    supermajority = Contest(
        "measure",
        {"yes": 700, "no": 250},
        1000,
        kind=ContestKind.SUPERMAJORITY,
        fraction=Fraction(3, 5),
    )
    pair = Contest("mayor", {"A": 600, "B": 350}, 1000)
    found = [*assertions(supermajority), *assertions(pair)]
    sample = [
        {"measure": frozenset({rng.choice(["yes", "yes", "no"])}), "mayor": frozenset({"A"})}
        if rng.random() < 0.9
        else {}
        for _ in range(400)
    ]
    for replacement in (False, True):
        for d in (1, 100, 5000):
            new = polling.alpha_polling_risk(found, sample, replacement=replacement, d=d)
            old = reference.alpha_polling_risk(found, sample, replacement=replacement, d=d)
            assert new.keys() == old.keys()
            for key in new:
                assert _close(new[key], old[key]), (key, new[key], old[key])


@pytest.mark.parametrize("seed", range(40))
def test_coded_alpha_matches_the_per_draw_loop(seed: int) -> None:
    """Including samples that settle the question: total above N mu, or H0 proven."""
    rng = random.Random(seed)
    table = rng.choice(
        [[0.0, 0.5, 1.0], [0.5, 0.0, 0.75], [0.5 / 1.01, 1 / 1.01, 0.0, 1.5 / 1.01, 2 / 1.01]]
    )
    upper = max(table)
    n = rng.randint(0, 400)
    codes = rng.choices(range(len(table)), weights=[rng.random() for _ in table], k=n)
    population = rng.choice([None, max(1, n), n + rng.randint(1, 20), 3_000_000])
    eta0 = rng.uniform(0.5 + 1e-6, upper)
    d = rng.choice([1, 10, 100, 1000])
    old = alpha_p_value([table[c] for c in codes], N=population, upper=upper, eta0=eta0, d=d)
    new = alpha_p_value_coded(
        pa.array(codes, pa.int32()), table, N=population, upper=upper, eta0=eta0, d=d
    )
    assert _close(new, old), (new, old)


def test_settled_samples_give_zero_and_one_like_the_loop() -> None:
    # every ballot drawn and all for the winner: H0 impossible, P-value 0
    assert alpha_p_value_coded(pa.array([2] * 10, pa.int32()), [0.0, 0.5, 1.0], N=10) == 0.0
    assert alpha_p_value([1.0] * 10, N=10) == 0.0
    # all for the loser among most of the population: H0 proven, P-value 1
    assert alpha_p_value_coded(pa.array([0] * 8, pa.int32()), [0.0, 0.5, 1.0], N=10) == 1.0
    assert alpha_p_value([0.0] * 8, N=10) == 1.0


def test_halves_give_the_same_bits() -> None:
    """Plurality assorter values are halves: every running total is exact both ways."""
    rng = random.Random(11)
    codes = rng.choices([0, 1, 2], weights=[45, 10, 55], k=5000)
    table = [0.0, 0.5, 1.0]
    old = alpha_p_value([table[c] for c in codes], N=3_000_000, eta0=0.55)
    assert alpha_p_value_coded(pa.array(codes, pa.int32()), table, N=3_000_000, eta0=0.55) == old


def test_zero_margin_and_bad_values_are_refused_alike() -> None:
    for measure in (comparison.alpha_comparison_p_value, reference.alpha_comparison_p_value):
        with pytest.raises(InvalidInput, match="diluted margin"):
            measure([0, 1], 0.0, cards=100)
    with pytest.raises(InvalidInput, match="overstatement 3"):
        comparison.alpha_comparison_p_value([0, 3], 0.1, cards=100)
    with pytest.raises(InvalidInput, match=r"sample value 2 \(1.5\)"):
        alpha_p_value_coded(pa.array([0, 1], pa.int32()), [0.5, 1.5], N=None)
    with pytest.raises(InvalidInput, match="draws without replacement"):
        comparison.alpha_comparison_p_value([0, 0, 0], 0.1, cards=2)


def test_two_vote_overstatements_and_phantoms_count_as_before() -> None:
    contest = Contest("c", {"A": 60, "B": 40}, 100)
    cards = [
        ComparedCard("1", "c", votes_for("A"), votes_for("B")),  # o2
        ComparedCard("2", "c", ABSENT, votes_for("A")),  # phantom CVR: o2
        ComparedCard("3", "c", votes_for("A"), ABSENT),  # paper not found: o2
        ComparedCard("4", "c", votes_for("B"), votes_for("A")),  # u2
        ComparedCard("5", "c", votes_for("A"), votes_for()),  # o1
        ComparedCard("6", "c", votes_for("A"), NO_CONTEST),  # o1 without card style
    ]
    for method in (Method.COMPARISON, Method.ALPHA_COMPARISON):
        new = measure_risk([contest], method, 0.05, compared=cards)
        old = reference.measure_risk([contest], method, 0.05, compared=cards)
        _same(new, old, method is Method.COMPARISON)
        assert (new.risks[0].o1, new.risks[0].o2, new.risks[0].u2) == (2, 3, 1)
