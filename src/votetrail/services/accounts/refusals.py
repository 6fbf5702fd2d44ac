"""Refused requests, counted per user, request and hour so they cannot flood the log.

Every refusal used to be its own entry in the permanent public log, so any
signed-in user could grow it without limit by reloading a forbidden page.
Now, within one UTC hour:

* the first refusal of a (user, request) is logged at once as
  ``access.denied`` (so the log still shows every distinct refusal);
* repeats only add one to a counter in ``refusal_counts``;
* once the hour is over, the next refusal (by anyone) or sign-in logs each
  counter that grew as one ``access.denied_repeated`` entry, attributed to
  the refused user, whose hash covers {actor, what, hour, count};
* after ``LOGGED_PER_HOUR`` distinct requests in an hour, further distinct
  ones share one counter (``OTHER``), so varying the URL gains nothing;
* after ``LIMIT_PER_HOUR`` refusals in an hour the user is answered "too
  many refused requests" (HTTP 429) until the hour ends.

Visitors who are not signed in are all one actor, ``ANONYMOUS``: the log must
show that someone asked for an officials' page, but nobody on the internet may
grow the permanent log by asking, so all of them share the 20 distinct entries
(and the ``OTHER`` counter) of an hour. They are never answered 429 for it:
the counter is everyone's, and one visitor's flood must not keep a clerk from
the sign-in page. Their addresses go to the application log only.

The rows stay after they are logged: they are where the details behind each
entry's hash can be read and checked. The application log keeps each refusal.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, insert, select, update

from votetrail.services.context import App
from votetrail.store import ledger
from votetrail.store.models import REFUSAL_COUNTS

if TYPE_CHECKING:
    from votetrail.services.unit_of_work import UnitOfWork

LOGGED_PER_HOUR = 20
LIMIT_PER_HOUR = 100
OTHER = "(further refused requests)"
ANONYMOUS = "anonymous"
"""The actor of every refusal of someone not signed in (see above)."""
WHAT = 200
_T = REFUSAL_COUNTS.c


def hour_of(moment: datetime) -> str:
    """The UTC hour a moment falls in, e.g. 2026-11-03T20 (sorts as text)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H")


def seconds_left_in_hour(moment: datetime) -> int:
    start = moment.replace(minute=0, second=0, microsecond=0)
    return int((start + timedelta(hours=1) - moment).total_seconds())


def count(uow: UnitOfWork, jurisdiction: str | None, what: str) -> int:
    """Count one refusal of ``uow.actor``; log it if it is new. Returns the hour's total."""
    conn = uow.conn
    hour = hour_of(uow.app.clock())
    actor = uow.actor[:64]
    of_hour = (_T.hour == hour, _T.actor == actor)
    key = what[:WHAT]
    if _repeat(uow, hour, actor, key):
        return _total(uow, hour, actor)
    ledger.head(conn, lock=True)  # one refusal at a time, so two firsts cannot both insert
    log_closed_hours(uow, hour)
    found = conn.execute(select(_T.refusals).where(*of_hour, _T.what == key)).first()
    if found is None:
        distinct = conn.execute(select(func.count()).where(*of_hour)).scalar() or 0
        if distinct >= LOGGED_PER_HOUR:
            key = OTHER
            found = conn.execute(select(_T.refusals).where(*of_hour, _T.what == key)).first()
    if found is None:
        conn.execute(
            insert(REFUSAL_COUNTS).values(
                hour=hour, actor=actor, what=key, jurisdiction_id=jurisdiction, refusals=1, logged=1
            )
        )
        uow.note("access.denied", {"what": key}, jurisdiction)
    else:
        conn.execute(
            update(REFUSAL_COUNTS).where(*of_hour, _T.what == key).values(refusals=_T.refusals + 1)
        )
    return _total(uow, hour, actor)


def _total(uow: UnitOfWork, hour: str, actor: str) -> int:
    of_hour = (_T.hour == hour, _T.actor == actor)
    total = uow.conn.execute(select(func.sum(_T.refusals)).where(*of_hour)).scalar()
    return int(total or 0)


def _repeat(uow: UnitOfWork, hour: str, actor: str, key: str) -> bool:
    """Count a refusal already logged this hour without taking the log's lock.

    Only a first refusal writes to the log and needs the head lock; a repeat
    (or, past ``LOGGED_PER_HOUR`` distinct requests, any refusal: they share
    ``OTHER``) is one counter update, so a scan of protected addresses does not
    queue every request behind the log's writers.
    """
    of_hour = (_T.hour == hour, _T.actor == actor)
    bump = {"refusals": _T.refusals + 1}
    done = uow.conn.execute(update(REFUSAL_COUNTS).where(*of_hour, _T.what == key).values(bump))
    if done.rowcount:
        return True
    distinct = uow.conn.execute(select(func.count()).where(*of_hour)).scalar() or 0
    if distinct < LOGGED_PER_HOUR:
        return False
    other = update(REFUSAL_COUNTS).where(*of_hour, _T.what == OTHER).values(bump)
    return bool(uow.conn.execute(other).rowcount)


def log_closed_hours(uow: UnitOfWork, current_hour: str) -> int:
    """Log the totals of earlier hours' counters that grew after their first entry."""
    rows = uow.conn.execute(
        select(REFUSAL_COUNTS)
        .where(_T.hour < current_hour, _T.refusals > _T.logged)
        .order_by(_T.hour, _T.actor, _T.what)
    ).all()
    for row in rows:
        details = {"actor": row.actor, "what": row.what, "hour": row.hour, "count": row.refusals}
        uow.note("access.denied_repeated", details, row.jurisdiction_id, actor=row.actor)
        uow.conn.execute(
            update(REFUSAL_COUNTS)
            .where(_T.hour == row.hour, _T.actor == row.actor, _T.what == row.what)
            .values(logged=row.refusals)
        )
    return len(rows)


def close_hours(app: App) -> int:
    """Log finished hours' counts now (after a sign-in), if any wait; cheap when none do."""
    from votetrail.services.unit_of_work import unit_of_work

    hour = hour_of(app.clock())
    waiting = select(_T.hour).where(_T.hour < hour, _T.refusals > _T.logged).limit(1)
    with app.engine.connect() as conn:
        if conn.execute(waiting).first() is None:
            return 0
    with unit_of_work(app, "votetrail") as uow:
        ledger.head(uow.conn, lock=True)
        return log_closed_hours(uow, hour)


__all__ = ["ANONYMOUS", "LIMIT_PER_HOUR", "close_hours", "count", "hour_of", "seconds_left_in_hour"]
