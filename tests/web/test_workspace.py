"""Signing in, roles, county isolation, CSRF, and denials written to the log."""

from __future__ import annotations

import httpx

from tests.web.server import csrf, login
from votetrail.services import log_view
from votetrail.services.context import App
from votetrail.services.setup import DEMO_PASSWORD


def test_county_admin_sees_own_county_only(client: httpx.Client, demo_app: App) -> None:
    signed_in = login(client, "baker-admin", DEMO_PASSWORD)
    assert signed_in.status_code == 200
    assert str(signed_in.url).endswith("/j/baker")
    assert "Morgan Diaz, Baker County Clerk" in signed_in.text
    refused = client.get("/j/adams")
    assert refused.status_code == 403
    assert "does not give access to this jurisdiction" in refused.text
    assert "Jordan Lee" not in refused.text
    last = log_view.entries(demo_app, log_view.size(demo_app) - 1, 1)[0].entry
    assert (last.event_type, last.actor, last.jurisdiction) == (
        "access.denied",
        "baker-admin",
        "adams",
    )


def test_state_admin_sees_every_county(client: httpx.Client) -> None:
    login(client, "state-admin", DEMO_PASSWORD)
    for county in ("adams", "baker", "clark"):
        assert client.get(f"/j/{county}").status_code == 200
    state = client.get("/j/state")
    assert all(name in state.text for name in ("Adams County", "Baker County", "Clark County"))


def test_wrong_password_says_nothing_more(client: httpx.Client) -> None:
    for username in ("baker-admin", "nobody"):
        response = login(client, username, "not-the-password")
        assert response.status_code == 401
        assert "wrong user name or password" in response.text
    assert client.get("/j/baker").status_code == 401


def test_forms_without_the_csrf_token_are_refused(client: httpx.Client) -> None:
    client.get("/login")
    forged = client.post("/login", data={"username": "baker-admin", "password": DEMO_PASSWORD})
    assert forged.status_code == 403
    assert "this form has expired" in forged.text
    assert client.get("/j/baker").status_code == 401


def test_sign_out(client: httpx.Client) -> None:
    page = login(client, "adams-admin", DEMO_PASSWORD)
    out = client.post("/logout", data={"csrf_token": csrf(page.text)})
    assert out.status_code == 200
    assert client.get("/j/adams").status_code == 401
