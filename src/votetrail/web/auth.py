"""Sessions, sign-in and the CSRF check for every form.

The signed session cookie holds only a random session token and a CSRF token;
the session and the account are looked up on the server on every request, so
signing out, a password change, "sign out everywhere" or a deactivated
account end access at once (``services/accounts/sessions.py``).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from ipaddress import IPv6Address, ip_address, ip_network

from starlette.requests import Request

from votetrail.core.access import Principal, may_view
from votetrail.errors import AuthenticationFailed, PermissionDenied
from votetrail.services.accounts import sessions as web_sessions
from votetrail.services.context import App
from votetrail.services.unit_of_work import deny

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
    if request.url.path.startswith(API_PREFIX):
        token = bearer_token(request)
    else:
        cookie = request.session.get(SESSION_KEY)
        token = cookie if isinstance(cookie, str) else None
    request.state.principal = web_sessions.principal(app, token) if token is not None else None


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


def require(request: Request) -> Principal:
    principal = current(request)
    if principal is None:
        raise AuthenticationFailed("sign in to see this page")
    return principal


async def check_csrf(request: Request) -> None:
    form = await request.form()
    sent = form.get("csrf_token")
    expected = request.session.get("csrf")
    if not isinstance(sent, str) or not isinstance(expected, str):
        raise PermissionDenied("this form has expired; reload the page and try again")
    # As bytes: compare_digest raises TypeError (a 500) on a str with non-ASCII characters.
    if not hmac.compare_digest(sent.encode(), expected.encode()):
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
