"""What every voter page shares: form reading, length limits, the county, private responses.

The search, record, review, alerts and public check pages each live in their
own module; this one holds the little they all need, so none imports another.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from votetrail.core.voters.transactions import Kind
from votetrail.errors import InvalidInput, NotFound
from votetrail.services.context import App
from votetrail.services.directory import JurisdictionView
from votetrail.web.state import jurisdiction

FLASH = "voters_flash"
"""Session key of the one-shot message shown after a change or a review decision."""
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
    "county": 64,
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

NO_VOTER = "no voter with this id on a list you may read"
"""The one answer to an unknown id and to another county's voter (see ``_unknown_if_refused``)."""


# ---------------------------------------------------------------- helpers


def form_text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def check_lengths(values: Mapping[str, str]) -> None:
    for name, value in values.items():
        limit = MAX_LENGTH.get(name.removeprefix("mailing_"))
        if limit is not None and len(value) > limit:
            label = name.replace("_", " ")
            raise InvalidInput(f"may be at most {limit} characters", where=label)


def private(response: Response) -> Response:
    response.headers.update(NO_STORE)
    return response


def voter_url(voter_id: str) -> str:
    return f"/voters/{quote(voter_id, safe='')}"


def county_of(app: App, request: Request) -> JurisdictionView:
    """The county named in the URL; the state and other jurisdictions keep no voter list."""
    target = jurisdiction(request, str(request.path_params["slug"]))
    if target.kind != "county":
        raise NotFound(f"{target.name} keeps no voter list; each of its counties does")
    return target
