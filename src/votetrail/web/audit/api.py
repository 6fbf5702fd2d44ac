"""The audit's JSON API: what the pages do, for counties' and boards' scripts.

A script signs in with ``POST /api/session`` (the sign-in form's own check:
same throttles, same record of failures) or, for an audit board, with its
one-time link (``POST /api/board-session``), and gets a token: a server-side
session like a browser's, so signing out, a password change or "sign out
everywhere" ends it at once. It sends ``Authorization: Bearer <token>``;
the API never reads cookies (``web/auth.py``), so there is no CSRF to guard.

Every route calls the same services as the pages, so the same rules refuse
the same things and log them as ``access.denied``; a route that takes a body
first checks the caller against the role and the county or board its path
names, so a refused caller is logged and learns nothing of the body's shape. Errors are JSON,
``{"error", "where", "status"}`` (``web/errors.py``). The routes and the
OpenAPI document come from one table (``OPERATIONS``), so neither can drift.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import anyio.to_thread
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from votetrail import __version__
from votetrail.core.access import Principal, may_manage_audit_boards, may_upload
from votetrail.errors import InvalidInput, NotFound, PermissionDenied
from votetrail.services import directory
from votetrail.services.accounts import refusals, sign_in
from votetrail.services.accounts import sessions as web_sessions
from votetrail.services.audit import boards, draw, measure, progress, retrieval, seed, setup
from votetrail.services.context import App
from votetrail.services.directory import JurisdictionView
from votetrail.services.unit_of_work import deny
from votetrail.web.audit import public
from votetrail.web.audit.openapi import (
    INT,
    TEXT,
    TEXTS,
    Operation,
    Query,
    document,
    obj,
    ref,
)
from votetrail.web.audit.state import require_auditor
from votetrail.web.auth import NotSignedIn, bearer_token, client_network, require_allowed
from votetrail.web.county import FORMS, import_upload, replacement_of
from votetrail.web.lat.common import download
from votetrail.web.state import app_of
from votetrail.web.workspace import password_checks

log = logging.getLogger("votetrail.web.audit.api")

KINDS = tuple(form.kind for form in FORMS)
T = TypeVar("T")


# ---------------------------------------------------------------- reading requests


def _who(request: Request) -> Principal:
    """The token's account; without one a 401, logged as a refusal (``web/errors.py``)."""
    principal = getattr(request.state, "principal", None)
    if not isinstance(principal, Principal):
        raise NotSignedIn(
            "send a token as 'Authorization: Bearer <token>'; POST /api/session gives one"
        )
    return principal


async def _auditor(request: Request) -> Principal:
    """The state administrator, checked before any body is read; anyone else refused."""
    _who(request)
    return await run_in_threadpool(require_auditor, request, app_of(request))


async def _board_manager(request: Request) -> Principal:
    """The path's county's administrator or the state's, checked before the body is read."""
    _who(request)
    app = app_of(request)
    county = _param(request, "county")
    state = await run_in_threadpool(directory.the_state, app)
    return await run_in_threadpool(
        require_allowed,
        request,
        app,
        lambda p: may_manage_audit_boards(p, county, state),
        county,
        f"only {county}'s administrator or the state administrator manages its audit boards",
    )


async def _board_account(request: Request) -> Principal:
    """The path's board's own account, checked before the body is read.

    Only a board enters its ballots and signs its round off (``services/audit/boards.py``
    asks again). Anyone else is refused whether or not the board exists, so a refusal
    tells nothing about which boards there are.
    """
    principal = _who(request)
    app = app_of(request)
    board_id = _param(request, "board_id")

    def own(who: Principal) -> bool:
        try:
            return boards.board_of_user(app, who).id == board_id
        except NotFound:  # not a board's account at all
            return False

    return await run_in_threadpool(
        require_allowed,
        request,
        app,
        own,
        principal.jurisdiction,
        "only that board enters its ballots and signs off its round",
    )


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("must be a JSON object", where="body") from None
    if not isinstance(body, dict):
        raise InvalidInput("must be a JSON object", where="body")
    return body


def _text(body: dict[str, Any], name: str, *, default: str | None = None) -> str:
    value = body.get(name, default)
    if not isinstance(value, str):
        raise InvalidInput("must be text" if name in body else "is missing", where=name)
    return value


def _texts(body: dict[str, Any], name: str, *, required: bool = True) -> list[str]:
    value = body.get(name, None if required else [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput("must be a list of text", where=name)
    return value


def _int(body: dict[str, Any], name: str) -> int:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("must be a whole number", where=name)
    return value


def _param(request: Request, name: str) -> str:
    return str(request.path_params[name])


def _json(value: Any, status: int = 200) -> JSONResponse:
    """A dataclass (or list or dict of them) as JSON; tuples become lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    return JSONResponse(value, status_code=status)


def _as_dict(value: Any) -> dict[str, Any]:
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        raise TypeError(f"not a dataclass instance: {value!r}")
    return dataclasses.asdict(value)


# ---------------------------------------------------------------- signing in


async def open_session(request: Request) -> Response:
    """The sign-in form's check in a worker thread, sharing its limiter; then a token."""
    body = await _body(request)
    username = _text(body, "username").strip()
    password = _text(body, "password")
    code = _text(body, "code", default="")[:16]  # only for an account with a second factor
    client = client_network(request.client.host if request.client else None)
    app = app_of(request)
    _, token = await anyio.to_thread.run_sync(
        partial(sign_in.sign_in_session, app, username, password, client, code),
        limiter=password_checks(request),
    )
    await run_in_threadpool(refusals.close_hours, app)
    lifetime = int(web_sessions.LIFETIME.total_seconds())
    return JSONResponse({"token": token, "expires_in": lifetime}, status_code=201)


async def open_board_session(request: Request) -> Response:
    """A board's one-time link (then used up), exchanged for a token of the board's account."""
    body = await _body(request)
    link = _text(body, "link_token").strip()
    app = app_of(request)
    principal = await run_in_threadpool(boards.sign_in_with_link, app, link)
    token = await run_in_threadpool(web_sessions.open_session, app, principal.username)
    lifetime = int(web_sessions.LIFETIME.total_seconds())
    return JSONResponse({"token": token, "expires_in": lifetime}, status_code=201)


async def close_session(request: Request) -> Response:
    """Sign the token out: it stops working at once."""
    _who(request)
    token = bearer_token(request)
    if token is not None:
        await run_in_threadpool(web_sessions.end_session, app_of(request), token)
    return JSONResponse({"signed_out": True})


# ---------------------------------------------------------------- state administrator


async def list_audits(request: Request) -> Response:
    _who(request)
    rows = await run_in_threadpool(progress.audits, app_of(request))
    keys = ("id", "election", "method", "status")
    return JSONResponse({"audits": [dict(zip(keys, row, strict=True)) for row in rows]})


async def create_audit(request: Request) -> Response:
    principal = await _auditor(request)
    body = await _body(request)
    with_replacement = body.get("with_replacement", False)
    if not isinstance(with_replacement, bool):
        raise InvalidInput("must be true or false", where="with_replacement")
    method = _text(body, "method")
    if method not in {m.value for m in setup.AuditMethod}:
        raise InvalidInput(
            "must be ballot_comparison, ballot_polling or batch_comparison", where="method"
        )
    wanted = setup.AuditSetup(
        election=_text(body, "election"),
        method=setup.AuditMethod(method),
        risk_limit=_text(body, "risk_limit"),
        targeted=_texts(body, "targeted"),
        opportunistic=_texts(body, "opportunistic", required=False),
        counties=_texts(body, "counties"),
        with_replacement=with_replacement,
    )
    audit_id = await run_in_threadpool(setup.create_audit, app_of(request), principal, wanted)
    return JSONResponse({"id": audit_id}, status_code=201)


async def audit_overview(request: Request) -> Response:
    # Every county's status is the state's view, as on /audits/{id}; a county reads its own.
    await run_in_threadpool(require_auditor, request, app_of(request))
    overview = await run_in_threadpool(
        progress.overview, app_of(request), _param(request, "audit_id")
    )
    return _json(overview)


async def county_status(request: Request) -> Response:
    return _json(await _county_call(request, progress.county_overview))


async def set_seed(request: Request) -> Response:
    principal = await _auditor(request)
    body = await _body(request)
    audit_id = _param(request, "audit_id")
    app = app_of(request)
    await run_in_threadpool(
        seed.set_seed, app, principal, audit_id, _text(body, "seed"), _texts(body, "witnesses")
    )
    held = await run_in_threadpool(seed.ceremony, app, audit_id)
    assert held is not None
    return JSONResponse(
        {
            "audit_id": audit_id,
            "seed": held.seed,
            "witnesses": held.witnesses,
            "set_at": held.set_at,
        }
    )


async def offered_sizes(request: Request) -> Response:
    await run_in_threadpool(require_auditor, request, app_of(request))
    offers = await run_in_threadpool(
        draw.offered_sizes, app_of(request), _param(request, "audit_id")
    )
    return JSONResponse({"sizes": [_as_dict(o) for o in offers]})


async def draw_round(request: Request) -> Response:
    principal = await _auditor(request)
    body = await _body(request)
    drawn = await run_in_threadpool(
        draw.draw_round, app_of(request), principal, _param(request, "audit_id"), _int(body, "size")
    )
    return JSONResponse(
        {
            "round_id": drawn.round_id,
            "number": drawn.number,
            "sample_size": len(drawn.tickets),
            "per_county": drawn.per_county,
            "frame_size": drawn.frame_size,
        },
        status_code=201,
    )


async def close_round(request: Request) -> Response:
    principal = _who(request)
    closed = await run_in_threadpool(
        measure.close_round, app_of(request), principal, _param(request, "audit_id")
    )
    return _json(closed)


# ---------------------------------------------------------------- counties


async def retrieval_list(request: Request) -> Response:
    principal = _who(request)
    raw = request.query_params.get("round")
    number: int | None = None
    if raw:
        if not raw.isdigit() or len(raw) > 6:
            raise InvalidInput("must be a round number", where="round")
        number = int(raw)
    rows = await run_in_threadpool(
        retrieval.retrieval_list,
        app_of(request),
        principal,
        _param(request, "audit_id"),
        _param(request, "county"),
        number,
    )
    return JSONResponse({"rows": [_as_dict(r) for r in rows]})


async def _county_call(request: Request, service: Callable[[App, Principal, str, str], T]) -> T:
    """A county's audit service for the signed-in account, the audit and county in the path."""
    principal = _who(request)
    audit_id, county = _param(request, "audit_id"), _param(request, "county")
    return await run_in_threadpool(service, app_of(request), principal, audit_id, county)


async def list_boards(request: Request) -> Response:
    found = await _county_call(request, boards.boards_of)
    return JSONResponse({"boards": [_as_dict(b) for b in found]})


def _members(body: dict[str, Any]) -> list[boards.Member]:
    raw = body.get("members")
    if not isinstance(raw, list):
        raise InvalidInput("must be a list of {name, party}", where="members")
    members: list[boards.Member] = []
    for index, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise InvalidInput("must be {name, party}", where=f"members[{index}]")
        members.append(boards.Member(_text(item, "name").strip(), _text(item, "party").strip()))
    return members


async def create_board(request: Request) -> Response:
    principal = await _board_manager(request)
    body = await _body(request)
    created = await run_in_threadpool(
        boards.create_board,
        app_of(request),
        principal,
        _param(request, "audit_id"),
        _param(request, "county"),
        _text(body, "name"),
        _members(body),
    )
    return JSONResponse(
        {"board": _as_dict(created.board), "link_token": created.link_token}, status_code=201
    )


async def issue_link(request: Request) -> Response:
    principal = _who(request)
    token = await run_in_threadpool(
        boards.issue_link, app_of(request), principal, _param(request, "board_id")
    )
    return JSONResponse({"link_token": token}, status_code=201)


async def assign_ballots(request: Request) -> Response:
    count = await _county_call(request, boards.assign_ballots)
    return JSONResponse({"assigned": count})


def _place_and_state(app: App, slug: str) -> tuple[JurisdictionView, str]:
    return directory.jurisdiction(app, slug), directory.the_state(app)


async def upload(request: Request) -> Response:
    """A county file, as the county page's form sends it: permission first, then the form.

    The form (and its files) is read only once the account may upload here,
    so a refused script never has its files spooled to disk.
    """
    principal = _who(request)
    app = app_of(request)
    kind = _param(request, "kind")
    if kind not in KINDS:
        raise NotFound(f"no upload of kind {kind!r}; kinds: {', '.join(KINDS)}")
    target, state = await run_in_threadpool(_place_and_state, app, _param(request, "county"))
    if target.kind != "county":
        raise NotFound(f"{target.id!r} is not a county")
    if not may_upload(principal, target.id, state):
        what = f"POST {request.url.path}"
        log.warning("denied %s to %s (%s)", what, principal.username, principal.jurisdiction)
        await run_in_threadpool(deny, app, principal.username, target.id, what)
        raise PermissionDenied("your account may not upload files for this county")
    form = await request.form()
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
    replace = replacement_of(form, kind)
    result = await run_in_threadpool(
        import_upload, app, principal.username, target.id, kind, files, replace
    )
    return JSONResponse(
        {
            "id": result.id,
            "kind": result.kind,
            "records": result.records,
            "created": result.created,
            "replaced": result.replaced,
        },
        status_code=201 if result.created else 200,
    )


# ---------------------------------------------------------------- audit boards


async def board_ballots(request: Request) -> Response:
    principal = _who(request)
    found = await run_in_threadpool(
        boards.board_ballots, app_of(request), principal, _param(request, "board_id")
    )
    return JSONResponse({"ballots": [{**_as_dict(b), "done": b.done} for b in found]})


async def record_interpretation(request: Request) -> Response:
    principal = await _board_account(request)
    body = await _body(request)
    raw = body.get("readings")
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
    ):
        raise InvalidInput("must be an object of contest id -> reading text", where="readings")
    ballot_id = _text(body, "ballot_id")
    await run_in_threadpool(
        boards.record_interpretation,
        app_of(request),
        principal,
        _param(request, "board_id"),
        ballot_id,
        raw,
        _text(body, "comment", default=""),
    )
    return JSONResponse({"ballot_id": ballot_id, "recorded": True})


async def sign_off(request: Request) -> Response:
    principal = await _board_account(request)
    body = await _body(request)
    board_id = _param(request, "board_id")
    await run_in_threadpool(
        boards.sign_off, app_of(request), principal, board_id, _texts(body, "members")
    )
    return JSONResponse({"board_id": board_id, "signed_off": True})


# ---------------------------------------------------------------- evidence and the document


async def evidence_zip(request: Request) -> Response:
    _who(request)
    audit_id = _param(request, "audit_id")
    app = app_of(request)
    await run_in_threadpool(progress.overview, app, audit_id)  # unknown: 404 before any work
    built = await run_in_threadpool(public.package, app, audit_id)
    return download(built.zip_bytes, "application/zip", f"{audit_id}-evidence.zip")


async def openapi_json(request: Request) -> Response:
    return JSONResponse(DOCUMENT)


AUDIT = "/api/audits/{audit_id}"
COUNTY = AUDIT + "/counties/{county}"
BOARD = "/api/boards/{board_id:path}"
ROUND_QUERY = Query("round", INT, "Only this round's ballots (default: every round).")

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "POST",
        "/api/session",
        open_session,
        "openSession",
        "Sign in; get a token",
        "session",
        description="The sign-in form's check: wrong attempts are throttled (429 with "
        "Retry-After) and recorded like the form's.",
        body=obj(["username", "password"], username=TEXT, password=TEXT),
        ok=201,
        response=ref("Token"),
        signed_in=False,
    ),
    Operation(
        "POST",
        "/api/board-session",
        open_board_session,
        "openBoardSession",
        "Sign an audit board in with its one-time link; get a token",
        "session",
        body=obj(["link_token"], link_token=TEXT),
        ok=201,
        response=ref("Token"),
        signed_in=False,
    ),
    Operation(
        "DELETE",
        "/api/session",
        close_session,
        "closeSession",
        "Sign this token out",
        "session",
        response=obj(signed_out={"type": "boolean"}),
    ),
    Operation(
        "GET",
        "/api/audits",
        list_audits,
        "listAudits",
        "Every audit",
        "state",
        response=obj(audits={"type": "array", "items": ref("AuditSummary")}),
    ),
    Operation(
        "POST",
        "/api/audits",
        create_audit,
        "createAudit",
        "Set up an audit (state administrator)",
        "state",
        body=ref("NewAudit"),
        ok=201,
        response=obj(["id"], id=TEXT),
    ),
    Operation(
        "GET",
        AUDIT,
        audit_overview,
        "getAudit",
        "Where an audit stands: every county, seed, rounds with risk (state administrator)",
        "state",
        response=ref("Audit"),
    ),
    Operation(
        "POST",
        AUDIT + "/seed",
        set_seed,
        "setSeed",
        "Record the seed rolled in public, once (state administrator)",
        "state",
        body=obj(
            ["seed", "witnesses"], seed={**TEXT, "description": "20 digits."}, witnesses=TEXTS
        ),
        response=obj(audit_id=TEXT, seed=TEXT, witnesses=TEXTS, set_at=TEXT),
    ),
    Operation(
        "GET",
        AUDIT + "/sizes",
        offered_sizes,
        "offeredSizes",
        "Sizes offered for the next round, with their chance of finishing (state administrator)",
        "state",
        response=obj(sizes={"type": "array", "items": ref("SizeOffer")}),
    ),
    Operation(
        "POST",
        AUDIT + "/rounds",
        draw_round,
        "drawRound",
        "Draw the next round's sample (state administrator)",
        "state",
        body=obj(["size"], size={"type": "integer", "minimum": 1}),
        ok=201,
        response=ref("DrawnRound"),
    ),
    Operation(
        "POST",
        AUDIT + "/close",
        close_round,
        "closeRound",
        "Measure the risk once every county signed off (state administrator)",
        "state",
        response=ref("Round"),
    ),
    Operation(
        "GET",
        COUNTY,
        county_status,
        "countyStatus",
        "One county's files, ballots, boards and progress in the audit",
        "county",
        response=ref("CountyStatus"),
    ),
    Operation(
        "GET",
        COUNTY + "/retrieval",
        retrieval_list,
        "retrievalList",
        "The county's ballots to pull, in shelf order",
        "county",
        query=(ROUND_QUERY,),
        response=obj(rows={"type": "array", "items": ref("RetrievalRow")}),
    ),
    Operation(
        "GET",
        COUNTY + "/boards",
        list_boards,
        "listBoards",
        "The county's audit boards",
        "county",
        response=obj(boards={"type": "array", "items": ref("Board")}),
    ),
    Operation(
        "POST",
        COUNTY + "/boards",
        create_board,
        "createBoard",
        "Set up an audit board of two members of different parties",
        "county",
        description="The answer holds the board's one-time sign-in link token, shown once.",
        body=obj(["name", "members"], name=TEXT, members={"type": "array", "items": ref("Member")}),
        ok=201,
        response=obj(board=ref("Board"), link_token=TEXT),
    ),
    Operation(
        "POST",
        COUNTY + "/assign",
        assign_ballots,
        "assignBallots",
        "Share the round's ballots among the county's boards",
        "county",
        response=obj(assigned=INT),
    ),
    Operation(
        "POST",
        "/api/counties/{county}/uploads/{kind}",
        upload,
        "uploadCountyFile",
        "Upload a county file (CVRs, manifest, paper counts, check-ins)",
        "county",
        description="Multipart, as the county page's form: `files` (one or more for cvrs, "
        "one otherwise), and to replace the current upload `replace` with its id and "
        "`confirm_replace=yes`.",
        form=obj(
            ["files"],
            files={
                "type": "array",
                "items": {"type": "string", "contentMediaType": "application/octet-stream"},
            },
            replace=TEXT,
            confirm_replace={"type": "string", "enum": ["yes"]},
        ),
        ok=201,
        response=ref("Upload"),
    ),
    Operation(
        "POST",
        BOARD + "/link",
        issue_link,
        "issueBoardLink",
        "A new one-time sign-in link for a board (earlier unused ones stop working)",
        "county",
        ok=201,
        response=obj(link_token=TEXT),
    ),
    Operation(
        "GET",
        BOARD + "/ballots",
        board_ballots,
        "boardBallots",
        "The board's ballots this round, what it entered so far",
        "board",
        response=obj(ballots={"type": "array", "items": ref("BoardBallot")}),
    ),
    Operation(
        "POST",
        BOARD + "/interpretations",
        record_interpretation,
        "recordInterpretation",
        "What the board read on one ballot, contest by contest",
        "board",
        description="A reading is the choice ids marked, joined by `;`, or `blank`, "
        "`overvote` or `not_found`; a ranked-choice contest's is `rank:choice` entries "
        "joined by `;` (`1:Ada;3:Cy`, `R:overvote` for an overvoted rank), or `blank`.",
        body=obj(
            ["ballot_id", "readings"],
            ballot_id=TEXT,
            readings={"type": "object", "additionalProperties": TEXT},
            comment=TEXT,
        ),
        response=obj(ballot_id=TEXT, recorded={"type": "boolean"}),
    ),
    Operation(
        "POST",
        BOARD + "/sign-off",
        sign_off,
        "signOff",
        "The board's members sign off the round",
        "board",
        body=obj(["members"], members=TEXTS),
        response=obj(board_id=TEXT, signed_off={"type": "boolean"}),
    ),
    Operation(
        "GET",
        AUDIT + "/evidence.zip",
        evidence_zip,
        "evidenceZip",
        "The evidence package `votetrail audit verify` checks",
        "public",
        response=None,
        media="application/zip",
    ),
    Operation(
        "GET",
        "/api/openapi.json",
        openapi_json,
        "openapi",
        "This document",
        "public",
        response={"type": "object"},
        signed_in=False,
    ),
)

DOCUMENT = document(OPERATIONS, __version__)

ROUTES: list[BaseRoute] = [Route(op.path, op.endpoint, methods=[op.method]) for op in OPERATIONS]
