"""A county's audit pages: its progress, its retrieval lists, and its audit boards.

Only the county's administrator or the state administrator may open them
(``may_manage_audit_boards``; the services ask it and ``may_read_retrieval_list``
again). The rule is asked before anything is read, and a refusal is logged as
``access.denied``, so guessing another county's address gives a 403 and a log entry, never a
page. An audit the county is not in is not at this address (404).

A board's one-time sign-in link is shown exactly once: in the answer to the
POST that issued it, never stored in clear, never put in the one-shot flash
cookie and never on a later page. Reloading that answer asks the browser to
send the form again, which issues a new link and ends the old one.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from votetrail.core.access import Principal, may_manage_audit_boards
from votetrail.errors import InvalidInput, NotFound
from votetrail.formats.audit.retrieval_pdf import retrieval_pdf
from votetrail.services.audit import boards as audit_boards
from votetrail.services.audit import progress
from votetrail.services.audit.retrieval import RetrievalRow, retrieval_list, write_retrieval_list
from votetrail.services.context import App
from votetrail.services.directory import JurisdictionView
from votetrail.web.auth import check_csrf, require, require_allowed
from votetrail.web.lat.common import download
from votetrail.web.page_cache import cached
from votetrail.web.state import app_of, county_in_url, the_state
from votetrail.web.templating import render

FLASH = "audit_county_flash"
"""Session key of the one-shot message after boards were assigned ballots (never a link)."""

PARTIES = ("Democratic", "Republican", "Libertarian", "Green", "Unaffiliated")
"""Suggestions for a member's party; any other words are accepted."""


@dataclass(frozen=True)
class Failed:
    """A form the service refused: which one, the rule's words, and what the official typed."""

    form: str
    message: str
    values: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class IssuedLink:
    """A sign-in link to show once, on the answer to the POST that made it."""

    board: str
    url: str
    created: bool


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return " ".join(value.split()) if isinstance(value, str) else ""


def _require_county_official(request: Request, app: App, county: str) -> Principal:
    """The county's administrator or the state's; anyone else is refused and logged."""
    state = the_state(request)
    return require_allowed(
        request,
        app,
        lambda principal: may_manage_audit_boards(principal, county, state),
        county,
        "your account may not run this county's audit",
    )


def _audit_url(county: str, audit_id: str) -> str:
    return f"/j/{county}/audits/{quote(audit_id, safe='')}"


def _link_url(request: Request, app: App, token: str) -> str:
    """The whole address a board types or scans: the public URL if configured, else this host."""
    base = (app.public_url or str(request.base_url)).rstrip("/")
    return f"{base}/board-link/{token}"


def _board_of(
    app: App, principal: Principal, audit_id: str, county: str, number: str
) -> audit_boards.BoardView:
    """The county's board ``board-<number>`` of the audit; another county's is not here."""
    wanted = f"{audit_id}/{county}/board-{number}"
    for board in audit_boards.boards_of(app, principal, audit_id, county):
        if board.id == wanted:
            return board
    raise NotFound(f"no audit board {number} of {county} in {audit_id}")


def _rounds(rows: list[RetrievalRow]) -> list[tuple[int, int, int]]:
    """(round, ballots, phantoms) for each round the county has ballots to pull in."""
    counts: dict[int, list[int]] = {}
    for row in rows:
        entry = counts.setdefault(row.round, [0, 0])
        entry[0] += 1
        entry[1] += int(row.phantom)
    return [(n, ballots, phantoms) for n, (ballots, phantoms) in sorted(counts.items())]


# ---------------------------------------------------------------- the county's audits


def _audits_of(app: App, principal: Principal, county: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for audit_id, election, method, status in progress.audits(app):
        try:
            standing = progress.county_overview(app, principal, audit_id, county)
        except NotFound:
            continue  # the county is not in this audit
        out.append(
            {
                "id": audit_id,
                "election": election,
                "method": method.replace("_", " "),
                "status": status.replace("_", " "),
                "county": standing,
            }
        )
    return out


def audits_page(request: Request) -> Response:
    """Every audit the county is in, with where its own part stands."""
    app = app_of(request)
    county = county_in_url(app, request, "audit boards")
    principal = _require_county_official(request, app, county.id)
    # Each audit's standing reconciles the county's ballots: done once per state of the log.
    key = ("audits", principal.username, principal.role, county.id)
    audits = cached(request, key, lambda: _audits_of(app, principal, county.id))
    context = {"jurisdiction": county, "audits": audits}
    return render(request, "audit_county_list.html", context)


# ---------------------------------------------------------------- one audit


def _audit_response(
    request: Request,
    app: App,
    principal: Principal,
    county: JurisdictionView,
    audit_id: str,
    *,
    failed: Failed | None = None,
    issued: IssuedLink | None = None,
) -> Response:
    standing = progress.county_overview(app, principal, audit_id, county.id)
    rows = retrieval_list(app, principal, audit_id, county.id)
    context: dict[str, object] = {
        "jurisdiction": county,
        "audit_id": audit_id,
        "audit_url": _audit_url(county.id, audit_id),
        "county": standing,
        "rounds": _rounds(rows),
        "boards": audit_boards.boards_of(app, principal, audit_id, county.id),
        "parties": PARTIES,
        "failed": failed,
        "values": failed.values if failed else {},
        "issued": issued,
        "flash": None if issued else request.session.pop(FLASH, None),
    }
    status = 400 if failed else 200
    response = render(request, "audit_county_audit.html", context, status)
    # The page may carry a one-time link: no cache, no back-button copy.
    response.headers["Cache-Control"] = "no-store"
    return response


def audit_page(request: Request) -> Response:
    """The county's progress, its retrieval lists, and its boards with their forms."""
    app = app_of(request)
    county = county_in_url(app, request, "audit boards")
    principal = _require_county_official(request, app, county.id)
    return _audit_response(request, app, principal, county, str(request.path_params["audit_id"]))


def _retrieval_rows(
    request: Request,
) -> tuple[JurisdictionView, str, int | None, list[RetrievalRow]]:
    app = app_of(request)
    county = county_in_url(app, request, "audit boards")
    principal = _require_county_official(request, app, county.id)
    audit_id = str(request.path_params["audit_id"])
    asked = request.query_params.get("round")
    number: int | None = None
    if asked:
        if not asked.isdigit():
            raise InvalidInput("the round is a number, e.g. ?round=1", where="round")
        number = int(asked)
    rows = retrieval_list(app, principal, audit_id, county.id, number)
    return county, audit_id, number, rows


def _file_name(county: str, audit_id: str, number: int | None, ext: str) -> str:
    which = f"round-{number}" if number is not None else "all-rounds"
    return f"{audit_id}-{county}-retrieval-{which}.{ext}"


def retrieval_csv(request: Request) -> Response:
    """The ballots to pull, in shelf order, as CSV (``?round=N`` for one round)."""
    county, audit_id, number, rows = _retrieval_rows(request)
    out = io.StringIO()
    write_retrieval_list(rows, out)
    return download(out.getvalue(), "text/csv", _file_name(county.id, audit_id, number, "csv"))


def retrieval_pdf_file(request: Request) -> Response:
    """The same list, printable, for the people walking the shelves."""
    county, audit_id, number, rows = _retrieval_rows(request)
    which = f"round {number}" if number is not None else "every round"
    title = f"{county.name} · {audit_id} · ballots to pull, {which}"
    body = retrieval_pdf(title, rows)
    return download(body, "application/pdf", _file_name(county.id, audit_id, number, "pdf"))


# ---------------------------------------------------------------- forms


async def _post(request: Request) -> tuple[App, JurisdictionView, Principal, str, FormData]:
    """CSRF first (a forged post fills no log), then the county's permission, then the audit."""
    app = app_of(request)
    county = await run_in_threadpool(county_in_url, app, request, "audit boards")
    require(request)
    await check_csrf(request)
    principal = await run_in_threadpool(_require_county_official, request, app, county.id)
    return app, county, principal, str(request.path_params["audit_id"]), await request.form()


async def create_board(request: Request) -> Response:
    """Add a board of two named members; its first sign-in link is shown on the answer only."""
    app, county, principal, audit_id, form = await _post(request)
    names = ("name", "member1", "party1", "member2", "party2")
    values = {name: _text(form, name) for name in names}
    members = [
        audit_boards.Member(values["member1"], values["party1"]),
        audit_boards.Member(values["member2"], values["party2"]),
    ]
    try:
        created = await run_in_threadpool(
            audit_boards.create_board, app, principal, audit_id, county.id, values["name"], members
        )
    except InvalidInput as exc:
        failed = Failed("board", str(exc), values)
        return await run_in_threadpool(
            _audit_response, request, app, principal, county, audit_id, failed=failed
        )
    issued = IssuedLink(created.board.name, _link_url(request, app, created.link_token), True)
    return await run_in_threadpool(
        _audit_response, request, app, principal, county, audit_id, issued=issued
    )


async def issue_link(request: Request) -> Response:
    """A new one-time link for one board (earlier unused ones stop working), shown once."""
    app, county, principal, audit_id, _ = await _post(request)
    number = str(request.path_params["n"])
    board = await run_in_threadpool(_board_of, app, principal, audit_id, county.id, number)
    token = await run_in_threadpool(audit_boards.issue_link, app, principal, board.id)
    issued = IssuedLink(board.name, _link_url(request, app, token), False)
    return await run_in_threadpool(
        _audit_response, request, app, principal, county, audit_id, issued=issued
    )


async def assign(request: Request) -> Response:
    """Share the round's ballots among the county's boards, whole batches to one board."""
    app, county, principal, audit_id, _ = await _post(request)
    try:
        count = await run_in_threadpool(
            audit_boards.assign_ballots, app, principal, audit_id, county.id
        )
    except InvalidInput as exc:
        return await run_in_threadpool(
            _audit_response,
            request,
            app,
            principal,
            county,
            audit_id,
            failed=Failed("assign", str(exc)),
        )
    noun = "ballot" if count == 1 else "ballots"
    request.session[FLASH] = f"Assigned {count} {noun} to the audit boards."
    return RedirectResponse(_audit_url(county.id, audit_id), status_code=303)


ROUTES: list[BaseRoute] = [
    Route("/j/{slug}/audits", audits_page, methods=["GET"]),
    Route("/j/{slug}/audits/{audit_id}", audit_page, methods=["GET"]),
    Route("/j/{slug}/audits/{audit_id}/retrieval.csv", retrieval_csv, methods=["GET"]),
    Route("/j/{slug}/audits/{audit_id}/retrieval.pdf", retrieval_pdf_file, methods=["GET"]),
    Route("/j/{slug}/audits/{audit_id}/boards", create_board, methods=["POST"]),
    Route("/j/{slug}/audits/{audit_id}/boards/{n:int}/link", issue_link, methods=["POST"]),
    Route("/j/{slug}/audits/{audit_id}/assign", assign, methods=["POST"]),
]
