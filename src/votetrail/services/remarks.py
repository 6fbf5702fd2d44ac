"""Officials' public remarks in the log: "Canvass begins", "Demo state loaded".

A remark is a logged record (``log_remarks``, event ``log.remark``) rather than
a bare hash, so the public log can show what was said next to who said it and
when, and ``verify`` names a remark changed behind the application's back.
Older ``log.annotation`` entries kept only the hash of their text; the log
says so instead of showing nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select

from votetrail.core.ledger.canonical import iso_utc
from votetrail.errors import InvalidInput
from votetrail.services.context import App
from votetrail.services.unit_of_work import UnitOfWork
from votetrail.store.models import LOG_REMARKS

EVENT = "log.remark"
MAX_LENGTH = 2000


def add_remark(uow: UnitOfWork, text: str, jurisdiction: str | None) -> str:
    """Write the remark and log it in the caller's transaction; returns its id."""
    cleaned = " ".join(text.split())
    if not cleaned:
        raise InvalidInput("a remark needs some text", where="remark")
    if len(cleaned) > MAX_LENGTH:
        raise InvalidInput(f"must be at most {MAX_LENGTH:,} characters", where="remark")
    count = uow.conn.execute(select(func.count()).select_from(LOG_REMARKS)).scalar() or 0
    remark_id = f"remark-{count + 1}"
    uow.conn.execute(
        LOG_REMARKS.insert().values(
            id=remark_id,
            jurisdiction_id=jurisdiction,
            text=cleaned,
            written_by=uow.actor,
            written_at=iso_utc(uow.app.clock()),
        )
    )
    uow.record(EVENT, remark_id, jurisdiction)
    return remark_id


def texts(app: App, ids: Iterable[str]) -> dict[str, str]:
    """Remark id → its text, for the entries of one page of the log."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    query = select(LOG_REMARKS.c.id, LOG_REMARKS.c.text).where(LOG_REMARKS.c.id.in_(wanted))
    with app.engine.connect() as conn:
        return {row.id: row.text for row in conn.execute(query)}
