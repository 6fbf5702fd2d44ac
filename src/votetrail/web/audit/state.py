"""The state administrator's audit pages: set-up, seed ceremony, draws, closing rounds.

Only the state administrator may open them (``core.access.may_run_audits``):
the sample must not be steered by any one county, so no county, analyst or
audit board sees even the forms. A refusal is logged as ``access.denied``
once per request and hour, after the CSRF check on a form, so a forged post
cannot fill the log with refusals. The services ask the same rule again
inside each transaction.

The pages follow the L&A workspace: one plain form per step, a refusal shown
on the same page with the rule's words and the typed input kept (400 for
input that cannot be accepted, 403 for what the audit's rules forbid, such as
a second seed), and success redirected with a one-shot message, so reloading
never sends a form twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from votetrail.core.access import Principal, may_run_audits
from votetrail.errors import InvalidInput, NotFound, PermissionDenied
from votetrail.services import directory
from votetrail.services.audit import draw as audit_draw
from votetrail.services.audit import irv_progress, measure, progress
from votetrail.services.audit import seed as audit_seed
from votetrail.services.audit.draw import SizeOffer
from votetrail.services.audit.irv import ranked_definitions
from votetrail.services.audit.progress import AuditOverview, RoundView
from votetrail.services.audit.setup import AuditMethod, AuditSetup, create_audit
from votetrail.services.context import App
from votetrail.services.counting import results as counting
from votetrail.web.audit.labels import DECISIONS, METHODS
from votetrail.web.auth import check_csrf, require, require_allowed
from votetrail.web.state import app_of
from votetrail.web.templating import render

FLASH = "audit_state_flash"
"""Session key of the one-shot message shown after a step of an audit was recorded."""

STATUSES = {
    "set_up": "set up: waiting for the seed ceremony",
    "seed_set": "seed set: ready to draw the first round",
    "sampling": "sampling",
    "confirmed": "confirmed",
    "full_hand_count": "full hand count required",
}

FINISHED = ("confirmed", "full_hand_count")


@dataclass(frozen=True)
class Failed:
    """A form the services refused: which one, the words, what was typed, the HTTP status."""

    form: str
    message: str
    values: Mapping[str, Any] = field(default_factory=dict)
    status: int = 400


# ---------------------------------------------------------------- helpers


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _ticked(form: FormData, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str) and v]


def _lines(text: str) -> list[str]:
    """Names typed one a line (the witnesses); blank lines are left out."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _audit_url(audit_id: str) -> str:
    return f"/audits/{quote(audit_id, safe='')}"


def require_auditor(request: Request, app: App) -> Principal:
    """Allow the state administrator; refuse anyone else, logging it as ``access.denied``."""
    state = directory.the_state(app)
    return require_allowed(
        request,
        app,
        lambda principal: may_run_audits(principal, state),
        state,
        "only the state administrator runs audits",
    )


def risk_text(risk: float) -> str:
    """A measured risk as people read it: four significant digits, never rounded to 0."""
    return f"{risk:.4g}"


def chance_text(offer: SizeOffer) -> str:
    if offer.chance is None:
        return "finishes if no discrepancy is found"
    return f"{offer.chance:.0%} chance of finishing in this round"


def _counted_contests(app: App) -> tuple[list[tuple[str, list[str]]], set[str]]:
    """Each contest some county counted, with the counties that counted it, by name; and
    which of them are ranked-choice (IRV) contests, audited by their RAIRE assertions."""
    counted: dict[str, list[str]] = {}
    ranked: set[str] = set()
    for county in directory.jurisdictions(app):
        if county.kind != "county":
            continue
        try:
            names = [contest.name for contest in counting.results(app, county.id)]
        except NotFound:  # no CVRs uploaded yet
            names = []
        irv = list(ranked_definitions(app, [county.id]))
        ranked.update(irv)
        for name in [*names, *irv]:
            counted.setdefault(name, []).append(county.id)
    return sorted(counted.items()), ranked


# ---------------------------------------------------------------- every audit, and set-up


def _list_response(request: Request, app: App, failed: Failed | None = None) -> Response:
    values: Mapping[str, Any] = failed.values if failed else {"risk_limit": "0.05"}
    contests, ranked = _counted_contests(app)
    context: dict[str, object] = {
        "audits": progress.audits(app),
        "methods": METHODS,
        "statuses": STATUSES,
        "contests": contests,
        "ranked": ranked,
        "counties": [j for j in directory.jurisdictions(app) if j.kind == "county"],
        "failed": failed,
        "values": values,
        "flash": request.session.pop(FLASH, None),
    }
    return render(request, "audit_state_list.html", context, failed.status if failed else 200)


def list_page(request: Request) -> Response:
    """Every audit with its status, and the form that sets up another one."""
    app = app_of(request)
    require_auditor(request, app)
    return _list_response(request, app)


async def create(request: Request) -> Response:
    """Set up an audit from the form; then go to its page for the seed ceremony."""
    app = app_of(request)
    require(request)
    await check_csrf(request)
    principal = await run_in_threadpool(require_auditor, request, app)
    form = await request.form()
    values: dict[str, Any] = {
        name: _text(form, name) for name in ("election", "method", "risk_limit")
    }
    values["with_replacement"] = bool(_text(form, "with_replacement"))
    for name in ("targeted", "opportunistic", "counties"):
        values[name] = _ticked(form, name)
    try:
        if values["method"] not in METHODS:
            raise InvalidInput("choose one of the three methods", where="method")
        setup = AuditSetup(
            values["election"],
            AuditMethod(values["method"]),
            values["risk_limit"],
            values["targeted"],
            values["opportunistic"],
            values["counties"],
            values["with_replacement"],
        )
        audit_id = await run_in_threadpool(create_audit, app, principal, setup)
    except (InvalidInput, NotFound, PermissionDenied) as exc:
        failed = Failed("create", str(exc), values, _status(exc))
        return await run_in_threadpool(_list_response, request, app, failed)
    request.session[FLASH] = (
        f"Set up {audit_id} ({' '.join(values['election'].split())}). Once every county's "
        "ballot manifest is in, hold the public seed ceremony below."
    )
    return RedirectResponse(_audit_url(audit_id), status_code=303)


def _status(exc: Exception) -> int:
    """A rule of the audit refused it (403), or the input cannot be accepted (400)."""
    return 403 if isinstance(exc, PermissionDenied) else 400


# ---------------------------------------------------------------- one audit


@dataclass(frozen=True)
class Steps:
    """Which forms the audit's page offers now, from where the audit stands."""

    seed: bool
    draw: bool
    close: bool
    next_round: int
    batches: bool  # batch comparison: rounds of batches are drawn and measured on their own page


def steps_of(overview: AuditOverview, seeded: bool) -> Steps:
    """The seed before anything else; a draw once seeded and the last round is closed;
    closing once every county's boards signed the open round off. Nothing while the
    launch is blocked, and nothing more once the audit has its outcome. A batch
    comparison draws and measures batches on its own page, after this page's seed."""
    blocked = bool(overview.launch_problems) or overview.status in FINISHED
    batches = overview.method == AuditMethod.BATCH_COMPARISON.value
    rounds = overview.rounds
    open_round = bool(rounds) and not rounds[-1].closed
    return Steps(
        seed=not seeded and not blocked,
        draw=seeded and not blocked and not open_round and not batches,
        close=open_round
        and overview.round_complete
        and not batches
        and overview.status not in FINISHED,
        next_round=len(rounds) + (0 if open_round else 1),
        batches=batches,
    )


def _audit_response(
    request: Request, app: App, audit_id: str, failed: Failed | None = None
) -> Response:
    overview = progress.overview(app, audit_id)
    ceremony = audit_seed.ceremony(app, audit_id)
    steps = steps_of(overview, ceremony is not None)
    offers: list[SizeOffer] = []
    offers_note = ""
    if steps.draw:
        try:
            offers = audit_draw.offered_sizes(app, audit_id)
        except InvalidInput as exc:
            offers_note = str(exc)
    context: dict[str, object] = {
        "audit": overview,
        "ceremony": ceremony,
        "steps": steps,
        "offers": offers,
        "offers_note": offers_note,
        "methods": METHODS,
        "statuses": STATUSES,
        "decisions": DECISIONS,
        "risk_text": risk_text,
        "chance_text": chance_text,
        "contests": [*overview.targeted, *overview.opportunistic],
        "irv": irv_progress.assertion_risks(app, audit_id),
        "failed": failed,
        "values": failed.values if failed else {},
        "flash": request.session.pop(FLASH, None),
    }
    return render(request, "audit_state_audit.html", context, failed.status if failed else 200)


def audit_page(request: Request) -> Response:
    """The audit's status board, its seed ceremony, draws and rounds."""
    app = app_of(request)
    require_auditor(request, app)
    return _audit_response(request, app, str(request.path_params["audit_id"]))


async def _post(request: Request) -> tuple[App, Principal, str, FormData]:
    """What every form of an audit starts with: CSRF, then permission."""
    app = app_of(request)
    require(request)
    await check_csrf(request)
    principal = await run_in_threadpool(require_auditor, request, app)
    # An unknown audit is the services' NotFound (404), raised before anything is stored.
    return app, principal, str(request.path_params["audit_id"]), await request.form()


async def _refused(request: Request, app: App, audit_id: str, failed: Failed) -> Response:
    return await run_in_threadpool(_audit_response, request, app, audit_id, failed)


def _done(request: Request, audit_id: str, message: str) -> Response:
    request.session[FLASH] = message
    return RedirectResponse(_audit_url(audit_id), status_code=303)


async def set_seed(request: Request) -> Response:
    """Record the seed rolled in public with its witnesses; a second seed is refused."""
    app, principal, audit_id, form = await _post(request)
    values = {name: _text(form, name) for name in ("seed", "witnesses")}
    # Dice are read out in groups ("12345 67890 ..."): the spaces are not part of the seed.
    digits = "".join(values["seed"].split())
    try:
        await run_in_threadpool(
            audit_seed.set_seed, app, principal, audit_id, digits, _lines(values["witnesses"])
        )
    except (InvalidInput, PermissionDenied) as exc:
        return await _refused(
            request, app, audit_id, Failed("seed", str(exc), values, _status(exc))
        )
    return _done(
        request,
        audit_id,
        f"Seed {digits} recorded with its witnesses. It can never be changed; "
        "the sample can now be drawn.",
    )


def _size(form: FormData) -> int:
    """The size chosen: an offered one, or the custom size typed next to "another size"."""
    chosen = _text(form, "size")
    custom = _text(form, "custom_size")
    text = custom if chosen in ("", "custom") else chosen
    if not text:
        raise InvalidInput("choose one of the sizes offered or type another", where="sample size")
    if not text.isdecimal() or len(text) > 9:
        raise InvalidInput("must be a whole number, e.g. 60", where=f"sample size {text[:20]!r}")
    return int(text)


async def draw(request: Request) -> Response:
    """Draw the next round of the size chosen and log it; counties then pull their ballots."""
    app, principal, audit_id, form = await _post(request)
    values = {name: _text(form, name) for name in ("size", "custom_size")}
    try:
        drawn = await run_in_threadpool(
            audit_draw.draw_round, app, principal, audit_id, _size(form)
        )
    except (InvalidInput, PermissionDenied) as exc:
        return await _refused(
            request, app, audit_id, Failed("draw", str(exc), values, _status(exc))
        )
    counties = ", ".join(f"{county} {n}" for county, n in sorted(drawn.per_county.items()))
    return _done(
        request,
        audit_id,
        f"Round {drawn.number} drawn: {len(drawn.tickets)} tickets ({counties}). "
        "Each county can now print its retrieval list.",
    )


def outcome_text(view: RoundView) -> str:
    """The closed round in one sentence: each contest's decision and risk."""
    parts = [
        f"{contest} {DECISIONS.get(view.decision.get(contest, ''), view.decision.get(contest, ''))}"
        f" (risk {risk_text(risk)})"
        for contest, risk in sorted(view.risk.items())
    ]
    return f"Round {view.number} measured: " + "; ".join(parts) + "."


async def close(request: Request) -> Response:
    """Measure the risk of every contest once every county signed the round off."""
    app, principal, audit_id, _ = await _post(request)
    try:
        view = await run_in_threadpool(measure.close_round, app, principal, audit_id)
    except (InvalidInput, PermissionDenied) as exc:
        return await _refused(request, app, audit_id, Failed("close", str(exc), {}, _status(exc)))
    return _done(request, audit_id, outcome_text(view))


ROUTES: list[BaseRoute] = [
    Route("/audits", list_page, methods=["GET"]),
    Route("/audits", create, methods=["POST"]),
    Route("/audits/{audit_id}", audit_page, methods=["GET"]),
    Route("/audits/{audit_id}/seed", set_seed, methods=["POST"]),
    Route("/audits/{audit_id}/draw", draw, methods=["POST"]),
    Route("/audits/{audit_id}/close", close, methods=["POST"]),
]
