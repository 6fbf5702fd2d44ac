"""Password change, an administrator's reset, idle sessions, HSTS and TOTP: over real HTTP."""

from __future__ import annotations

import time

import httpx
import pytest
from sqlalchemy import update

from tests.cli.helpers import votetrail_on
from tests.web.server import csrf, login, serving
from votetrail.core.accounts import totp
from votetrail.core.ledger.canonical import iso_utc
from votetrail.services import log_view
from votetrail.services.context import App
from votetrail.services.setup import DEMO_PASSWORD
from votetrail.store.models import WEB_SESSIONS
from votetrail.web.limits import FORM_LIMIT, BodyLimits

NEW = "tin-Gravel-oboe-47"


def _client(base_url: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, follow_redirects=True, timeout=30)


def _events(app: App, since: int) -> list[str]:
    size = log_view.size(app)
    return [e.entry.event_type for e in log_view.entries(app, since, size - since)]


def _form(client: httpx.Client, path: str, data: dict[str, str]) -> httpx.Response:
    token = csrf(client.get("/account").text)
    return client.post(path, data={**data, "csrf_token": token})


def test_a_user_changes_their_password_and_other_sessions_end(base_url: str, demo_app: App) -> None:
    size = log_view.size(demo_app)
    with _client(base_url) as here, _client(base_url) as elsewhere:
        assert login(here, "adams-admin", DEMO_PASSWORD).status_code == 200
        assert login(elsewhere, "adams-admin", DEMO_PASSWORD).status_code == 200
        wrong = _form(here, "/account/password", {"current": "nope", "new": NEW, "again": NEW})
        assert wrong.status_code == 400
        assert "current password is wrong" in wrong.text
        common = {"current": DEMO_PASSWORD, "new": "Password2026!", "again": "Password2026!"}
        weak = _form(here, "/account/password", common)
        assert weak.status_code == 400
        assert "common password" in weak.text
        done = _form(
            here, "/account/password", {"current": DEMO_PASSWORD, "new": NEW, "again": NEW}
        )
        assert done.status_code == 200
        assert "1 other sessions ended" in done.text
        assert "Your account" in here.get("/account").text  # this browser stays signed in
        assert "Your account" not in elsewhere.get("/account").text
    with _client(base_url) as again:
        assert login(again, "adams-admin", DEMO_PASSWORD).status_code == 401
        assert login(again, "adams-admin", NEW).status_code == 200
    assert "account.password_changed" in _events(demo_app, size)


def test_a_reset_is_county_walled_and_forces_a_change(base_url: str, demo_app: App) -> None:
    size = log_view.size(demo_app)
    with _client(base_url) as baker:
        login(baker, "baker-admin", DEMO_PASSWORD)
        token = csrf(baker.get("/accounts").text)
        refused = baker.post("/accounts/adams-admin/reset-password", data={"csrf_token": token})
        assert refused.status_code == 403
    with _client(base_url) as state:
        login(state, "state-admin", DEMO_PASSWORD)
        token = csrf(state.get("/accounts").text)
        page = state.post("/accounts/adams-admin/reset-password", data={"csrf_token": token})
        assert page.status_code == 200
        assert page.headers["cache-control"] == "no-store"
        marker = 'data-testid="temporary">'
        start = page.text.index(marker) + len(marker)
        temporary = page.text[start : page.text.index("<", start)]
    with _client(base_url) as adams:
        assert login(adams, "adams-admin", DEMO_PASSWORD).status_code == 401
        first = login(adams, "adams-admin", temporary)
        assert first.url.path == "/account"
        assert 'data-testid="must-change"' in first.text
        assert adams.get("/j/adams").url.path == "/account"  # nothing else opens
        data = {"current": temporary, "new": NEW, "again": NEW}
        assert _form(adams, "/account/password", data).status_code == 200
        assert adams.get("/j/adams").url.path == "/j/adams"
    events = _events(demo_app, size)
    assert "account.password_reset" in events
    assert "access.denied" in events


def test_an_idle_session_ends_before_its_lifetime(base_url: str, demo_app: App) -> None:
    with _client(base_url) as client:
        login(client, "adams-admin", DEMO_PASSWORD)
        assert "Your account" in client.get("/account").text
        long_ago = iso_utc(demo_app.clock()).replace(iso_utc(demo_app.clock())[:4], "2000")
        with demo_app.engine.begin() as conn:
            conn.execute(update(WEB_SESSIONS).values(last_seen_at=long_ago, created_at=long_ago))
        assert "Your account" not in client.get("/account").text


def test_hsts_only_over_https(client: httpx.Client, demo_app: App) -> None:
    assert "strict-transport-security" not in client.get("/").headers
    over_https = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert over_https.headers["strict-transport-security"] == "max-age=31536000"
    demo_app.public_url = "https://elections.example.gov"
    assert "strict-transport-security" in client.get("/").headers


def test_an_administrator_enrols_totp_and_sign_in_then_needs_the_code(
    base_url: str, demo_app: App
) -> None:
    size = log_view.size(demo_app)
    with _client(base_url) as client:
        login(client, "adams-admin", DEMO_PASSWORD)
        page = _form(client, "/account/two-factor", {})
        marker = 'data-testid="totp-secret">'
        start = page.text.index(marker) + len(marker)
        secret = page.text[start : page.text.index("<", start)]
        assert "otpauth://totp/votetrail:adams-admin?secret=" + secret in page.text
        key = totp.key_of(secret)
        bad = _form(client, "/account/two-factor/confirm", {"code": "000000"})
        assert bad.status_code == 400 or totp.code_at(key, time.time()) == "000000"
        code = totp.code_at(key, time.time())
        done = _form(client, "/account/two-factor/confirm", {"code": code})
        assert 'data-testid="totp-on"' in done.text
        assert secret not in client.get("/account").text  # shown once
    with _client(base_url) as again:
        assert login(again, "adams-admin", DEMO_PASSWORD).status_code == 401
        token = csrf(again.get("/login").text)
        data = {"username": "adams-admin", "password": DEMO_PASSWORD, "csrf_token": token}
        code = totp.code_at(key, time.time())
        signed = again.post("/login", data={**data, "code": code})
        assert signed.status_code == 200
        assert signed.url.path == "/j/adams"
    with _client(base_url) as replay:  # the same code, seen over a shoulder, never works again
        token = csrf(replay.get("/login").text)
        data = {"username": "adams-admin", "password": DEMO_PASSWORD, "csrf_token": token}
        assert replay.post("/login", data={**data, "code": code}).status_code == 401
    with _client(base_url) as board:
        login(board, "adams-board", DEMO_PASSWORD)
        assert _form(board, "/account/two-factor", {}).status_code == 403
    events = _events(demo_app, size)
    assert "account.totp_enrolled" in events
    assert "access.denied" in events  # the board's refusal


def test_the_command_line_refuses_a_common_password_too(
    demo_app: App, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOTETRAIL_PASSWORD", "Welcome2026!!")
    refused = votetrail_on(capsys, demo_app, "admin", "set-password", "adams-admin")
    assert refused.code != 0
    assert "password: is a common password" in refused.err
    assert "Traceback" not in refused.err


def test_upload_caps_go_by_kind_and_the_refusal_says_which(demo_app: App) -> None:
    """Before: every county upload kind had the CVR cap, and the 413 named no kind or setting."""
    limits = BodyLimits(form=FORM_LIMIT, upload=1024 * 1024, table=128 * 1024)
    body = b"Tabulator,Batch Name,Number of Ballots\r\n" + b"#" * (200 * 1024)
    with serving(demo_app, limits=limits) as url, _client(url) as http:
        token = csrf(login(http, "adams-admin", DEMO_PASSWORD).text)
        manifest = http.post(
            "/j/adams/upload/manifest",
            data={"csrf_token": token},
            files={"files": ("manifest.csv", body, "text/csv")},
        )
        assert manifest.status_code == 413
        assert "128 KB" in manifest.text
        assert "a manifest file" in manifest.text
        assert "VOTETRAIL_MAX_TABLE_MB" in manifest.text
        cvrs = http.post(
            "/j/adams/upload/cvrs",
            data={"csrf_token": token},
            files={"files": ("cvrs.csv", body, "text/csv")},
        )
        assert cvrs.status_code != 413  # read and refused by the parser instead
