"""The one place where expected errors become HTTP responses.

Machine-readable paths (``/log/proof``, ``/log/entries``, ``?format=json``)
get ``{"error": ..., "status": ...}``; everything else gets the error page.
Handlers raise; they never build error pages themselves.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from votetrail.errors import (
    AuthenticationFailed,
    InvalidInput,
    NotFound,
    PermissionDenied,
    VerificationFailed,
    VotetrailError,
)
from votetrail.web.templating import render

log = logging.getLogger("votetrail.web")

STATUS: tuple[tuple[type[VotetrailError], int], ...] = (
    (NotFound, 404),
    (PermissionDenied, 403),
    (AuthenticationFailed, 401),
    (InvalidInput, 400),
    (VerificationFailed, 409),
)


def status_for(exc: VotetrailError) -> int:
    for kind, status in STATUS:
        if isinstance(exc, kind):
            return status
    return 500


def wants_json(request: Request) -> bool:
    path = request.url.path
    return (
        path.startswith("/log/proof")
        or path.startswith("/log/entries")
        or path.endswith(".json")
        or request.query_params.get("format") == "json"
    )


async def handle_votetrail_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, VotetrailError)
    status = status_for(exc)
    if status >= 500:
        log.error("request %s failed: %s", request.url.path, exc)
    if wants_json(request):
        return JSONResponse({"error": str(exc), "status": status}, status_code=status)
    return render(request, "error.html", {"status": status, "message": str(exc)}, status)


async def handle_not_found(request: Request, exc: Exception) -> Response:
    return await handle_votetrail_error(request, NotFound(f"no page at {request.url.path}"))
