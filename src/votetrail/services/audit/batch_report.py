"""The report of a batch-comparison audit: each drawn batch's reported and hand-counted votes.

A batch audit has no ballot-level readings, so the report's "sampled ballot"
rows are the drawn batches (one row per batch and contest): ``cvr`` holds the
reported votes and ``audited`` the board's hand tally, both written
``choice: votes; ...`` (``not_found`` for a batch that could not be found,
empty until it is counted). Rounds, risk and decisions come from the batch
rounds as the state measured them (``batch_rounds.read_rounds``); the
evidence is ``batch_package.batch_evidence``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from sqlalchemy import select

from votetrail.core.audit.evidence import NOT_FOUND, EvidenceContest
from votetrail.formats.audit.report import AuditReport, ContestReading, ReportRound, SampledBallot
from votetrail.services.audit.access import audit_row
from votetrail.services.audit.batch_frame import batch_frame
from votetrail.services.audit.batch_rounds import hand_counts, read_rounds
from votetrail.services.audit.seed import seed_row
from votetrail.services.audit.setup import audit_contests, audit_counties
from votetrail.services.context import App
from votetrail.store.models import AUDIT_BATCH_RESULTS


def _votes(tally: Mapping[str, int], choices: list[str]) -> str:
    return "; ".join(f"{choice}: {tally.get(choice, 0)}" for choice in choices)


def batch_report(
    app: App, audit_id: str, contests: tuple[EvidenceContest, ...], evidence_sha256: str | None
) -> AuditReport:
    """The report's facts for a batch-comparison audit (``contests`` as the evidence has them)."""
    with app.engine.connect() as conn:
        audit = audit_row(conn, audit_id)
        seed = seed_row(conn, audit_id)
        targeted = audit_contests(conn, audit_id, "targeted")
        counties = audit_counties(conn, audit_id)
        views = read_rounds(conn, audit_id)
        counted = hand_counts(conn, audit_id)
        measured = {
            str(r.round_id): str(r.measured_at)
            for r in conn.execute(
                select(AUDIT_BATCH_RESULTS.c.round_id, AUDIT_BATCH_RESULTS.c.measured_at).where(
                    AUDIT_BATCH_RESULTS.c.round_id.in_([v.round_id for v in views])
                )
            )
        }
    frame = batch_frame(app, audit_id)
    tickets: dict[str, list[str]] = {}
    first: dict[str, int] = {}
    for view in views:
        for draw in view.draws:
            tickets.setdefault(draw.batch_id, []).append(draw.ticket_number)
            first.setdefault(draw.batch_id, view.number)
    ballots: list[SampledBallot] = []
    for bid, number in first.items():
        place = frame.places[bid]
        hand = counted.get(bid)
        readings = []
        for name, tally in frame.election.batches.get(bid, {}).items():
            choices = list(frame.totals[name].tally)
            if bid not in counted:
                audited = ""
            elif hand is None:
                audited = NOT_FOUND
            else:
                audited = _votes(hand.get(name, {}), choices)
            readings.append(ContestReading(name, _votes(tally.votes, choices), audited))
        ballots.append(
            SampledBallot(
                number,
                tuple(tickets[bid]),
                place.county,
                None,
                place.tabulator,
                place.batch,
                0,
                False,
                bid,
                tuple(readings),
            )
        )
    rounds: list[ReportRound] = []
    total = 0
    for view in views:
        total += view.sample_size
        closed = measured.get(view.round_id)
        rounds.append(
            ReportRound(
                view.number,
                view.sample_size,
                total,
                view.drawn_at,
                closed,
                view.risk,
                view.decision,
            )
        )
    return AuditReport(
        audit_id=audit_id,
        election=str(audit.election),
        method=str(audit.method),
        risk_limit=str(audit.risk_limit),
        with_replacement=True,
        status=str(audit.status),
        created_at=str(audit.created_at),
        seed=None if seed is None else str(seed.seed),
        seed_set_at=None if seed is None else str(seed.set_at),
        witnesses=() if seed is None else tuple(str(w) for w in json.loads(seed.witnesses)),
        counties=tuple(counties),
        contests=contests,
        targeted=tuple(targeted),
        frame_size=len(frame.order),
        frame_sha256=hashlib.sha256("\n".join(frame.order).encode("utf-8")).hexdigest(),
        evidence_sha256=evidence_sha256,
        rounds=tuple(rounds),
        ballots=tuple(ballots),
        discrepancies=(),
    )
