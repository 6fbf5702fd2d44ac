"""Setting up a risk-limiting audit: election, method, risk limit, contests and counties.

Only the state administrator does this (``core.access.may_run_audits``). The
audit, each contest and each county are ledgered records written in one
transaction, so the log shows the whole set-up as one step. Several audits may
exist side by side, e.g. a practice audit and the real one; each is numbered
``audit-1``, ``audit-2``, ... in the order they were created.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from sqlalchemy import Connection, func, insert, select

from votetrail.core.access import Principal
from votetrail.core.audit.types import RiskLimit
from votetrail.core.ledger.canonical import iso_utc
from votetrail.errors import InvalidInput, NotFound
from votetrail.services.audit.access import guarded, require_state_admin
from votetrail.services.audit.irv import ranked_definitions
from votetrail.services.context import App
from votetrail.services.counting.results import results
from votetrail.services.unit_of_work import unit_of_work
from votetrail.store import ledger
from votetrail.store.models import AUDIT_CONTESTS, AUDIT_COUNTIES, AUDITS, JURISDICTIONS


class AuditMethod(StrEnum):
    BALLOT_COMPARISON = "ballot_comparison"
    BALLOT_POLLING = "ballot_polling"
    BATCH_COMPARISON = "batch_comparison"


class Status(StrEnum):
    SET_UP = "set_up"
    SEED_SET = "seed_set"
    SAMPLING = "sampling"


@dataclass(frozen=True)
class AuditSetup:
    """What the state administrator chooses; contest names as the counties' results name them."""

    election: str
    method: AuditMethod
    risk_limit: str
    targeted: Sequence[str]
    opportunistic: Sequence[str]
    counties: Sequence[str]
    with_replacement: bool = False


def risk_limit_text(value: str) -> str:
    """The risk limit as stored: a plain decimal such as ``0.05``, checked to be in (0, 1)."""
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise InvalidInput("must be a decimal number, e.g. 0.05", where="risk limit") from None
    if not number.is_finite():
        raise InvalidInput("must be a decimal number, e.g. 0.05", where="risk limit")
    RiskLimit(float(number))
    return format(number.normalize(), "f")


def _checked(setup: AuditSetup, known: set[str]) -> tuple[str, list[str], list[str], list[str]]:
    election = " ".join(setup.election.split())
    if not election or len(election) > 200:
        raise InvalidInput("must be 1 to 200 characters", where="election")
    targeted = list(dict.fromkeys(c.strip() for c in setup.targeted if c.strip()))
    opportunistic = list(dict.fromkeys(c.strip() for c in setup.opportunistic if c.strip()))
    counties = sorted({c.strip() for c in setup.counties if c.strip()})
    if not targeted:
        raise InvalidInput("name at least one contest to target", where="targeted contests")
    if not counties:
        raise InvalidInput("name at least one county", where="counties")
    both = sorted(set(targeted) & set(opportunistic))
    if both:
        raise InvalidInput(f"{both} are both targeted and opportunistic", where="contests")
    for contest in [*targeted, *opportunistic]:
        if contest not in known:
            raise InvalidInput(
                f"no county in the audit counted it; known contests: {sorted(known)}",
                where=f"contest {contest!r}",
            )
    return election, targeted, opportunistic, counties


def _require_counties(conn: Connection, counties: Sequence[str]) -> None:
    for county in counties:
        kind = conn.execute(
            select(JURISDICTIONS.c.kind).where(JURISDICTIONS.c.id == county)
        ).scalar()
        if kind != "county":
            raise NotFound(f"no county {county!r}")


def _counted_contests(app: App, counties: Sequence[str]) -> set[str]:
    """The contests the counties' CVRs count: plurality totals and ranked-choice contests."""
    known: set[str] = set()
    for county in counties:
        known.update(r.name for r in results(app, county))
    return known | set(ranked_definitions(app, counties))


def _check_ranked(
    app: App, method: AuditMethod, counties: Sequence[str], contests: list[str]
) -> None:
    """An IRV contest is audited by comparing paper rankings with CVR rankings, single-winner."""
    ranked = ranked_definitions(app, counties)
    for contest in contests:
        definition = ranked.get(contest)
        if definition is None:
            continue
        where = f"contest {contest!r}"
        if method is not AuditMethod.BALLOT_COMPARISON:
            raise InvalidInput(
                "is a ranked-choice contest; it can be audited in a ballot-comparison audit only "
                "(its RAIRE assertions compare each paper's rankings with its CVR's)",
                where=where,
            )
        if definition.votes_allowed != 1:
            raise InvalidInput(
                f"elects {definition.votes_allowed} candidates; only single-winner IRV contests "
                "can be audited",
                where=where,
            )


def create_audit(app: App, principal: Principal, setup: AuditSetup) -> str:
    """Create the audit with its contests and counties in one logged transaction; its id."""
    limit = risk_limit_text(setup.risk_limit)
    method = AuditMethod(setup.method)
    with guarded(app, principal), unit_of_work(app, principal.username) as uow:
        conn = uow.conn
        state = require_state_admin(conn, principal, "create an audit")
        counties = sorted({c.strip() for c in setup.counties if c.strip()})
        _require_counties(conn, counties)
        election, targeted, opportunistic, counties = _checked(
            setup, _counted_contests(app, counties)
        )
        _check_ranked(app, method, counties, [*targeted, *opportunistic])
        ledger.head(conn, lock=True)  # one writer numbers audits at a time (PostgreSQL)
        number = conn.execute(select(func.count()).select_from(AUDITS)).scalar_one() + 1
        audit_id = f"audit-{number}"
        conn.execute(
            insert(AUDITS).values(
                id=audit_id,
                election=election,
                method=method.value,
                risk_limit=limit,
                with_replacement=setup.with_replacement,
                status=Status.SET_UP.value,
                created_at=iso_utc(app.clock()),
                created_by=principal.username,
            )
        )
        uow.record("audit.created", audit_id, state)
        roles = [(c, "targeted") for c in targeted] + [(c, "opportunistic") for c in opportunistic]
        for index, (contest, role) in enumerate(roles, start=1):
            contest_row = f"{audit_id}/contest-{index:03d}"
            conn.execute(
                insert(AUDIT_CONTESTS).values(
                    id=contest_row, audit_id=audit_id, contest=contest, role=role
                )
            )
            uow.record("audit.contest_included", contest_row, state)
        for county in counties:
            county_row = f"{audit_id}/{county}"
            conn.execute(
                insert(AUDIT_COUNTIES).values(
                    id=county_row, audit_id=audit_id, jurisdiction_id=county
                )
            )
            uow.record("audit.county_included", county_row, county)
    return audit_id


def audit_counties(conn: Connection, audit_id: str) -> list[str]:
    """The audit's counties, sorted by id: the order their ballots enter the frame."""
    return [
        str(c)
        for c in conn.execute(
            select(AUDIT_COUNTIES.c.jurisdiction_id)
            .where(AUDIT_COUNTIES.c.audit_id == audit_id)
            .order_by(AUDIT_COUNTIES.c.jurisdiction_id)
        ).scalars()
    ]


def audit_contests(conn: Connection, audit_id: str, role: str) -> list[str]:
    return [
        str(c)
        for c in conn.execute(
            select(AUDIT_CONTESTS.c.contest)
            .where(AUDIT_CONTESTS.c.audit_id == audit_id, AUDIT_CONTESTS.c.role == role)
            .order_by(AUDIT_CONTESTS.c.id)
        ).scalars()
    ]
