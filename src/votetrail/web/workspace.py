"""Officials' pages: sign-in and one page per jurisdiction."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from votetrail.errors import AuthenticationFailed
from votetrail.services import directory
from votetrail.web.auth import check_csrf, current, require
from votetrail.web.state import app_of
from votetrail.web.templating import render


async def login_form(request: Request) -> Response:
    if current(request) is not None:
        return RedirectResponse("/workspace", status_code=303)
    return render(request, "login.html")


async def login(request: Request) -> Response:
    await check_csrf(request)
    form = await request.form()
    username = str(form.get("username", "")).strip()
    password = str(form.get("password", ""))
    try:
        principal = directory.authenticate(app_of(request), username, password)
    except AuthenticationFailed as exc:
        return render(request, "login.html", {"error": str(exc), "username": username}, 401)
    request.session.clear()
    request.session["user"] = principal.username
    return RedirectResponse("/workspace", status_code=303)


async def logout(request: Request) -> Response:
    await check_csrf(request)
    request.session.clear()
    return RedirectResponse("/", status_code=303)


def workspace(request: Request) -> Response:
    principal = require(request)
    return RedirectResponse(f"/j/{principal.jurisdiction}", status_code=303)


ROUTES = [
    Route("/login", login_form, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/workspace", workspace),
]
