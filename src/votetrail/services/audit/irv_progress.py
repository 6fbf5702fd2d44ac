"""Each RAIRE assertion of an audit's IRV contests with its risk after the latest closed round.

What the state's progress page and the public audit page list for an IRV
contest. The risks are recomputed from the published evidence (closed rounds
only) with ``core/audit/irv_check``, the function closing a round and
``votetrail audit verify`` run, so the page, the stored contest risk (the
largest of these) and an observer's check agree. Public: no voter data.
"""

from __future__ import annotations

from dataclasses import dataclass

from votetrail.core.audit import irv_check
from votetrail.core.audit.evidence_check import irv_readings
from votetrail.errors import NotFound
from votetrail.services.audit.access import audit_row
from votetrail.services.audit.irv import ranked_definitions
from votetrail.services.audit.public import evidence_of, irv_contests
from votetrail.services.audit.setup import audit_contests, audit_counties
from votetrail.services.context import App


@dataclass(frozen=True)
class AssertionRisk:
    assertion: str
    explanation: str  # one sentence for people (``IrvAssertion.explain``)
    diluted_margin: float
    risk: float | None  # None until a round is closed
    confirmed: bool  # at or below the audit's risk limit


def assertion_risks(app: App, audit_id: str) -> dict[str, list[AssertionRisk]]:
    """IRV contest -> its assertions in RAIRE's order, with their risks; {} without IRV contests."""
    with app.engine.connect() as conn:
        audit_row(conn, audit_id)
        counties = audit_counties(conn, audit_id)
        names = audit_contests(conn, audit_id, "targeted") + audit_contests(
            conn, audit_id, "opportunistic"
        )
    if not set(names) & set(ranked_definitions(app, counties)):
        return {}  # no IRV contest: spare the pages reading the whole record
    contests = irv_contests(app, audit_id)
    try:
        evidence = evidence_of(app, audit_id)
    except NotFound:  # before the seed: the assertions, no risk yet
        evidence = None
    out: dict[str, list[AssertionRisk]] = {}
    for contest in contests:
        risks: dict[str, float] = {}
        limit = 0.0
        published = None
        if evidence is not None:
            published = next((c for c in evidence.contests if c.id == contest.id), None)
        if evidence is not None and published is not None and evidence.rounds:
            limit = evidence.risk_limit
            last = max(r.round for r in evidence.rounds)
            lookup = {(i.ballot_id, i.contest_id): i for i in evidence.interpretations}
            readings = irv_readings(evidence, contest.id, lookup, last)
            risks = irv_check.assertion_risks(evidence.method, published, readings)
        out[contest.id] = [
            AssertionRisk(
                a.id,
                a.explain(),
                a.margin.value,
                risks.get(a.id),
                a.id in risks and risks[a.id] <= limit,
            )
            for a in (published or contest).irv_assertions or ()
        ]
    return out
