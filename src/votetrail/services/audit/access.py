"""Who may run an audit or read a county's retrieval list, and the logged refusal of others.

A refusal found inside a transaction must be logged only after that
transaction rolled back (its writes must not survive), so the services raise
``Refused`` inside and ``guarded`` logs ``access.denied`` outside
(``services/refused.py``).
The same path logs workflow refusals (a second seed, a draw before the seed):
each is someone asking for something the audit's rules forbid.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from votetrail.core.access import Principal, may_run_audits
from votetrail.errors import NotFound
from votetrail.services.directory import state_id
from votetrail.services.refused import Refused, guarded
from votetrail.store.models import AUDITS


def require_state_admin(conn: Connection, principal: Principal, what: str) -> str:
    """The state's id, if ``principal`` may run audits; otherwise a refusal."""
    state = state_id(conn) or ""
    if not may_run_audits(principal, state):
        raise Refused(
            principal.jurisdiction,
            what,
            f"{principal.username} may not {what}: only the state administrator runs audits",
        )
    return state


def audit_row(conn: Connection, audit_id: str) -> Any:
    row = conn.execute(select(AUDITS).where(AUDITS.c.id == audit_id)).first()
    if row is None:
        raise NotFound(f"no audit {audit_id!r}")
    return row


__all__ = ["Refused", "audit_row", "guarded", "require_state_admin"]
