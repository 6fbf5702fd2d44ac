"""Raising alerts about unusual changes to the voter list, in the same transaction as the change.

The rules live in ``core/voters/anomalies.py``; this module feeds them the
change just made and the changes of the last hour, stores what they find for
the state administrator and logs each alert as a ledgered record (its event
hashes the stored row, as does the event of its acknowledgement), so an alert
can no more be quietly dropped or edited than the change that caused it. The state's wall clock
(business hours) is ``VOTETRAIL_TIMEZONE`` (an IANA name, default
America/Denver).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from votetrail.core.access import Principal, may_read_voter_alerts
from votetrail.core.ledger.canonical import canonical_bytes, iso_utc
from votetrail.core.voters.anomalies import ChangeSeen, Rules, find_anomalies
from votetrail.core.voters.record import VoterRecord
from votetrail.core.voters.transactions import Kind
from votetrail.errors import InvalidInput, NotFound, PermissionDenied
from votetrail.services.context import App
from votetrail.services.directory import state_id
from votetrail.services.office_zone import zone
from votetrail.services.unit_of_work import UnitOfWork, deny, unit_of_work
from votetrail.store.models import VOTER_ALERTS, VOTER_PARTICIPATION, VOTER_VERSIONS

RULES = Rules()
RECENT_VOTE_DAYS = 90
"""A change within this many days of the voter's last vote is flagged."""


def local_now(app: App) -> datetime:
    return app.clock().astimezone(zone())


def _seen(
    voter_id: str, county: str, kind: str, actor: str, at: datetime, voted: str | None
) -> ChangeSeen:
    local = at.astimezone(zone()).replace(tzinfo=None)
    return ChangeSeen(voter_id, county, kind, actor, at, local, voted)


def check(app: App, uow: UnitOfWork, changes: Sequence[tuple[VoterRecord, Kind]]) -> None:
    """Run the rules over ``changes`` (already written in ``uow``) and raise what they find."""
    conn = uow.conn
    now = app.clock()
    since = now - RULES.window
    fresh = {(r.voter_id, r.version) for r, _ in changes}
    earlier: list[ChangeSeen] = []
    for voter_id, version, kind, actor, occurred in conn.execute(
        select(
            VOTER_VERSIONS.c.voter_id,
            VOTER_VERSIONS.c.version,
            VOTER_VERSIONS.c.kind,
            VOTER_VERSIONS.c.actor,
            VOTER_VERSIONS.c.occurred_at,
        )
        .where(VOTER_VERSIONS.c.occurred_at >= iso_utc(since))
        .where(VOTER_VERSIONS.c.import_id.is_(None))
        .where(VOTER_VERSIONS.c.kind.in_([Kind.ADDRESS.value, Kind.PARTY.value]))
    ):
        if (voter_id, version) in fresh:
            continue
        at = datetime.fromisoformat(occurred.replace("Z", "+00:00"))
        earlier.append(_seen(voter_id, "", kind, actor, at, None))
    voted = _recent_votes(uow, [r.voter_id for r, k in changes if k is not Kind.REGISTRATION], now)
    new = [
        _seen(r.voter_id, r.county, k.value, uow.actor, now, voted.get(r.voter_id))
        for r, k in changes
    ]
    raised = iso_utc(now)
    state = state_id(conn)
    for anomaly in find_anomalies(new, earlier, RULES):
        details = anomaly.details()
        digest = hashlib.sha256(canonical_bytes({**details, "raised_at": raised})).hexdigest()
        alert_id = f"va-{digest[:20]}"
        conn.execute(
            VOTER_ALERTS.insert().values(
                id=alert_id,
                rule=anomaly.rule,
                actor=anomaly.actor,
                county=anomaly.county,
                count=anomaly.count,
                first_at=iso_utc(anomaly.first_at),
                last_at=iso_utc(anomaly.last_at),
                voter_ids=json.dumps(list(anomaly.voter_ids)),
                summary=anomaly.summary,
                raised_at=raised,
                acknowledged_by=None,
            )
        )
        uow.record("voters.alert", alert_id, anomaly.county or state)


def _recent_votes(uow: UnitOfWork, voter_ids: list[str], now: datetime) -> dict[str, str]:
    if not voter_ids:
        return {}
    cutoff = (now - timedelta(days=RECENT_VOTE_DAYS)).date().isoformat()
    found: dict[str, str] = {}
    for voter_id, election in uow.conn.execute(
        select(VOTER_PARTICIPATION.c.voter_id, VOTER_PARTICIPATION.c.election)
        .where(VOTER_PARTICIPATION.c.voter_id.in_(voter_ids))
        .where(VOTER_PARTICIPATION.c.voted_on >= cutoff)
    ):
        found[voter_id] = election
    return found


@dataclass(frozen=True)
class AlertView:
    id: str
    rule: str
    actor: str
    county: str
    count: int
    first_at: str
    last_at: str
    voter_ids: tuple[str, ...]
    summary: str
    raised_at: str
    acknowledged_by: str | None


def alerts(app: App, principal: Principal, *, limit: int = 200) -> list[AlertView]:
    """The newest alerts, for the state administrator; anyone else is refused and logged."""
    with app.engine.connect() as conn:
        state = state_id(conn) or ""
    if not may_read_voter_alerts(principal, state):
        deny(app, principal.username, state, "read voter alerts")
        raise PermissionDenied(f"{principal.username} may not read voter alerts")
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(VOTER_ALERTS).order_by(VOTER_ALERTS.c.raised_at.desc()).limit(limit)
        ).all()
    return [_view(r) for r in rows]


def _view(r: Any) -> AlertView:
    return AlertView(
        r.id,
        r.rule,
        r.actor,
        r.county,
        r._mapping["count"],
        r.first_at,
        r.last_at,
        tuple(json.loads(r.voter_ids)),
        r.summary,
        r.raised_at,
        r.acknowledged_by,
    )


def acknowledge(app: App, principal: Principal, alert_id: str) -> AlertView:
    """The state administrator has seen an alert; logged, so it cannot be quietly un-seen."""
    with app.engine.connect() as conn:
        state = state_id(conn) or ""
    if not may_read_voter_alerts(principal, state):
        deny(app, principal.username, state, "acknowledge voter alerts")
        raise PermissionDenied(f"{principal.username} may not acknowledge voter alerts")
    with unit_of_work(app, principal.username) as uow:
        row = uow.conn.execute(select(VOTER_ALERTS).where(VOTER_ALERTS.c.id == alert_id)).first()
        if row is None:
            raise NotFound(f"no voter alert {alert_id}")
        if row.acknowledged_by is not None:
            raise InvalidInput(
                f"alert {alert_id} was already acknowledged by {row.acknowledged_by}"
            )
        # Only a row still unacknowledged changes: of two administrators acting at
        # once (PostgreSQL, READ COMMITTED), the second finds it taken and is refused.
        changed = uow.conn.execute(
            update(VOTER_ALERTS)
            .where(VOTER_ALERTS.c.id == alert_id, VOTER_ALERTS.c.acknowledged_by.is_(None))
            .values(acknowledged_by=principal.username)
        ).rowcount
        if changed != 1:
            raise InvalidInput(f"alert {alert_id} was acknowledged meanwhile by someone else")
        uow.record("voters.alert_acknowledged", alert_id, row.county or state)
        return _view(
            uow.conn.execute(select(VOTER_ALERTS).where(VOTER_ALERTS.c.id == alert_id)).one()
        )


__all__ = ["RULES", "AlertView", "acknowledge", "alerts", "check", "local_now", "zone"]
