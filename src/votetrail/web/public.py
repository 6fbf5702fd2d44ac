"""The public portal: no sign-in, read only.

Anyone can fetch the signed checkpoint, page through the log and ask for
inclusion and consistency proofs, then check them with any RFC 9162 tool.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from votetrail.errors import InvalidInput
from votetrail.services import directory, log_view, witnesses
from votetrail.web.state import app_of
from votetrail.web.templating import render

PAGE = 50
MAX_NUMBER = 2**53
"""No log gets near this many entries; a larger number is refused before it reaches the
database, whose 64-bit integers it would overflow."""


def _int(request: Request, name: str, default: int | None = None) -> int | None:
    raw = request.query_params.get(name) or request.path_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise InvalidInput("must be a whole number", where=name) from None
    if value < 0:
        raise InvalidInput("must not be negative", where=name)
    if value > MAX_NUMBER:
        raise InvalidInput(f"must be at most {MAX_NUMBER}", where=name)
    return value


def home(request: Request) -> Response:
    """The portal's front page: one short section per thing a voter or reporter checks.

    Every link on it goes to a page open to anyone (``tests/web/portal``
    follows them signed out); a county's workspace (``/j/...``) is not one.
    """
    app = app_of(request)
    places = directory.jurisdictions(app)
    return render(
        request,
        "home.html",
        {
            "counties": [j for j in places if j.kind == "county"],
            "state_name": next((j.name for j in places if j.kind == "state"), "state"),
            "origin": app.origin,
            "size": log_view.size(app),
        },
    )


def glossary(request: Request) -> Response:
    """The terms that must stay (checkpoint, CVR, risk limit...), explained once for every page."""
    return render(request, "glossary.html")


def checkpoint(request: Request) -> Response:
    """The latest signed checkpoint, with the witnesses' cosignature lines kept for it."""
    return PlainTextResponse(witnesses.cosigned_checkpoint(app_of(request)))


def verifier_key(request: Request) -> Response:
    return PlainTextResponse(log_view.verifier_key(app_of(request)) + "\n")


def key_rotations(request: Request) -> Response:
    """Every key rotation statement, oldest first: how a monitor that pinned an old key follows."""
    return JSONResponse({"rotations": log_view.key_rotations(app_of(request))})


def log_page(request: Request) -> Response:
    app = app_of(request)
    size = log_view.size(app)
    start = _int(request, "start", max(size - PAGE, 0)) or 0
    views = log_view.entries(app, start, PAGE)
    if request.query_params.get("format") == "json":
        said = log_view.remarks(app, views)
        listed = [{**v.as_json(), **_remark(said, v.seq)} for v in views]
        return JSONResponse({"tree_size": size, "start": start, "entries": listed})
    return render(
        request,
        "log.html",
        {
            "entries": views,
            "size": size,
            "start": start,
            "previous": max(start - PAGE, 0) if start > 0 else None,
            "next": start + PAGE if start + PAGE < size else None,
            "origin": app.origin,
            "verifier_key": log_view.verifier_key(app),
            "remarks": log_view.remarks(app, views),
            "places": {j.id: j.name for j in directory.jurisdictions(app)},
        },
    )


def _remark(said: dict[int, str], seq: int) -> dict[str, str]:
    return {"remark": said[seq]} if seq in said else {}


def entry(request: Request) -> Response:
    index = _int(request, "index") or 0
    views = log_view.entries(app_of(request), index, 1)
    if not views or views[0].seq != index:
        from votetrail.errors import NotFound

        raise NotFound(f"entry {index} is not in the log")
    said = log_view.remarks(app_of(request), views)
    return JSONResponse({**views[0].as_json(), **_remark(said, index)})


def inclusion(request: Request) -> Response:
    index = _int(request, "index") or 0
    return JSONResponse(log_view.inclusion(app_of(request), index, _int(request, "tree_size")))


def consistency(request: Request) -> Response:
    old = _int(request, "old") or 0
    return JSONResponse(log_view.consistency(app_of(request), old, _int(request, "new")))


ROUTES = [
    Route("/", home),
    Route("/checkpoint", checkpoint),
    Route("/glossary", glossary),
    Route("/verifier-key", verifier_key),
    Route("/key-rotations", key_rotations),
    Route("/log", log_page),
    Route("/log/entries/{index}", entry),
    Route("/log/proof/inclusion/{index}", inclusion),
    Route("/log/proof/consistency/{old}", consistency),
    Route("/log/proof/consistency/{old}/{new}", consistency),
]
