"""Where an audit stands: each county's readiness and each round's progress.

A county is done with a round when every ballot it must examine in the round
(drawn in it and not examined in an earlier round) is assigned to a board and
every board holding such ballots signed the round off. The round may be
closed (``measure.close_round``) once every county is done.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from votetrail.core.access import Principal, may_manage_audit_boards
from votetrail.errors import NotFound
from votetrail.services.audit.access import Refused, audit_row, guarded
from votetrail.services.audit.launch import launch_problems as _launch_problems
from votetrail.services.audit.launch import reported_status
from votetrail.services.audit.reads import contest_shapes, current_round, round_closed
from votetrail.services.audit.seed import seed_row
from votetrail.services.audit.setup import audit_contests, audit_counties
from votetrail.services.context import App
from votetrail.services.counting.current_uploads import current_document, current_uploads
from votetrail.services.counting.results import accounting
from votetrail.services.directory import state_id
from votetrail.store.models import (
    AUDIT_ASSIGNMENTS,
    AUDIT_BOARDS,
    AUDIT_DRAWS,
    AUDIT_INTERPRETATIONS,
    AUDIT_ROUND_RESULTS,
    AUDIT_ROUNDS,
    AUDIT_SIGNOFFS,
    AUDITS,
    JURISDICTIONS,
    UPLOAD_ROWS,
)


@dataclass(frozen=True)
class CountyStatus:
    county: str
    name: str
    manifest: bool
    cvrs: bool
    paper_counts: bool
    ballots_in_manifest: int
    phantoms: int
    accounting_findings: int
    boards: int
    drawn_this_round: int
    interpreted_this_round: int
    boards_signed_off: int
    rounds_done: int
    reported_results: str = "missing"
    """The county's reported results: ``missing``, ``in`` (no CVRs to compare yet),
    ``match`` (its CVRs count exactly them in every targeted contest) or ``differ``."""


@dataclass(frozen=True)
class RoundView:
    number: int
    sample_size: int  # tickets drawn in this round
    drawn_at: str
    risk: dict[str, float]  # contest -> risk, empty until the round is closed
    decision: dict[str, str]  # contest -> confirmed | continue | full_hand_count
    closed: bool


@dataclass(frozen=True)
class AuditOverview:
    id: str
    election: str
    method: str
    risk_limit: str
    with_replacement: bool
    status: str  # set_up | seed_set | sampling | confirmed | full_hand_count
    targeted: list[str]
    opportunistic: list[str]
    counties: list[CountyStatus]
    seed: str | None
    witnesses: list[str]
    rounds: list[RoundView]
    launch_problems: list[str]  # why the audit cannot be launched (seed/draw); empty: it can
    round_complete: bool  # every county's boards signed off the current round


@dataclass(frozen=True)
class _RoundWork:
    """One county's share of a round: ballots to examine, who holds them, who signed."""

    to_examine: list[str]
    holder: dict[str, str]
    boards: dict[str, str]  # board id -> name
    signed: set[str]
    complete: set[str]  # ballots with every contest entered


def _round_work(conn: Connection, audit_id: str, round_row: Any, county: str) -> _RoundWork:
    drawn = list(
        dict.fromkeys(
            str(b)
            for b in conn.execute(
                select(AUDIT_DRAWS.c.ballot_id)
                .where(
                    AUDIT_DRAWS.c.round_id == round_row.id,
                    AUDIT_DRAWS.c.jurisdiction_id == county,
                )
                .order_by(AUDIT_DRAWS.c.draw_number)
            ).scalars()
        )
    )
    readings: dict[str, set[str]] = {}
    earlier: set[str] = set()
    for row in conn.execute(
        select(
            AUDIT_INTERPRETATIONS.c.ballot_id,
            AUDIT_INTERPRETATIONS.c.contest,
            AUDIT_INTERPRETATIONS.c.round_id,
        )
        .join(AUDIT_BOARDS, AUDIT_BOARDS.c.id == AUDIT_INTERPRETATIONS.c.board_id)
        .where(
            AUDIT_INTERPRETATIONS.c.audit_id == audit_id, AUDIT_BOARDS.c.jurisdiction_id == county
        )
    ):
        if row.round_id != round_row.id:
            earlier.add(str(row.ballot_id))
        readings.setdefault(str(row.ballot_id), set()).add(str(row.contest))
    to_examine = [b for b in drawn if b not in earlier]
    boards = {
        str(r.id): str(r.name)
        for r in conn.execute(
            select(AUDIT_BOARDS.c.id, AUDIT_BOARDS.c.name).where(
                AUDIT_BOARDS.c.audit_id == audit_id, AUDIT_BOARDS.c.jurisdiction_id == county
            )
        )
    }
    holder = {
        str(r.ballot_id): str(r.board_id)
        for r in conn.execute(
            select(AUDIT_ASSIGNMENTS.c.ballot_id, AUDIT_ASSIGNMENTS.c.board_id).where(
                AUDIT_ASSIGNMENTS.c.round_id == round_row.id,
                AUDIT_ASSIGNMENTS.c.board_id.in_(list(boards)),
            )
        )
    }
    signed = {
        str(b)
        for b in conn.execute(
            select(AUDIT_SIGNOFFS.c.board_id).where(
                AUDIT_SIGNOFFS.c.round_id == round_row.id,
                AUDIT_SIGNOFFS.c.board_id.in_(list(boards)),
            )
        ).scalars()
    }
    contests = {c.id for c in contest_shapes(conn, audit_id)}
    complete = {b for b in to_examine if contests <= readings.get(b, set())}
    return _RoundWork(to_examine, holder, boards, signed, complete)


def _not_done(county: str, work: _RoundWork) -> str | None:
    unassigned = [b for b in work.to_examine if b not in work.holder]
    if unassigned:
        return f"{county}: {len(unassigned)} ballot(s) not assigned to an audit board"
    holding = sorted({work.holder[b] for b in work.to_examine} - work.signed)
    if holding:
        names = ", ".join(work.boards[b] for b in holding)
        return f"{county}: {names} has not signed off"
    return None


def counties_not_done(conn: Connection, audit_id: str, round_row: Any) -> list[str]:
    """A sentence per county that has not finished the round; empty when all have."""
    out = []
    for county in audit_counties(conn, audit_id):
        problem = _not_done(county, _round_work(conn, audit_id, round_row, county))
        if problem is not None:
            out.append(problem)
    return out


def round_view(conn: Connection, round_row: Any) -> RoundView:
    results = conn.execute(
        select(AUDIT_ROUND_RESULTS)
        .where(AUDIT_ROUND_RESULTS.c.round_id == round_row.id)
        .order_by(AUDIT_ROUND_RESULTS.c.id)
    ).all()
    return RoundView(
        number=int(round_row.number),
        sample_size=int(round_row.sample_size),
        drawn_at=str(round_row.drawn_at),
        risk={str(r.contest): float(r.risk) for r in results},
        decision={str(r.contest): str(r.decision) for r in results},
        closed=bool(results),
    )


def audits(app: App) -> list[tuple[str, str, str, str]]:
    """(id, election, method, status) of every audit, newest first; public facts."""
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(AUDITS.c.id, AUDITS.c.election, AUDITS.c.method, AUDITS.c.status).order_by(
                AUDITS.c.created_at.desc(), func.length(AUDITS.c.id).desc(), AUDITS.c.id.desc()
            )
        ).all()
    return [(str(r.id), str(r.election), str(r.method), str(r.status)) for r in rows]


def _manifest_ballots(conn: Connection, upload: Any) -> int:
    rows = conn.execute(select(UPLOAD_ROWS.c.record).where(UPLOAD_ROWS.c.upload_id == upload.id))
    return sum(int(json.loads(text)["ballots"]) for text in rows.scalars())


def _county_status(app: App, conn: Connection, audit_id: str, county: str) -> CountyStatus:
    name = conn.execute(select(JURISDICTIONS.c.name).where(JURISDICTIONS.c.id == county)).scalar()
    manifest = current_document(conn, county, "manifest")
    cvrs = bool(current_uploads(conn, county, "cvrs"))
    phantoms = findings = 0
    if cvrs:
        report = accounting(app, county)
        phantoms = len(report.phantoms.phantoms)
        findings = len(report.reconciliation.findings)
    current = current_round(conn, audit_id)
    work = None if current is None else _round_work(conn, audit_id, current, county)
    closed = conn.execute(
        select(func.count(func.distinct(AUDIT_ROUND_RESULTS.c.round_id)))
        .join(AUDIT_ROUNDS, AUDIT_ROUNDS.c.id == AUDIT_ROUND_RESULTS.c.round_id)
        .where(AUDIT_ROUNDS.c.audit_id == audit_id)
    ).scalar_one()
    return CountyStatus(
        county=county,
        name=str(name or county),
        manifest=manifest is not None,
        cvrs=cvrs,
        paper_counts=current_document(conn, county, "paper_counts") is not None,
        ballots_in_manifest=0 if manifest is None else _manifest_ballots(conn, manifest),
        phantoms=phantoms,
        accounting_findings=findings,
        boards=_board_count(conn, audit_id, county),
        drawn_this_round=0 if work is None else len(work.to_examine),
        interpreted_this_round=0 if work is None else len(work.complete),
        boards_signed_off=0 if work is None else len(work.signed),
        rounds_done=int(closed),
        reported_results=reported_status(app, conn, audit_id, county),
    )


def _board_count(conn: Connection, audit_id: str, county: str) -> int:
    return int(
        conn.execute(
            select(func.count())
            .select_from(AUDIT_BOARDS)
            .where(AUDIT_BOARDS.c.audit_id == audit_id, AUDIT_BOARDS.c.jurisdiction_id == county)
        ).scalar_one()
    )


def overview(app: App, audit_id: str) -> AuditOverview:
    """Everything the state's status board shows (counts only, no voter data)."""
    problems = _launch_problems(app, audit_id)
    with app.engine.connect() as conn:
        audit = audit_row(conn, audit_id)
        counties = audit_counties(conn, audit_id)
        statuses = [_county_status(app, conn, audit_id, c) for c in counties]
        seed = seed_row(conn, audit_id)
        rounds = [
            round_view(conn, r)
            for r in conn.execute(
                select(AUDIT_ROUNDS)
                .where(AUDIT_ROUNDS.c.audit_id == audit_id)
                .order_by(AUDIT_ROUNDS.c.number)
            )
        ]
        current = current_round(conn, audit_id)
        complete = (
            current is not None
            and not round_closed(conn, str(current.id))
            and not counties_not_done(conn, audit_id, current)
        )
        targeted = audit_contests(conn, audit_id, "targeted")
        opportunistic = audit_contests(conn, audit_id, "opportunistic")
    return AuditOverview(
        id=str(audit.id),
        election=str(audit.election),
        method=str(audit.method),
        risk_limit=str(audit.risk_limit),
        with_replacement=bool(audit.with_replacement),
        status=str(audit.status),
        targeted=targeted,
        opportunistic=opportunistic,
        counties=statuses,
        seed=None if seed is None else str(seed.seed),
        witnesses=[] if seed is None else list(json.loads(seed.witnesses)),
        rounds=rounds,
        launch_problems=problems,
        round_complete=complete,
    )


def launch_problems(app: App, audit_id: str) -> list[str]:
    """Sentences saying why the audit may not be launched: a county lacks a file, or a
    targeted contest's totals differ between the counties' CVRs and their reported results."""
    return _launch_problems(app, audit_id)


def county_overview(app: App, principal: Principal, audit_id: str, county: str) -> CountyStatus:
    """One county's status; its administrator or the state administrator."""
    with guarded(app, principal), app.engine.connect() as conn:
        if not may_manage_audit_boards(principal, county, state_id(conn) or ""):
            raise Refused(
                county,
                f"see the audit progress of {county} in {audit_id}",
                f"{principal.username} may not see {county}'s audit progress",
            )
        audit_row(conn, audit_id)
        if county not in audit_counties(conn, audit_id):
            raise NotFound(f"{county!r} is not in {audit_id}")
        return _county_status(app, conn, audit_id, county)
