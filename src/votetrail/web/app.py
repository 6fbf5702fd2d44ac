"""The web application: officials' workspace and public portal, server-rendered.

Pages are plain HTML forms that work without JavaScript. Security headers are
set on every response; the session cookie is signed with a per-deployment
secret kept in the data directory.
"""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from votetrail.errors import VotetrailError
from votetrail.services.context import App
from votetrail.services.keys import session_secret
from votetrail.web import county, lat, netmon, public, voters, workspace
from votetrail.web.auth import load_principal
from votetrail.web.errors import handle_not_found, handle_votetrail_error

STATIC = Path(__file__).resolve().parent / "static"

HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


class _PerRequest(BaseHTTPMiddleware):
    def __init__(self, app: object, votetrail: App) -> None:
        super().__init__(app)  # type: ignore[arg-type]
        self.votetrail = votetrail

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        load_principal(request, self.votetrail)
        response = await call_next(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response


def create_app(app: App) -> Starlette:
    web = Starlette(
        routes=[
            *public.ROUTES,
            *county.ROUTES,  # first: its /j/{slug} adds a county's uploads to the page
            *workspace.ROUTES,
            *netmon.ROUTES,
            *voters.ROUTES,
            *lat.ROUTES,
            Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
        ],
        middleware=[
            Middleware(
                SessionMiddleware,
                secret_key=session_secret(app.data_dir),
                session_cookie="votetrail_session",
                same_site="lax",
                max_age=8 * 3600,
            ),
            Middleware(_PerRequest, votetrail=app),
        ],
        exception_handlers={
            VotetrailError: handle_votetrail_error,
            404: handle_not_found,
        },
    )
    web.state.votetrail = app
    web.state.failed_registration_checks = voters.FailedChecks()
    return web


__all__ = ["create_app"]
