"""Batch-level comparison audits (MACRO): error bounds, sample sizes, P-values, bad data.

The election below is Arlo's MACRO test fixture (votingworks/arlo,
server/tests/audit_math/test_macro.py): three contests over 400 batches, each
precinct batch of 400 cards paired with an absentee batch of 200. Arlo audits
each contest on its own; passing one contest here does the same, and passing
all three is MACRO proper, one sample for every contest.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from votetrail.core.audit.batch import (
    BatchContest,
    BatchElection,
    BatchTally,
    HandCount,
    batch_error_bound,
    batch_overstatement,
    macro_p_value,
    macro_sample_size,
    selection_probabilities,
)
from votetrail.errors import InvalidInput

CONTESTS = {
    "A": BatchContest("A", {"winner": 60000, "loser": 54000}),
    "B": BatchContest("B", {"winner": 30000, "loser": 24000}),
    "C": BatchContest("C", {"winner": 18000, "loser": 12600}),
}


def arlo_batches() -> dict[str, dict[str, BatchTally]]:
    batches: dict[str, dict[str, BatchTally]] = {}
    for i in range(200):
        batches[f"P{i}"] = {"A": BatchTally({"winner": 200, "loser": 180}, 400)}
        batches[f"AV{i}"] = {"A": BatchTally({"winner": 100, "loser": 90}, 200)}
    for i in range(100):
        batches[f"P{i}"]["B"] = BatchTally({"winner": 200, "loser": 160}, 400)
        batches[f"AV{i}"]["B"] = BatchTally({"winner": 100, "loser": 80}, 200)
    for i in [*range(30), *range(100, 130)]:
        batches[f"P{i}"]["C"] = BatchTally({"winner": 200, "loser": 140}, 400)
        batches[f"AV{i}"]["C"] = BatchTally({"winner": 100, "loser": 70}, 200)
    return batches


def election(*names: str) -> BatchElection:
    return BatchElection(tuple(CONTESTS[name] for name in names), arlo_batches())


# Arlo test_macro.py test_max_error: u_p per contest for a precinct (P) and an
# absentee (AV) batch, to the 0.001 Arlo checks; exact as fractions by hand,
# e.g. contest A: (200 - 180 + 400) / 6000 = 0.07.
ARLO_MAX_ERRORS = [
    ("A", "P150", 0.0700, 420 / 6000),
    ("A", "AV150", 0.035, 210 / 6000),
    ("B", "P50", 0.0733, 440 / 6000),
    ("B", "AV50", 0.0367, 220 / 6000),
    ("B", "P150", 0.0, 0.0),
    ("C", "P10", 0.0852, 460 / 5400),
    ("C", "AV110", 0.0426, 230 / 5400),
    ("C", "P50", 0.0, 0.0),
]


@pytest.mark.parametrize(("contest", "batch", "arlo", "exact"), ARLO_MAX_ERRORS)
def test_arlo_max_error(contest: str, batch: str, arlo: float, exact: float) -> None:
    bound = batch_error_bound(arlo_batches()[batch], [CONTESTS[contest]])
    assert bound == pytest.approx(arlo, abs=1e-3)
    assert bound == pytest.approx(exact, rel=1e-12)


# Arlo test_macro.py test_get_sample_sizes: first-round draws, risk limit 25%.
@pytest.mark.parametrize(("contest", "draws"), [("A", 29), ("B", 15), ("C", 10)])
def test_arlo_first_round_sample_sizes(contest: str, draws: int) -> None:
    assert macro_sample_size(election(contest), 0.25) == draws


def test_macro_bounds_take_the_largest_contest_in_each_batch() -> None:
    # Hand computation: P0-P29 carry all three contests and C's bound is the
    # largest (460/5400); P30-P99 carry A and B (B: 440/6000); P100-P129 carry
    # A and C (C); P130-P199 only A (420/6000); absentee batches are half.
    macro = election("A", "B", "C")
    assert macro.error_bounds["P5"] == pytest.approx(460 / 5400)
    assert macro.error_bounds["AV50"] == pytest.approx(220 / 6000)
    assert macro.error_bounds["P120"] == pytest.approx(460 / 5400)
    assert macro.error_bounds["P180"] == pytest.approx(420 / 6000)
    total = 60 * 690 / 5400 + 70 * 660 / 6000 + 70 * 630 / 6000  # = 22.71666...
    assert macro.total_error_bound == pytest.approx(total)
    # ln(0.25) / ln(1 - 1/22.7167) = 30.79..., so 31 draws cover all three contests.
    assert macro_sample_size(macro, 0.25) == 31
    assert macro_sample_size(macro, 0.25) > max(macro_sample_size(election(c), 0.25) for c in "ABC")


def test_selection_probabilities_are_proportional_to_the_bounds() -> None:
    macro = election("A", "B", "C")
    chances = selection_probabilities(macro)
    assert math.fsum(chances.values()) == pytest.approx(1.0)
    assert chances["P5"] / chances["AV5"] == pytest.approx(2.0)
    assert chances["P5"] == pytest.approx((460 / 5400) / macro.total_error_bound)


def clean_count(batch: str, names: str = "ABC") -> HandCount:
    reported = arlo_batches()[batch]
    return {name: dict(reported[name].votes) for name in names if name in reported}


def test_p_value_of_clean_draws_is_the_kaplan_markov_product() -> None:
    audit = election("A")
    draws = [f"P{i}" for i in range(29)]
    counted = {batch: clean_count(batch) for batch in draws}
    # Arlo's test_compute_risk accepts 0.2477 +- 0.01 for contest A at the 25% limit.
    assert macro_p_value(audit, draws, counted) == pytest.approx((20 / 21) ** 29)
    assert macro_p_value(audit, draws[:28], counted) > 0.25 >= macro_p_value(audit, draws, counted)


def test_overstatement_taint_enters_the_product() -> None:
    audit = election("A")
    # Arlo's tainted draws: batch P100 hand count 190-190 against 200-180 reported:
    # e_p = 20/6000, u_p = 420/6000, taint 1/21, which exactly cancels 1 - 1/U = 20/21.
    counted: dict[str, HandCount | None] = {"P100": {"A": {"winner": 190, "loser": 190}}}
    assert batch_overstatement(audit, "P100", counted["P100"] or {}) == pytest.approx(20 / 6000)
    assert macro_p_value(audit, ["P100"] * 6, counted) == pytest.approx(1.0)
    # A two-vote-per-card swing of 30 votes: taint (60/6000)/(420/6000) = 1/7.
    counted["P101"] = {"A": {"winner": 170, "loser": 210}}
    draws = ["P101", *[f"P{i}" for i in range(40)]]
    counted.update({f"P{i}": clean_count(f"P{i}") for i in range(40)})
    expected = (20 / 21) ** 41 / (1 - 1 / 7)
    assert macro_p_value(audit, draws, counted) == pytest.approx(expected)


def test_understatements_count_as_zero() -> None:
    audit = election("A")
    draws = [f"P{i}" for i in range(10)]
    counted: dict[str, HandCount | None] = {batch: clean_count(batch) for batch in draws}
    counted["P3"] = {"A": {"winner": 210, "loser": 170}}
    assert batch_overstatement(audit, "P3", counted["P3"] or {}) < 0
    assert macro_p_value(audit, draws, counted) == pytest.approx((20 / 21) ** 10)


def test_macro_takes_the_worst_contest_in_a_batch() -> None:
    macro = election("A", "B", "C")
    # 20 votes of C's margin, none of A's or B's.
    count = {**clean_count("P10"), "C": {"winner": 190, "loser": 150}}
    assert batch_overstatement(macro, "P10", count) == pytest.approx(20 / 5400)


def test_p_value_is_the_running_minimum() -> None:
    # Ville's inequality makes the smallest value over the draws a P-value, so a
    # later bad batch cannot undo a stop the audit was entitled to.
    audit = election("A")
    draws = [*(f"P{i}" for i in range(30)), "P150"]
    counted: dict[str, HandCount | None] = {f"P{i}": clean_count(f"P{i}") for i in range(30)}
    counted["P150"] = {"A": {"winner": 0, "loser": 380}}
    assert macro_p_value(audit, draws, counted) == pytest.approx((20 / 21) ** 30)
    assert macro_p_value(audit, list(reversed(draws)), counted) > 0.25


def test_a_lost_batch_is_the_worst_case() -> None:
    audit = election("A")
    assert macro_p_value(audit, ["P7", "P8"], {"P7": None, "P8": clean_count("P8")}) == 1.0
    assert macro_p_value(audit, [], {}) == 1.0


def test_multi_winner_contest_pairs_every_winner_with_every_loser() -> None:
    contest = BatchContest("council", {"ann": 50, "bob": 40, "cy": 30, "dee": 10}, num_winners=2)
    assert {(w, lo) for w, lo, _ in contest.pairs} == {
        ("ann", "cy"),
        ("ann", "dee"),
        ("bob", "cy"),
        ("bob", "dee"),
    }
    tally = BatchTally({"ann": 50, "bob": 40, "cy": 30, "dee": 10}, 100)
    # Tightest pair bob-cy: (40 - 30 + 100) / 10 = 11.
    assert batch_error_bound({"council": tally}, [contest]) == pytest.approx(11.0)


def test_a_huge_sample_signals_a_hand_count() -> None:
    # Arlo test_macro.py test_close_contest: 200-198 over four batches of 100.
    close = BatchContest("close", {"winner": 200, "loser": 198})
    batches = {
        "1": {"close": BatchTally({"winner": 100, "loser": 0}, 100)},
        "2": {"close": BatchTally({"winner": 100, "loser": 0}, 100)},
        "3": {"close": BatchTally({"winner": 0, "loser": 100}, 100)},
        "4": {"close": BatchTally({"winner": 0, "loser": 98}, 100)},
    }
    assert macro_sample_size(BatchElection((close,), batches), 0.25) > len(batches)


def _one_batch(votes: dict[str, int], cards: int) -> dict[str, dict[str, BatchTally]]:
    return {"b1": {"A": BatchTally(votes, cards)}}


SMALL = BatchContest("A", {"w": 60, "l": 40})

BAD_CALLS: list[tuple[str, Callable[[], object]]] = [
    ("contest 'A': votes for 'w' -1", lambda: BatchContest("A", {"w": -1, "l": 0})),
    ("contest 'T'", lambda: BatchContest("T", {"w": 50, "l": 50})),
    ("contest 'S'", lambda: BatchContest("S", {"w": 50})),
    ("contest 'A'", lambda: BatchElection((SMALL,), _one_batch({"w": 60, "l": 39}, 100))),
    (
        "batch 'b1', contest 'A': votes for 'l' -40",
        lambda: BatchElection((SMALL,), _one_batch({"w": 60, "l": -40}, 100)),
    ),
    (
        "batch 'b1', contest 'A': cards -1",
        lambda: BatchElection((SMALL,), _one_batch({"w": 60, "l": 40}, -1)),
    ),
    (
        "batch 'b1', contest 'A'",
        lambda: BatchElection((SMALL,), _one_batch({"w": 60, "l": 40}, 50)),
    ),
    (
        "batch 'b1', contest 'A'",
        lambda: BatchElection((SMALL,), _one_batch({"w": 60, "l": 40, "zed": 0}, 100)),
    ),
    ("batch audit", lambda: BatchElection((), {})),
    ("contests", lambda: BatchElection((SMALL, SMALL), _one_batch({"w": 60, "l": 40}, 100))),
    ("risk limit 0", lambda: macro_sample_size(election("A"), 0.0)),
    ("batch 'nope'", lambda: macro_p_value(election("A"), ["nope"], {})),
    ("batch 'P150'", lambda: macro_p_value(election("B"), ["P150"], {"P150": {}})),
    ("batch 'P1'", lambda: macro_p_value(election("A"), ["P1"], {})),
    ("hand count of batch 'P1', contest 'A'", lambda: batch_overstatement(election("A"), "P1", {})),
    (
        "hand count of batch 'P1', contest 'A': votes for 'loser' -1",
        lambda: batch_overstatement(election("A"), "P1", {"A": {"winner": 200, "loser": -1}}),
    ),
    (
        "hand count of batch 'P1', contest 'A'",
        lambda: batch_overstatement(election("A"), "P1", {"A": {"write-in": 3}}),
    ),
]


@pytest.mark.parametrize(("where", "call"), BAD_CALLS, ids=[where for where, _ in BAD_CALLS])
def test_bad_input_is_refused_naming_the_value(where: str, call: Callable[[], object]) -> None:
    with pytest.raises(InvalidInput) as raised:
        call()
    assert raised.value.where is not None
    assert raised.value.where.startswith(where)


def test_sum_mismatch_names_candidate_and_totals() -> None:
    with pytest.raises(
        InvalidInput, match=r"add up to 39 votes for 'l' but the contest total is 40"
    ):
        BatchElection((SMALL,), _one_batch({"w": 60, "l": 39}, 100))
