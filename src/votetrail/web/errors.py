"""The one place where expected errors become HTTP responses.

Machine-readable paths (``/log/proof``, ``/log/entries``, ``?format=json``)
get ``{"error": ..., "status": ...}``; everything else gets the error page.
Handlers raise; they never build error pages themselves. A 401 for want of
an account (``web.auth.NotSignedIn``) is a refusal, logged here once.
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from votetrail.errors import (
    AuthenticationFailed,
    InvalidInput,
    NotFound,
    PermissionDenied,
    StorageFailed,
    TooManyAttempts,
    VerificationFailed,
    VotetrailError,
)
from votetrail.web.auth import NotSignedIn, deny_visitor, shown_path
from votetrail.web.headers import HEADERS
from votetrail.web.state import app_of
from votetrail.web.templating import render

log = logging.getLogger("votetrail.web")

STATUS: tuple[tuple[type[VotetrailError], int], ...] = (
    (NotFound, 404),
    (PermissionDenied, 403),
    (AuthenticationFailed, 401),
    (InvalidInput, 400),
    (VerificationFailed, 409),
    (TooManyAttempts, 429),
    (StorageFailed, 507),  # the disk is full: the sentence says nothing was saved
)


def status_for(exc: VotetrailError) -> int:
    for kind, status in STATUS:
        if isinstance(exc, kind):
            return status
    return 500


def wants_json(request: Request) -> bool:
    path = request.url.path
    return (
        path.startswith("/api/")
        or path.startswith("/log/proof")
        or path.startswith("/log/entries")
        or path.startswith(("/checkpoint/", "/checkpoints/"))
        or path.endswith(".json")
        or request.query_params.get("format") == "json"
    )


async def handle_votetrail_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, VotetrailError)
    status = status_for(exc)
    if status >= 500:
        log.error("request %s failed: %s", request.url.path, exc)
    if isinstance(exc, NotSignedIn):
        # Here, once per answer, whichever handler (or API route) asked for the account.
        what = f"{request.method} {shown_path(request)}"
        await run_in_threadpool(deny_visitor, request, app_of(request), what)
    if request.url.path.startswith("/api/"):
        # The API's scripts also get the field at fault apart from the sentence.
        where = exc.where if isinstance(exc, InvalidInput) else None
        body = {"error": str(exc), "where": where, "status": status}
        response: Response = JSONResponse(body, status_code=status)
        if isinstance(exc, AuthenticationFailed):
            response.headers["WWW-Authenticate"] = "Bearer"
    elif wants_json(request):
        response = JSONResponse({"error": str(exc), "status": status}, status_code=status)
    else:
        response = render(request, "error.html", _page_context(request, exc, status), status)
    if isinstance(exc, TooManyAttempts):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def _page_context(request: Request, exc: VotetrailError, status: int) -> dict[str, object]:
    """What the error page says after the message: what to correct depends on what was sent.

    Only a sent file is to be corrected and uploaded again; a value in the address
    (``?day=``, ``?start=``) is named, with what it must be, and a form's fields are
    corrected on the form. ``cause`` picks the sentence in ``error.html``.
    """
    context: dict[str, object] = {"status": status, "message": str(exc), "cause": None}
    if not isinstance(exc, InvalidInput):
        return context
    content_type = request.headers.get("content-type", "")
    if request.method == "POST" and content_type.startswith("multipart/form-data"):
        context["cause"] = "file"
    elif request.method == "POST":
        context["cause"] = "form"
    else:
        context["cause"] = "address"
        named = _parameter(request, exc.where)
        if named is not None:
            text = str(exc)
            prefix = f"{exc.where}: "
            context["parameter"] = named
            context["expected"] = text[len(prefix) :] if text.startswith(prefix) else text
    return context


def _parameter(request: Request, where: str | None) -> str | None:
    """The query or path parameter an error's ``where`` names (``day '2026-13-01'`` names day)."""
    if not where:
        return None
    name = where.split(" ", 1)[0]
    if name in request.query_params or name in request.path_params:
        return name
    return None


async def handle_not_found(request: Request, exc: Exception) -> Response:
    return await handle_votetrail_error(request, NotFound(f"no page at {request.url.path}"))


UNEXPECTED = (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
    "<title>Something went wrong</title></head><body><h1>Something went wrong</h1>"
    "<p>The server could not answer this request. It has been noted for the operator; "
    "try again later.</p></body></html>\n"
)


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    """The 500 answer to a bug: no details, and the security headers every page carries.

    Starlette sends this response from outside every middleware, so the
    headers are added here; the page is plain text in code, not a template,
    so it cannot fail in turn. The exception itself goes to the server's log.
    """
    log.error("request %s %s failed unexpectedly", request.method, request.url.path)
    if wants_json(request):
        response: Response = JSONResponse(
            {"error": "the server could not answer this request", "status": 500},
            status_code=500,
        )
    else:
        response = HTMLResponse(UNEXPECTED, status_code=500)
    response.headers.update(HEADERS)
    # Starlette re-raises after sending this, and the server then drops the connection.
    response.headers["Connection"] = "close"
    return response
