"""Sessions, sign-in and the CSRF check for every form.

The signed session cookie holds only a random session token and a CSRF token;
the session and the account are looked up on the server on every request, so
signing out, a password change, "sign out everywhere" or a deactivated
account end access at once (``services/accounts/sessions.py``).

Every refusal is logged once as ``access.denied``: a page that needs a
signed-in account and has none (401, logged by ``web/errors.py`` when it
answers :class:`NotSignedIn`), a form without a valid CSRF token, and a role
or county the rule refuses. A visitor who is not signed in is logged as
``refusals.ANONYMOUS``, whose shared hourly counters bound what the internet
can add to the permanent log; the visitor's address goes to the application
log only.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from ipaddress import IPv6Address, ip_address, ip_network

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from votetrail.core.access import Principal, may_view
from votetrail.errors import AuthenticationFailed, PermissionDenied
from votetrail.services.accounts import sessions as web_sessions
from votetrail.services.accounts.refusals import ANONYMOUS
from votetrail.services.context import App
from votetrail.services.unit_of_work import deny
from votetrail.web.state import app_of

log = logging.getLogger("votetrail.web.auth")


def current(request: Request) -> Principal | None:
    principal = getattr(request.state, "principal", None)
    return principal if isinstance(principal, Principal) else None


SESSION_KEY = "sid"
API_PREFIX = "/api/"


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if the request has one."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def load_principal(request: Request, app: App) -> None:
    """The signed-in account: from the session cookie, or under /api/ only from a bearer token.

    The JSON API never reads the cookie, so a page on another site cannot make a
    signed-in browser call it: there is no cookie to ride on, hence no CSRF token
    to check. Its tokens are the same server-side sessions the sign-in form opens.
    """
    token = session_token(request)
    request.state.principal = web_sessions.principal(app, token) if token is not None else None


def session_token(request: Request) -> str | None:
    """The token ``load_principal`` looks up; None for a visitor, who needs no query."""
    if request.url.path.startswith(API_PREFIX):
        return bearer_token(request)
    cookie = request.session.get(SESSION_KEY)
    return cookie if isinstance(cookie, str) else None


def client_network(host: str | None) -> str:
    """Who is asking, for throttles: the address, or for IPv6 its /64.

    One subscriber is given a whole /64 and may use any address in it, so a
    limit per IPv6 address is no limit at all.
    """
    if not host:
        return "unknown"
    try:
        address = ip_address(host)
    except ValueError:
        return host[:64]
    if isinstance(address, IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ip_network(f"{address}/64", strict=False))
    return str(address)


class NotSignedIn(AuthenticationFailed):
    """A page or API route that needs an account, asked for without one.

    Apart from a wrong password (also a 401, but the sign-in's own business,
    throttled and recorded there), this is a refusal: ``web/errors.py`` logs
    it once, as the answer is sent, whichever handler raised it.
    """


SECRET_PARAMS = ("token",)
"""Path parameters that are credentials (a board's one-time link): never logged."""


def shown_path(request: Request) -> str:
    """The path as a refusal records it, with any one-time link token replaced by its name."""
    path = request.url.path
    for name in SECRET_PARAMS:
        value = request.path_params.get(name)
        if isinstance(value, str) and value:
            head, found, tail = path.rpartition(value)  # the parameter, not a lookalike before it
            if found:
                path = head + "{" + name + "}" + tail
    return path


def deny_visitor(request: Request, app: App, what: str) -> None:
    """Log a refusal of someone not signed in; never answered 429 (``services/accounts``)."""
    host = request.client.host if request.client else "unknown"
    log.warning("denied %s to a visitor not signed in, from %s", what, host)
    deny(app, ANONYMOUS, None, what)


def require(request: Request) -> Principal:
    principal = current(request)
    if principal is None:
        raise NotSignedIn("sign in to see this page")
    return principal


async def check_csrf(request: Request) -> None:
    """Refuse a form without this session's CSRF token, logging it as ``access.denied``.

    A forged post from another site arrives without the session cookie
    (``SameSite=Lax``), so it is logged as the anonymous visitor's and cannot
    grow the log past that actor's hourly bound, nor push a clerk into 429.
    """
    form = await request.form()
    sent = form.get("csrf_token")
    expected = request.session.get("csrf")
    # As bytes: compare_digest raises TypeError (a 500) on a str with non-ASCII characters.
    if (
        isinstance(sent, str)
        and isinstance(expected, str)
        and hmac.compare_digest(sent.encode(), expected.encode())
    ):
        return
    app = app_of(request)
    what = f"{request.method} {shown_path(request)} (form token missing or wrong)"
    principal = current(request)
    if principal is None:
        await run_in_threadpool(deny_visitor, request, app, what)
    else:
        log.warning("denied %s to %s (%s)", what, principal.username, principal.jurisdiction)
        await run_in_threadpool(deny, app, principal.username, None, what)
    raise PermissionDenied("this form has expired; reload the page and try again")


def require_allowed(
    request: Request,
    app: App,
    allowed: Callable[[Principal], bool],
    jurisdiction: str | None,
    refusal: str,
) -> Principal:
    """The signed-in user if ``allowed`` says so; otherwise ``refusal`` (403), written to the
    log as ``access.denied`` against ``jurisdiction`` and to the application log."""
    principal = require(request)
    if not allowed(principal):
        what = f"{request.method} {request.url.path}"
        log.warning("denied %s to %s (%s)", what, principal.username, principal.jurisdiction)
        deny(app, principal.username, jurisdiction, what)
        raise PermissionDenied(refusal)
    return principal


def require_view(request: Request, app: App, jurisdiction: str, state_id: str) -> Principal:
    """Allow or refuse; a refusal is written to the log and the application log."""
    principal = require(request)
    if not may_view(principal, jurisdiction, state_id):
        what = f"GET {request.url.path}"
        log.warning("denied %s to %s (%s)", what, principal.username, principal.jurisdiction)
        deny(app, principal.username, jurisdiction, what)
        raise PermissionDenied("your account does not give access to this jurisdiction")
    return principal
