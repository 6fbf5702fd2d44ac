"""Refused requests are counted, not written to the public log one by one: over real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from tests.web.server import login
from votetrail.core.ledger.canonical import canonical_hash
from votetrail.services import log_view
from votetrail.services.context import App
from votetrail.services.setup import DEMO_PASSWORD
from votetrail.services.verify import verify
from votetrail.store.models import REFUSAL_COUNTS


def _fix_clock(app: App, moment: datetime) -> None:
    app.clock = lambda: moment


def _next_hour_at(minute: int) -> datetime:
    now = datetime.now(UTC).replace(minute=minute, second=0, microsecond=0)
    return now + timedelta(hours=1)


def test_fifty_identical_refusals_add_one_entry_and_then_their_count(
    client: httpx.Client, demo_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The clock jumps an hour below; the session must not end as idle meanwhile.
    monkeypatch.setenv("VOTETRAIL_SESSION_IDLE_MINUTES", "180")
    moment = _next_hour_at(10)
    _fix_clock(demo_app, moment)
    login(client, "baker-admin", DEMO_PASSWORD)
    size = log_view.size(demo_app)
    for _ in range(50):
        refused = client.get("/j/adams")
        assert refused.status_code == 403
        assert "does not give access to this jurisdiction" in refused.text
    assert log_view.size(demo_app) == size + 1
    first = log_view.entries(demo_app, size, 1)[0].entry
    assert (first.event_type, first.actor, first.jurisdiction) == (
        "access.denied",
        "baker-admin",
        "adams",
    )
    assert first.payload_hash == canonical_hash({"what": "GET /j/adams"})

    # The next hour's first refusal closes the last one's count.
    _fix_clock(demo_app, moment + timedelta(hours=1))
    assert client.get("/j/clark").status_code == 403
    closed, new = (v.entry for v in log_view.entries(demo_app, size + 1, 2))
    assert (closed.event_type, closed.actor, closed.jurisdiction) == (
        "access.denied_repeated",
        "baker-admin",
        "adams",
    )
    details = {
        "actor": "baker-admin",
        "what": "GET /j/adams",
        "hour": moment.strftime("%Y-%m-%dT%H"),
        "count": 50,
    }
    assert closed.payload_hash == canonical_hash(details)
    assert (new.event_type, new.jurisdiction) == ("access.denied", "clark")
    assert log_view.size(demo_app) == size + 3
    with demo_app.engine.connect() as conn:
        rows = conn.execute(select(REFUSAL_COUNTS).order_by(REFUSAL_COUNTS.c.hour)).all()
    assert [(r.what, r.refusals, r.logged) for r in rows] == [
        ("GET /j/adams", 50, 50),
        ("GET /j/clark", 1, 1),
    ]
    assert verify(demo_app).ok


def test_a_flood_of_refusals_is_answered_too_many(client: httpx.Client, demo_app: App) -> None:
    _fix_clock(demo_app, _next_hour_at(20))
    login(client, "baker-admin", DEMO_PASSWORD)
    statuses = [client.get("/j/adams").status_code for _ in range(101)]
    assert statuses == [403] * 100 + [429]
    flood = client.get("/j/state")
    assert flood.status_code == 429
    assert "too many refused requests: try again in 40 minutes" in flood.text
    assert flood.headers["Retry-After"] == str(40 * 60)
    assert client.get("/j/baker").status_code == 200, "allowed pages still answer"
