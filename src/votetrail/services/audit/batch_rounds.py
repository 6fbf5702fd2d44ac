"""Rounds of a batch-comparison audit: the sizes offered, the logged PPEB draw, the MACRO risk.

The state administrator draws each round from the seed (``core/audit/ppeb``:
with replacement, each batch weighed by its error bound u_p) over the
batches of ``batch_frame``; round N continues the same sequence of draws, so
all draws so far are exactly ``votetrail audit batch-sample --size <total>``
over the same batches. The counties then hand-count their sampled batches
(``batch_tallies.py``) and sign off; once every county with a batch in the
round has, the state measures each contest's MACRO risk over every draw so
far with ``core/audit/batch_evidence.measure_batches`` — the function
``votetrail audit verify`` recomputes it with from ``evidence.zip``.
Every draw, tally, sign-off and result is a ledgered record.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from votetrail.core.access import Principal
from votetrail.core.audit.batch import HandCount, macro_sample_size
from votetrail.core.audit.batch_evidence import measure_batches
from votetrail.core.audit.ppeb import ppeb_sample
from votetrail.core.audit.sampler import Ticket
from votetrail.core.audit.types import Decision, RiskLimit
from votetrail.core.ledger.canonical import iso_utc
from votetrail.errors import InvalidInput
from votetrail.services.audit.access import audit_row, guarded, require_state_admin
from votetrail.services.audit.batch_frame import BatchFrame, batch_frame
from votetrail.services.audit.draw import DrawnRound, SizeOffer, record_round
from votetrail.services.audit.seed import required_seed
from votetrail.services.audit.setup import AuditMethod, Status, audit_contests
from votetrail.services.context import App
from votetrail.services.unit_of_work import UnitOfWork, unit_of_work
from votetrail.store import ledger
from votetrail.store.models import (
    AUDIT_BATCH_DRAWS,
    AUDIT_BATCH_RESULTS,
    AUDIT_BATCH_SIGNOFFS,
    AUDIT_BATCH_TALLIES,
    AUDIT_ROUNDS,
    AUDITS,
)

FINISHED = ("confirmed", "full_hand_count")
"""Audit statuses after which no round is drawn."""


def is_batch_audit(app: App, audit_id: str) -> bool:
    with app.engine.connect() as conn:
        return bool(audit_row(conn, audit_id).method == AuditMethod.BATCH_COMPARISON)


@dataclass(frozen=True)
class BatchDrawView:
    draw_number: int
    ticket_number: str
    county: str
    tabulator: str | None
    batch: str
    batch_id: str
    generation: int
    error_bound: float


@dataclass(frozen=True)
class BatchRoundView:
    """A round as the state's page shows it: the draws, who signed off, the risk once measured."""

    round_id: str
    number: int
    sample_size: int
    drawn_at: str
    draws: list[BatchDrawView]
    counties: list[str]  # counties with a batch drawn in this round
    signed_off: list[str]
    risk: dict[str, float]
    decision: dict[str, str]

    @property
    def measured(self) -> bool:
        return bool(self.risk)

    @property
    def waiting_for(self) -> list[str]:
        return [c for c in self.counties if c not in self.signed_off]


def _round_rows(conn: Connection, audit_id: str) -> list[Any]:
    return list(
        conn.execute(
            select(AUDIT_ROUNDS)
            .where(AUDIT_ROUNDS.c.audit_id == audit_id)
            .order_by(AUDIT_ROUNDS.c.number)
        ).all()
    )


def read_rounds(conn: Connection, audit_id: str) -> list[BatchRoundView]:
    """Every round of the audit with its draws, sign-offs and results, oldest first."""
    views = []
    for row in _round_rows(conn, audit_id):
        draws = [
            BatchDrawView(
                int(d.draw_number),
                str(d.ticket_number),
                str(d.jurisdiction_id),
                d.tabulator,
                str(d.batch),
                str(d.batch_id),
                int(d.generation),
                float(d.error_bound),
            )
            for d in conn.execute(
                select(AUDIT_BATCH_DRAWS)
                .where(AUDIT_BATCH_DRAWS.c.round_id == row.id)
                .order_by(AUDIT_BATCH_DRAWS.c.draw_number)
            )
        ]
        signed = conn.execute(
            select(AUDIT_BATCH_SIGNOFFS.c.jurisdiction_id).where(
                AUDIT_BATCH_SIGNOFFS.c.round_id == row.id
            )
        ).scalars()
        results = conn.execute(
            select(AUDIT_BATCH_RESULTS)
            .where(AUDIT_BATCH_RESULTS.c.round_id == row.id)
            .order_by(AUDIT_BATCH_RESULTS.c.id)
        ).all()
        views.append(
            BatchRoundView(
                str(row.id),
                int(row.number),
                int(row.sample_size),
                str(row.drawn_at),
                draws,
                sorted({d.county for d in draws}),
                sorted(str(c) for c in signed),
                {str(r.contest): float(r.risk) for r in results},
                {str(r.contest): str(r.decision) for r in results},
            )
        )
    return views


def batch_rounds(app: App, audit_id: str) -> list[BatchRoundView]:
    with app.engine.connect() as conn:
        audit_row(conn, audit_id)
        return read_rounds(conn, audit_id)


def offered_sizes(app: App, audit_id: str) -> list[SizeOffer]:
    """MACRO's draws for the next round: enough to confirm every targeted contest if no
    drawn batch has an error, starting from the largest risk measured so far."""
    frame = batch_frame(app, audit_id)
    with app.engine.connect() as conn:
        audit = audit_row(conn, audit_id)
        targeted = set(audit_contests(conn, audit_id, "targeted"))
        rounds = read_rounds(conn, audit_id)
    limit = RiskLimit(float(audit.risk_limit)).value
    measured = [r for r in rounds if r.measured]
    latest = measured[-1].risk if measured else {}
    risk = max((v for c, v in latest.items() if c in targeted), default=1.0)
    if risk <= limit:
        return []
    weighed = sum(1 for u in frame.election.error_bounds.values() if u > 0)
    if risk >= 1.0:
        size = macro_sample_size(frame.election, limit)
    else:
        step = math.log1p(-1.0 / frame.election.total_error_bound)
        size = max(1, math.ceil(math.log(limit / risk) / step))
    basis = f"MACRO: confirms if no drawn batch has an error ({weighed} batches to draw from"
    if size > weighed:
        basis += "; more draws than batches: consider a full hand count"
    return [SizeOffer(size, None, basis + ")")]


def draw_round(app: App, principal: Principal, audit_id: str, size: int) -> DrawnRound:
    """Draw the next round's ``size`` batches (PPEB) and log the round and every draw together."""
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise InvalidInput("must be a whole number of at least 1", where=f"sample size {size!r}")
    frame = batch_frame(app, audit_id)
    with guarded(app, principal), unit_of_work(app, principal.username) as uow:
        conn = uow.conn
        state = require_state_admin(conn, principal, f"draw a sample of {audit_id}")
        ledger.head(conn, lock=True)  # one draw at a time numbers the rounds (PostgreSQL)
        audit = audit_row(conn, audit_id)
        seed = required_seed(conn, state, audit_id)
        if audit.status in FINISHED:
            raise InvalidInput(f"the audit is finished ({audit.status})", where=audit_id)
        rounds = read_rounds(conn, audit_id)
        _check_frame(conn, audit_id, frame)
        if rounds and not rounds[-1].measured:
            raise InvalidInput(
                f"round {rounds[-1].number} has not been measured yet; measure it first",
                where=audit_id,
            )
        before = sum(r.sample_size for r in rounds)
        draws = ppeb_sample(frame.election, frame.order, str(seed.seed), before + size)[before:]
        number = len(rounds) + 1
        round_id = f"{audit_id}-round-{number}"
        per_county: dict[str, int] = {}
        for draw in draws:
            county = frame.places[draw.batch_id].county
            per_county[county] = per_county.get(county, 0) + 1
        record_round(uow, state, round_id, size, per_county, frame.order, frame.sha256)
        for draw in draws:
            place = frame.places[draw.batch_id]
            draw_id = f"{audit_id}-batch-draw-{draw.draw}"
            conn.execute(
                insert(AUDIT_BATCH_DRAWS).values(
                    id=draw_id,
                    round_id=round_id,
                    draw_number=draw.draw,
                    ticket_number=draw.ticket,
                    generation=draw.generation,
                    jurisdiction_id=place.county,
                    batch_id=draw.batch_id,
                    tabulator=place.tabulator,
                    batch=place.batch,
                    error_bound=repr(frame.election.error_bounds[draw.batch_id]),
                )
            )
            uow.record("audit.batch_drawn", draw_id, place.county)
        if audit.status != Status.SAMPLING:
            _set_status(uow, audit_id, Status.SAMPLING.value, state)
    tickets = [Ticket(d.ticket, d.batch_id, d.generation) for d in draws]
    return DrawnRound(round_id, number, tickets, per_county, len(frame.order))


def _check_frame(conn: Connection, audit_id: str, frame: BatchFrame) -> None:
    first = conn.execute(
        select(AUDIT_ROUNDS.c.frame_sha256).where(
            AUDIT_ROUNDS.c.audit_id == audit_id, AUDIT_ROUNDS.c.number == 1
        )
    ).scalar()
    if first is not None and first != frame.sha256:
        raise InvalidInput(
            "the batches or their reported tallies changed since round 1 (a county's CVRs were "
            "replaced), so the draws would not continue round 1's sample",
            where=audit_id,
        )


def _set_status(uow: UnitOfWork, audit_id: str, status: str, state: str) -> None:
    uow.conn.execute(update(AUDITS).where(AUDITS.c.id == audit_id).values(status=status))
    uow.record("audit.status_changed", audit_id, state)


def hand_counts(conn: Connection, audit_id: str) -> dict[str, HandCount | None]:
    """Every hand tally of the audit by batch id; None for a batch not found."""
    return {
        str(row.batch_id): json.loads(row.votes) if row.found else None
        for row in conn.execute(
            select(AUDIT_BATCH_TALLIES).where(AUDIT_BATCH_TALLIES.c.audit_id == audit_id)
        )
    }


def measure_round(app: App, principal: Principal, audit_id: str) -> BatchRoundView:
    """State administrator: each contest's MACRO risk over every draw so far, once every county
    with a batch in the latest round signed it off; logged with the audit's new status."""
    frame = batch_frame(app, audit_id)
    with guarded(app, principal), unit_of_work(app, principal.username) as uow:
        conn = uow.conn
        state = require_state_admin(conn, principal, f"measure the risk of {audit_id}")
        ledger.head(conn, lock=True)
        audit = audit_row(conn, audit_id)
        rounds = read_rounds(conn, audit_id)
        if not rounds:
            raise InvalidInput("no round has been drawn yet", where=audit_id)
        latest = rounds[-1]
        if latest.measured:
            raise InvalidInput(f"round {latest.number} was measured already", where=audit_id)
        if latest.waiting_for:
            raise InvalidInput(
                f"round {latest.number} is not signed off by "
                + ", ".join(latest.waiting_for)
                + "; every county with a sampled batch signs off its hand tallies first",
                where=audit_id,
            )
        _check_frame(conn, audit_id, frame)
        ids = [d.batch_id for r in rounds for d in r.draws]
        counted = hand_counts(conn, audit_id)
        untallied = sorted(set(ids) - set(counted))
        if untallied:
            raise InvalidInput(f"batch {untallied[0]!r} has no hand tally", where=audit_id)
        risks = measure_batches(frame.election, ids, counted, float(audit.risk_limit))
        now = iso_utc(app.clock())
        for index, (contest, (risk, decision)) in enumerate(risks.items(), start=1):
            result_id = f"{latest.round_id}/contest-{index:03d}"
            conn.execute(
                insert(AUDIT_BATCH_RESULTS).values(
                    id=result_id,
                    round_id=latest.round_id,
                    contest=contest,
                    risk=repr(risk),
                    decision=decision.value,
                    measured_at=now,
                    measured_by=principal.username,
                )
            )
            uow.record("audit.batch_round_measured", result_id, state)
        status = _status(risks, audit_contests(conn, audit_id, "targeted"))
        if status is not None:
            _set_status(uow, audit_id, status, state)
        return read_rounds(conn, audit_id)[-1]


def _status(risks: Mapping[str, tuple[float, Decision]], targeted: list[str]) -> str | None:
    """The audit's status once measured: confirmed when every targeted contest is."""
    decisions = {risks[c][1] for c in targeted}
    if decisions == {Decision.CONFIRMED}:
        return "confirmed"
    if Decision.FULL_HAND_COUNT in decisions:
        return "full_hand_count"
    return None
