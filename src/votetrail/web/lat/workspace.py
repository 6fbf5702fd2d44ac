"""A county's L&A workspace: open a test, put devices under test, record runs, seals, sign-off.

One plain form per step. A refusal by a rule comes back on the same page with
the rule's words at the top and the official's typed input kept, and nothing
is stored; success redirects with a one-shot message, so reloading never
sends a form twice.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from votetrail.core.access import Principal, may_test_equipment
from votetrail.errors import InvalidInput, NotFound, PermissionDenied
from votetrail.formats.lat.deck_files import write_deck_cvrs
from votetrail.services.context import App
from votetrail.services.directory import JurisdictionView
from votetrail.services.lat import definitions as lat_definitions
from votetrail.services.lat import records as lat_records
from votetrail.services.lat import sessions as lat_sessions
from votetrail.services.lat.records import DeviceView, SessionView
from votetrail.services.lat.sessions import PHASES
from votetrail.services.unit_of_work import deny
from votetrail.web.auth import check_csrf, require
from votetrail.web.lat.common import download
from votetrail.web.page_cache import cached
from votetrail.web.state import app_of, county_in_url, the_state
from votetrail.web.templating import render
from votetrail.web.uploaded import with_saved_files

log = logging.getLogger("votetrail.web.lat")

FLASH = "lat_flash"
"""Session key of the one-shot message shown after a step of a test was recorded."""

DEVICE_KINDS = (
    "precinct scanner",
    "central-count scanner",
    "ballot-marking device",
    "accessible voting device",
)
"""Suggestions for the device kind; any other words are accepted."""

STATEMENT = (
    "We watched the test deck run through each device listed above and certify "
    "that the results are as shown."
)
"""The sign-off statement the form starts with; the officials may word their own."""


@dataclass(frozen=True)
class Failed:
    """A form the service refused: which one, the rule's words, and what the official typed."""

    form: str
    message: str
    values: Mapping[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- helpers


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _lines(text: str) -> list[str]:
    """Names typed one a line (observers, officials); blank lines are left out."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("enter the date as YYYY-MM-DD", where="date of the test") from None


def _files(form: FormData, name: str) -> list[UploadFile]:
    return [f for f in form.getlist(name) if isinstance(f, UploadFile)]


def _one(paths: Sequence[Path], what: str) -> Path:
    if len(paths) != 1:
        raise InvalidInput("choose exactly one file", where=what)
    return paths[0]


def _require_tester(request: Request, app: App, county: str) -> Principal:
    """Allow or refuse; a refusal is written to the log and the application log."""
    principal = require(request)
    if not may_test_equipment(principal, county, the_state(request)):
        what = f"{request.method} {request.url.path}"
        log.warning("denied %s to %s (%s)", what, principal.username, principal.jurisdiction)
        deny(app, principal.username, county, what)
        raise PermissionDenied("your account may not run L&A tests for this county")
    return principal


def _session_of(app: App, county: str, session_id: str) -> SessionView:
    """The test, which must be the county's: another county's test is not at this address."""
    view = lat_records.session(app, session_id)
    if view.jurisdiction != county:
        raise NotFound(f"no L&A test {session_id!r} in {county}")
    return view


def _device_of(view: SessionView, serial: str) -> DeviceView:
    for device in view.devices:
        if device.serial == serial:
            return device
    raise NotFound(f"no device {serial!r} in L&A test {view.id}")


def _session_url(slug: str, session_id: str) -> str:
    return f"/j/{slug}/lat/{quote(session_id, safe='')}"


# ---------------------------------------------------------------- county: list and open


def _county_response(
    request: Request, app: App, county: JurisdictionView, failed: Failed | None = None
) -> Response:
    context: dict[str, object] = {
        "jurisdiction": county,
        "sessions": cached(
            request, ("lat", county.id), lambda: lat_records.sessions(app, county.id)
        ),
        "phases": PHASES,
        "today": app.clock().date().isoformat(),
        "failed": failed,
        "values": failed.values if failed else {},
        "flash": request.session.pop(FLASH, None),
    }
    return render(request, "lat_county.html", context, 400 if failed else 200)


def county_page(request: Request) -> Response:
    """The county's tests, newest first, and the form that opens a new one."""
    app = app_of(request)
    county = county_in_url(app, request, "L&A tests")
    _require_tester(request, app, county.id)
    return _county_response(request, app, county)


def _open(
    app: App,
    principal: Principal,
    county: str,
    files: Sequence[UploadFile],
    values: Mapping[str, str],
) -> str:
    """Load the uploaded definition and open the test (the service checks the fields first)."""
    held_on = _parse_date(values["held_on"])

    def run(paths: list[Path]) -> str:
        path = _one(paths, "election definition")
        _, session_id = lat_sessions.open_from_file(
            app,
            principal,
            county,
            path,
            values["phase"],
            held_on,
            values["location"],
            _lines(values["observers"]),
            path.name,
        )
        return session_id

    return with_saved_files(files, run)


async def open_test(request: Request) -> Response:
    """Load the uploaded definition and open a test on it; then go to the test's page."""
    app = app_of(request)
    county = await run_in_threadpool(county_in_url, app, request, "L&A tests")
    require(request)
    await check_csrf(request)
    principal = await run_in_threadpool(_require_tester, request, app, county.id)
    form = await request.form()
    values = {name: _text(form, name) for name in ("phase", "held_on", "location", "observers")}
    try:
        session_id = await run_in_threadpool(
            _open, app, principal, county.id, _files(form, "definition"), values
        )
    except InvalidInput as exc:
        failed = Failed("open", str(exc), values)
        return await run_in_threadpool(_county_response, request, app, county, failed)
    request.session[FLASH] = f"Opened L&A test {session_id}. Add the devices under test."
    return RedirectResponse(_session_url(county.id, session_id), status_code=303)


# ---------------------------------------------------------------- county: one test


def _session_response(
    request: Request,
    app: App,
    county: JurisdictionView,
    session_id: str,
    failed: Failed | None = None,
) -> Response:
    view = _session_of(app, county.id, session_id)
    definition = lat_definitions.definition_of(app, view.definition_id)
    context: dict[str, object] = {
        "jurisdiction": county,
        "session": view,
        "precincts": definition.precincts,
        "untested": definition.untested_contests(),
        "round_tables": lat_definitions.round_tables(app, view.definition_id),
        "device_kinds": DEVICE_KINDS,
        "statement": STATEMENT,
        "failed": failed,
        "values": failed.values if failed else {},
        "flash": request.session.pop(FLASH, None),
    }
    return render(request, "lat_session.html", context, 400 if failed else 200)


def session_page(request: Request) -> Response:
    """The test's record with a form for each step while it is open."""
    app = app_of(request)
    county = county_in_url(app, request, "L&A tests")
    _require_tester(request, app, county.id)
    return _session_response(request, app, county, str(request.path_params["session_id"]))


async def _post(request: Request) -> tuple[App, JurisdictionView, Principal, str, FormData]:
    """What every form of a test starts with: CSRF, then permission, then the test itself."""
    app = app_of(request)
    county = await run_in_threadpool(county_in_url, app, request, "L&A tests")
    require(request)
    await check_csrf(request)
    principal = await run_in_threadpool(_require_tester, request, app, county.id)
    session_id = str(request.path_params["session_id"])
    await run_in_threadpool(_session_of, app, county.id, session_id)
    return app, county, principal, session_id, await request.form()


async def _refused(
    request: Request, app: App, county: JurisdictionView, session_id: str, failed: Failed
) -> Response:
    return await run_in_threadpool(_session_response, request, app, county, session_id, failed)


def _done(request: Request, county: JurisdictionView, session_id: str, message: str) -> Response:
    request.session[FLASH] = message
    return RedirectResponse(_session_url(county.id, session_id), status_code=303)


async def add_device(request: Request) -> Response:
    """Put a tabulator under test; no precinct ticked means it counts every precinct."""
    app, county, principal, session_id, form = await _post(request)
    values = {name: _text(form, name) for name in ("serial", "kind", "seal")}
    precincts = [p for p in form.getlist("precincts") if isinstance(p, str) and p]
    try:
        await run_in_threadpool(
            lat_sessions.add_device,
            app,
            principal,
            session_id,
            values["serial"],
            values["kind"],
            values["seal"],
            precincts or None,
        )
    except InvalidInput as exc:
        failed = Failed("add-device", str(exc), {**values, "precincts": precincts})
        return await _refused(request, app, county, session_id, failed)
    serial = " ".join(values["serial"].split())
    return _done(
        request,
        county,
        session_id,
        f"Added device {serial}. Run the deck through it and upload its report.",
    )


def _record(
    app: App, principal: Principal, session_id: str, serial: str, files: Sequence[UploadFile]
) -> lat_sessions.Recorded:
    def run(paths: list[Path]) -> lat_sessions.Recorded:
        path = _one(paths, f"report of device {serial}")
        return lat_sessions.record_result(app, principal, session_id, serial, path, path.name)

    return with_saved_files(files, run)


def _result_message(serial: str, recorded: lat_sessions.Recorded) -> str:
    if not recorded.created:
        return (
            f"That report of device {serial} is already recorded as {recorded.id}; nothing changed."
        )
    if recorded.passed:
        return f"Device {serial} passed: its report matches the deck ({recorded.id})."
    found = len(recorded.discrepancies)
    noun = "discrepancy" if found == 1 else "discrepancies"
    return f"Device {serial} failed with {found} {noun} ({recorded.id}); they are listed below."


async def upload_result(request: Request) -> Response:
    """Compare a device's report with the deck; a file that cannot be read stores nothing."""
    app, county, principal, session_id, form = await _post(request)
    serial = str(request.path_params["serial"])
    try:
        recorded = await run_in_threadpool(
            _record, app, principal, session_id, serial, _files(form, "report")
        )
    except InvalidInput as exc:
        return await _refused(
            request, app, county, session_id, Failed(f"results:{serial}", str(exc))
        )
    return _done(request, county, session_id, _result_message(serial, recorded))


async def seal(request: Request) -> Response:
    """Record the seal applied after the test; the post-election test checks it."""
    app, county, principal, session_id, form = await _post(request)
    serial = str(request.path_params["serial"])
    number = _text(form, "seal")
    try:
        await run_in_threadpool(
            lat_sessions.seal_device, app, principal, session_id, serial, number
        )
    except InvalidInput as exc:
        failed = Failed(f"seal:{serial}", str(exc), {"seal": number})
        return await _refused(request, app, county, session_id, failed)
    return _done(request, county, session_id, f"Device {serial} sealed with seal {number}.")


async def unsealed(request: Request) -> Response:
    """Record why a device was left unsealed; signing needs a seal or this for every device."""
    app, county, principal, session_id, form = await _post(request)
    serial = str(request.path_params["serial"])
    reason = _text(form, "reason")
    try:
        await run_in_threadpool(
            lat_sessions.leave_unsealed, app, principal, session_id, serial, reason
        )
    except InvalidInput as exc:
        failed = Failed(f"unsealed:{serial}", str(exc), {"reason": reason})
        return await _refused(request, app, county, session_id, failed)
    return _done(request, county, session_id, f"Recorded why device {serial} was left unsealed.")


async def sign(request: Request) -> Response:
    """Close the test with the officials' names; after this it only reads."""
    app, county, principal, session_id, form = await _post(request)
    values = {name: _text(form, name) for name in ("officials", "statement")}
    try:
        await run_in_threadpool(
            lat_sessions.sign_session,
            app,
            principal,
            session_id,
            _lines(values["officials"]),
            values["statement"],
        )
    except InvalidInput as exc:
        return await _refused(request, app, county, session_id, Failed("sign", str(exc), values))
    return _done(
        request,
        county,
        session_id,
        f"L&A test {session_id} is signed off and closed; its certificate is ready to print.",
    )


def expected_cvrs(request: Request) -> Response:
    """The CVRs a correctly programmed device exports for its share of the deck.

    For the county's own dry run before the public test: uploaded as the
    device's report, the file passes. Not public, because a file that passes
    is not evidence that any device counted anything.
    """
    app = app_of(request)
    county = county_in_url(app, request, "L&A tests")
    _require_tester(request, app, county.id)
    view = _session_of(app, county.id, str(request.path_params["session_id"]))
    device = _device_of(view, str(request.path_params["serial"]))
    deck = lat_definitions.deck_of(app, view.definition_id)
    with tempfile.TemporaryDirectory(prefix="votetrail-deck-") as folder:
        path = Path(folder) / "expected-cvrs.json"
        write_deck_cvrs(deck, path, device.serial, device.precincts)
        body = path.read_bytes()
    return download(body, "application/json", f"{view.id}-{device.serial}-expected-cvrs.json")
