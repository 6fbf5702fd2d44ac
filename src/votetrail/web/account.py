"""The signed-in user's own account: change the password, enrol or remove a second factor.

A password change needs the current password and ends every other session
of the account. After an administrator's reset the account must change its
password here before any other page opens (``app.py`` sends it here). A TOTP
secret is shown once, as text and as an ``otpauth://`` URI, and stored only
after the app proves it has it with a right code; until then it waits in
the signed session cookie, which the browser cannot read or alter.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from votetrail.core.access import Principal
from votetrail.core.accounts import totp
from votetrail.errors import AuthenticationFailed, InvalidInput, NotFound
from votetrail.services import directory
from votetrail.services.accounts import security
from votetrail.services.accounts import sessions as web_sessions
from votetrail.services.unit_of_work import unit_of_work
from votetrail.web.auth import SESSION_KEY, check_csrf, require, require_allowed
from votetrail.web.state import app_of
from votetrail.web.templating import render

FLASH = "account_flash"
PENDING = "totp_pending"
ISSUER = "votetrail"


def _page(request: Request, extra: dict[str, Any] | None = None, status: int = 200) -> Response:
    app = app_of(request)
    principal = require(request)
    context = {
        "must_change": security.must_change_password(app, principal.username),
        "has_totp": security.totp_secret(app, principal.username) is not None,
        "may_totp": principal.role in security.SECOND_FACTOR_ROLES,
        "flash": request.session.pop(FLASH, None),
        **(extra or {}),
    }
    response = render(request, "account.html", context, status)
    response.headers["Cache-Control"] = "no-store"
    return response


async def account_page(request: Request) -> Response:
    return await run_in_threadpool(_page, request)


async def change_password(request: Request) -> Response:
    await check_csrf(request)
    app = app_of(request)
    principal = require(request)
    form = await request.form()
    current, new = str(form.get("current", "")), str(form.get("new", ""))
    if new != str(form.get("again", "")):
        return await run_in_threadpool(
            _page, request, {"error": "the two new passwords differ"}, 400
        )
    token = request.session.get(SESSION_KEY)
    keep = web_sessions.session_id(token) if isinstance(token, str) else ""

    def run() -> int:
        with unit_of_work(app, principal.username) as uow:
            return security.change_password(uow, principal.username, current, new, keep)

    try:
        ended = await run_in_threadpool(run)
    except (AuthenticationFailed, InvalidInput) as exc:
        return await run_in_threadpool(_page, request, {"error": str(exc)}, 400)
    request.session[FLASH] = f"Password changed; {ended} other sessions ended."
    return RedirectResponse("/account", status_code=303)


def _administrator(request: Request) -> Principal:
    """Only administrators' accounts take a second factor; a refusal is logged like any other."""
    app = app_of(request)
    return require_allowed(
        request,
        app,
        lambda p: p.role in security.SECOND_FACTOR_ROLES,
        directory.the_state(app),
        "only administrators' accounts take a second factor",
    )


async def start_totp(request: Request) -> Response:
    await check_csrf(request)
    principal = await run_in_threadpool(_administrator, request)
    secret = security.new_totp_secret()
    request.session[PENDING] = secret
    uri = totp.otpauth_uri(secret, principal.username, ISSUER)
    return await run_in_threadpool(_page, request, {"secret": secret, "uri": uri})


async def confirm_totp(request: Request) -> Response:
    await check_csrf(request)
    app = app_of(request)
    principal = await run_in_threadpool(_administrator, request)
    form = await request.form()
    secret = request.session.get(PENDING)
    if not isinstance(secret, str):
        return await run_in_threadpool(
            _page, request, {"error": "the enrolment expired; start again"}, 400
        )

    def run() -> None:
        with unit_of_work(app, principal.username) as uow:
            security.enrol_totp(
                uow, principal, secret, str(form.get("code", "")), app.clock().timestamp()
            )

    try:
        await run_in_threadpool(run)
    except InvalidInput as exc:
        return await run_in_threadpool(_page, request, {"error": str(exc), "secret": secret}, 400)
    request.session.pop(PENDING, None)
    request.session[FLASH] = "Second factor enrolled: sign-in now asks for a code."
    return RedirectResponse("/account", status_code=303)


async def remove_totp(request: Request) -> Response:
    await check_csrf(request)
    app = app_of(request)
    principal = require(request)
    form = await request.form()

    def run() -> None:
        with unit_of_work(app, principal.username) as uow:
            security.remove_totp(uow, principal.username, str(form.get("password", "")))

    try:
        await run_in_threadpool(run)
    except (AuthenticationFailed, NotFound) as exc:
        return await run_in_threadpool(_page, request, {"error": str(exc)}, 400)
    request.session[FLASH] = "Second factor removed."
    return RedirectResponse("/account", status_code=303)


ALWAYS_OPEN = frozenset({"/account", "/account/password", "/logout"})
"""The only pages an account that must change its password may reach."""

ROUTES = [
    Route("/account", account_page, methods=["GET"]),
    Route("/account/password", change_password, methods=["POST"]),
    Route("/account/two-factor", start_totp, methods=["POST"]),
    Route("/account/two-factor/confirm", confirm_totp, methods=["POST"]),
    Route("/account/two-factor/remove", remove_totp, methods=["POST"]),
]
