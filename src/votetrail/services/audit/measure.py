"""Closing a round: the risk of every contest measured from the boards' entries.

The risk is computed exactly as ``votetrail audit verify`` recomputes it from
evidence.zip: the evidence is the one ``services/audit/public.py`` publishes
(every draw so far, every interpretation, each sampled ballot's CVR) and the
numbers come from ``core/audit/evidence_check.round_measures``, the function
the checker runs. A round closes only once every county's boards signed it
off; then each contest's risk and decision (confirmed, continue,
full_hand_count) is stored and logged in one transaction. The audit is
``confirmed`` when every targeted contest is; ``full_hand_count`` when a
targeted contest needs one. Opportunistic contests are measured the same way
but decide nothing. An IRV contest's risk is its largest RAIRE assertion risk
(``core/audit/irv_check``), so it is confirmed when every assertion is.
"""

from __future__ import annotations

from sqlalchemy import insert, update

from votetrail.core.access import Principal
from votetrail.core.audit.evidence_check import contests_of, round_measures
from votetrail.core.audit.types import Decision
from votetrail.core.ledger.canonical import iso_utc
from votetrail.errors import InvalidInput
from votetrail.services.audit import public
from votetrail.services.audit.access import Refused, audit_row, guarded, require_state_admin
from votetrail.services.audit.progress import RoundView, counties_not_done, round_view
from votetrail.services.audit.reads import current_round, round_closed
from votetrail.services.audit.setup import AuditMethod, audit_contests
from votetrail.services.context import App
from votetrail.services.unit_of_work import unit_of_work
from votetrail.store import ledger
from votetrail.store.models import AUDIT_ROUND_RESULTS, AUDITS


def close_round(app: App, principal: Principal, audit_id: str) -> RoundView:
    """State administrator: measure the risk once every county signed off; log the outcome.

    The risk is computed exactly as ``votetrail audit verify`` recomputes it from
    evidence.zip (the same core functions), so the published number always checks.
    """
    with guarded(app, principal), unit_of_work(app, principal.username) as uow:
        conn = uow.conn
        state = require_state_admin(conn, principal, f"close a round of {audit_id}")
        audit = audit_row(conn, audit_id)
        if audit.method == AuditMethod.BATCH_COMPARISON:
            raise InvalidInput(
                "a batch-comparison round is measured from the counties' hand tallies "
                "(services/audit/batch_rounds.measure_round), not from audit boards' ballots",
                where=audit_id,
            )
        ledger.head(conn, lock=True)  # one close at a time
        current = current_round(conn, audit_id)
        if current is None:
            raise Refused(
                state,
                f"close a round of {audit_id} before any draw",
                f"{audit_id}: no round has been drawn yet",
            )
        if round_closed(conn, str(current.id)):
            raise Refused(
                state,
                f"close round {current.number} of {audit_id} twice",
                f"{audit_id}: round {current.number} is already closed",
            )
        waiting = counties_not_done(conn, audit_id, current)
        if waiting:
            raise Refused(
                state,
                f"close round {current.number} of {audit_id} before every county signed off",
                f"{audit_id}: round {current.number} cannot be closed yet; not done: "
                + "; ".join(waiting),
            )
        targeted = audit_contests(conn, audit_id, "targeted")
        evidence = public.working_evidence(app, audit_id)
        contests, problems = contests_of(evidence.contests)
        built = {c.id for c in contests} | {
            c.id for c in evidence.contests if c.irv_assertions is not None
        }
        blocking = [t for t in targeted if t not in built]
        if blocking:
            raise InvalidInput(
                "; ".join(problems) or f"contest {blocking[0]!r} cannot be audited",
                where=audit_id,
            )
        lookup = {(i.ballot_id, i.contest_id): i for i in evidence.interpretations}
        measured = round_measures(evidence, contests, lookup, int(current.number))
        stamp = iso_utc(app.clock())
        order = [c.id for c in evidence.contests if c.id in measured]
        for index, contest in enumerate(order, start=1):
            risk, decision = measured[contest]
            row_id = f"{current.id}/contest-{index:03d}"
            conn.execute(
                insert(AUDIT_ROUND_RESULTS).values(
                    id=row_id,
                    round_id=current.id,
                    contest=contest,
                    risk=repr(risk),
                    decision=decision,
                    closed_at=stamp,
                    closed_by=principal.username,
                )
            )
            uow.record("audit.round_closed", row_id, state)
        decisions = [measured[t][1] for t in targeted]
        status = None
        if all(d == Decision.CONFIRMED for d in decisions):
            status = Decision.CONFIRMED.value
        elif any(d == Decision.FULL_HAND_COUNT for d in decisions):
            status = Decision.FULL_HAND_COUNT.value
        if status is not None and status != audit.status:
            conn.execute(update(AUDITS).where(AUDITS.c.id == audit_id).values(status=status))
            uow.record("audit.status_changed", audit_id, state)
        view = round_view(conn, current)
    return view
