"""The risk measurement as it was before columns: one Python object per card, one loop per draw.

Kept as the reference the columnar path (``votetrail.core.audit.columns``)
must reproduce, by the equivalence tests and by ``bench/bench_audit.py``,
which times both in the same run. ALPHA here is the per-draw loop
:func:`votetrail.core.audit.alpha.alpha_p_value`, still the library's
general form for arbitrary sequences of values.
"""

from __future__ import annotations

from collections.abc import Sequence

from votetrail.core.audit import comparison, polling
from votetrail.core.audit.alpha import alpha_p_value
from votetrail.core.audit.assertions import Assertion, BallotVotes, Contest
from votetrail.core.audit.types import DilutedMargin, RiskLimit
from votetrail.errors import InvalidInput
from votetrail.formats.audit.inputs import ComparedCard, PolledBallot
from votetrail.services.audit.rounds import (
    AssertionRisk,
    Method,
    RiskReport,
    _all_assertions,
    _bravo_pair,
    _by_contest,
    _counts,
    _overstatements,
    _polled,
    _tally,
)


def alpha_polling_risk(
    assertions: Sequence[Assertion],
    sample: Sequence[BallotVotes],
    *,
    replacement: bool = False,
    d: int = 100,
) -> dict[str, float]:
    """The former ``polling.alpha_polling_risk``: every ballot assorted, ALPHA run per draw."""
    risks: dict[str, float] = {}
    for assertion in assertions:
        if assertion.id in risks:
            raise InvalidInput("appears twice", where=f"assertion {assertion.id}")
        values = [assertion.assort(ballot) for ballot in sample]
        risks[assertion.id] = alpha_p_value(
            values,
            N=None if replacement else assertion.ballots,
            mu=0.5,
            upper=assertion.upper,
            eta0=assertion.reported_mean,
            d=d,
        )
    return risks


def alpha_comparison_p_value(
    overstatements: Sequence[int],
    diluted_margin: float,
    *,
    cards: int | None,
    eta0: float | None = None,
    d: int = 1000,
) -> float:
    """The former ``comparison.alpha_comparison_p_value``, one assorter value per card."""
    margin = DilutedMargin(diluted_margin).value
    if cards is not None and cards < len(overstatements):
        raise InvalidInput("more draws than cards", where="comparison sample")
    upper = 2.0 / (2.0 - margin)
    values = [comparison.overstatement_assorter(value, margin) for value in overstatements]
    guess = 0.5 + (upper - 0.5) / comparison.GAMMA if eta0 is None else eta0
    return alpha_p_value(values, N=cards, mu=0.5, upper=upper, eta0=guess, d=d)


def measure_risk(
    contests: Sequence[Contest],
    method: Method,
    risk_limit: float,
    *,
    polled: Sequence[PolledBallot] = (),
    compared: Sequence[ComparedCard] = (),
) -> RiskReport:
    """The former ``services.audit.rounds.measure_risk``, word for word."""
    alpha = RiskLimit(risk_limit).value
    risks: list[AssertionRisk] = []
    tallies = _tally(contests, polled) if method is Method.BRAVO else {}
    cards = _by_contest(compared)
    for contest, a in _all_assertions(contests):
        margin = round(a.margin.value, 12)
        if method is Method.BRAVO:
            risk = polling.bravo_risk(*_bravo_pair(contest, a, tallies))
            risks.append(AssertionRisk(a.id, margin, risk))
        elif method is Method.ALPHA_POLLING:
            risk = alpha_polling_risk([a], _polled(polled))[a.id]
            risks.append(AssertionRisk(a.id, margin, risk))
        else:
            overs = _overstatements(a, cards[a.contest_id])
            found = _counts(overs)
            if method is Method.COMPARISON:
                risk = comparison.kaplan_markov_p_value(
                    len(overs), margin, o1=found.o1, o2=found.o2, u1=found.u1, u2=found.u2
                )
            else:
                risk = alpha_comparison_p_value(overs, margin, cards=a.ballots)
            risks.append(AssertionRisk(a.id, margin, risk, found.o1, found.o2, found.u1, found.u2))
    if not risks:
        raise InvalidInput("no contest to audit", where="contests")
    cast = max(contest.ballots for contest in contests)
    drawn = len(polled) if method.polling else len({card.ballot for card in compared})
    largest = max(r.risk for r in risks)
    decision = polling.decide(largest, alpha, ballots_sampled=min(drawn, cast), ballots_cast=cast)
    return RiskReport(risks, largest, decision, drawn, cast)
