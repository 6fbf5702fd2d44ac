"""Accounts page: who is signed in, "sign out everywhere", and failed sign-ins.

An administrator sees the accounts they administer (``may_administer_users``:
the state administrator every account, a county administrator their county's)
with how many sessions each has open, and can end them all at once, e.g. for
a lost laptop. The state's security analysts and administrator
(``may_monitor``) also see the latest failed sign-ins. Anyone else is refused,
and the refusal is counted like every other (``services/accounts/refusals.py``).
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from votetrail.core.access import Principal, may_administer_users, may_monitor
from votetrail.errors import PermissionDenied
from votetrail.services import directory
from votetrail.services.accounts import security, sign_in
from votetrail.services.accounts import sessions as web_sessions
from votetrail.services.context import App
from votetrail.services.unit_of_work import deny, unit_of_work
from votetrail.web.auth import check_csrf, require
from votetrail.web.state import app_of
from votetrail.web.templating import render

log = logging.getLogger("votetrail.web.accounts")

FLASH = "accounts_flash"
SHOWN_FAILURES = 100


def _administered(app: App, principal: Principal, state: str) -> list[Principal]:
    return [
        user
        for place in directory.jurisdictions(app)
        if may_administer_users(principal, place.id, state)
        for user in directory.users_of(app, place.id)
    ]


def _places(app: App) -> dict[str, str]:
    """Jurisdiction id → its name, so the table says "Adams County", not ``adams``."""
    return {place.id: place.name for place in directory.jurisdictions(app)}


def _refuse(request: Request, app: App, principal: Principal, state: str, message: str) -> None:
    what = f"{request.method} {request.url.path}"
    log.warning("denied %s to %s (%s)", what, principal.username, principal.jurisdiction)
    deny(app, principal.username, state, what)
    raise PermissionDenied(message)


def accounts_page(request: Request) -> Response:
    app = app_of(request)
    principal = require(request)
    state = directory.the_state(app)
    accounts = _administered(app, principal, state)
    monitors = may_monitor(principal, state)
    if not accounts and not monitors:
        _refuse(request, app, principal, state, "your account does not administer accounts")
    context = {
        "accounts": accounts,
        "sessions": web_sessions.live_sessions(app),
        "failures": sign_in.failed_sign_ins(app, SHOWN_FAILURES) if monitors else None,
        "flash": request.session.pop(FLASH, None),
        "places": _places(app),
    }
    response = render(request, "accounts.html", context)
    response.headers["Cache-Control"] = "no-store"
    return response


async def _administered_target(request: Request, refusal: str) -> tuple[App, Principal, str, str]:
    """The app, the administrator, the state and the account named in the path, once the
    CSRF token and the administrator's right over that account are checked (else refused)."""
    await check_csrf(request)
    return await run_in_threadpool(_checked_target, request, refusal)


def _checked_target(request: Request, refusal: str) -> tuple[App, Principal, str, str]:
    app = app_of(request)
    principal = require(request)
    username = str(request.path_params["username"])
    state = directory.the_state(app)
    target = directory.principal(app, username)
    # An unknown account is refused exactly like one the user may not administer.
    if target is None or not may_administer_users(principal, target.jurisdiction, state):
        _refuse(request, app, principal, state, refusal)
    return app, principal, state, username


async def sign_out_everywhere(request: Request) -> Response:
    refusal = "your account may not sign out this account"
    app, principal, _, username = await _administered_target(request, refusal)

    def run() -> int:
        with unit_of_work(app, principal.username) as uow:
            return web_sessions.sign_out_everywhere(uow, username)

    ended = await run_in_threadpool(run)
    request.session[FLASH] = f"Signed {username} out everywhere ({ended} sessions ended)."
    return RedirectResponse("/accounts", status_code=303)


async def reset_password(request: Request) -> Response:
    """Give an account a temporary password, shown once in this answer (``no-store``)."""
    refusal = "your account may not reset this account"
    app, principal, state, username = await _administered_target(request, refusal)

    def run() -> Response:
        with unit_of_work(app, principal.username) as uow:
            temporary = security.reset_password(uow, principal, username, state)
        context = {
            "accounts": _administered(app, principal, state),
            "sessions": web_sessions.live_sessions(app),
            "failures": None,
            "temporary": (username, temporary),
            "places": _places(app),
        }
        return render(request, "accounts.html", context)

    response = await run_in_threadpool(run)
    response.headers["Cache-Control"] = "no-store"
    return response


ROUTES = [
    Route("/accounts", accounts_page, methods=["GET"]),
    Route("/accounts/{username}/reset-password", reset_password, methods=["POST"]),
    Route("/accounts/{username}/sign-out-everywhere", sign_out_everywhere, methods=["POST"]),
]
