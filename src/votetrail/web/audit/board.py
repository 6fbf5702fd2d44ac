"""An audit board's pages: sign in by link, its ballots, the entry form, review and sign-off.

Made for a tablet on a warehouse table and for keyboard-only use: one plain
form per ballot, one fieldset per contest, large labels around every box,
no JavaScript. The board is always the signed-in account's own
(``boards.board_of_user``), never one named in the address, so a board can
only ever reach its own ballots; a ballot number past its list or a ballot
id that is not its own is refused and logged as ``access.denied``.

A one-time link is opened in two steps: GET shows a "Sign in as <board>"
button and uses nothing up (mail and chat programs fetch links to preview
them), and only the POST of that button, CSRF-checked like the sign-in form,
spends the link and opens an ordinary server-side session.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from votetrail.core.access import Principal, Role
from votetrail.errors import AuthenticationFailed, InvalidInput, NotFound, PermissionDenied
from votetrail.services.accounts import sessions as web_sessions
from votetrail.services.audit import boards as audit_boards
from votetrail.services.audit.boards import BoardBallot, BoardView, ContestToEnter
from votetrail.services.context import App
from votetrail.services.unit_of_work import deny
from votetrail.web.auth import SESSION_KEY, check_csrf, require
from votetrail.web.state import app_of
from votetrail.web.templating import render

log = logging.getLogger("votetrail.web.audit")

FLASH = "audit_board_flash"
"""Session key of the one-shot message after a ballot was saved or the round signed off."""

SPECIAL = ("blank", "overvote")
"""Readings of one contest other than the choices ticked; "not found" is the whole ballot's."""

NOT_FOUND = "not_found"
BLANK, OVERVOTE = SPECIAL


@dataclass(frozen=True)
class Failed:
    """A refused entry: the rule's words and the boxes as the board left them."""

    message: str
    values: Mapping[str, object] = field(default_factory=dict)


# ---------------------------------------------------------------- one-time link


def _no_store(response: Response) -> Response:
    """The link is in the address: keep it out of caches and of Referer headers."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def link_page(request: Request) -> Response:
    """A button, not a sign-in: a link previewer's GET must not use the link up."""
    return _no_store(
        render(request, "audit_board_link.html", {"token": request.path_params["token"]})
    )


async def link_sign_in(request: Request) -> Response:
    """Spend the link and open a session for the board, as the password sign-in does."""
    await check_csrf(request)
    app = app_of(request)
    token = str(request.path_params["token"])
    try:
        board = await run_in_threadpool(audit_boards.sign_in_with_link, app, token)
    except AuthenticationFailed as exc:
        context = {"token": token, "refused": str(exc)}
        return _no_store(render(request, "audit_board_link.html", context, 401))
    session = await run_in_threadpool(web_sessions.open_session, app, board.username)
    previous = request.session.get(SESSION_KEY)
    if isinstance(previous, str):
        await run_in_threadpool(web_sessions.end_session, app, previous)
    request.session.clear()  # a new session and a new CSRF token, as at every sign-in
    request.session[SESSION_KEY] = session
    return _no_store(RedirectResponse("/audit-board", status_code=303))


# ---------------------------------------------------------------- the board's work


def _board(app: App, principal: Principal) -> tuple[BoardView, list[BoardBallot]]:
    board = audit_boards.board_of_user(app, principal)
    return board, audit_boards.board_ballots(app, principal, board.id)


def _current_round(ballots: Sequence[BoardBallot]) -> int | None:
    return ballots[0].round if ballots else None


def _signed_off(board: BoardView, ballots: Sequence[BoardBallot]) -> bool:
    number = _current_round(ballots)
    return number is not None and number in board.signed_off_rounds


def home(request: Request) -> Response:
    """The board's work first (the next ballot to enter, or the sign-off), then its list.

    A board account on no audit's board yet (the demo's ``adams-board``) or
    with no ballots assigned is told so in words: an empty page, or another
    office's page, would leave its members guessing whether something broke.
    """
    app = app_of(request)
    principal = require(request)
    try:
        board, ballots = _board(app, principal)
    except NotFound:
        if principal.role is Role.AUDIT_BOARD:
            context = {"flash": request.session.pop(FLASH, None)}
            return render(request, "audit_board_home.html", context)
        # Other officials are on no board: their workspace is their jurisdiction's page.
        return RedirectResponse(f"/j/{principal.jurisdiction}", status_code=303)
    done = sum(1 for b in ballots if b.done)
    context = {
        "board": board,
        "ballots": ballots,
        "done": done,
        "next_number": next((n for n, b in enumerate(ballots, 1) if not b.done), None),
        "round": _current_round(ballots),
        "signed_off": _signed_off(board, ballots),
        "flash": request.session.pop(FLASH, None),
    }
    return render(request, "audit_board_home.html", context)


def _refuse(app: App, request: Request, principal: Principal, county: str, why: str) -> None:
    what = f"{request.method} {request.url.path}"
    log.warning("denied %s to %s (%s): %s", what, principal.username, principal.jurisdiction, why)
    deny(app, principal.username, county, what)


def _pick(
    app: App, request: Request, principal: Principal, ballots: Sequence[BoardBallot], ref: str
) -> int:
    """The 1-based place of the ballot asked for: by its place in the list or by its id."""
    return _place(app, request, principal, [b.ballot_id for b in ballots], ref)


def _place(
    app: App, request: Request, principal: Principal, ballot_ids: Sequence[str], ref: str
) -> int:
    """The 1-based place of ``ref`` among the board's ballot ids (by number or by id).

    Anything that is not one of the board's own ballots is a guess at another
    board's (or nothing): refused, and logged.
    """
    county = principal.jurisdiction
    if ref.isdigit():
        if 1 <= int(ref) <= len(ballot_ids):
            return int(ref)
        _refuse(app, request, principal, county, f"no ballot {ref} on this board's list")
        raise NotFound(f"your board has no ballot number {ref} in this round")
    for n, ballot_id in enumerate(ballot_ids, start=1):
        if ballot_id == ref:
            return n
    _refuse(app, request, principal, county, "a ballot not assigned to this board")
    raise PermissionDenied("that ballot is not assigned to your board")


def _ballot_response(
    request: Request,
    app: App,
    board: BoardView,
    ballots: Sequence[BoardBallot],
    n: int,
    failed: Failed | None = None,
) -> Response:
    ballot = ballots[n - 1]
    context: dict[str, object] = {
        "board": board,
        "ballot": ballot,
        "n": n,
        "count": len(ballots),
        "special": SPECIAL,
        "signed_off": _signed_off(board, ballots),
        "values": failed.values if failed else _entered_values(ballot),
        "failed": failed,
        "flash": request.session.pop(FLASH, None),
    }
    return render(request, "audit_board_ballot.html", context, 400 if failed else 200)


def ballot_page(request: Request) -> Response:
    """The entry form of one ballot: a fieldset per contest, as the paper shows it."""
    app = app_of(request)
    principal = require(request)
    board, ballots = _board(app, principal)
    n = _pick(app, request, principal, ballots, str(request.path_params["ref"]))
    return _ballot_response(request, app, board, ballots, n)


def _entered_values(ballot: BoardBallot) -> dict[str, object]:
    """The form's boxes from what was entered before, so an edit starts from it."""
    values: dict[str, object] = {"comment": ballot.comment}
    entered = [c.entered for c in ballot.contests if c.entered is not None]
    if entered and all(e == NOT_FOUND for e in entered):
        values[NOT_FOUND] = True
        return values
    for i, contest in enumerate(ballot.contests):
        if contest.ranks is not None:
            values.update(_ranked_values(i, contest.entered or ""))
            continue
        if contest.entered in SPECIAL:
            values[f"kind{i}"] = contest.entered
        elif contest.entered:
            values[f"kind{i}"] = "marked"
            values[f"c{i}"] = contest.entered.split(";")
    return values


def _form_values(form: FormData, contests: Sequence[ContestToEnter]) -> dict[str, object]:
    values: dict[str, object] = {
        "comment": str(form.get("comment") or "").strip(),
        NOT_FOUND: form.get(NOT_FOUND) == "yes",
    }
    for i, contest in enumerate(contests):
        for rank in range(1, (contest.ranks or 0) + 1):
            values[f"r{i}-{rank}"] = str(form.get(f"r{i}-{rank}") or "")
        values[f"kind{i}"] = str(form.get(f"kind{i}") or "")
        values[f"c{i}"] = [v for v in form.getlist(f"c{i}") if isinstance(v, str)]
    return values


def readings_of(values: Mapping[str, object], contests: Sequence[ContestToEnter]) -> dict[str, str]:
    """Contest id -> reading text from the boxes, or InvalidInput naming the contest.

    Contradictions are refused rather than guessed: choices ticked and
    "blank" chosen, nothing chosen at all, or more choices ticked than the
    contest allows (that is an overvote, and the board must say so).
    """
    if values.get(NOT_FOUND):
        return {c.contest_id: NOT_FOUND for c in contests}
    readings: dict[str, str] = {}
    for i, contest in enumerate(contests):
        if contest.ranks is not None:
            readings[contest.contest_id] = _ranked_reading(values, i, contest)
            continue
        kind = str(values.get(f"kind{i}") or "")
        raw = values.get(f"c{i}")
        ticked = sorted({t for t in raw if t in contest.choices}) if isinstance(raw, list) else []
        where = contest.name
        if kind in SPECIAL:
            if ticked:
                raise InvalidInput(
                    f"choices are ticked and {kind!r} is chosen; untick them or choose "
                    "'votes as ticked'",
                    where=where,
                )
            readings[contest.contest_id] = kind
            continue
        if not ticked:
            raise InvalidInput(
                "tick the choices marked on the paper, or choose blank or overvote", where=where
            )
        if len(ticked) > contest.vote_for:
            raise InvalidInput(
                f"{len(ticked)} choices ticked but the voter may choose {contest.vote_for}; "
                "if the paper has more marks than that, choose 'overvote'",
                where=where,
            )
        readings[contest.contest_id] = ";".join(ticked)
    return readings


def _ranked_values(i: int, entered: str) -> dict[str, object]:
    """The rank selects of contest ``i`` from a stored ranked reading (``1:Ada;2:Bo``)."""
    by_rank: dict[str, list[str]] = {}
    if entered not in SPECIAL and entered:
        for entry in entered.split(";"):
            rank, _, choice = entry.partition(":")
            by_rank.setdefault(rank, []).append(choice)
    return {
        f"r{i}-{rank}": choices[0] if len(choices) == 1 else OVERVOTE
        for rank, choices in by_rank.items()
    }


def _ranked_reading(values: Mapping[str, object], i: int, contest: ContestToEnter) -> str:
    """A ranked contest's reading from its one select per rank: ``rank:choice`` entries.

    An empty select is a skipped rank; every select empty is a blank contest.
    The service checks the names and ranks (``boards.reading_text``).
    """
    entries = []
    for rank in range(1, (contest.ranks or 0) + 1):
        picked = str(values.get(f"r{i}-{rank}") or "")
        if picked:
            entries.append(f"{rank}:{picked}")
    return ";".join(entries) if entries else BLANK


async def save_ballot(request: Request) -> Response:
    """Store what the board saw on one ballot, then go on to the next one.

    Saving reads only the list's order and the contests (``entry_form``), not
    every ballot with its entries: the whole list is built again only to show
    the form once more after a refusal.
    """
    await check_csrf(request)
    app = app_of(request)
    principal = require(request)
    target = await run_in_threadpool(audit_boards.entry_form, app, principal)
    ids = target.ballot_ids
    n = await run_in_threadpool(
        _place, app, request, principal, ids, str(request.path_params["ref"])
    )
    ballot_id = ids[n - 1]
    if target.signed_off:
        why = "an entry after the board signed off the round"
        await run_in_threadpool(_refuse, app, request, principal, principal.jurisdiction, why)
        raise PermissionDenied("your board signed off this round; its entries can no longer change")
    form = await request.form()
    sent = form.get("ballot_id")
    if isinstance(sent, str) and sent != ballot_id:
        # The list changed under the form (a new assignment); never save onto another ballot.
        await run_in_threadpool(_place, app, request, principal, ids, sent)
        failed = Failed("your list of ballots changed since this form was opened; enter it again")
        return await run_in_threadpool(_form_again, request, app, principal, ballot_id, n, failed)
    values = _form_values(form, target.contests)
    try:
        readings = readings_of(values, target.contests)
        await run_in_threadpool(
            audit_boards.record_interpretation,
            app,
            principal,
            target.board_id,
            ballot_id,
            readings,
            str(values["comment"]),
        )
    except InvalidInput as exc:
        failed = Failed(str(exc), values)
        return await run_in_threadpool(_form_again, request, app, principal, ballot_id, n, failed)
    request.session[FLASH] = f"Saved ballot {n} of {len(ids)} ({ballot_id})."
    if form.get("then") == "review" or n >= len(ids):
        return RedirectResponse("/audit-board/review", status_code=303)
    return RedirectResponse(f"/audit-board/ballots/{n + 1}", status_code=303)


def _form_again(
    request: Request, app: App, principal: Principal, ballot_id: str, n: int, failed: Failed
) -> Response:
    """The ballot's form once more, with the refusal: built from the board's whole list."""
    board, ballots = _board(app, principal)
    found = [i for i, b in enumerate(ballots, start=1) if b.ballot_id == ballot_id]
    return _ballot_response(request, app, board, ballots, found[0] if found else n, failed)


def _review_response(
    request: Request,
    board: BoardView,
    ballots: Sequence[BoardBallot],
    failed: Failed | None = None,
) -> Response:
    context: dict[str, object] = {
        "board": board,
        "ballots": ballots,
        "done": sum(1 for b in ballots if b.done),
        "round": _current_round(ballots),
        "signed_off": _signed_off(board, ballots),
        "failed": failed,
        "values": failed.values if failed else {},
        "flash": request.session.pop(FLASH, None),
    }
    return render(request, "audit_board_review.html", context, 400 if failed else 200)


def review(request: Request) -> Response:
    """Every entry of the round on one page, each with a link back to its form."""
    app = app_of(request)
    principal = require(request)
    board, ballots = _board(app, principal)
    return _review_response(request, board, ballots)


async def sign_off(request: Request) -> Response:
    """Both members type their names; after this the round's entries only read."""
    await check_csrf(request)
    app = app_of(request)
    principal = require(request)
    board, ballots = await run_in_threadpool(_board, app, principal)
    form = await request.form()
    values = {k: " ".join(str(form.get(k) or "").split()) for k in ("member1", "member2")}
    try:
        await run_in_threadpool(
            audit_boards.sign_off,
            app,
            principal,
            board.id,
            [values["member1"], values["member2"]],
        )
    except InvalidInput as exc:
        return await run_in_threadpool(
            _review_response, request, board, ballots, Failed(str(exc), values)
        )
    number = _current_round(ballots)
    request.session[FLASH] = f"{board.name} signed off round {number}. Thank you."
    return RedirectResponse("/audit-board", status_code=303)


ROUTES: list[BaseRoute] = [
    Route("/board-link/{token}", link_page, methods=["GET"]),
    Route("/board-link/{token}", link_sign_in, methods=["POST"]),
    Route("/audit-board", home, methods=["GET"]),
    Route("/audit-board/review", review, methods=["GET"]),
    Route("/audit-board/sign-off", sign_off, methods=["POST"]),
    # A ballot id may hold a slash, so the rest of the path is the ballot's place or id.
    Route("/audit-board/ballots/{ref:path}", ballot_page, methods=["GET"]),
    Route("/audit-board/ballots/{ref:path}", save_ballot, methods=["POST"]),
]
