"""Refusals are counted per user, request and hour; the log holds each distinct one once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlalchemy import func, select

from votetrail.services.accounts import refusals
from votetrail.services.context import App
from votetrail.services.unit_of_work import deny
from votetrail.store.models import LEDGER_ENTRIES, REFUSAL_COUNTS

NOON = datetime(2031, 5, 6, 12, 30, tzinfo=UTC)


def _denied(app: App) -> int:
    with app.engine.connect() as conn:
        query = select(func.count()).where(LEDGER_ENTRIES.c.event_type == "access.denied")
        return int(conn.execute(query).scalar() or 0)


def test_varying_the_request_cannot_grow_the_log_without_bound(demo_app: App) -> None:
    demo_app.clock = lambda: NOON
    before = _denied(demo_app)
    for i in range(60):
        deny(demo_app, "adams-board", "baker", f"GET /j/baker/thing-{i}")
    assert _denied(demo_app) - before == refusals.LOGGED_PER_HOUR + 1
    with demo_app.engine.connect() as conn:
        other = conn.execute(
            select(REFUSAL_COUNTS.c.refusals).where(REFUSAL_COUNTS.c.what == refusals.OTHER)
        ).scalar()
    assert other == 60 - refusals.LOGGED_PER_HOUR


def test_simultaneous_first_refusals_are_logged_once(demo_app: App) -> None:
    demo_app.clock = lambda: NOON
    before = _denied(demo_app)
    failures: list[BaseException] = []

    def refuse() -> None:
        try:
            for _ in range(5):
                deny(demo_app, "baker-admin", "adams", "GET /j/adams")
        except BaseException as exc:  # reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=refuse) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert _denied(demo_app) - before == 1
    with demo_app.engine.connect() as conn:
        count = conn.execute(select(REFUSAL_COUNTS.c.refusals)).scalar()
    assert count == 30
