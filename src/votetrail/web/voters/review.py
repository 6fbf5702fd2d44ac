"""The review queue of list maintenance: possible duplicates, deaths and moves, and decisions."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from votetrail.core.access import Principal, Role, may_manage_voters
from votetrail.core.voters.record import PUBLIC_FIELDS, VoterRecord
from votetrail.errors import InvalidInput, NotFound
from votetrail.services import directory
from votetrail.services.context import App
from votetrail.services.voters import records as voters
from votetrail.services.voters import review as voter_review
from votetrail.services.voters.review import ReviewView
from votetrail.web.auth import check_csrf, require, require_allowed
from votetrail.web.state import app_of
from votetrail.web.templating import render
from votetrail.web.voters.common import (
    FLASH,
    check_lengths,
    county_of,
    form_text,
    private,
    voter_url,
)
from votetrail.web.words import county_name

REVIEW_KINDS = {
    "duplicate": "Possible duplicate registration",
    "deceased": "Possible death",
    "cross-state": "Possible move to another state",
}
DECISIONS = ("confirmed", "rejected")
NAME_PARTS = ("first_name", "middle_name", "last_name", "suffix")
COMPARED = tuple(f for f in PUBLIC_FIELDS if f not in ("voter_id", "status_reason", *NAME_PARTS))
"""Record fields compared side by side: what a page may show, less the ids (two records'
always differ), the status reason and the name, which is compared as one."""
IDENTIFIER_LABELS = {
    "dob": "Date of birth",
    "ssn4": "Last four of the SSN",
    "drivers_license": "Driver's licence",
}
IDENTIFIER_WORDS = {
    "match": "match",
    "differ": "differ",
    "missing": "missing on one or both",
}


# ---------------------------------------------------------------- review queue


def _next_step(review: ReviewView) -> str:
    """What the law lets the official do after confirming: a finding never cancels anyone."""
    if review.kind == "duplicate":
        return (
            f"Decide which of {review.voter_id} and {review.other_id} to keep, then cancel the "
            "other with reason “duplicate”, giving the kept one as “duplicate of” and review "
            f"{review.id} as the source document."
        )
    if review.kind == "deceased":
        return (
            "Obtain the death record, then cancel the registration with reason “deceased”, "
            f"citing the death record and review {review.id} as the source document."
        )
    return (
        "Send the voter a confirmation notice (make the registration inactive with reason "
        "“confirmation-notice”). The voter may be cancelled as moved only on their own "
        "written confirmation, or after the notice goes unanswered through two federal "
        "general elections."
    )


def _other(app: App, principal: Principal, county: str, review: ReviewView) -> VoterRecord | None:
    """The other registration of a duplicate, when the official may read it.

    A finding can span two counties; a county official sees the other side
    only if it is on their own list, so looking at the queue never adds a
    refusal to the log. The state administrator sees both.
    """
    if review.kind != "duplicate":
        return None
    other_county = str(review.details.get("other_county") or county)
    if other_county == county:
        found = voters.search(app, principal, county, voter_id=review.other_id, limit=1)
        return found[0] if found else None
    if principal.role is Role.STATE_ADMIN:
        try:
            return voters.get_voter(app, principal, review.other_id)
        except NotFound:
            return None
    return None


def _shown(value: object) -> str:
    """A finding's detail as text: lists (which identifiers agreed) read as a list."""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _details(review: ReviewView) -> list[tuple[str, str]]:
    """The finding's details in words; where the other registration is, said as a county."""
    rows: list[tuple[str, str]] = []
    for key, value in sorted(review.details.items()):
        if key == "other_county":
            if value == review.county:
                rows.append(("counties", f"both in {county_name(review.county)}"))
            else:
                rows.append(("other registration", f"in {county_name(value)}"))
        else:
            rows.append((str(key).replace("_", " "), _shown(value)))
    return rows


def _differing(left: dict[str, Any] | None, right: dict[str, Any] | None) -> list[str]:
    """The record fields (by key, "name" for the whole name) where two registrations differ."""
    if left is None or right is None:
        return []
    found = [k for k in COMPARED if left.get(k) != right.get(k)]
    names = [[v.get(part) for part in NAME_PARTS] for v in (left, right)]
    if names[0] != names[1]:
        found.append("name")
    return found


def _review_entry(
    app: App, principal: Principal, county: str, review: ReviewView
) -> dict[str, object]:
    try:
        record: VoterRecord | None = voters.get_voter(app, principal, review.voter_id)
    except NotFound:
        record = None
    other = _other(app, principal, county, review)
    voter = None if record is None else voters.public_view(record)
    other_view = None if other is None else voters.public_view(other)
    identifiers = (
        []
        if record is None or other is None
        else [
            (IDENTIFIER_LABELS[k], verdict)
            for k, verdict in voter_review.compare_identifiers(record, other).items()
        ]
    )
    return {
        "review": review,
        "kind_label": REVIEW_KINDS.get(review.kind, review.kind),
        "voter": voter,
        "other": other_view,
        "other_county": review.details.get("other_county"),
        "details": _details(review),
        "differs": _differing(voter, other_view),
        "identifiers": identifiers,
        "next_step": _next_step(review),
        "voter_url": voter_url(review.voter_id),
    }


def _closed_entry(app: App, review: ReviewView) -> dict[str, object]:
    change = voter_review.closing_change(app, review)
    return {
        "review": review,
        "voter_url": voter_url(review.voter_id),
        "change": change,
        "change_url": None if change is None else voter_url(change.voter_id),
    }


def review_page(request: Request) -> Response:
    """Open findings side by side, and confirmed ones still waiting for the official's next step."""
    app = app_of(request)
    principal = require(request)
    target = county_of(app, request)
    open_ = voter_review.reviews(app, principal, target.id, status="open")
    confirmed = voter_review.reviews(app, principal, target.id, status="confirmed")
    closed = voter_review.reviews(app, principal, target.id, status=voter_review.CLOSED)
    context: dict[str, object] = {
        "jurisdiction": target,
        "open": [_review_entry(app, principal, target.id, r) for r in open_],
        "confirmed": [
            {"review": r, "next_step": _next_step(r), "voter_url": voter_url(r.voter_id)}
            for r in confirmed
        ],
        "closed": [_closed_entry(app, r) for r in closed],
        "kinds": REVIEW_KINDS,
        "identifier_words": IDENTIFIER_WORDS,
        "flash": request.session.pop(FLASH, None),
    }
    return private(render(request, "voters_review.html", context))


def _require_decider(request: Request, app: App) -> None:
    target = county_of(app, request)
    state = directory.the_state(app)
    require_allowed(
        request,
        app,
        lambda who: may_manage_voters(who, target.id, state),
        target.id,
        "your account may not decide this county's review items",
    )


async def decide(request: Request) -> Response:
    """Record a person's decision; confirming changes no registration (the NVRA's order)."""
    app = app_of(request)
    principal = require(request)
    await check_csrf(request)
    # The wall before the form is read: a refused official gets 403 and a logged
    # refusal, not a 400 about the form that tells nothing and leaves no trace.
    await run_in_threadpool(_require_decider, request, app)
    review_id = str(request.path_params["review_id"])
    form = await request.form()
    decision = form_text(form, "decision")
    if decision not in DECISIONS:
        raise InvalidInput("choose confirm or reject", where=f"review {review_id}")
    note = form_text(form, "note")
    check_lengths({"reason": note})
    done = await run_in_threadpool(voter_review.decide, app, principal, review_id, decision, note)
    if done.status == "confirmed":
        message = (
            f"Review {done.id} confirmed. The registration of voter {done.voter_id} has not "
            f"changed. Next step: {_next_step(done)}"
        )
    else:
        message = (
            f"Review {done.id} rejected; the registration of voter {done.voter_id} stays as it is."
        )
    request.session[FLASH] = message
    return RedirectResponse(f"/j/{done.county}/voters/review", status_code=303)
