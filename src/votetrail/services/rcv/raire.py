"""RAIRE assertions and their risks for a stored ranked-choice contest.

The ballots are the stored canonical CVRs of the counties' current uploads
(``services/rcv/ballots.ranked_ballots``), the same records the logged Merkle
roots commit to, so the assertions an audit tests are about exactly what was
imported. Every candidate the contest lists is part of the proof, even one no
ballot ranks (the paper might), and so is any write-in some ballot ranks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from votetrail.core.audit.polling import decide
from votetrail.core.audit.types import Decision, RiskLimit
from votetrail.core.rcv.irv_votes import IrvVotes, Preferences, irv_outcome, preferences
from votetrail.core.rcv.raire import RaireResult, Trim, raire
from votetrail.core.rcv.raire_audit import Card, comparison_risks
from votetrail.errors import InvalidInput, NotFound
from votetrail.services.context import App
from votetrail.services.rcv.ballots import ranked_ballots, ranked_contests


def contest_votes(app: App, contest: str, county_id: str | None = None) -> IrvVotes:
    """The contest's stored ballots, consolidated; refused unless it elects one candidate."""
    definition = next((c for c in ranked_contests(app, county_id) if c.name == contest), None)
    if definition is None:
        where = "any county" if county_id is None else repr(county_id)
        raise NotFound(f"no ranked-choice contest {contest!r} in the current uploads of {where}")
    if definition.votes_allowed != 1:
        raise InvalidInput(
            f"elects {definition.votes_allowed} candidates; RAIRE audits single-winner IRV only",
            where=f"contest {contest!r}",
        )
    counts: Counter[Preferences] = Counter(
        preferences(ballot.ranks) for ballot in ranked_ballots(app, county_id, contest)
    )
    names = dict.fromkeys(definition.choices)
    for prefs in counts:
        names.update(dict.fromkeys(prefs))
    return IrvVotes.from_counts(counts, candidates=list(names))


def irv_assertions(
    app: App,
    contest: str,
    *,
    county_id: str | None = None,
    winner: str | None = None,
    ballots: int | None = None,
    trim: Trim = Trim.MINIMIZE_TREE,
) -> RaireResult:
    """RAIRE's assertions for a stored contest (statewide when ``county_id`` is None).

    ``winner`` is the reported winner (default: the IRV winner of the stored
    CVRs); ``ballots`` is N, the cards the sample is drawn from (default: the
    cards carrying the contest).
    """
    votes = contest_votes(app, contest, county_id)
    if winner is None:
        found = irv_outcome(votes).winners
        winner = votes.candidates[found[0]]  # raire() refuses a tie that matters
    return raire(votes, winner, contest_id=contest, ballots=ballots, trim=trim)


@dataclass(frozen=True)
class IrvRisk:
    """One assertion's measured risk."""

    assertion: str
    margin: float
    difficulty: float
    risk: float


@dataclass(frozen=True)
class IrvRiskReport:
    risks: list[IrvRisk]
    max_risk: float
    decision: Decision
    cards_sampled: int
    ballots: int


def irv_risk(
    assertions: RaireResult,
    cards: Sequence[Card],
    risk_limit: float,
    *,
    method: str = "alpha",
    replacement: bool = False,
) -> IrvRiskReport:
    """Each assertion's risk from a comparison sample, and the round's decision."""
    limit = RiskLimit(risk_limit).value
    risks = comparison_risks(assertions.assertions, cards, replacement=replacement, method=method)
    rows = [IrvRisk(a.id, a.margin.value, a.difficulty, risks[a.id]) for a in assertions.assertions]
    worst = max((r.risk for r in rows), default=0.0)
    sampled = min(len(cards), assertions.ballots)  # with replacement a card may recur
    decision = decide(worst, limit, ballots_sampled=sampled, ballots_cast=assertions.ballots)
    return IrvRiskReport(rows, worst, decision, len(cards), assertions.ballots)
