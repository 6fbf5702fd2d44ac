"""Refused requests are counted, not written to the public log one by one: over real HTTP."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from tests.web.server import login
from votetrail.core.ledger.canonical import canonical_hash
from votetrail.core.ledger.events import LogEntry
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


def _refusals_since(app: App, size: int) -> list[LogEntry]:
    return [v.entry for v in log_view.entries(app, size, log_view.size(app) - size)]


def test_a_flood_of_anonymous_refusals_adds_at_most_21_entries_and_never_429(
    base_url: str, demo_app: App, caplog: pytest.LogCaptureFixture
) -> None:
    """The internet cannot grow the public log, nor lock clerks out of the sign-in page."""
    moment = _next_hour_at(30)
    _fix_clock(demo_app, moment)
    size = log_view.size(demo_app)
    caplog.set_level(logging.WARNING, logger="votetrail.web.auth")
    visitors = [httpx.Client(base_url=base_url, timeout=10) for _ in range(3)]
    try:
        statuses = {visitors[n % 3].get(f"/audits/audit-{n}").status_code for n in range(150)}
    finally:
        for visitor in visitors:
            visitor.close()
    assert statuses == {401}
    added = _refusals_since(demo_app, size)
    assert len(added) == 21  # 20 distinct requests, then one for all the others
    assert {(e.event_type, e.actor, e.jurisdiction) for e in added} == {
        ("access.denied", "anonymous", None)
    }
    assert added[0].payload_hash == canonical_hash({"what": "GET /audits/audit-0"})
    assert added[-1].payload_hash == canonical_hash({"what": "(further refused requests)"})
    # The address is in the application log only; the public log holds hashes of the requests.
    assert "GET /audits/audit-149 to a visitor not signed in, from 127.0.0.1" in caplog.text

    # A clerk still reaches the sign-in page and signs in.
    with httpx.Client(base_url=base_url, follow_redirects=True, timeout=10) as clerk:
        assert clerk.get("/login").status_code == 200
        assert login(clerk, "adams-admin", DEMO_PASSWORD).status_code == 200
        assert clerk.get("/j/adams").status_code == 200

    # The next hour's first refusal closes the shared counter with one entry.
    _fix_clock(demo_app, moment + timedelta(hours=1))
    size = log_view.size(demo_app)
    with httpx.Client(base_url=base_url, timeout=10) as visitor:
        assert visitor.get("/audits").status_code == 401
    closed, new = _refusals_since(demo_app, size)
    assert (closed.event_type, closed.actor) == ("access.denied_repeated", "anonymous")
    details = {
        "actor": "anonymous",
        "what": "(further refused requests)",
        "hour": moment.strftime("%Y-%m-%dT%H"),
        "count": 130,
    }
    assert closed.payload_hash == canonical_hash(details)
    assert (new.event_type, new.actor) == ("access.denied", "anonymous")
    assert verify(demo_app).ok


def test_the_sign_in_page_and_public_pages_log_no_refusal(
    client: httpx.Client, demo_app: App
) -> None:
    size = log_view.size(demo_app)
    for page in ("/login", "/", "/public/audits", "/api/openapi.json"):
        assert client.get(page).status_code == 200, page
    wrong = client.post(
        "/api/session", json={"username": "adams-admin", "password": "not-the-password"}
    )
    assert wrong.status_code == 401  # a failed sign-in: recorded by the sign-in, not refused
    assert [e.event_type for e in _refusals_since(demo_app, size)] == []


def test_a_form_without_its_token_is_a_logged_refusal(client: httpx.Client, demo_app: App) -> None:
    size = log_view.size(demo_app)
    # A visitor's form (a forged post arrives without the session cookie: the same).
    assert client.post("/login", data={"username": "adams-admin"}).status_code == 403
    # A one-time link's token is a credential: the refusal names the route, not the token.
    assert client.post("/board-link/a-secret-link-token", data={}).status_code == 403
    login(client, "adams-admin", DEMO_PASSWORD)
    signed_in = log_view.size(demo_app)
    refused = client.post("/j/adams/audits/audit-1/assign", data={"csrf_token": "stale"})
    assert refused.status_code == 403
    assert "this form has expired" in refused.text
    visitor, link = _refusals_since(demo_app, size)[:2]
    assert (visitor.event_type, visitor.actor) == ("access.denied", "anonymous")
    assert visitor.payload_hash == canonical_hash(
        {"what": "POST /login (form token missing or wrong)"}
    )
    assert link.payload_hash == canonical_hash(
        {"what": "POST /board-link/{token} (form token missing or wrong)"}
    )
    (clerk,) = _refusals_since(demo_app, signed_in)
    assert (clerk.event_type, clerk.actor) == ("access.denied", "adams-admin")
    assert clerk.payload_hash == canonical_hash(
        {"what": "POST /j/adams/audits/audit-1/assign (form token missing or wrong)"}
    )
    with demo_app.engine.connect() as conn:
        recorded = conn.execute(select(REFUSAL_COUNTS.c.what)).scalars().all()
    assert not [w for w in recorded if "a-secret-link-token" in w]
