"""An audit's public record: the evidence package and the report, built from the store.

Everything here is public (no principal): the seed, the sample, every board's
reading and the CVR it is compared with, and the risk. None of it is voter
data: a CVR is an anonymous ballot record, and ballot ids name shelf places.

``evidence.zip`` holds the *closed* rounds only: the contract gives every
round a risk and a decision, which an open round does not have yet, and a
package must recompute cleanly whenever it is downloaded. The report covers
every round, the open one too (its ballots with what has been entered so far).
The sampling frame is the counties' current uploads in sampler order
(``draw.frame_of``), the frame every round was drawn from (a draw refuses to
continue once it changed).
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from votetrail.core.audit.assertions import Contest, ContestKind
from votetrail.core.audit.discrepancies import Discrepancy, find_discrepancies
from votetrail.core.audit.evidence import (
    MARKS,
    NOT_FOUND,
    AuditMethod,
    Draw,
    Evidence,
    EvidenceContest,
    EvidenceRound,
    Interpretation,
    Reading,
)
from votetrail.core.tally.tabulate import ContestResult, merge
from votetrail.errors import InvalidInput, NotFound
from votetrail.formats.audit.evidence import write_evidence
from votetrail.formats.audit.report import (
    AuditReport,
    ContestReading,
    ReportRound,
    SampledBallot,
    write_report_csv,
)
from votetrail.services.audit.access import audit_row
from votetrail.services.audit.cvr_lookup import Place, cvr_readings
from votetrail.services.audit.draw import Frame, frame_of
from votetrail.services.audit.irv import irv_assertions, irv_contest, ranked_definitions
from votetrail.services.audit.seed import seed_row
from votetrail.services.audit.setup import audit_counties
from votetrail.services.context import App
from votetrail.services.counting.results import results
from votetrail.store.models import (
    AUDIT_CONTESTS,
    AUDIT_DRAWS,
    AUDIT_INTERPRETATIONS,
    AUDIT_ROUND_RESULTS,
    AUDIT_ROUNDS,
)

__all__ = [
    "Discrepancy",
    "discrepancies",
    "evidence_of",
    "evidence_package",
    "evidence_zip",
    "irv_contests",
    "report_csv",
    "report_pdf",
    "working_evidence",
]


@dataclass(frozen=True)
class _Round:
    number: int
    drawn: int
    drawn_at: str
    closed_at: str | None
    risk: dict[str, float]
    decision: dict[str, str]


@dataclass(frozen=True)
class _Stored:
    """What the public record is made of, read once."""

    audit: Any
    seed: Any
    contests: list[tuple[str, str]]
    counties: list[str]
    rounds: list[_Round]
    draws: list[Any]
    audited: dict[tuple[str, str], str]
    cvrs: dict[str, dict[str, str]]
    totals: dict[str, ContestResult]
    frame: Frame
    irv: dict[str, EvidenceContest]

    @property
    def comparison(self) -> bool:
        return str(self.audit.method) == AuditMethod.BALLOT_COMPARISON.value


def _rounds(conn: Connection, audit_id: str) -> list[_Round]:
    rows = conn.execute(
        select(AUDIT_ROUNDS)
        .where(AUDIT_ROUNDS.c.audit_id == audit_id)
        .order_by(AUDIT_ROUNDS.c.number)
    ).all()
    out: list[_Round] = []
    for row in rows:
        measured = conn.execute(
            select(AUDIT_ROUND_RESULTS)
            .where(AUDIT_ROUND_RESULTS.c.round_id == row.id)
            .order_by(AUDIT_ROUND_RESULTS.c.id)
        ).all()
        out.append(
            _Round(
                int(row.number),
                int(row.sample_size),
                str(row.drawn_at),
                max((str(m.closed_at) for m in measured), default=None),
                {str(m.contest): float(m.risk) for m in measured},
                {str(m.contest): str(m.decision) for m in measured},
            )
        )
    return out


def _read(app: App, audit_id: str) -> _Stored:
    with app.engine.connect() as conn:
        audit = audit_row(conn, audit_id)
        seed = seed_row(conn, audit_id)
        contests = [
            (str(r.contest), str(r.role))
            for r in conn.execute(
                select(AUDIT_CONTESTS.c.contest, AUDIT_CONTESTS.c.role)
                .where(AUDIT_CONTESTS.c.audit_id == audit_id)
                .order_by(AUDIT_CONTESTS.c.id)
            )
        ]
        counties = audit_counties(conn, audit_id)
        rounds = _rounds(conn, audit_id)
        draws = conn.execute(
            select(AUDIT_DRAWS, AUDIT_ROUNDS.c.number)
            .join(AUDIT_ROUNDS, AUDIT_ROUNDS.c.id == AUDIT_DRAWS.c.round_id)
            .where(AUDIT_ROUNDS.c.audit_id == audit_id)
            .order_by(AUDIT_DRAWS.c.draw_number)
        ).all()
        audited = {
            (str(r.ballot_id), str(r.contest)): str(r.reading)
            for r in conn.execute(
                select(
                    AUDIT_INTERPRETATIONS.c.ballot_id,
                    AUDIT_INTERPRETATIONS.c.contest,
                    AUDIT_INTERPRETATIONS.c.reading,
                ).where(AUDIT_INTERPRETATIONS.c.audit_id == audit_id)
            )
        }
        totals = {r.name: r for r in merge({c: results(app, c) for c in counties})}
        frame = frame_of(app, counties)
        ranked = ranked_definitions(app, counties)
        irv = {
            name: _irv_contest(app, conn, counties, name, len(frame.ballot_ids))
            for name, _ in contests
            if name in ranked
        }
        vote_for = {name: _vote_for(totals, name) for name, _ in contests}
        cvrs: dict[str, dict[str, str]] = {}
        if str(audit.method) == AuditMethod.BALLOT_COMPARISON.value:
            for county in counties:
                places = {
                    str(d.ballot_id): Place(
                        str(d.ballot_id),
                        d.tabulator,
                        str(d.batch),
                        int(d.position),
                        bool(d.phantom),
                    )
                    for d in draws
                    if d.jurisdiction_id == county
                }
                cvrs.update(cvr_readings(conn, county, places.values(), vote_for, set(irv)))
    return _Stored(
        audit, seed, contests, counties, rounds, list(draws), audited, cvrs, totals, frame, irv
    )


def _irv_contest(
    app: App, conn: Connection, counties: list[str], name: str, frame_size: int
) -> EvidenceContest:
    """An IRV contest with the RAIRE assertions for its reported winner over the frame.

    While the launch check still fails (no single reported winner, or one its
    CVRs do not elect) it has no assertions and names whatever winner was
    reported: pages can show it, no draw is allowed, and ``verify`` would say
    the assertions prove nothing.
    """
    found = irv_contest(app, conn, counties, name)
    winners = () if found.winner is None else (found.winner,)
    try:
        assertions = irv_assertions(found, frame_size).assertions
    except InvalidInput:
        assertions = ()
    return EvidenceContest(
        name, name, 1, winners, found.first_preferences, frame_size, irv_assertions=assertions
    )


def _vote_for(totals: Mapping[str, ContestResult], name: str) -> int:
    found = totals.get(name)
    return 1 if found is None else found.votes_allowed


def _contest(stored: _Stored, name: str) -> EvidenceContest:
    """The contest as the counties reported it, statewide; ballots: the frame's size."""
    if name in stored.irv:
        return stored.irv[name]
    found = stored.totals.get(name)
    if found is None:
        raise InvalidInput("no county in the audit reports it any more", where=f"contest {name!r}")
    ballots = len(stored.frame.ballot_ids)
    votes = dict(found.tally)
    try:
        winners = Contest(
            id=name,
            votes=votes,
            ballots=max(ballots, 1),
            vote_for=found.votes_allowed,
            kind=ContestKind.PLURALITY if found.votes_allowed == 1 else ContestKind.VOTE_FOR_N,
        ).winners
    except InvalidInput:  # e.g. a tie: published as counted, and the checker names it
        ranked = sorted(votes, key=lambda choice: -votes[choice])
        winners = tuple(ranked[: found.votes_allowed])
    return EvidenceContest(name, name, found.votes_allowed, tuple(winners), votes, ballots)


def _reading(text: str) -> Reading:
    if text in MARKS:
        return Reading(mark=text)
    return Reading(frozenset(text.split(";")))


def _first_drawn(draws: Sequence[Any]) -> dict[str, Any]:
    """Each distinct ballot's first draw, in draw order."""
    first: dict[str, Any] = {}
    for draw in draws:
        first.setdefault(str(draw.ballot_id), draw)
    return first


def _evidence(stored: _Stored, *, closed_only: bool) -> Evidence:
    seed = stored.seed
    if seed is None:
        raise NotFound(f"{stored.audit.id} has no evidence yet: its seed has not been set")
    closed: list[_Round] = []
    for record in stored.rounds:
        if closed_only and record.closed_at is None:
            break
        closed.append(record)
    numbers = {r.number for r in closed}
    draws = [d for d in stored.draws if int(d.number) in numbers]
    contests = tuple(_contest(stored, name) for name, _ in stored.contests)
    rounds: list[EvidenceRound] = []
    total = 0
    for record in closed:
        total += record.drawn
        rounds.append(EvidenceRound(record.number, total, record.risk, record.decision))
    interpretations: list[Interpretation] = []
    for ballot, draw in _first_drawn(draws).items():
        for contest in contests:
            text = stored.audited.get((ballot, contest.id))
            if text is None and draw.phantom:
                text = NOT_FOUND
            if text is None:
                continue  # not entered: the checker names it and counts it as not found
            cvr = None
            if stored.comparison:
                cvr = _reading(stored.cvrs.get(ballot, {}).get(contest.id, NOT_FOUND))
            interpretations.append(Interpretation(ballot, contest.id, cvr, _reading(text)))
    return Evidence(
        audit_id=str(stored.audit.id),
        election=str(stored.audit.election),
        method=AuditMethod(str(stored.audit.method)),
        risk_limit=float(stored.audit.risk_limit),
        seed=str(seed.seed),
        with_replacement=bool(stored.audit.with_replacement),
        contests=contests,
        rounds=tuple(rounds),
        frame=tuple(stored.frame.ballot_ids),
        sample=tuple(Draw(int(d.number), str(d.ticket_number), str(d.ballot_id)) for d in draws),
        interpretations=tuple(interpretations),
    )


def _batch_audit(app: App, audit_id: str) -> bool:
    """Whether it is a batch-comparison audit; NotFound for an unknown audit or before the seed."""
    with app.engine.connect() as conn:
        audit = audit_row(conn, audit_id)
        seeded = seed_row(conn, audit_id) is not None
    if not seeded:
        raise NotFound(f"{audit_id} has no evidence yet: its seed has not been set")
    return str(audit.method) == AuditMethod.BATCH_COMPARISON.value


def evidence_of(app: App, audit_id: str) -> Evidence:
    """The package observers download; public (no principal): it holds no voter data."""
    from votetrail.services.audit import batch_package  # batch comparison

    if _batch_audit(app, audit_id):
        return batch_package.batch_evidence(app, audit_id)
    return _evidence(_read(app, audit_id), closed_only=True)


def irv_contests(app: App, audit_id: str) -> list[EvidenceContest]:
    """The audit's IRV contests as the evidence publishes them, with their assertions
    (also before the seed, for the set-up and status pages)."""
    stored = _read(app, audit_id)
    return [stored.irv[name] for name, _ in stored.contests if name in stored.irv]


def working_evidence(app: App, audit_id: str) -> Evidence:
    """The evidence with the open round too (its ``rounds`` entry has no risk yet).

    What closing a round measures: the same facts the package publishes once
    the round's risk is stored (ballot audits only).
    """
    return _evidence(_read(app, audit_id), closed_only=False)


def evidence_package(evidence: Evidence) -> bytes:
    """The bytes of ``evidence.zip`` for evidence already built (deterministic)."""
    out = io.BytesIO()
    write_evidence(evidence, out)
    return out.getvalue()


def evidence_zip(app: App, audit_id: str) -> bytes:
    """``evidence.zip``: the same bytes for the same audit, so its SHA-256 can be published."""
    return evidence_package(evidence_of(app, audit_id))


def _discrepancies(stored: _Stored) -> list[Discrepancy]:
    if not stored.comparison or stored.seed is None:
        return []
    return find_discrepancies(_evidence(stored, closed_only=False))


def discrepancies(app: App, audit_id: str) -> list[Discrepancy]:
    """Every ballot and contest whose board reading differs from its CVR, every round so far."""
    return _discrepancies(_read(app, audit_id))


def _report(stored: _Stored) -> AuditReport:
    audit = stored.audit
    tickets: dict[str, list[str]] = {}
    for draw in stored.draws:
        tickets.setdefault(str(draw.ballot_id), []).append(str(draw.ticket_number))
    ballots = tuple(
        SampledBallot(
            round=int(draw.number),
            ticket_numbers=tuple(tickets[ballot]),
            county=str(draw.jurisdiction_id),
            container=draw.container,
            tabulator=draw.tabulator,
            batch=str(draw.batch),
            position=int(draw.position),
            phantom=bool(draw.phantom),
            ballot_id=ballot,
            readings=tuple(
                ContestReading(
                    name,
                    stored.cvrs.get(ballot, {}).get(name, NOT_FOUND) if stored.comparison else "",
                    stored.audited.get((ballot, name), ""),
                )
                for name, _ in stored.contests
            ),
        )
        for ballot, draw in _first_drawn(stored.draws).items()
    )
    evidence_sha256 = None
    if stored.seed is not None:
        evidence_sha256 = hashlib.sha256(
            evidence_package(_evidence(stored, closed_only=True))
        ).hexdigest()
    total = 0
    rounds: list[ReportRound] = []
    for record in stored.rounds:
        total += record.drawn
        rounds.append(
            ReportRound(
                record.number,
                record.drawn,
                total,
                record.drawn_at,
                record.closed_at,
                record.risk,
                record.decision,
            )
        )
    witnesses: tuple[str, ...] = ()
    if stored.seed is not None:
        witnesses = tuple(str(w) for w in json.loads(stored.seed.witnesses))
    return AuditReport(
        audit_id=str(audit.id),
        election=str(audit.election),
        method=str(audit.method),
        risk_limit=str(audit.risk_limit),
        with_replacement=bool(audit.with_replacement),
        status=str(audit.status),
        created_at=str(audit.created_at),
        seed=None if stored.seed is None else str(stored.seed.seed),
        seed_set_at=None if stored.seed is None else str(stored.seed.set_at),
        witnesses=witnesses,
        counties=tuple(stored.counties),
        contests=tuple(_contest(stored, name) for name, _ in stored.contests),
        targeted=tuple(name for name, role in stored.contests if role == "targeted"),
        frame_size=len(stored.frame.ballot_ids),
        frame_sha256=stored.frame.sha256,
        evidence_sha256=evidence_sha256,
        rounds=tuple(rounds),
        ballots=ballots,
        discrepancies=tuple(_discrepancies(stored)),
    )


def _report_of(app: App, audit_id: str) -> AuditReport:
    from votetrail.services.audit import batch_package, batch_report  # batch comparison

    with app.engine.connect() as conn:
        audit = audit_row(conn, audit_id)
        seeded = seed_row(conn, audit_id) is not None
    if str(audit.method) != AuditMethod.BATCH_COMPARISON.value:
        return _report(_read(app, audit_id))
    if not seeded:
        return batch_report.batch_report(app, audit_id, (), None)
    evidence = batch_package.batch_evidence(app, audit_id)
    digest = hashlib.sha256(evidence_package(evidence)).hexdigest()
    return batch_report.batch_report(app, audit_id, evidence.contests, digest)


def report_csv(app: App, audit_id: str) -> str:
    """Every sampled ballot with its readings, the discrepancies, and risk per contest per round."""
    out = io.StringIO()
    write_report_csv(_report_of(app, audit_id), out)
    return out.getvalue()


def report_pdf(app: App, audit_id: str) -> bytes:
    """The printable report with a chart of risk over rounds (fpdf2)."""
    from votetrail.formats.audit.report_pdf import report_pdf as printed  # loads fpdf2 on use

    return printed(_report_of(app, audit_id))
