"""Batch-comparison pages: a county's hand tallies of its sampled batches, the state's rounds.

The county page lists the county's sampled batches in draw order with one
form per batch (a number per choice of every audited contest the batch
carries, or "batch not found") and the sign-off of the round. The state
page offers MACRO's round size, draws the round and measures the risk. The
services decide who may do what and log every refusal (``access.denied``),
which the error handler answers with 403. A refusal by a rule comes back on
the same page with the typed numbers kept and nothing stored; success
redirects with a one-shot message, so reloading never sends a form twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from votetrail.core.access import Principal, Role
from votetrail.errors import InvalidInput, NotFound
from votetrail.services.audit import batch_rounds, batch_tallies
from votetrail.services.audit.batch_tallies import SampledBatch
from votetrail.services.audit.draw import offered_sizes
from votetrail.services.context import App
from votetrail.services.directory import JurisdictionView
from votetrail.web.audit.state import require_auditor
from votetrail.web.auth import check_csrf, require
from votetrail.web.state import app_of, county_in_url
from votetrail.web.templating import render

FLASH = "audit_batch_flash"
"""Session key of the one-shot message after a tally, a sign-off, a draw or a measurement."""


@dataclass(frozen=True)
class Failed:
    """A form the service refused: which one, the rule's words, and what the official typed."""

    form: str
    message: str
    values: dict[str, str] = field(default_factory=dict)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _county_url(county: str, audit_id: str) -> str:
    return f"/j/{quote(county, safe='')}/audits/{quote(audit_id, safe='')}/batches"


def _field(contest: int, choice: int) -> str:
    """A tally input's name: positions, so no contest or choice name reaches an attribute."""
    return f"votes-{contest}-{choice}"


def _county_response(
    request: Request,
    app: App,
    county: JurisdictionView,
    audit_id: str,
    principal: Principal,
    failed: Failed | None = None,
) -> Response:
    view = batch_tallies.county_batches(app, principal, audit_id, county.id)
    context: dict[str, object] = {
        "jurisdiction": county,
        "audit_id": audit_id,
        "view": view,
        "url": _county_url(county.id, audit_id),
        "field": _field,
        "may_sign": principal.role is Role.COUNTY_ADMIN and principal.jurisdiction == county.id,
        "failed": failed,
        "values": failed.values if failed else {},
        "flash": request.session.pop(FLASH, None),
    }
    return render(request, "audit_batch_county.html", context, 400 if failed else 200)


def county_page(request: Request) -> Response:
    """The county's sampled batches with a tally form each, and the round's sign-off."""
    app = app_of(request)
    county = county_in_url(app, request, "batch counts")
    principal = require(request)
    audit_id = str(request.path_params["audit_id"])
    return _county_response(request, app, county, audit_id, principal)


def _typed(form: FormData, batch: SampledBatch) -> dict[str, str]:
    """The numbers as typed, by input name, to keep on a refusal."""
    return {
        _field(ci, hi): _text(form, _field(ci, hi))
        for ci, contest in enumerate(batch.contests)
        for hi in range(len(contest.reported))
    }


def _votes(batch: SampledBatch, typed: dict[str, str]) -> dict[str, dict[str, int]]:
    """The typed numbers by contest and choice; a blank is left for the service to name."""
    votes: dict[str, dict[str, int]] = {}
    for ci, contest in enumerate(batch.contests):
        votes[contest.contest] = {}
        for hi, choice in enumerate(contest.reported):
            text = typed[_field(ci, hi)]
            if not text:
                continue
            if not (text.isascii() and text.isdigit()):
                raise InvalidInput(
                    f"{text!r} is not a whole number",
                    where=f"batch {batch.batch!r}, contest {contest.contest!r}, choice {choice!r}",
                )
            votes[contest.contest][choice] = int(text)
    return votes


def _sampled(
    app: App, principal: Principal, audit_id: str, county: str, batch_id: str
) -> SampledBatch:
    view = batch_tallies.county_batches(app, principal, audit_id, county)
    for batch in view.batches:
        if batch.batch_id == batch_id:
            return batch
    raise NotFound(f"batch {batch_id!r} of {county} is not sampled in {audit_id}")


async def county_post(request: Request) -> Response:
    """A batch's hand tally (action ``tally`` or ``not_found``) or the round's sign-off."""
    app = app_of(request)
    county = await run_in_threadpool(county_in_url, app, request, "batch counts")
    require(request)
    await check_csrf(request)
    principal = require(request)
    audit_id = str(request.path_params["audit_id"])
    form = await request.form()
    action = _text(form, "action")
    batch_id = _text(form, "batch_id")
    typed: dict[str, str] = {}
    try:
        if action == "sign_off":
            await run_in_threadpool(batch_tallies.sign_off, app, principal, audit_id, county.id)
            message = f"{county.name} signed off its hand tallies of this round; they are final."
        else:
            batch = await run_in_threadpool(_sampled, app, principal, audit_id, county.id, batch_id)
            typed = _typed(form, batch)
            votes = None if action == "not_found" else _votes(batch, typed)
            await run_in_threadpool(
                batch_tallies.enter_tally, app, principal, audit_id, county.id, batch_id, votes
            )
            message = (
                f"Saved the hand tally of batch {batch.batch}."
                if votes is not None
                else f"Recorded that batch {batch.batch} could not be found (the worst case)."
            )
    except InvalidInput as exc:
        failed = Failed("sign_off" if action == "sign_off" else batch_id, str(exc), typed)
        return await run_in_threadpool(
            _county_response, request, app, county, audit_id, principal, failed
        )
    request.session[FLASH] = message
    return RedirectResponse(_county_url(county.id, audit_id), status_code=303)


# ---------------------------------------------------------------- state


def _state_url(audit_id: str) -> str:
    return f"/audits/{quote(audit_id, safe='')}/batch-round"


def _state_response(
    request: Request, app: App, audit_id: str, failed: Failed | None = None
) -> Response:
    if not batch_rounds.is_batch_audit(app, audit_id):
        raise NotFound(f"{audit_id} is not a batch-comparison audit")
    rounds = batch_rounds.batch_rounds(app, audit_id)
    try:
        offers = offered_sizes(app, audit_id)
        offer_problem = None
    except InvalidInput as exc:
        offers, offer_problem = [], str(exc)
    context: dict[str, object] = {
        "audit_id": audit_id,
        "rounds": rounds,
        "offers": offers,
        "offer_problem": offer_problem,
        "url": _state_url(audit_id),
        "failed": failed,
        "values": failed.values if failed else {},
        "flash": request.session.pop(FLASH, None),
    }
    return render(request, "audit_batch_state.html", context, 400 if failed else 200)


def state_page(request: Request) -> Response:
    """Sizes offered, the draw form, every round's draws, sign-offs and measured risk."""
    app = app_of(request)
    require_auditor(request, app)
    return _state_response(request, app, str(request.path_params["audit_id"]))


def _size(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise InvalidInput("enter a whole number of draws", where="sample size")
    return int(text)


async def state_post(request: Request) -> Response:
    """Draw the next round (action ``draw``, ``size``) or measure the latest (``measure``)."""
    app = app_of(request)
    require(request)
    await check_csrf(request)
    principal = await run_in_threadpool(require_auditor, request, app)
    audit_id = str(request.path_params["audit_id"])
    form = await request.form()
    action = _text(form, "action")
    values = {"size": _text(form, "size")}
    try:
        if action == "measure":
            view = await run_in_threadpool(batch_rounds.measure_round, app, principal, audit_id)
            risks = ", ".join(f"{c} {view.decision[c]}" for c in view.decision)
            message = f"Round {view.number} measured: {risks}."
        else:
            size = _size(values["size"])
            drawn = await run_in_threadpool(batch_rounds.draw_round, app, principal, audit_id, size)
            message = f"Round {drawn.number} drawn: {len(drawn.tickets)} batch draws."
    except InvalidInput as exc:
        failed = Failed(action or "draw", str(exc), values)
        return await run_in_threadpool(_state_response, request, app, audit_id, failed)
    request.session[FLASH] = message
    return RedirectResponse(_state_url(audit_id), status_code=303)


ROUTES: list[BaseRoute] = [
    Route("/j/{slug}/audits/{audit_id}/batches", county_page, methods=["GET"]),
    Route("/j/{slug}/audits/{audit_id}/batches", county_post, methods=["POST"]),
    Route("/audits/{audit_id}/batch-round", state_page, methods=["GET"]),
    Route("/audits/{audit_id}/batch-round", state_post, methods=["POST"]),
]
