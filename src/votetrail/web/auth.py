"""Sessions, sign-in and the CSRF check for every form.

The signed session cookie holds only a random session token and a CSRF token;
the session and the account are looked up on the server on every request, so
signing out, a password change, "sign out everywhere" or a deactivated
account end access at once (``services/accounts/sessions.py``).
"""

from __future__ import annotations

import hmac
import logging
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


def load_principal(request: Request, app: App) -> None:
    token = request.session.get(SESSION_KEY)
    request.state.principal = web_sessions.principal(app, token) if isinstance(token, str) else None


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


def require_view(request: Request, app: App, jurisdiction: str, state_id: str) -> Principal:
    """Allow or refuse; a refusal is written to the log and the application log."""
    principal = require(request)
    if not may_view(principal, jurisdiction, state_id):
        what = f"GET {request.url.path}"
        log.warning("denied %s to %s (%s)", what, principal.username, principal.jurisdiction)
        deny(app, principal.username, jurisdiction, what)
        raise PermissionDenied("your account does not give access to this jurisdiction")
    return principal
