"""Officials' pages: sign-in and one page per jurisdiction.

Sign-in returns to the page that asked for it: a 401 page links to
``/login?next=<its path>``, the form carries ``next`` and a right password
ends there. Only a path on this site is followed (:func:`safe_next`); any
other value goes to the workspace, so the form is no open redirect.
"""

from __future__ import annotations

import os
from functools import partial
from urllib.parse import unquote, urlsplit

import anyio.to_thread
from anyio import CapacityLimiter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from votetrail.core.access import Role
from votetrail.errors import AuthenticationFailed, TooManyAttempts
from votetrail.services.accounts import refusals, sign_in
from votetrail.services.accounts import sessions as web_sessions
from votetrail.web.auth import SESSION_KEY, check_csrf, client_network, current, require
from votetrail.web.state import app_of
from votetrail.web.templating import render

# Half the processors may check passwords at once; the rest keep serving pages
# while a crowd of wrong sign-ins waits its turn.
PASSWORD_CHECKS_AT_ONCE = max(1, (os.cpu_count() or 2) // 2)


def password_checks(request: Request) -> CapacityLimiter:
    state = request.app.state
    limiter = getattr(state, "password_checks", None)
    if not isinstance(limiter, CapacityLimiter):
        limiter = CapacityLimiter(PASSWORD_CHECKS_AT_ONCE)
        state.password_checks = limiter
    return limiter


WORKSPACE = "/workspace"
NEXT_LENGTH = 2000
"""Longer than any page address here; a longer ``next`` is nobody's page."""


def safe_next(raw: object) -> str | None:
    """``raw`` if it is a path on this site, else None.

    Browsers read ``//host`` and ``/\\host`` as another site, drop tabs and
    newlines before reading, and some decode percent signs first; so the value
    and every decoding of it must be a plain path: one leading slash, no
    backslash, no control character, no scheme and no host.
    """
    if not isinstance(raw, str) or not raw or len(raw) > NEXT_LENGTH:
        return None
    value = raw
    for _ in range(4):
        if not _plain_path(value):
            return None
        decoded = unquote(value)
        if decoded == value:
            return raw
        value = decoded
    return None  # still encoded after four decodings: no page of ours looks like that


def _plain_path(value: str) -> bool:
    if not value.startswith("/") or value[1:2] in ("/", "\\"):
        return False
    if "\\" in value or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return False
    parts = urlsplit(value)
    return not parts.scheme and not parts.netloc


async def login_form(request: Request) -> Response:
    target = safe_next(request.query_params.get("next"))
    if current(request) is not None:
        return RedirectResponse(target or WORKSPACE, status_code=303)
    return render(request, "login.html", {"next": target})


async def login(request: Request) -> Response:
    """Check the password in a worker thread: scrypt must not stall every other page.

    The checks share a small limiter, so even a flood of wrong passwords
    leaves processors free for the pages everyone else is reading.
    """
    await check_csrf(request)
    form = await request.form()
    username = str(form.get("username", "")).strip()
    password = str(form.get("password", ""))
    code = str(form.get("code", ""))[:16]
    target = safe_next(form.get("next"))
    client = client_network(request.client.host if request.client else None)
    app = app_of(request)
    try:
        _, token = await anyio.to_thread.run_sync(
            partial(sign_in.sign_in_session, app, username, password, client, code),
            limiter=password_checks(request),
        )
    except AuthenticationFailed as exc:
        context = {"error": str(exc), "username": username, "next": target}
        return render(request, "login.html", context, 401)
    except TooManyAttempts as exc:
        context = {"error": str(exc), "username": username, "next": target}
        page = render(request, "login.html", context, 429)
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    await run_in_threadpool(refusals.close_hours, app)
    previous = request.session.get(SESSION_KEY)
    if isinstance(previous, str):
        # Signing in over a session signs it out: no browser keeps its token after this.
        await run_in_threadpool(web_sessions.end_session, app, previous)
    request.session.clear()  # a new session, and a new CSRF token, at every sign-in
    request.session[SESSION_KEY] = token
    return RedirectResponse(target or WORKSPACE, status_code=303)


async def logout(request: Request) -> Response:
    """End the session on the server too: a copy of the cookie is worth nothing after."""
    await check_csrf(request)
    token = request.session.get(SESSION_KEY)
    if isinstance(token, str):
        await run_in_threadpool(web_sessions.end_session, app_of(request), token)
    request.session.clear()
    return RedirectResponse("/", status_code=303)


def workspace(request: Request) -> Response:
    """Where each account starts: an audit board at its ballots, everyone else at their place."""
    principal = require(request)
    if principal.role is Role.AUDIT_BOARD:
        return RedirectResponse("/audit-board", status_code=303)
    return RedirectResponse(f"/j/{principal.jurisdiction}", status_code=303)


ROUTES = [
    Route("/login", login_form, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/workspace", workspace),
]
