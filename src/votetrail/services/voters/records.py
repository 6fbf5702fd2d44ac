"""The voter list: loading it, changing it, and reading its history.

Every write here is one transaction that also logs what it did: an import
logs one event with a Merkle root over the versions it created, a change
logs one event with the hash of the new version, and both log the new root
of the voter map, so the signed checkpoint of that commit covers the whole
list as it then stood. Only the county that keeps a voter (or the state
administrator) may change them; a refused attempt is itself logged.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select, update

from votetrail.core.access import Principal, may_manage_voters
from votetrail.core.ledger.canonical import iso_utc
from votetrail.core.voters.record import (
    PUBLIC_FIELDS,
    Status,
    VoterInput,
    VoterRecord,
    changed_fields,
)
from votetrail.core.voters.transactions import Change, Kind, apply_change, event_for
from votetrail.core.voters.version_facts import VersionFacts
from votetrail.errors import InvalidInput, NotFound, PermissionDenied
from votetrail.services.context import App
from votetrail.services.directory import state_id
from votetrail.services.unit_of_work import UnitOfWork, deny, unit_of_work
from votetrail.services.voters import alerts as voter_alerts
from votetrail.services.voters import review as voter_review
from votetrail.services.voters.pii import PiiKeys, load_keys
from votetrail.store import ledger, voter_rows
from votetrail.store.models import VOTER_VERSIONS, VOTERS


def pii_keys(app: App) -> PiiKeys:
    """The key for identifiers, made only by ``votetrail init``; missing is an error, always.

    A key made here on first use would be silent: a volume that failed to
    mount (``VOTETRAIL_PII_KEY_FILE``) would get a fresh key and voters loaded
    under it could never be matched with the real one's.
    """
    return load_keys(app.data_dir, create_if_missing=False)


def today(app: App) -> date:
    return voter_alerts.local_now(app).date()


class Refused(Exception):
    def __init__(self, county: str, what: str) -> None:
        super().__init__(what)
        self.county = county
        self.what = what


def require(app: App, conn: Connection, principal: Principal, county: str, what: str) -> None:
    """Refuse inside a transaction; ``guarded`` logs the refusal once it has rolled back."""
    state = state_id(conn) or ""
    if not may_manage_voters(principal, county, state):
        raise Refused(county, what)


@contextmanager
def guarded(app: App, principal: Principal) -> Iterator[None]:
    try:
        yield
    except Refused as refused:
        deny(app, principal.username, refused.county, refused.what)
        raise PermissionDenied(
            f"{principal.username} may not {refused.what} (voters of {refused.county})"
        ) from None


def protect(keys: PiiKeys, item: VoterInput, voter_id: str) -> dict[str, Any]:
    dob = "" if item.dob is None else item.dob.isoformat()
    sealed = keys.protect_all(voter_id, dob, item.ssn4, item.drivers_license)
    return {"dob": sealed[0], "ssn4": sealed[1], "drivers_license": sealed[2]}


def new_record(keys: PiiKeys, item: VoterInput, voter_id: str, on: date) -> VoterRecord:
    registered = item.registered_on or on
    return VoterRecord(
        voter_id=voter_id,
        county=item.county,
        version=1,
        status=item.status,
        status_reason=item.status_reason,
        first_name=item.first_name,
        middle_name=item.middle_name,
        last_name=item.last_name,
        suffix=item.suffix,
        residence=item.residence,
        mailing=item.mailing,
        precinct=item.precinct,
        ballot_style=item.ballot_style,
        party=item.party,
        gender=item.gender,
        registered_on=registered,
        status_since=registered,
        **protect(keys, item, voter_id),
    )


def version_row(
    record: VoterRecord,
    kind: Kind,
    actor: str,
    reason: str,
    source_ref: str,
    at: str,
    *,
    import_id: str | None = None,
    position: int | None = None,
) -> dict[str, Any]:
    text = record.canonical_text()
    return {
        "voter_id": record.voter_id,
        "version": record.version,
        "kind": kind.value,
        "actor": actor,
        "reason": reason,
        "source_ref": source_ref,
        "occurred_at": at,
        "record": None if import_id is not None else text,
        "version_hash": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "import_id": import_id,
        "import_position": position,
    }


def facts_of(version: dict[str, Any]) -> VersionFacts:
    """The transaction facts of a ``version_row``: what its event or its import vouches for."""
    return VersionFacts(
        voter_id=version["voter_id"],
        version=version["version"],
        kind=version["kind"],
        actor=version["actor"],
        reason=version["reason"],
        source_ref=version["source_ref"],
        occurred_at=version["occurred_at"],
        version_hash=version["version_hash"],
        import_id=version["import_id"],
        import_position=version["import_position"],
    )


def publish_map(uow: UnitOfWork, buckets: Iterable[int]) -> None:
    """Recompute the touched buckets and log the new voter-map root.

    The log's head is locked first, as every writer locks it before the map: a
    change that took the map before the head would deadlock with an import
    holding the head (found by ``tests/services/test_concurrent_writers.py``).
    """
    ledger.head(uow.conn, lock=True)
    voter_rows.refresh_buckets(uow.conn, buckets)
    uow.record("voters.map_updated", voter_rows.MAP_ID, None)


def next_ids(conn: Connection, county: str, count: int) -> list[str]:
    """Ids for new registrations: ``<county>-<n>``, continuing the county's sequence."""
    prefix = f"{county}-"
    existing = conn.execute(
        select(func.max(VOTERS.c.voter_id)).where(VOTERS.c.voter_id.like(prefix + "%"))
    ).scalar()
    start = 1
    if existing is not None and existing[len(prefix) :].isdigit():
        start = int(existing[len(prefix) :]) + 1
    return [f"{prefix}{n:08d}" for n in range(start, start + count)]


def register(
    app: App, principal: Principal, item: VoterInput, *, reason: str, source_ref: str
) -> VoterRecord:
    """One new registration (an application form), logged as its own event."""
    if not reason.strip() or not source_ref.strip():
        raise InvalidInput("a registration needs a reason and a source document reference")
    keys = pii_keys(app)
    at = iso_utc(app.clock())
    with guarded(app, principal):
        with unit_of_work(app, principal.username) as uow:
            conn = uow.conn
            require(app, conn, principal, item.county, "register voters")
            voter_id = item.voter_id or next_ids(conn, item.county, 1)[0]
            if voter_rows.get(conn, voter_id) is not None:
                raise InvalidInput(f"voter {voter_id} is already on file")
            record = new_record(keys, item, voter_id, today(app))
            _write_version(uow, record, Kind.REGISTRATION, reason, source_ref, at, insert=True)
            voter_alerts.check(app, uow, [(record, Kind.REGISTRATION)])
        return record


def _write_version(
    uow: UnitOfWork,
    record: VoterRecord,
    kind: Kind,
    reason: str,
    source_ref: str,
    at: str,
    *,
    insert: bool,
) -> None:
    conn = uow.conn
    if not insert:
        conn.execute(delete(VOTERS).where(VOTERS.c.voter_id == record.voter_id))
    row = voter_rows.record_to_row(record)
    conn.execute(VOTERS.insert().values(**row))
    version = version_row(record, kind, uow.actor, reason, source_ref, at)
    conn.execute(VOTER_VERSIONS.insert().values(**version))
    # The event vouches for the record AND who made the change, why, on which document, when.
    uow.record_hashed(
        event_for(kind), "voter", record.voter_id, record.county, facts_of(version).hash()
    )
    publish_map(uow, [row["bucket"]])


def change(
    app: App,
    principal: Principal,
    voter_id: str,
    request: Change,
    *,
    known_party: bool = False,
) -> VoterRecord:
    """Apply one transaction to one voter, if the rules and the county allow it.

    ``known_party``: a party change must name one of the state's parties
    (:func:`parties`), as the clerk's form does; the rules' own refusals
    (no reason, a cancelled voter) come first.
    """
    at = iso_utc(app.clock())
    with guarded(app, principal):
        with unit_of_work(app, principal.username) as uow:
            conn = uow.conn
            current = voter_rows.get(conn, voter_id)
            if current is None:
                raise NotFound(f"no voter {voter_id}")
            require(app, conn, principal, current.county, "change voters")
            new = apply_change(current, request, today(app))
            if known_party and request.kind is Kind.PARTY and not _is_party(conn, new.party):
                raise InvalidInput(
                    f"“{new.party}” is not one of the parties on the state voter list; "
                    "choose one from the list",
                    "party",
                )
            if request.kind is Kind.CANCEL and new.status_reason.startswith("duplicate of "):
                other = new.status_reason.removeprefix("duplicate of ")
                kept = voter_rows.get(conn, other)
                if kept is None or kept.status is Status.CANCELLED:
                    raise InvalidInput(
                        f"duplicate_of {other} is not a registration on file that is kept",
                        f"voter {voter_id}",
                    )
            _keep_previous(conn, current)
            _write_version(
                uow, new, request.kind, request.reason, request.source_ref, at, insert=False
            )
            if request.kind is Kind.CANCEL:
                voter_review.close_cited(uow, new, request.source_ref)
            voter_alerts.check(app, uow, [(new, request.kind)])
        return new


def _keep_previous(conn: Connection, current: VoterRecord) -> None:
    """Write out an imported version's text before the row moves on from it.

    The text must hash to the version hash the import logged; if the row was
    edited behind the application's back, the change is refused rather than
    baking the edit into the history (``votetrail verify`` names the voter).
    """
    row = conn.execute(
        select(VOTER_VERSIONS.c.record, VOTER_VERSIONS.c.version_hash)
        .where(VOTER_VERSIONS.c.voter_id == current.voter_id)
        .where(VOTER_VERSIONS.c.version == current.version)
    ).first()
    if row is None or row[0] is not None:
        return
    text = current.canonical_text()
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != row[1]:
        raise InvalidInput(
            "the stored record no longer matches its logged version; run `votetrail verify`",
            f"voter {current.voter_id}",
        )
    conn.execute(
        update(VOTER_VERSIONS)
        .where(VOTER_VERSIONS.c.voter_id == current.voter_id)
        .where(VOTER_VERSIONS.c.version == current.version)
        .values(record=text)
    )


@dataclass(frozen=True)
class VersionView:
    version: int
    kind: str
    actor: str
    reason: str
    source_ref: str
    occurred_at: str
    version_hash: str
    changed: tuple[str, ...]
    record: dict[str, Any]


def public_view(record: VoterRecord) -> dict[str, Any]:
    """The fields a page may show; protected identifiers only as present / absent."""
    data = {name: getattr(record, name) for name in PUBLIC_FIELDS}
    data["status"] = record.status.value
    data["residence"] = record.residence.one_line()
    data["mailing"] = record.mailing.one_line()
    data["registered_on"] = record.registered_on.isoformat()
    data["status_since"] = record.status_since.isoformat()
    data["version"] = record.version
    data["has_dob"] = record.dob.present
    data["has_ssn4"] = record.ssn4.present
    data["has_drivers_license"] = record.drivers_license.present
    return data


def get_voter(app: App, principal: Principal, voter_id: str) -> VoterRecord:
    with guarded(app, principal):
        with app.engine.connect() as conn:
            record = voter_rows.get(conn, voter_id)
            if record is None:
                raise NotFound(f"no voter {voter_id}")
            require(app, conn, principal, record.county, "read voters")
        return record


def history(app: App, principal: Principal, voter_id: str) -> list[VersionView]:
    """Every version, oldest first, with what changed and who changed it why."""
    current = get_voter(app, principal, voter_id)
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(VOTER_VERSIONS)
            .where(VOTER_VERSIONS.c.voter_id == voter_id)
            .order_by(VOTER_VERSIONS.c.version)
        ).all()
    views: list[VersionView] = []
    previous: VoterRecord | None = None
    for row in rows:
        # An imported version without stored text is the one the voter still has.
        stored = row.record
        record = current if stored is None else VoterRecord.from_payload(json.loads(stored))
        changed = () if previous is None else tuple(changed_fields(previous, record))
        views.append(
            VersionView(
                version=row.version,
                kind=row.kind,
                actor=row.actor,
                reason=row.reason,
                source_ref=row.source_ref,
                occurred_at=row.occurred_at,
                version_hash=row.version_hash,
                changed=changed,
                record=public_view(record),
            )
        )
        previous = record
    return views


def search(
    app: App,
    principal: Principal,
    county: str,
    *,
    last_name: str = "",
    first_name: str = "",
    voter_id: str = "",
    limit: int = 100,
) -> list[VoterRecord]:
    """Find a county's voters by id or name prefix (case-insensitive)."""
    with guarded(app, principal), app.engine.connect() as conn:
        require(app, conn, principal, county, "read voters")
        query = select(VOTERS).where(VOTERS.c.county == county)
        if voter_id:
            query = query.where(VOTERS.c.voter_id == voter_id.strip())
        if last_name:
            query = query.where(func.lower(VOTERS.c.last_name).like(last_name.lower() + "%"))
        if first_name:
            query = query.where(func.lower(VOTERS.c.first_name).like(first_name.lower() + "%"))
        query = query.order_by(VOTERS.c.last_name, VOTERS.c.first_name, VOTERS.c.voter_id)
        return [voter_rows.row_to_record(r) for r in conn.execute(query.limit(limit))]


def counts(app: App, county: str | None = None) -> dict[str, int]:
    """Voters by status (statewide or one county), for dashboards and the demo."""
    with app.engine.connect() as conn:
        query = select(VOTERS.c.status, func.count()).group_by(VOTERS.c.status)
        if county is not None:
            query = query.where(VOTERS.c.county == county)
        return {str(s): int(n) for s, n in conn.execute(query)}


PARTY_LIST_SECONDS = 60.0
"""How long the list of parties offered in the change form is reused before it is read again."""
_party_lists: weakref.WeakKeyDictionary[Engine, tuple[float, tuple[str, ...]]] = (
    weakref.WeakKeyDictionary()
)
_party_lock = threading.Lock()


def parties(app: App) -> tuple[str, ...]:
    """The state's parties: every party some registration on the statewide list carries.

    The state's own voter file (and each registration form) is where a party
    enters the list, so a party recognised tomorrow is offered as soon as a
    voter registered with it is loaded; a clerk's form only chooses among
    them, so a typo can no longer start a new party. Read once a minute at
    most (a state list is millions of rows); :func:`change` checks exactly.
    """
    now = time.monotonic()
    with _party_lock:
        cached = _party_lists.get(app.engine)
        if cached is not None and now - cached[0] < PARTY_LIST_SECONDS:
            return cached[1]
    with app.engine.connect() as conn:
        found = tuple(sorted(str(p) for p in conn.scalars(select(VOTERS.c.party).distinct())))
    with _party_lock:
        _party_lists[app.engine] = (now, found)
    return found


def _is_party(conn: Connection, party: str) -> bool:
    """Whether ``party`` is one of the state's parties, as of this moment (exact, not cached)."""
    found = conn.execute(select(VOTERS.c.voter_id).where(VOTERS.c.party == party).limit(1))
    return found.first() is not None


def require_voters(app: App, principal: Principal, county: str, what: str) -> None:
    """Refuse (and log the refusal) unless ``principal`` keeps ``county``'s voter list."""
    with guarded(app, principal), app.engine.connect() as conn:
        require(app, conn, principal, county, what)
