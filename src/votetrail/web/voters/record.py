"""One voter's record, its full history and the forms for each kind of change.

A change refused by a rule comes back on the same page with the official's
input kept, so one field can be corrected instead of starting over.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from votetrail.core.access import Principal
from votetrail.core.voters.record import (
    CANCEL_REASONS,
    INACTIVE_REASONS,
    Address,
    Status,
    VoterRecord,
)
from votetrail.core.voters.transactions import Change, Kind
from votetrail.errors import InvalidInput, NotFound, PermissionDenied, TooManyAttempts
from votetrail.services.context import App
from votetrail.services.voters import proofs as voter_proofs
from votetrail.services.voters import records as voters
from votetrail.services.voters.proofs import proof_text
from votetrail.web.auth import check_csrf, require
from votetrail.web.state import app_of
from votetrail.web.templating import render
from votetrail.web.voters.common import (
    FIELD_LABELS,
    FLASH,
    LABELS,
    NO_VOTER,
    check_lengths,
    form_text,
    private,
    voter_url,
)

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


def _party_choices(app: App, current: str) -> list[str]:
    """The state's parties for the form's list; the voter's own stays offered whatever happens."""
    found = voters.parties(app)
    return list(found) if current in found else sorted({*found, current})


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
        "parties": _party_choices(app, record.party),
        "flash": request.session.pop(FLASH, None),
    }
    status = 200
    if failed is not None:
        kind, submitted, message = failed
        values[kind.value] = {**values.get(kind.value, {}), **submitted}
        context["failed"] = {"kind": kind.value, "label": LABELS[kind], "message": message}
        status = 400
    return private(render(request, "voters_voter.html", context, status))


@contextmanager
def _unknown_if_refused() -> Iterator[None]:
    """Another county's voter is answered exactly like an id that does not exist.

    A 403 would confirm that the id is on some county's list. The service has
    already logged the refusal before this turns it into the same 404 (with
    the same words) as an unknown id. A user past the hourly refusal limit is
    answered 429 elsewhere, but here that too would tell a refused id from an
    unknown one, so it becomes the same 404 (the refusal is still counted).
    """
    try:
        yield
    except (NotFound, PermissionDenied, TooManyAttempts):
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


def voter_proof(request: Request) -> Response:
    """The proof bundle of a voter's current record, as ``votetrail voters prove`` writes it.

    Walled like the voter page (another county's voter is the same 404 as an
    unknown id); the bundle carries the record as logged, never an identifier
    in the clear, so the clerk can hand it to the voter or check it offline
    with ``votetrail voters check-proof``.
    """
    app = app_of(request)
    principal = require(request)
    voter_id = str(request.path_params["voter_id"])
    with _unknown_if_refused():
        voters.get_voter(app, principal, voter_id)
    bundle = voter_proofs.prove(app, voter_id)
    name = quote(f"{voter_id}-proof.json", safe="")
    return private(
        Response(
            proof_text(bundle),
            media_type="application/json",
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
        )
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
    submitted = {name: form_text(form, name) for name in (*FIELDS[kind], "reason", "source_ref")}
    try:
        check_lengths(submitted)
        with _unknown_if_refused():
            # The form offers only the state's parties; a hand-made request is refused in words.
            record = await run_in_threadpool(
                partial(voters.change, known_party=True),
                app,
                principal,
                voter_id,
                _change_of(kind, submitted),
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
    return RedirectResponse(voter_url(voter_id), status_code=303)
