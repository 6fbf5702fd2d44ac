"""Measuring RAIRE assertions with the audit code every other contest uses.

Each IRV assertion is a SHANGRLA assorter with upper bound 1, values 0, 1/2
and 1, so a card's discrepancy is a whole number of votes from -2 to +2, the
same unit as a plurality pair's. Comparison audits therefore run the comparison
module's ALPHA test on the overstatement assorter, or its Kaplan–Markov
P-value, with the assertion's diluted margin; polling audits run ALPHA on the
assorter values. Nothing about the tests is IRV-specific: only the assorter is.

A contest is confirmed when every one of its assertions is: its risk is the
largest assertion risk.
"""

from __future__ import annotations

from collections.abc import Sequence

from votetrail.core.audit.alpha import alpha_p_value
from votetrail.core.audit.comparison import (
    alpha_comparison_p_value,
    count_discrepancies,
    expected_sample_size,
    kaplan_markov_p_value,
)
from votetrail.core.rcv.raire_assertions import IrvAssertion
from votetrail.errors import InvalidInput

Card = tuple[Sequence[str] | None, Sequence[str] | None]
"""One sampled card: the CVR's preference list and the paper's (None: phantom or not found)."""


def _unique(assertions: Sequence[IrvAssertion]) -> None:
    seen: set[str] = set()
    for assertion in assertions:
        if assertion.id in seen:
            raise InvalidInput("appears twice", where=f"assertion {assertion.id}")
        seen.add(assertion.id)


def comparison_risks(
    assertions: Sequence[IrvAssertion],
    cards: Sequence[Card],
    *,
    replacement: bool = False,
    method: str = "alpha",
) -> dict[str, float]:
    """The risk of each assertion from a comparison sample, in draw order.

    ``method`` is ``"alpha"`` (ALPHA on SHANGRLA's overstatement assorter,
    sampling without replacement from the assertion's N cards unless
    ``replacement``) or ``"kaplan_markov"`` (the super-simple P-value, which
    uses only the counts of each discrepancy).
    """
    if method not in ("alpha", "kaplan_markov"):
        raise InvalidInput("must be alpha or kaplan_markov", where=f"method {method!r}")
    _unique(assertions)
    risks: dict[str, float] = {}
    for assertion in assertions:
        over = [assertion.overstatement(cvr, paper) for cvr, paper in cards]
        margin = assertion.margin.value
        if method == "alpha":
            risks[assertion.id] = alpha_comparison_p_value(
                over, margin, cards=None if replacement else assertion.ballots
            )
        else:
            counts = count_discrepancies(over)
            risks[assertion.id] = kaplan_markov_p_value(
                len(over), margin, o1=counts.o1, o2=counts.o2, u1=counts.u1, u2=counts.u2
            )
    return risks


def polling_risks(
    assertions: Sequence[IrvAssertion],
    sample: Sequence[Sequence[str]],
    *,
    replacement: bool = False,
    d: int = 100,
) -> dict[str, float]:
    """ALPHA's risk for each assertion from the preference lists of sampled paper ballots."""
    _unique(assertions)
    return {
        assertion.id: alpha_p_value(
            [assertion.assort(prefs) for prefs in sample],
            N=None if replacement else assertion.ballots,
            mu=0.5,
            upper=assertion.upper,
            eta0=assertion.reported_mean,
            d=d,
        )
        for assertion in assertions
    }


def comparison_sample_sizes(
    assertions: Sequence[IrvAssertion], risk_limit: float
) -> dict[str, int]:
    """Cards a comparison audit of each assertion is expected to need (Kaplan–Markov, rlacalc's
    default discrepancy rates), capped at N; the round size is the largest."""
    _unique(assertions)
    return {
        a.id: min(a.ballots, expected_sample_size(a.margin.value, risk_limit)) for a in assertions
    }
