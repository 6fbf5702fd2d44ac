"""Round sizes and risk measurement for whole audits, from files an official has.

This joins the pure statistics of ``core/audit`` to the contest and sample
files of ``formats/audit/inputs.py``: one call per question an audit team asks
("how many ballots for the next round?", "what is the risk now?"). Every
contest is audited with the same sample, so the round size is the largest any
assertion needs and the audit confirms only when every assertion does.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from votetrail.core.audit import columns, comparison, polling
from votetrail.core.audit.assertions import Assertion, Contest, ContestKind, assertions
from votetrail.core.audit.simulate import (
    alpha_comparison_eta0,
    alpha_sample_size,
    comparison_distribution,
    polling_distribution,
)
from votetrail.core.audit.types import Decision, RiskLimit
from votetrail.errors import InvalidInput
from votetrail.formats.audit.inputs import ComparedCard, PolledBallot


class Method(StrEnum):
    BRAVO = "bravo"
    ALPHA_POLLING = "alpha-polling"
    COMPARISON = "comparison"
    ALPHA_COMPARISON = "alpha-comparison"

    @property
    def polling(self) -> bool:
        return self in (Method.BRAVO, Method.ALPHA_POLLING)


@dataclass(frozen=True)
class AssertionSize:
    assertion: str
    diluted_margin: float
    size: int
    basis: str
    finish_probability: float | None


@dataclass(frozen=True)
class AssertionRisk:
    assertion: str
    diluted_margin: float
    risk: float
    o1: int | None = None
    o2: int | None = None
    u1: int | None = None
    u2: int | None = None


@dataclass(frozen=True)
class RiskReport:
    risks: list[AssertionRisk]
    max_risk: float
    decision: Decision
    ballots_sampled: int
    ballots_cast: int


def _all_assertions(contests: Sequence[Contest]) -> list[tuple[Contest, Assertion]]:
    return [(contest, a) for contest in contests for a in assertions(contest)]


def _polled(sample: Sequence[PolledBallot]) -> list[dict[str, frozenset[str]]]:
    return [ballot.votes for ballot in sample]


def _tally(
    contests: Sequence[Contest], sample: Sequence[PolledBallot]
) -> dict[str, dict[str, int]]:
    """Valid votes per choice in the sample, for every contest, in one pass over the ballots.

    An overvote (more marks than the contest allows) is no vote. The counting
    runs in a comprehension and ``Counter`` because a state audit tallies
    millions of (ballot, contest) marks.
    """
    limits = {
        contest.id: (
            len(contest.votes) if contest.kind is ContestKind.APPROVAL else contest.vote_for
        )
        for contest in contests
    }
    counted = Counter(
        (contest_id, choice)
        for ballot in sample
        for contest_id, marks in ballot.votes.items()
        if len(marks) <= limits.get(contest_id, 0)
        for choice in marks
    )
    out: dict[str, dict[str, int]] = {
        contest.id: dict.fromkeys(contest.choices, 0) for contest in contests
    }
    for (contest_id, choice), votes in counted.items():
        if choice not in out[contest_id]:
            raise InvalidInput(
                f"the sample marks choice {choice!r}, which is not in the contest",
                where=f"contest {contest_id!r}",
            )
        out[contest_id][choice] = votes
    return out


def _by_contest(cards: Sequence[ComparedCard]) -> dict[str, list[ComparedCard]]:
    grouped: dict[str, list[ComparedCard]] = defaultdict(list)
    for card in cards:
        grouped[card.contest].append(card)
    return grouped


def _overstatements(assertion: Assertion, cards: Sequence[ComparedCard]) -> list[int]:
    """Each card's overstatement for the pair, in draw order; each distinct reading scored once.

    The reader numbers each distinct (CVR, paper) reading; cards built without
    one (``reading`` -1) are scored one by one.
    """
    if assertion.loser is None:
        raise InvalidInput(
            "comparison audits here cover winner-loser pairs; audit it by ballot polling",
            where=f"assertion {assertion.id}",
        )
    winner, loser = assertion.winner, assertion.loser

    def score(card: ComparedCard) -> int:
        return comparison.pair_overstatement(
            card.cvr, card.paper, winner=winner, loser=loser, card_style=False
        )

    if any(card.reading < 0 for card in cards):
        return [score(card) for card in cards]
    keys = [card.reading for card in cards]
    distinct = dict(zip(keys, cards, strict=True))
    scored = {key: score(card) for key, card in distinct.items()}
    return [scored[key] for key in keys]


def _counts(overstatements: Sequence[int]) -> comparison.DiscrepancyCounts:
    tally = Counter(overstatements)
    return comparison.DiscrepancyCounts(o1=tally[1], o2=tally[2], u1=tally[-1], u2=tally[-2])


def _bravo_pair(
    contest: Contest, a: Assertion, tallies: dict[str, dict[str, int]]
) -> tuple[int, int, int, int]:
    """Reported and sampled votes of the assertion's winner and loser, as BRAVO takes them."""
    if a.loser is None:
        raise InvalidInput("use alpha-polling for a supermajority", where=a.id)
    counts = tallies[contest.id]
    return (contest.votes[a.winner], contest.votes[a.loser], counts[a.winner], counts[a.loser])


def sample_sizes(
    contests: Sequence[Contest],
    method: Method,
    risk_limit: float,
    *,
    quantile: float = 0.9,
    seed: int = 1,
    trials: int = 100,
    polled: Sequence[PolledBallot] = (),
    compared: Sequence[ComparedCard] = (),
    error_rates: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0),
) -> list[AssertionSize]:
    """The next round's size for every assertion, given the sample seen so far."""
    alpha = RiskLimit(risk_limit).value
    out: list[AssertionSize] = []
    tallies = _tally(contests, polled) if method is Method.BRAVO else {}
    cards = _by_contest(compared)
    for contest, a in _all_assertions(contests):
        margin = round(a.margin.value, 12)
        if method is Method.BRAVO:
            v_w, v_l, w_s, l_s = _bravo_pair(contest, a, tallies)
            size = polling.bravo_sample_size(
                v_w / (v_w + v_l),
                alpha,
                quantile=quantile,
                pair_fraction=min(1.0, (v_w + v_l) / contest.ballots),
                winner_sampled=w_s,
                loser_sampled=l_s,
                cap=contest.ballots,
            )
            out.append(AssertionSize(a.id, margin, size, "exact binomial", quantile))
        elif method is Method.ALPHA_POLLING:
            seen = [a.assort(votes) for votes in _polled(polled)]
            est = alpha_sample_size(
                polling_distribution(contest, a),
                alpha,
                population=a.ballots,
                upper=a.upper,
                eta0=a.reported_mean,
                seed=seed,
                trials=trials,
                quantile=quantile,
                seen=seen,
            )
            out.append(AssertionSize(a.id, margin, est.size, "simulation", est.finish_probability))
        elif method is Method.COMPARISON:
            found = _counts(_overstatements(a, cards[a.contest_id]))
            total = comparison.sample_size(
                margin, alpha, o1=found.o1, o2=found.o2, u1=found.u1, u2=found.u2
            )
            drawn = len(cards[a.contest_id])
            out.append(AssertionSize(a.id, margin, max(0, total - drawn), "formula", None))
        else:
            seen_values = [
                comparison.overstatement_assorter(o, margin)
                for o in _overstatements(a, cards[a.contest_id])
            ]
            o1, o2, u1, u2 = error_rates
            est = alpha_sample_size(
                comparison_distribution(margin, o1=o1, o2=o2, u1=u1, u2=u2),
                alpha,
                population=a.ballots,
                upper=2.0 / (2.0 - margin),
                eta0=alpha_comparison_eta0(margin),
                seed=seed,
                trials=trials,
                quantile=quantile,
                seen=seen_values,
            )
            out.append(AssertionSize(a.id, margin, est.size, "simulation", est.finish_probability))
    return out


def measure_risk(
    contests: Sequence[Contest],
    method: Method,
    risk_limit: float,
    *,
    polled: Sequence[PolledBallot] = (),
    compared: Sequence[ComparedCard] = (),
    polled_columns: columns.PollingColumns | None = None,
    compared_columns: columns.ComparisonColumns | None = None,
) -> RiskReport:
    """The risk of every assertion after the ballots audited so far, and the decision.

    The sample may come as per-card records or already as columns (see
    ``core/audit/columns``); records are turned into columns first, since a
    state's sample is millions of (ballot, contest) readings of few kinds.
    """
    alpha = RiskLimit(risk_limit).value
    if method.polling:
        polls = polled_columns or columns.polling_columns(_polled(polled))
        drawn = polls.ballots
    else:
        cards = compared_columns or sample_columns(compared)
        drawn = cards.ballots
    tallies: dict[str, dict[str, int]] = {}
    risks: list[AssertionRisk] = []
    for contest, a in _all_assertions(contests):
        margin = round(a.margin.value, 12)
        if method is Method.BRAVO:
            if contest.id not in tallies:
                tallies[contest.id] = columns.tally(contest, polls.column(contest.id))
            risk = columns.bravo_risk(a, contest, tallies[contest.id])
            risks.append(AssertionRisk(a.id, margin, risk))
        elif method is Method.ALPHA_POLLING:
            risk = columns.alpha_polling_risk(a, polls.column(a.contest_id))
            risks.append(AssertionRisk(a.id, margin, risk))
        else:
            column = cards.column(a.contest_id)
            found = columns.discrepancy_counts(a, column)
            if method is Method.COMPARISON:
                risk, _ = columns.kaplan_markov_risk(a, column, margin)
            else:
                risk = columns.alpha_comparison_risk(a, column, margin, cards=a.ballots)
            risks.append(AssertionRisk(a.id, margin, risk, found.o1, found.o2, found.u1, found.u2))
    if not risks:
        raise InvalidInput("no contest to audit", where="contests")
    cast = max(contest.ballots for contest in contests)
    largest = max(r.risk for r in risks)
    decision = polling.decide(largest, alpha, ballots_sampled=min(drawn, cast), ballots_cast=cast)
    return RiskReport(risks, largest, decision, drawn, cast)


def sample_columns(compared: Sequence[ComparedCard]) -> columns.ComparisonColumns:
    """A comparison sample as columns; cards of one reading number share one kind."""
    return columns.comparison_columns(
        (
            card.ballot,
            card.contest,
            card.reading if card.reading >= 0 else (card.cvr, card.paper),
            card.cvr,
            card.paper,
        )
        for card in compared
    )
