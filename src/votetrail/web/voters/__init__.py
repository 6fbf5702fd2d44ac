"""The voter list in the workspace, the state's alerts, and the public "check my registration".

Officials search their county's list, read a voter's full history and make
each kind of change through its own form; every form needs a reason and a
source document reference because the service refuses a change without
them, and a refusal by a rule comes back on the same page with the user's
input kept, so the official can correct one field instead of starting over.
Who may read or change a voter is decided (and a refusal logged) by the
services; this module only turns their answers into pages.

The public check asks for the voter id, last name and date of birth in a
POST form (never a query string, so no access log or browser history keeps a
birth date) and answers one neutral sentence for every kind of mismatch,
including an unknown id, so it cannot be used to learn whether an id exists.
The birth date is never written back into any page. Failed checks are
counted per client and voter id, per client and overall (:class:`FailedChecks`),
so the page cannot be used to guess a known voter's birth date either, nor to
lock a voter out of their own record.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from ipaddress import IPv6Address, ip_address, ip_network
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from votetrail.core.access import Principal, Role
from votetrail.core.voters.record import (
    CANCEL_REASONS,
    INACTIVE_REASONS,
    Address,
    Status,
    VoterRecord,
)
from votetrail.core.voters.transactions import Change, Kind
from votetrail.errors import ConfigurationError, InvalidInput, NotFound, PermissionDenied
from votetrail.services import directory
from votetrail.services.context import App
from votetrail.services.directory import JurisdictionView
from votetrail.services.voters import alerts as voter_alerts
from votetrail.services.voters import proofs as voter_proofs
from votetrail.services.voters import records as voters
from votetrail.services.voters import review as voter_review
from votetrail.services.voters.review import ReviewView
from votetrail.web.auth import check_csrf, require
from votetrail.web.state import app_of
from votetrail.web.templating import render

log = logging.getLogger("votetrail.web.voters")

FLASH = "voters_flash"
"""Session key of the one-shot message shown after a change or a review decision."""

SEARCH_LIMIT = 100
STATUSES = tuple(s.value for s in Status)
NO_STORE = {"Cache-Control": "no-store"}
"""Voter pages carry people's addresses: no browser or proxy cache may keep them."""

LABELS: dict[Kind, str] = {
    Kind.ADDRESS: "address change",
    Kind.NAME: "name change",
    Kind.PARTY: "party change",
    Kind.INACTIVE: "change to inactive",
    Kind.CANCEL: "cancellation",
    Kind.REINSTATE: "reinstatement",
}
CHANGE_KINDS: dict[str, Kind] = {kind.value: kind for kind in LABELS}
"""The kinds a form may request; a registration creates a record and is not a change."""

FIELDS: dict[Kind, tuple[str, ...]] = {
    Kind.ADDRESS: (
        "street",
        "city",
        "state",
        "zip",
        "mailing_street",
        "mailing_city",
        "mailing_state",
        "mailing_zip",
        "precinct",
        "ballot_style",
    ),
    Kind.NAME: ("first_name", "middle_name", "last_name", "suffix"),
    Kind.PARTY: ("party",),
    Kind.INACTIVE: ("status_reason",),
    Kind.CANCEL: ("status_reason", "duplicate_of", "confirmed_by_voter"),
    Kind.REINSTATE: (),
}
"""The form fields of each change, besides the reason and source document every change has."""

MAX_LENGTH: dict[str, int] = {
    "street": 200,
    "city": 100,
    "state": 20,
    "zip": 20,
    "precinct": 64,
    "ballot_style": 64,
    "first_name": 100,
    "middle_name": 100,
    "last_name": 100,
    "suffix": 20,
    "party": 64,
    "status_reason": 64,
    "duplicate_of": 64,
    "source_ref": 200,
    "reason": 2000,
    "voter_id": 64,
}
"""What the database columns hold; longer input is refused by name instead of failing."""

FIELD_LABELS = {
    "status": "status",
    "status_reason": "status reason",
    "first_name": "first name",
    "middle_name": "middle name",
    "last_name": "last name",
    "suffix": "suffix",
    "residence": "residence",
    "mailing": "mailing address",
    "precinct": "precinct",
    "ballot_style": "ballot style",
    "party": "party",
    "status_since": "status date",
    "notice_sent_on": "confirmation notice date",
    "dob": "date of birth",
    "ssn4": "SSN4",
    "drivers_license": "driver's licence",
}
"""How the history names a changed field; protected identifiers are named, never shown."""

REVIEW_KINDS = {
    "duplicate": "Possible duplicate registration",
    "deceased": "Possible death",
    "cross-state": "Possible move to another state",
}
DECISIONS = ("confirmed", "rejected")

NO_VOTER = "no voter with this id on a list you may read"
"""The one answer to an unknown id and to another county's voter (see ``_unknown_if_refused``)."""

NO_MATCH = "No registration matches those details."
"""The one answer to every mismatch: unknown id, wrong last name, wrong date of birth."""

CHECK_LIMIT = 10
"""Failed checks one client may make on one voter id per window."""
CLIENT_LIMIT = 30
"""Failed checks one client may make in all per window, whatever the ids."""
SURGE_LIMIT = 1000
"""Failed checks from everyone in an hour that mean someone is guessing from many addresses."""
SURGE_CLIENT_LIMIT = 3
"""During such a surge, the failures a client may already have and still be answered."""
CHECK_WINDOW_SECONDS = 24 * 3600
TOO_MANY = (
    "Too many unsuccessful checks for this voter id today. Try again tomorrow, "
    "or ask your county election office."
)
TOO_MANY_FROM_CLIENT = (
    "Too many unsuccessful checks from your network today. Try again tomorrow, "
    "or ask your county election office."
)
TOO_MANY_NOW = (
    "Too many unsuccessful checks right now. Try again in an hour, "
    "or ask your county election office."
)


# ---------------------------------------------------------------- helpers


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _check_lengths(values: Mapping[str, str]) -> None:
    for name, value in values.items():
        limit = MAX_LENGTH.get(name.removeprefix("mailing_"))
        if limit is not None and len(value) > limit:
            label = name.replace("_", " ")
            raise InvalidInput(f"may be at most {limit} characters", where=label)


def _private(response: Response) -> Response:
    response.headers.update(NO_STORE)
    return response


def _voter_url(voter_id: str) -> str:
    return f"/voters/{quote(voter_id, safe='')}"


def _county(app: App, request: Request) -> JurisdictionView:
    """The county named in the URL; the state and other jurisdictions keep no voter list."""
    target = directory.jurisdiction(app, str(request.path_params["slug"]))
    if target.kind != "county":
        raise NotFound(f"{target.name} keeps no voter list; each of its counties does")
    return target


# ---------------------------------------------------------------- search


def search_page(request: Request) -> Response:
    """Counts by status and a search; the service decides who may read the county's list."""
    app = app_of(request)
    principal = require(request)
    target = _county(app, request)
    terms = {
        name: request.query_params.get(name, "").strip()
        for name in ("last_name", "first_name", "voter_id")
    }
    _check_lengths(terms)
    found = voters.search(app, principal, target.id, **terms, limit=SEARCH_LIMIT)
    counts = voters.counts(app, target.id)
    context: dict[str, object] = {
        "jurisdiction": target,
        "counts": [(s, counts.get(s, 0)) for s in STATUSES],
        "total": sum(counts.values()),
        "terms": terms,
        "searched": any(terms.values()),
        "results": [voters.public_view(r) for r in found],
        "limit": SEARCH_LIMIT,
        "is_state_admin": principal.role is Role.STATE_ADMIN,
    }
    return _private(render(request, "voters_search.html", context))


# ---------------------------------------------------------------- one voter


def _form_values(record: VoterRecord) -> dict[str, dict[str, str]]:
    """Each change form starts from the record as it stands, so an official edits, not retypes."""
    return {
        Kind.ADDRESS.value: {
            "street": record.residence.street,
            "city": record.residence.city,
            "state": record.residence.state,
            "zip": record.residence.zip,
            "mailing_street": record.mailing.street,
            "mailing_city": record.mailing.city,
            "mailing_state": record.mailing.state,
            "mailing_zip": record.mailing.zip,
            "precinct": record.precinct,
            "ballot_style": record.ballot_style,
        },
        Kind.NAME.value: {
            "first_name": record.first_name,
            "middle_name": record.middle_name,
            "last_name": record.last_name,
            "suffix": record.suffix,
        },
        Kind.PARTY.value: {"party": record.party},
    }


def _offered(status: Status) -> tuple[Kind, ...]:
    """The changes the rules allow from this status; the service checks again regardless."""
    if status is Status.CANCELLED:
        return (Kind.REINSTATE,)
    kinds = [Kind.ADDRESS, Kind.NAME, Kind.PARTY]
    if status is Status.ACTIVE:
        kinds.append(Kind.INACTIVE)
    kinds.append(Kind.CANCEL)
    if status is Status.INACTIVE:
        kinds.append(Kind.REINSTATE)
    return tuple(kinds)


def _voter_response(
    request: Request,
    app: App,
    principal: Principal,
    voter_id: str,
    *,
    failed: tuple[Kind, dict[str, str], str] | None = None,
) -> Response:
    record = voters.get_voter(app, principal, voter_id)
    steps = voters.history(app, principal, voter_id)
    values = _form_values(record)
    context: dict[str, object] = {
        "voter": voters.public_view(record),
        "history": steps,
        "field_labels": FIELD_LABELS,
        "offered": [(kind.value, LABELS[kind]) for kind in _offered(record.status)],
        "inactive_reasons": INACTIVE_REASONS,
        "cancel_reasons": CANCEL_REASONS,
        "values": values,
        "flash": request.session.pop(FLASH, None),
    }
    status = 200
    if failed is not None:
        kind, submitted, message = failed
        values[kind.value] = {**values.get(kind.value, {}), **submitted}
        context["failed"] = {"kind": kind.value, "label": LABELS[kind], "message": message}
        status = 400
    return _private(render(request, "voters_voter.html", context, status))


@contextmanager
def _unknown_if_refused() -> Iterator[None]:
    """Another county's voter is answered exactly like an id that does not exist.

    A 403 would confirm that the id is on some county's list. The service has
    already logged the refusal before this turns it into the same 404 (with
    the same words) as an unknown id.
    """
    try:
        yield
    except (NotFound, PermissionDenied):
        raise NotFound(NO_VOTER) from None


def voter_page(request: Request) -> Response:
    app = app_of(request)
    principal = require(request)
    with _unknown_if_refused():
        return _voter_response(request, app, principal, str(request.path_params["voter_id"]))


def _change_of(kind: Kind, submitted: Mapping[str, str]) -> Change:
    """The service's request from the form's fields, which are all text."""
    values: dict[str, object] = {}
    if kind is Kind.ADDRESS:
        values["residence"] = Address(
            submitted["street"], submitted["city"], submitted["state"], submitted["zip"]
        )
        # The form shows the mailing address on file, so what comes back is the whole
        # new one: emptied fields mean the voter no longer gets mail elsewhere.
        values["mailing"] = Address(
            submitted["mailing_street"],
            submitted["mailing_city"],
            submitted["mailing_state"],
            submitted["mailing_zip"],
        )
        values["precinct"] = submitted["precinct"]
        values["ballot_style"] = submitted["ballot_style"]
    elif kind is Kind.CANCEL:
        values["status_reason"] = submitted["status_reason"]
        if submitted["duplicate_of"]:
            values["duplicate_of"] = submitted["duplicate_of"]
    else:
        values.update({name: submitted[name] for name in FIELDS[kind]})
    return Change(
        kind,
        reason=submitted["reason"],
        source_ref=submitted["source_ref"],
        values=values,
        confirmed_by_voter=kind is Kind.CANCEL and submitted.get("confirmed_by_voter") == "yes",
    )


async def change(request: Request) -> Response:
    """CSRF before permission, so a forged post cannot fill the log with refusals.

    A refusal by a rule re-renders the page with the rule's words and the
    official's input; success redirects, so reloading never sends it twice.
    """
    app = app_of(request)
    voter_id = str(request.path_params["voter_id"])
    kind = CHANGE_KINDS.get(str(request.path_params["kind"]))
    if kind is None:
        raise NotFound(f"no change of kind {request.path_params['kind']!r}")
    principal = require(request)
    await check_csrf(request)
    form = await request.form()
    submitted = {name: _text(form, name) for name in (*FIELDS[kind], "reason", "source_ref")}
    try:
        _check_lengths(submitted)
        with _unknown_if_refused():
            record = await run_in_threadpool(
                voters.change, app, principal, voter_id, _change_of(kind, submitted)
            )
    except InvalidInput as exc:
        with _unknown_if_refused():
            return await run_in_threadpool(
                _voter_response,
                request,
                app,
                principal,
                voter_id,
                failed=(kind, submitted, str(exc)),
            )
    request.session[FLASH] = f"Recorded the {LABELS[kind]} as version {record.version}."
    return RedirectResponse(_voter_url(voter_id), status_code=303)


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


def _other(
    app: App, principal: Principal, county: str, review: ReviewView
) -> dict[str, Any] | None:
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
        return voters.public_view(found[0]) if found else None
    if principal.role is Role.STATE_ADMIN:
        try:
            return voters.public_view(voters.get_voter(app, principal, review.other_id))
        except NotFound:
            return None
    return None


def _shown(value: object) -> str:
    """A finding's detail as text: lists (which identifiers agreed) read as a list."""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _review_entry(
    app: App, principal: Principal, county: str, review: ReviewView
) -> dict[str, object]:
    try:
        voter: dict[str, Any] | None = voters.public_view(
            voters.get_voter(app, principal, review.voter_id)
        )
    except NotFound:
        voter = None
    return {
        "review": review,
        "kind_label": REVIEW_KINDS.get(review.kind, review.kind),
        "voter": voter,
        "other": _other(app, principal, county, review),
        "other_county": review.details.get("other_county"),
        "details": [
            (str(k).replace("_", " "), _shown(v)) for k, v in sorted(review.details.items())
        ],
        "next_step": _next_step(review),
        "voter_url": _voter_url(review.voter_id),
    }


def review_page(request: Request) -> Response:
    """Open findings side by side, and confirmed ones still waiting for the official's next step."""
    app = app_of(request)
    principal = require(request)
    target = _county(app, request)
    open_ = voter_review.reviews(app, principal, target.id, status="open")
    confirmed = voter_review.reviews(app, principal, target.id, status="confirmed")
    context: dict[str, object] = {
        "jurisdiction": target,
        "open": [_review_entry(app, principal, target.id, r) for r in open_],
        "confirmed": [
            {"review": r, "next_step": _next_step(r), "voter_url": _voter_url(r.voter_id)}
            for r in confirmed
        ],
        "kinds": REVIEW_KINDS,
        "flash": request.session.pop(FLASH, None),
    }
    return _private(render(request, "voters_review.html", context))


async def decide(request: Request) -> Response:
    """Record a person's decision; confirming changes no registration (the NVRA's order)."""
    app = app_of(request)
    principal = require(request)
    await check_csrf(request)
    _county(app, request)
    review_id = str(request.path_params["review_id"])
    form = await request.form()
    decision = _text(form, "decision")
    if decision not in DECISIONS:
        raise InvalidInput("choose confirm or reject", where=f"review {review_id}")
    note = _text(form, "note")
    _check_lengths({"reason": note})
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


# ---------------------------------------------------------------- alerts


def alerts_page(request: Request) -> Response:
    app = app_of(request)
    context: dict[str, object] = {"alerts": voter_alerts.alerts(app, require(request))}
    return _private(render(request, "voters_alerts.html", context))


# ---------------------------------------------------------------- public check


Key = str


class _WindowCounts:
    """Failures per key, each key counting for a fixed window from its first failure.

    At most ``capacity`` keys are kept: the least recently failed is dropped
    when a new one comes, so memory is bounded and every operation is O(1),
    whatever the number of ids tried.
    """

    def __init__(self, capacity: int, window: float) -> None:
        self.capacity = capacity
        self.window = window
        self._counts: OrderedDict[Key, tuple[float, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._counts)

    def count(self, key: Key, now: float) -> int:
        found = self._counts.get(key)
        if found is None or now - found[0] >= self.window:
            return 0
        return found[1]

    def add(self, key: Key, now: float) -> None:
        found = self._counts.get(key)
        if found is None or now - found[0] >= self.window:
            found = (now, 0)
        self._counts[key] = (found[0], found[1] + 1)
        self._counts.move_to_end(key)
        if len(self._counts) > self.capacity:
            self._counts.popitem(last=False)


class FailedChecks:
    """Failed registration checks, counted per client and voter id, per client, and overall.

    Voter ids and last names are often public, so without a limit the form
    would confirm a birth date after some thousands of guesses. A client (an
    IPv4 address, or an IPv6 /64 network) may fail :data:`CHECK_LIMIT` times
    on one id and :data:`CLIENT_LIMIT` times in all per window; while everyone
    together fails more than :data:`SURGE_LIMIT` times an hour (guessing spread
    over many addresses), a client that has already failed
    :data:`SURGE_CLIENT_LIMIT` times is refused too. Only a client's own
    failures ever refuse it, so nobody can lock a voter out of their own
    record: the voter's right details are answered. Failures are counted
    whether or not the id exists, so the limit itself reveals nothing.

    Kept in memory, bounded to ``keys`` counters per table: a restart or a
    second worker process starts its own count, which still keeps guessing
    slow.
    """

    def __init__(
        self,
        limit: int = CHECK_LIMIT,
        window: float = CHECK_WINDOW_SECONDS,
        keys: int = 100_000,
        *,
        client_limit: int = CLIENT_LIMIT,
        surge_limit: int = SURGE_LIMIT,
        surge_client_limit: int = SURGE_CLIENT_LIMIT,
    ) -> None:
        self.limit = limit
        self.client_limit = client_limit
        self.surge_limit = surge_limit
        self.surge_client_limit = surge_client_limit
        self.pairs = _WindowCounts(keys, window)
        self.clients = _WindowCounts(keys, window)
        self._hour = -1
        self._this_hour = 0
        self._last_hour = 0
        self._lock = threading.Lock()

    @staticmethod
    def key(voter_id: str) -> str:
        return voter_id.strip().casefold()

    @staticmethod
    def client(host: str | None) -> str:
        """Who is asking: the address, or for IPv6 its /64 (one subscriber's whole network)."""
        if not host:
            return "unknown"
        try:
            address = ip_address(host)
        except ValueError:
            return host[:64]
        if isinstance(address, IPv6Address):
            if address.ipv4_mapped is not None:
                return str(address.ipv4_mapped)
            return str(ip_network(f"{address}/64", strict=False))
        return str(address)

    def _pair(self, client: str, voter_id: str) -> Key:
        return f"{client}\x00{self.key(voter_id)}"

    def _roll(self, now: float) -> None:
        hour = int(now // 3600)
        if hour != self._hour:
            self._last_hour = self._this_hour if hour == self._hour + 1 else 0
            self._this_hour = 0
            self._hour = hour

    def refusal(self, client: str, voter_id: str) -> str | None:
        """Why this client may not check this id now, or None when it may."""
        now = time.monotonic()
        with self._lock:
            self._roll(now)
            if self.pairs.count(self._pair(client, voter_id), now) >= self.limit:
                return TOO_MANY
            failed = self.clients.count(client, now)
            if failed >= self.client_limit:
                return TOO_MANY_FROM_CLIENT
            surge = self._this_hour + self._last_hour >= self.surge_limit
            if surge and failed >= self.surge_client_limit:
                return TOO_MANY_NOW
            return None

    def failed(self, client: str, voter_id: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._roll(now)
            self._this_hour += 1
            self.pairs.add(self._pair(client, voter_id), now)
            self.clients.add(client, now)


def _failed_checks(request: Request) -> FailedChecks:
    found = getattr(request.app.state, "failed_registration_checks", None)
    if not isinstance(found, FailedChecks):
        raise RuntimeError("create_app sets up the failed-check counter")
    return found


def _parse_dob(text: str) -> date:
    """The browser's date field sends YYYY-MM-DD; a typed MM/DD/YYYY is understood too.

    The message never repeats what was typed.
    """
    for layout in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.strptime(text, layout).date()
        except ValueError:
            continue
    raise InvalidInput("enter the date of birth as YYYY-MM-DD")


def _checkpoint_size(note: str) -> int:
    """The tree size line of a signed checkpoint (origin, size, root, ...)."""
    return int(note.split("\n", 2)[1])


def check_form(request: Request) -> Response:
    return _private(render(request, "voters_check.html", {}))


def _check_page(request: Request, context: dict[str, object], status: int = 200) -> Response:
    return _private(render(request, "voters_check.html", context, status))


async def check_registration(request: Request) -> Response:
    """A voter's own record and its proof, for the right id, last name and birth date.

    ``format=json`` answers the proof bundle itself (for a script, or to keep
    as a file); the page embeds the same bundle, so no URL ever carries the
    birth date.
    """
    app = app_of(request)
    await check_csrf(request)
    form = await request.form()
    as_json = _text(form, "format") == "json"
    voter_id = _text(form, "voter_id")
    last_name = _text(form, "last_name")
    dob_text = _text(form, "dob")

    def refuse(message: str, status: int) -> Response:
        if as_json:
            return _private(JSONResponse({"error": message, "status": status}, status))
        return _check_page(request, {"message": message}, status)

    if not (voter_id and last_name and dob_text):
        return refuse("Enter your voter id, last name and date of birth.", 400)
    try:
        _check_lengths({"voter_id": voter_id, "last_name": last_name})
        dob = _parse_dob(dob_text)
    except InvalidInput as exc:
        return refuse(str(exc).capitalize() + ".", 400)
    limiter = _failed_checks(request)
    client = FailedChecks.client(request.client.host if request.client else None)
    refusal = limiter.refusal(client, voter_id)
    if refusal is not None:
        return refuse(refusal, 429)
    try:
        found = await run_in_threadpool(
            voter_proofs.check_registration, app, voter_id, last_name, dob
        )
    except ConfigurationError as exc:
        # e.g. the identifier key file is lost; the details are for the operator, not the public.
        log.error("registration check unavailable: %s", exc)
        return refuse("The registration check is not available right now.", 503)
    if found is None:
        limiter.failed(client, voter_id)
        return refuse(NO_MATCH, 404 if as_json else 200)
    if as_json:
        name = quote(f"{found.record.voter_id}-proof.json")
        return _private(
            JSONResponse(
                found.bundle,
                headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
            )
        )
    bundle_json = json.dumps(found.bundle, indent=2, sort_keys=True)
    context: dict[str, object] = {
        "voter": voters.public_view(found.record),
        "history": found.history,
        "problems": found.problems,
        "checkpoint_size": _checkpoint_size(found.bundle["checkpoint"]),
        "bundle_json": bundle_json,
        "bundle_href": "data:application/json;charset=utf-8," + quote(bundle_json, safe=""),
        "bundle_name": f"{found.record.voter_id}-proof.json",
    }
    return _check_page(request, context)


ROUTES = [
    Route("/j/{slug}/voters", search_page, methods=["GET"]),
    Route("/j/{slug}/voters/review", review_page, methods=["GET"]),
    Route("/j/{slug}/voters/review/{review_id}", decide, methods=["POST"]),
    Route("/voters/alerts", alerts_page, methods=["GET"]),  # before /voters/{voter_id}
    Route("/voters/{voter_id}", voter_page, methods=["GET"]),
    Route("/voters/{voter_id}/change/{kind}", change, methods=["POST"]),
    Route("/check-registration", check_form, methods=["GET"]),
    Route("/check-registration", check_registration, methods=["POST"]),
]
