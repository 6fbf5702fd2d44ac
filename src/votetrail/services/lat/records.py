"""The public record of L&A tests: every session, device, run and verdict, and the certificate.

Nothing here needs a login: a test the law requires to be public is shown to
anyone, with the log entries that make it checkable.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, func, select

from votetrail.errors import InvalidInput, NotFound
from votetrail.formats.lat.certificate import Certificate, CertificateDevice, CertificateRun
from votetrail.services.context import App
from votetrail.services.lat.definitions import deck_of
from votetrail.services.lat.sessions import PHASES
from votetrail.store.models import (
    JURISDICTIONS,
    LAT_DEFINITIONS,
    LAT_DEVICES,
    LAT_RESULTS,
    LAT_SESSIONS,
    LAT_UNSEALED_DEVICES,
    LEDGER_ENTRIES,
)


@dataclass(frozen=True)
class ResultView:
    id: str
    run: int
    file_name: str
    file_sha256: str
    file_format: str
    passed: bool
    discrepancies: list[str]
    recorded_at: str
    baseline_result_id: str | None
    log_entry: int | None


@dataclass(frozen=True)
class DeviceView:
    serial: str
    kind: str
    precincts: list[str] | None
    seal_before: str
    seal_after: str | None
    results: list[ResultView]
    unsealed_reason: str | None = None
    """Why the device was left unsealed after the test, when an official recorded it."""

    @property
    def outcome(self) -> str:
        """The verdict of the device's last run: a failed run fixed and re-run passes."""
        if not self.results:
            return "not run"
        return "passed" if self.results[-1].passed else "failed"

    @property
    def precinct_text(self) -> str:
        return "all precincts" if self.precincts is None else ", ".join(self.precincts)


@dataclass(frozen=True)
class SessionView:
    id: str
    jurisdiction: str
    jurisdiction_name: str
    definition_id: str
    election: str
    definition_format: str
    definition_sha256: str
    file_sha256: str
    phase: str
    held_on: str
    location: str
    observers: list[str]
    status: str
    opened_at: str
    signed_at: str | None
    officials: list[str]
    statement: str | None
    devices: list[DeviceView]
    log_entry: int | None
    """The log entry of the sign-off (or, while open, of the opening)."""

    @property
    def phase_label(self) -> str:
        return PHASES[self.phase]

    @property
    def outcome(self) -> str:
        outcomes = {device.outcome for device in self.devices}
        if "failed" in outcomes:
            return "failed"
        if not self.devices or "not run" in outcomes:
            return "in progress"
        return "passed" if self.status == "signed" else "passed so far"


def _log_entries(conn: Connection, record_type: str, record_ids: list[str]) -> dict[str, int]:
    """The last log entry of each record, in one query (the ``(type, id, seq)`` index serves it)."""
    if not record_ids:
        return {}
    rows = conn.execute(
        select(LEDGER_ENTRIES.c.record_id, func.max(LEDGER_ENTRIES.c.seq))
        .where(
            LEDGER_ENTRIES.c.record_type == record_type,
            LEDGER_ENTRIES.c.record_id.in_(record_ids),
        )
        .group_by(LEDGER_ENTRIES.c.record_id)
    )
    return {str(record_id): int(seq) for record_id, seq in rows}


def _result(row: Any, log_entry: int | None) -> ResultView:
    return ResultView(
        id=row.id,
        run=row.run,
        file_name=row.file_name,
        file_sha256=row.file_sha256,
        file_format=row.file_format,
        passed=bool(row.passed),
        discrepancies=[item["sentence"] for item in json.loads(row.discrepancies)],
        recorded_at=row.recorded_at,
        baseline_result_id=row.baseline_result_id,
        log_entry=log_entry,
    )


def _view(conn: Connection, row: Any) -> SessionView:
    """One session in a fixed handful of queries, however many devices and runs it has."""
    definition = conn.execute(
        select(LAT_DEFINITIONS).where(LAT_DEFINITIONS.c.id == row.definition_id)
    ).one()
    name = conn.execute(
        select(JURISDICTIONS.c.name).where(JURISDICTIONS.c.id == row.jurisdiction_id)
    ).scalar_one()
    result_rows = conn.execute(
        select(LAT_RESULTS).where(LAT_RESULTS.c.session_id == row.id).order_by(LAT_RESULTS.c.run)
    ).all()
    entries = _log_entries(conn, "lat_result", [r.id for r in result_rows])
    reasons = {
        unsealed.device_id: unsealed.reason
        for unsealed in conn.execute(
            select(LAT_UNSEALED_DEVICES).where(LAT_UNSEALED_DEVICES.c.session_id == row.id)
        )
    }
    runs: dict[str, list[ResultView]] = {}
    for result in result_rows:
        runs.setdefault(result.device_id, []).append(_result(result, entries.get(result.id)))
    devices = [
        DeviceView(
            serial=device.serial,
            kind=device.kind,
            precincts=None if device.precincts is None else json.loads(device.precincts),
            seal_before=device.seal_before,
            seal_after=device.seal_after,
            results=runs.get(device.id, []),
            unsealed_reason=reasons.get(device.id),
        )
        for device in conn.execute(
            select(LAT_DEVICES)
            .where(LAT_DEVICES.c.session_id == row.id)
            .order_by(LAT_DEVICES.c.added_at, LAT_DEVICES.c.serial)
        )
    ]
    return SessionView(
        id=row.id,
        jurisdiction=row.jurisdiction_id,
        jurisdiction_name=name,
        definition_id=row.definition_id,
        election=definition.title,
        definition_format=definition.source_format,
        definition_sha256=definition.definition_sha256,
        file_sha256=definition.file_sha256,
        phase=row.phase,
        held_on=row.held_on,
        location=row.location,
        observers=json.loads(row.observers),
        status=row.status,
        opened_at=row.opened_at,
        signed_at=row.signed_at,
        officials=[] if row.officials is None else json.loads(row.officials),
        statement=row.statement,
        devices=devices,
        log_entry=_log_entries(conn, "lat_session", [row.id]).get(row.id),
    )


def sessions(app: App, jurisdiction: str | None = None) -> list[SessionView]:
    """Every test (of one county, or all), newest first: the public list."""
    query = select(LAT_SESSIONS).order_by(
        LAT_SESSIONS.c.held_on.desc(), LAT_SESSIONS.c.opened_at.desc()
    )
    if jurisdiction is not None:
        query = query.where(LAT_SESSIONS.c.jurisdiction_id == jurisdiction)
    with app.engine.connect() as conn:
        return [_view(conn, row) for row in conn.execute(query).all()]


def session(app: App, session_id: str) -> SessionView:
    with app.engine.connect() as conn:
        row = conn.execute(select(LAT_SESSIONS).where(LAT_SESSIONS.c.id == session_id)).first()
        if row is None:
            raise NotFound(f"no L&A test {session_id!r}")
        return _view(conn, row)


def certificate(view: SessionView, verify_url: str | None) -> Certificate:
    """What the certificate of a signed test states: every device, every run, every finding.

    An open test has no certificate (see :func:`certificate_bytes`): until the
    officials sign, a document listing "passed" devices would certify a test
    that may still fail.
    """
    if view.status != "signed":
        raise NotSigned(view.id)
    return Certificate(
        jurisdiction=view.jurisdiction_name,
        phase=view.phase_label,
        held_on=view.held_on,
        location=view.location,
        election=view.election,
        definition_sha256=view.definition_sha256,
        devices=[
            CertificateDevice(
                serial=device.serial,
                kind=device.kind,
                seal_before=device.seal_before,
                seal_after=device.seal_after or "",
                precincts=device.precinct_text,
                outcome=device.outcome,
                runs=[
                    CertificateRun(
                        run=result.run,
                        file_name=result.file_name,
                        file_sha256=result.file_sha256,
                        passed=result.passed,
                        discrepancies=list(result.discrepancies),
                    )
                    for result in device.results
                ],
                unsealed_reason=None if device.seal_after else device.unsealed_reason,
            )
            for device in view.devices
        ],
        observers=view.observers,
        officials=view.officials,
        statement=view.statement or "",
        log_entry=view.log_entry,
        session_id=view.id,
        verify_url=verify_url,
    )


def record_url(app: App, session_id: str) -> str:
    """The address of a test's public record, printed on its certificate to check it by.

    Absolute only from the configured public base URL (``App.public_url``):
    a request's Host header is the client's to write, and a certificate
    pointing observers to someone else's site must not be one request away.
    Without a configured URL the certificate names the path alone.
    """
    path = f"/lat/{quote(session_id, safe='')}"
    return f"{app.public_url}{path}" if app.public_url else path


class NotSigned(InvalidInput):
    """A certificate was asked for a test the officials have not signed."""

    def __init__(self, session_id: str) -> None:
        super().__init__(
            "is not signed: in progress. There is no certificate until the officials sign it "
            "off; its record so far is public (votetrail lat session show, or /lat/"
            f"{session_id})",
            where=f"L&A test {session_id}",
        )
        self.session_id = session_id


def certificate_bytes(app: App, session_id: str, verify_url: str | None = None) -> bytes:
    """The printable certificate (PDF) of a signed test; an open one raises :class:`NotSigned`."""
    from votetrail.formats.lat.pdf import certificate_pdf  # the PDF library loads on first use

    return certificate_pdf(certificate(session(app, session_id), verify_url))


def deck_pdf_bytes(app: App, view: SessionView) -> bytes:
    """A test's printable deck, made once and kept in the data directory.

    A large county's deck takes seconds to lay out (Hamilton's 4,180 ballots,
    about 14 s) and the public may ask for it often; the PDF is deterministic,
    so the copy is keyed by the test and its definition's hash and never stale.
    """
    folder = app.data_dir / "lat-decks"
    path = folder / f"{view.id}-{view.definition_sha256[:16]}.pdf"
    if path.is_file():
        return path.read_bytes()
    from votetrail.formats.lat.pdf import deck_pdf  # the PDF library loads on first use

    heading = f"{view.jurisdiction_name}: {view.election} (L&A test {view.id})"
    body = deck_pdf(deck_of(app, view.definition_id), heading=heading)
    folder.mkdir(exist_ok=True)
    # A private temporary name: two first requests at once each write their own.
    handle, partial = tempfile.mkstemp(dir=folder, suffix=".part")
    with os.fdopen(handle, "wb") as out:
        out.write(body)
    os.replace(partial, path)
    return body
