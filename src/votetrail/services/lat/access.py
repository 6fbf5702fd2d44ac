"""Who may run a county's L&A tests, and the logged refusal of everyone else.

Every L&A write asks the same question (the county's administrator or the
state's, see ``core.access.may_test_equipment``) and a refusal found inside a
transaction must be logged only after that transaction rolled back, so the
rule and its logging live here once.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from sqlalchemy import Connection, select

from votetrail.core.access import Principal, may_test_equipment
from votetrail.errors import InvalidInput, NotFound
from votetrail.services import refused
from votetrail.services.context import App
from votetrail.services.directory import state_id
from votetrail.services.refused import Refused
from votetrail.store.models import JURISDICTIONS


def guarded(app: App, principal: Principal) -> AbstractContextManager[None]:
    """Turn a refusal found inside a transaction into a logged denial once it has rolled back."""
    return refused.guarded(app, principal, lambda r: f"L&A tests of {r.jurisdiction}")


def require(conn: Connection, principal: Principal, jurisdiction: str, what: str) -> None:
    if not may_test_equipment(principal, jurisdiction, state_id(conn) or ""):
        raise Refused(jurisdiction, what)


def require_county(conn: Connection, jurisdiction: str) -> None:
    kind = conn.execute(
        select(JURISDICTIONS.c.kind).where(JURISDICTIONS.c.id == jurisdiction)
    ).scalar()
    if kind is None:
        raise NotFound(f"no jurisdiction {jurisdiction!r}")
    if kind != "county":
        raise InvalidInput("L&A tests belong to a county", where=f"jurisdiction {jurisdiction!r}")
