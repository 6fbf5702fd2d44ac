"""Who may run a county's L&A tests, and the logged refusal of everyone else.

Every L&A write asks the same question (the county's administrator or the
state's, see ``core.access.may_test_equipment``) and a refusal found inside a
transaction must be logged only after that transaction rolled back, so the
rule and its logging live here once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, select

from votetrail.core.access import Principal, may_test_equipment
from votetrail.errors import InvalidInput, NotFound, PermissionDenied
from votetrail.services.context import App
from votetrail.services.directory import state_id
from votetrail.services.unit_of_work import deny
from votetrail.store.models import JURISDICTIONS


class Refused(Exception):
    def __init__(self, jurisdiction: str, what: str) -> None:
        super().__init__(what)
        self.jurisdiction = jurisdiction
        self.what = what


@contextmanager
def guarded(app: App, principal: Principal) -> Iterator[None]:
    """Turn a refusal found inside a transaction into a logged denial once it has rolled back."""
    try:
        yield
    except Refused as refused:
        deny(app, principal.username, refused.jurisdiction, refused.what)
        raise PermissionDenied(
            f"{principal.username} may not {refused.what} (L&A tests of {refused.jurisdiction})"
        ) from None


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
