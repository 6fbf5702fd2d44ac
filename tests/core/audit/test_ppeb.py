"""PPEB draws: exact bounds, batches without an audited contest never drawn, bad calls refused."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import pytest

from tests.core.audit.test_batch import election
from votetrail.core.audit.batch import batch_error_bound, exact_error_bound
from votetrail.core.audit.ppeb import ppeb_sample
from votetrail.errors import InvalidInput

SEED = "01382438112797316654"


def test_exact_bounds_agree_with_the_float_bounds() -> None:
    macro = election("A", "B", "C")
    for tallies in macro.batches.values():
        exact = exact_error_bound(tallies, macro.contests)
        assert float(exact) == pytest.approx(batch_error_bound(tallies, macro.contests))
    assert exact_error_bound(macro.batches["P5"], macro.contests) == Fraction(460, 5400)


def test_only_weighted_batches_are_drawn_in_proportion() -> None:
    audit = election("B")  # P100-P199 and AV100-AV199 do not carry B
    draws = ppeb_sample(audit, sorted(audit.batches), SEED, 3000)
    assert [d.draw for d in draws] == list(range(1, 3001))
    counts = Counter(d.batch_id for d in draws)
    assert all(int(b.lstrip("PAV")) < 100 for b in counts)
    precincts = sum(n for b, n in counts.items() if b.startswith("P"))
    assert 0.63 < precincts / 3000 < 0.70
    generations: Counter[str] = Counter()
    for d in draws:
        generations[d.batch_id] += 1
        assert d.generation == generations[d.batch_id]
    assert all(d.ticket.startswith("0.") and len(d.ticket) == 11 for d in draws)
    assert ppeb_sample(audit, sorted(audit.batches), SEED, 5) == draws[:5]
    assert ppeb_sample(audit, sorted(audit.batches), "1" * 20, 5) != draws[:5]


def test_bad_calls_are_refused() -> None:
    audit = election("A")
    with pytest.raises(InvalidInput, match="every reported batch"):
        ppeb_sample(audit, ["P1"], SEED, 1)
    with pytest.raises(InvalidInput, match="20 decimal digits"):
        ppeb_sample(audit, sorted(audit.batches), "123", 1)
    with pytest.raises(InvalidInput, match="sample size"):
        ppeb_sample(audit, sorted(audit.batches), SEED, -1)
