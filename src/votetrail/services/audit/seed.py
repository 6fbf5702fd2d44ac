"""The public seed ceremony: the seed and its witnesses, logged before any sample exists.

The seed decides every ballot drawn, so it must be fixed in public *before*
anything about the sample can be known, and never changed afterwards: a second
seed would let someone re-roll until the sample suited them. So it is set once
(a second attempt is refused and logged as ``access.denied``), only once the
audit is set up (contests and counties chosen, every county's manifest in),
and the draw refuses to run without it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from votetrail.core.access import Principal
from votetrail.core.audit.types import Seed
from votetrail.core.ledger.canonical import iso_utc
from votetrail.errors import InvalidInput
from votetrail.services.audit.access import Refused, audit_row, guarded, require_state_admin
from votetrail.services.audit.launch import launch_problems
from votetrail.services.audit.setup import Status, audit_contests, audit_counties
from votetrail.services.context import App
from votetrail.services.counting.current_uploads import current_document
from votetrail.services.unit_of_work import unit_of_work
from votetrail.store.models import AUDIT_SEEDS, AUDITS

MAX_WITNESS = 200


def _witnesses(names: Sequence[str]) -> list[str]:
    cleaned = [" ".join(n.split()) for n in names if n.strip()]
    if not cleaned:
        raise InvalidInput("name at least one witness of the ceremony", where="witnesses")
    for name in cleaned:
        if len(name) > MAX_WITNESS:
            raise InvalidInput(f"is longer than {MAX_WITNESS} characters", where="witness name")
    return cleaned


def set_seed(
    app: App, principal: Principal, audit_id: str, seed: str, witnesses: Sequence[str]
) -> None:
    """Record the seed rolled in public with who watched; refused if one is already set."""
    digits = Seed(seed.strip()).digits
    names = _witnesses(witnesses)
    with guarded(app, principal), unit_of_work(app, principal.username) as uow:
        conn = uow.conn
        state = require_state_admin(conn, principal, f"set the seed of {audit_id}")
        audit = audit_row(conn, audit_id)
        held = seed_row(conn, audit_id)
        if held is not None:
            raise Refused(
                state,
                f"change the seed of {audit_id}",
                f"{audit_id}: the seed cannot be changed; it was set at {held.set_at}",
            )
        missing = _not_set_up(conn, audit_id)
        missing += [p for p in launch_problems(app, audit_id) if p not in missing]
        if audit.status != Status.SET_UP or missing:
            raise Refused(
                state,
                f"set the seed of {audit_id} before set-up is complete",
                f"{audit_id}: set-up is not complete, so the seed cannot be set yet: "
                + ("; ".join(missing) or f"the audit is {audit.status}"),
            )
        conn.execute(
            insert(AUDIT_SEEDS).values(
                audit_id=audit_id,
                seed=digits,
                witnesses=json.dumps(names, ensure_ascii=False),
                set_at=iso_utc(app.clock()),
                set_by=principal.username,
            )
        )
        uow.record("audit.seed_set", audit_id, state)
        conn.execute(
            update(AUDITS).where(AUDITS.c.id == audit_id).values(status=Status.SEED_SET.value)
        )
        uow.record("audit.status_changed", audit_id, state)


def _not_set_up(conn: Connection, audit_id: str) -> list[str]:
    """What still keeps the audit from its ceremony: contests, counties, manifests."""
    missing: list[str] = []
    if not audit_contests(conn, audit_id, "targeted"):
        missing.append("no contest is targeted")
    counties = audit_counties(conn, audit_id)
    if not counties:
        missing.append("no county is in the audit")
    for county in counties:
        if current_document(conn, county, "manifest") is None:
            missing.append(f"{county} has not uploaded its ballot manifest")
    return missing


def seed_row(conn: Connection, audit_id: str) -> Any:
    """The audit's seed row (seed, witnesses, set_at, set_by), or None before the ceremony."""
    return conn.execute(select(AUDIT_SEEDS).where(AUDIT_SEEDS.c.audit_id == audit_id)).first()


@dataclass(frozen=True)
class Ceremony:
    """The seed as fixed in public: the digits, who watched, when and who entered it."""

    seed: str
    witnesses: list[str]
    set_at: str
    set_by: str


def ceremony(app: App, audit_id: str) -> Ceremony | None:
    """The audit's seed ceremony as recorded, or None before it was held."""
    with app.engine.connect() as conn:
        audit_row(conn, audit_id)
        row = seed_row(conn, audit_id)
    if row is None:
        return None
    return Ceremony(str(row.seed), list(json.loads(row.witnesses)), row.set_at, row.set_by)


def stored_seed(app: App, audit_id: str) -> str | None:
    with app.engine.connect() as conn:
        row = seed_row(conn, audit_id)
    return None if row is None else str(row.seed)


def required_seed(conn: Connection, state: str, audit_id: str) -> Any:
    """The audit's seed row; a draw asked for before the ceremony is a logged refusal."""
    seed = seed_row(conn, audit_id)
    if seed is None:
        raise Refused(
            state,
            f"draw a sample of {audit_id} before the seed is set",
            f"{audit_id}: the seed has not been set; hold the seed ceremony before "
            "drawing the sample",
        )
    return seed
