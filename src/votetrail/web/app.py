"""The web application: officials' workspace and public portal, server-rendered.

Pages are plain HTML forms that work without JavaScript. Security headers are
set on every response; the session cookie is signed with a per-deployment
secret kept in the data directory, names a session kept on the server, and is
marked ``Secure`` whenever the request came over HTTPS.
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from votetrail.errors import NotFound, VotetrailError
from votetrail.services.accounts import security
from votetrail.services.accounts.sessions import SessionPolicy
from votetrail.services.context import App, open_app
from votetrail.services.keys import session_secret
from votetrail.web import (
    account,
    accounts,
    audit,
    county,
    lat,
    netmon,
    public,
    publications,
    results,
    rumors,
    voters,
    witness,
    workspace,
)
from votetrail.web.auth import current, load_principal, session_token
from votetrail.web.cookies import SecureCookiesOverHttps
from votetrail.web.errors import handle_not_found, handle_unexpected, handle_votetrail_error
from votetrail.web.headers import HEADERS
from votetrail.web.limits import BodyLimit, BodyLimits
from votetrail.web.page_cache import PageCache
from votetrail.web.voters.check import FailedChecks

STATIC = Path(__file__).resolve().parent / "static"


class _PerRequest(BaseHTTPMiddleware):
    def __init__(self, app: object, votetrail: App) -> None:
        super().__init__(app)  # type: ignore[arg-type]
        self.votetrail = votetrail

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if "\x00" in request.scope.get("path", ""):
            # No page has a NUL in its address, and PostgreSQL refuses one in a query (a 500).
            response = await handle_votetrail_error(request, NotFound("no page at this address"))
        else:
            # The session lookup is a database query: in a worker thread, so the event loop
            # goes on serving other requests while it waits. A visitor has none to look up.
            if session_token(request) is None:
                request.state.principal = None
                must_change = False
            else:
                must_change = await run_in_threadpool(_signed_in, request, self.votetrail)
            if must_change:
                # After an administrator's reset, nothing opens until the password is changed.
                response = RedirectResponse("/account", status_code=303)
            else:
                response = await call_next(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response


def _signed_in(request: Request, app: App) -> bool:
    """Load the signed-in account; whether it must change its password first. One thread hop."""
    load_principal(request, app)
    return _must_change_password(request, app)


def _must_change_password(request: Request, app: App) -> bool:
    principal = current(request)
    if principal is None or request.url.path in account.ALWAYS_OPEN:
        return False
    if request.url.path.startswith("/static/"):
        return False
    return security.must_change_password(app, principal.username)


def create_app(app: App, *, limits: BodyLimits | None = None) -> Starlette:
    """The application; ``limits`` caps request bodies (default: ``BodyLimits.from_env()``)."""
    web = Starlette(
        routes=[
            *public.ROUTES,
            *witness.ROUTES,
            *results.ROUTES,
            *rumors.ROUTES,
            *county.ROUTES,  # first: its /j/{slug} adds a county's uploads to the page
            *workspace.ROUTES,
            *accounts.ROUTES,
            *account.ROUTES,
            *netmon.ROUTES,
            *voters.ROUTES,
            *lat.ROUTES,
            *audit.ROUTES,
            *publications.ROUTES,
            Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
        ],
        middleware=[
            Middleware(SecureCookiesOverHttps, votetrail=app),
            Middleware(
                SessionMiddleware,
                secret_key=session_secret(app.data_dir),
                session_cookie="votetrail_session",
                same_site="lax",
                max_age=int(SessionPolicy.from_env().lifetime.total_seconds()),
            ),
            Middleware(_PerRequest, votetrail=app),
            # Inside _PerRequest: it needs the signed-in user, and its 413 gets the headers.
            Middleware(BodyLimit, limits=limits or BodyLimits.from_env(), votetrail=app),
        ],
        exception_handlers={
            VotetrailError: handle_votetrail_error,
            404: handle_not_found,
            Exception: handle_unexpected,
        },
    )
    web.state.votetrail = app
    web.state.page_cache = PageCache()
    workers = os.environ.get("VOTETRAIL_WORKERS", "1")
    shares = int(workers) if workers.isdigit() else 1
    web.state.failed_registration_checks = FailedChecks.shared_by(shares)
    return web


def factory() -> Starlette:
    """One worker's application under ``votetrail serve --workers N``, set up from the environment.

    uvicorn starts each worker as a fresh process that imports this module and
    calls this function, so nothing can be handed over but the environment:
    ``serve`` puts the data directory, database URL and public URL there
    (``VOTETRAIL_DATA_DIR``, ``VOTETRAIL_DATABASE_URL``, ``VOTETRAIL_PUBLIC_URL``)
    and every worker opens the same App, with the same configuration checks a
    single process makes, reading the one signing key and session secret.
    """
    return create_app(open_app())


__all__ = ["HEADERS", "create_app", "factory"]
