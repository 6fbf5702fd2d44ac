"""Public logic and accuracy tests: sessions, devices, results, seals and sign-off.

Each step is one logged transaction, so the public record of a test is the
log itself: what deck the county ran (the definition's hash), which device
(serial, seals), what it reported (the report's SHA-256 and totals), the
verdict with every discrepancy in words, and who signed. A signed session is
closed: a later result would rewrite a test the officials already certified.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from votetrail.core.access import Principal
from votetrail.core.lat.compare import Discrepancy
from votetrail.core.lat.deck import generate_deck
from votetrail.core.lat.precinct_mixup import compare_device
from votetrail.core.lat.report_identity import identity_discrepancies
from votetrail.core.ledger.canonical import canonical_bytes, iso_utc
from votetrail.errors import InvalidInput, NotFound
from votetrail.formats.lat.results import read_tabulator_report
from votetrail.services.context import App
from votetrail.services.digests import sha256_file
from votetrail.services.lat.access import guarded, require, require_county
from votetrail.services.lat.baseline import against_pre_election, totals_data
from votetrail.services.lat.definitions import (
    DefinitionLoaded,
    load_definition_file,
    stored_definition,
)
from votetrail.services.unit_of_work import unit_of_work
from votetrail.store import ledger
from votetrail.store.models import (
    LAT_DEFINITIONS,
    LAT_DEVICES,
    LAT_RESULTS,
    LAT_SESSIONS,
    LAT_UNSEALED_DEVICES,
    LEDGER_ENTRIES,
)

PHASES = {"pre": "Pre-election", "post": "Post-election"}
MAX_TEXT = 200
MAX_CODE = 64
"""Serial, kind and seal numbers: the width of their columns."""


@dataclass(frozen=True)
class Recorded:
    id: str
    passed: bool
    discrepancies: tuple[Discrepancy, ...]
    created: bool


def _text(value: str, field: str, *, limit: int = MAX_TEXT) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise InvalidInput("must not be empty", where=field)
    if len(cleaned) > limit:
        raise InvalidInput(f"is longer than {limit} characters", where=field)
    return cleaned


def _names(values: Sequence[str], field: str) -> list[str]:
    return [_text(value, field) for value in values if value.strip()]


def _opening(phase: str, location: str, observers: Sequence[str]) -> tuple[str, list[str]]:
    if phase not in PHASES:
        raise InvalidInput("must be 'pre' or 'post'", where=f"phase {phase!r}")
    return _text(location, "location"), _names(observers, "observer")


def open_from_file(
    app: App,
    principal: Principal,
    jurisdiction: str,
    path: Path,
    phase: str,
    held_on: date,
    location: str,
    observers: Sequence[str],
    file_name: str | None = None,
) -> tuple[DefinitionLoaded, str]:
    """Load the definition file and open a test on it, as the CLI and the web form both do.

    What was typed is checked first, so a mistyped field leaves no loaded
    definition behind (loading is idempotent, but it is still a logged event).
    """
    _opening(phase, location, observers)
    loaded = load_definition_file(app, principal, jurisdiction, path, file_name)
    session_id = open_session(
        app, principal, jurisdiction, loaded.id, phase, held_on, location, observers
    )
    return loaded, session_id


def open_session(
    app: App,
    principal: Principal,
    jurisdiction: str,
    definition_id: str,
    phase: str,
    held_on: date,
    location: str,
    observers: Sequence[str],
) -> str:
    """Open a test; its id is the county and a running number, e.g. ``adams-lat-3``."""
    place, watchers = _opening(phase, location, observers)
    with guarded(app, principal), unit_of_work(app, principal.username) as uow:
        conn = uow.conn
        require_county(conn, jurisdiction)
        require(conn, principal, jurisdiction, "open an L&A test")
        ledger.head(conn, lock=True)  # one writer numbers sessions at a time (PostgreSQL)
        owner = conn.execute(
            select(LAT_DEFINITIONS.c.jurisdiction_id).where(LAT_DEFINITIONS.c.id == definition_id)
        ).scalar()
        if owner != jurisdiction:
            raise NotFound(f"no election definition {definition_id!r} in {jurisdiction}")
        number = (
            conn.execute(
                select(func.count())
                .select_from(LAT_SESSIONS)
                .where(LAT_SESSIONS.c.jurisdiction_id == jurisdiction)
            ).scalar_one()
            + 1
        )
        session_id = f"{jurisdiction}-lat-{number}"
        conn.execute(
            insert(LAT_SESSIONS).values(
                id=session_id,
                jurisdiction_id=jurisdiction,
                definition_id=definition_id,
                phase=phase,
                held_on=held_on.isoformat(),
                location=place,
                observers=json.dumps(watchers),
                status="open",
                opened_at=iso_utc(app.clock()),
            )
        )
        uow.record("lat.session_opened", session_id, jurisdiction)
    return session_id


def _session(conn: Connection, session_id: str) -> Any:
    row = conn.execute(select(LAT_SESSIONS).where(LAT_SESSIONS.c.id == session_id)).first()
    if row is None:
        raise NotFound(f"no L&A test {session_id!r}")
    return row


def _open_session(conn: Connection, principal: Principal, session_id: str, what: str) -> Any:
    row = _session(conn, session_id)
    require(conn, principal, row.jurisdiction_id, what)
    if row.status != "open":
        raise InvalidInput(
            "was signed off and is closed; open a new test to test again",
            where=f"L&A test {session_id}",
        )
    return row


def _device(conn: Connection, session_id: str, serial: str) -> Any:
    row = conn.execute(
        select(LAT_DEVICES).where(
            LAT_DEVICES.c.session_id == session_id, LAT_DEVICES.c.serial == serial
        )
    ).first()
    if row is None:
        raise NotFound(f"no device {serial!r} in L&A test {session_id}")
    return row


def add_device(
    app: App,
    principal: Principal,
    session_id: str,
    serial: str,
    kind: str,
    seal_before: str,
    precincts: Sequence[str] | None = None,
) -> str:
    """Put a tabulator under test; ``precincts`` None means it counts every precinct."""
    serial = _text(serial, "serial number", limit=MAX_CODE)
    if "/" in serial or "\\" in serial or set(serial) == {"."}:
        # The serial is a segment of the device's web addresses; these would break them.
        raise InvalidInput("may not contain / or \\ or be only dots", where="serial number")
    kind = _text(kind, "kind", limit=MAX_CODE)
    seal = _text(seal_before, "seal number", limit=MAX_CODE)
    with guarded(app, principal), unit_of_work(app, principal.username) as uow:
        conn = uow.conn
        ledger.head(conn, lock=True)  # check-then-write, one writer at a time
        row = _open_session(conn, principal, session_id, "add a device to an L&A test")
        definition = stored_definition(conn, row.definition_id)
        served: list[str] | None = None
        if precincts:
            known = {precinct.id for precinct in definition.precincts}
            served = []
            for precinct in precincts:
                if precinct not in known:
                    raise InvalidInput(
                        "is not a precinct of the election definition",
                        where=f"precinct {precinct!r}",
                    )
                served.append(precinct)
        existing = conn.execute(
            select(LAT_DEVICES.c.id).where(
                LAT_DEVICES.c.session_id == session_id, LAT_DEVICES.c.serial == serial
            )
        ).first()
        if existing is not None:
            raise InvalidInput("is already in this test", where=f"device {serial!r}")
        device_id = f"{session_id}-{serial}"
        conn.execute(
            insert(LAT_DEVICES).values(
                id=device_id,
                session_id=session_id,
                serial=serial,
                kind=kind,
                precincts=None if served is None else json.dumps(served),
                seal_before=seal,
                added_at=iso_utc(app.clock()),
            )
        )
        uow.record("lat.device_added", device_id, row.jurisdiction_id)
    return device_id


def discrepancy_data(item: Discrepancy) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "sentence": item.sentence,
        "contest": item.contest,
        "choices": list(item.choices),
        "ballot_style": item.ballot_style,
    }


def record_result(
    app: App,
    principal: Principal,
    session_id: str,
    serial: str,
    path: Path,
    file_name: str | None = None,
) -> Recorded:
    """Compare a device's report of the deck with what the deck should give, and keep the verdict.

    In a post-election test the report is also compared with the same
    device's last pre-election run of the same definition, and its seal with
    the one applied after that test: the device must come back unchanged.
    Recording the same file for the same device again changes nothing.
    """
    if not path.is_file():
        return _record_result(app, principal, session_id, serial, path, file_name)
    # The file is hashed and then read: a private copy makes sure that what is
    # logged under the hash is exactly what was compared, even if the original
    # changes in between (the web already hands over a private temporary copy).
    with tempfile.TemporaryDirectory(prefix="votetrail-report-") as folder:
        copy = Path(folder) / path.name
        shutil.copyfile(path, copy)
        try:
            return _record_result(app, principal, session_id, serial, copy, file_name or path.name)
        except InvalidInput as exc:  # name the file as it was given, not the private copy
            raise InvalidInput(str(exc).replace(str(copy), str(path))) from None


def _record_result(
    app: App,
    principal: Principal,
    session_id: str,
    serial: str,
    path: Path,
    file_name: str | None,
) -> Recorded:
    digest = sha256_file(path)
    with guarded(app, principal), app.engine.connect() as conn:
        row = _open_session(conn, principal, session_id, "record an L&A result")
        device = _device(conn, session_id, serial)
        definition = stored_definition(conn, row.definition_id)
    # Read and compare outside the write transaction: a large deck takes
    # seconds, and every other writer waits while the log is locked. Nothing
    # read here changes later (definitions and a device's precincts are fixed).
    report = read_tabulator_report(path, definition)
    precincts = None if device.precincts is None else json.loads(device.precincts)
    deck = generate_deck(definition)
    comparison = compare_device(
        deck, precincts, report.overall, report.by_style, report.cards, report.rankings
    )
    checked = identity_discrepancies(definition, device.serial, precincts, report.about)
    checked.extend(comparison.discrepancies)
    checked.extend(Discrepancy("unexpected_contest", sentence) for sentence in report.unmatched)
    with guarded(app, principal), unit_of_work(app, principal.username) as uow:
        conn = uow.conn
        ledger.head(conn, lock=True)  # one writer numbers runs at a time (PostgreSQL)
        row = _open_session(conn, principal, session_id, "record an L&A result")
        device = _device(conn, session_id, serial)
        latest = conn.execute(
            select(LAT_RESULTS)
            .where(LAT_RESULTS.c.device_id == device.id)
            .order_by(LAT_RESULTS.c.run.desc())
            .limit(1)
        ).first()
        if latest is not None and latest.file_sha256 == digest:
            # The same report again is the same run; a fixed device's passing report
            # after a failed run is a new run even if an older run had that file.
            return Recorded(latest.id, bool(latest.passed), (), False)
        _refuse_other_devices_report(conn, row, device, digest, file_name or path.name)
        found = list(checked)
        baseline_id: str | None = None
        if row.phase == "post":
            baseline_id, extra = against_pre_election(conn, row, device, definition, report.overall)
            found.extend(extra)
        run = 1 if latest is None else int(latest.run) + 1
        result_id = f"{device.id}-run-{run}"
        conn.execute(
            insert(LAT_RESULTS).values(
                id=result_id,
                session_id=session_id,
                device_id=device.id,
                run=run,
                file_name=file_name or path.name,
                file_sha256=digest,
                file_format=report.format[:80],
                passed=not found,
                discrepancies=canonical_bytes([discrepancy_data(d) for d in found]).decode(),
                reported=canonical_bytes(totals_data(report.overall)).decode(),
                baseline_result_id=baseline_id,
                recorded_at=iso_utc(app.clock()),
            )
        )
        uow.record("lat.result_recorded", result_id, row.jurisdiction_id)
    return Recorded(result_id, not found, tuple(found), True)


def _refuse_other_devices_report(
    conn: Connection, session: Any, device: Any, digest: str, file_name: str
) -> None:
    """A report file is one device's: the same bytes already recorded for another are refused.

    "Another device" is another serial, or the same serial in another county;
    the same device's report in its post-election test may repeat its
    pre-election one byte for byte (an export without a time stamp).
    """
    other = conn.execute(
        select(LAT_RESULTS.c.id, LAT_RESULTS.c.session_id, LAT_DEVICES.c.serial)
        .join(LAT_DEVICES, LAT_DEVICES.c.id == LAT_RESULTS.c.device_id)
        .join(LAT_SESSIONS, LAT_SESSIONS.c.id == LAT_RESULTS.c.session_id)
        .where(
            LAT_RESULTS.c.file_sha256 == digest,
            (LAT_DEVICES.c.serial != device.serial)
            | (LAT_SESSIONS.c.jurisdiction_id != session.jurisdiction_id),
        )
        .order_by(LAT_RESULTS.c.recorded_at, LAT_RESULTS.c.id)
        .limit(1)
    ).first()
    if other is not None:
        raise InvalidInput(
            f"is already recorded as the report of device {other.serial} in L&A test "
            f"{other.session_id} ({other.id}); a report file is one device's, so device "
            f"{device.serial} needs its own report",
            where=f"report {file_name} (SHA-256 {digest})",
        )


def seal_device(
    app: App, principal: Principal, session_id: str, serial: str, seal_after: str
) -> None:
    """Record the seal applied after testing; the post-election test checks it is unbroken."""
    seal = _text(seal_after, "seal number", limit=MAX_CODE)
    with guarded(app, principal), unit_of_work(app, principal.username) as uow:
        conn = uow.conn
        ledger.head(conn, lock=True)  # check-then-write, one writer at a time
        row = _open_session(conn, principal, session_id, "seal a device in an L&A test")
        device = _device(conn, session_id, serial)
        conn.execute(
            update(LAT_DEVICES).where(LAT_DEVICES.c.id == device.id).values(seal_after=seal)
        )
        uow.record("lat.device_sealed", device.id, row.jurisdiction_id)


def leave_unsealed(
    app: App, principal: Principal, session_id: str, serial: str, reason: str
) -> None:
    """Record why a device was not sealed after testing; the certificate prints the reason.

    A test cannot be signed while a device has neither an after-test seal nor
    this: a certificate with a blank seal would say the device is protected
    when nobody recorded that it is.
    """
    words = _text(reason, "reason the device was left unsealed")
    with guarded(app, principal), unit_of_work(app, principal.username) as uow:
        conn = uow.conn
        ledger.head(conn, lock=True)  # check-then-write, one writer at a time
        row = _open_session(conn, principal, session_id, "record an unsealed L&A device")
        device = _device(conn, session_id, serial)
        if device.seal_after is not None:
            raise InvalidInput(
                f"was sealed with seal {device.seal_after} after the test; a sealed device "
                "needs no reason",
                where=f"device {device.serial}",
            )
        values = {
            "reason": words,
            "recorded_by": principal.username,
            "recorded_at": iso_utc(app.clock()),
        }
        exists = conn.execute(
            select(LAT_UNSEALED_DEVICES.c.device_id).where(
                LAT_UNSEALED_DEVICES.c.device_id == device.id
            )
        ).first()
        if exists is None:
            conn.execute(
                insert(LAT_UNSEALED_DEVICES).values(
                    device_id=device.id, session_id=session_id, **values
                )
            )
        else:
            conn.execute(
                update(LAT_UNSEALED_DEVICES)
                .where(LAT_UNSEALED_DEVICES.c.device_id == device.id)
                .values(**values)
            )
        uow.record("lat.device_left_unsealed", device.id, row.jurisdiction_id)


def sign_session(
    app: App,
    principal: Principal,
    session_id: str,
    officials: Sequence[str],
    statement: str,
) -> None:
    """Close the test with the officials' names.

    Every device must have been run, and sealed after the test or have a
    recorded reason why not: the certificate states both for every device.
    """
    names = _names(officials, "official")
    if not names:
        raise InvalidInput("name at least one official who signs", where="officials")
    words = _text(statement, "statement")
    with guarded(app, principal), unit_of_work(app, principal.username) as uow:
        conn = uow.conn
        ledger.head(conn, lock=True)  # check-then-write, one writer at a time
        row = _open_session(conn, principal, session_id, "sign off an L&A test")
        devices = conn.execute(
            select(LAT_DEVICES.c.id, LAT_DEVICES.c.serial, LAT_DEVICES.c.seal_after).where(
                LAT_DEVICES.c.session_id == session_id
            )
        ).all()
        if not devices:
            raise InvalidInput("has no devices; add and run at least one", where=session_id)
        unsealed_with_reason = set(
            conn.execute(
                select(LAT_UNSEALED_DEVICES.c.device_id).where(
                    LAT_UNSEALED_DEVICES.c.session_id == session_id
                )
            ).scalars()
        )
        for device in devices:
            runs = conn.execute(
                select(func.count())
                .select_from(LAT_RESULTS)
                .where(LAT_RESULTS.c.device_id == device.id)
            ).scalar_one()
            if not runs:
                raise InvalidInput(
                    "has not been run; record its result before signing",
                    where=f"device {device.serial}",
                )
            if device.seal_after is None and device.id not in unsealed_with_reason:
                raise InvalidInput(
                    "has no seal recorded after the test; record the seal applied, or why "
                    "the device was left unsealed, before signing",
                    where=f"device {device.serial}",
                )
            if device.seal_after is not None and _sealed_before_last_run(conn, device.id):
                # The certificate prints it as the seal applied after the test: a seal
                # recorded before the device's last run was broken to run it again.
                raise InvalidInput(
                    f"was sealed with seal {device.seal_after} before its last run; record the "
                    "seal applied after that run before signing",
                    where=f"device {device.serial}",
                )
        conn.execute(
            update(LAT_SESSIONS)
            .where(LAT_SESSIONS.c.id == session_id)
            .values(
                status="signed",
                signed_at=iso_utc(app.clock()),
                officials=json.dumps(names),
                statement=words,
            )
        )
        uow.record("lat.session_signed", session_id, row.jurisdiction_id)


def _sealed_before_last_run(conn: Connection, device_id: str) -> bool:
    """Whether the device's after-test seal was logged before its last run was."""
    sealed = conn.execute(
        select(func.max(LEDGER_ENTRIES.c.seq)).where(
            LEDGER_ENTRIES.c.event_type == "lat.device_sealed",
            LEDGER_ENTRIES.c.record_id == device_id,
        )
    ).scalar()
    last_run = conn.execute(
        select(func.max(LEDGER_ENTRIES.c.seq)).where(
            LEDGER_ENTRIES.c.record_type == "lat_result",
            LEDGER_ENTRIES.c.record_id.in_(
                select(LAT_RESULTS.c.id).where(LAT_RESULTS.c.device_id == device_id)
            ),
        )
    ).scalar()
    return sealed is not None and last_run is not None and int(sealed) < int(last_run)
