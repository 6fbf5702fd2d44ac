"""Starting a log (``votetrail init``) and loading the demonstration state.

A new log needs a schema, an origin name and a signing key that belong
together. The key is written to a temporary file and moved into place only
after the database transaction commits, so a failed init leaves nothing behind
and can simply be run again. A key without a log, or a log without its key,
is refused: either would let two different logs sign under one name.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, select

from votetrail.core.ledger.note import NoteSigner
from votetrail.errors import ConfigurationError, InvalidInput, SigningKeyError
from votetrail.services.context import App, read_origin, resolve_data_dir, resolve_url
from votetrail.services.counting.current_uploads import log_schema_replacements
from votetrail.services.demo.election import load_demo_election
from votetrail.services.directory import add_jurisdiction, add_user
from votetrail.services.keys import KEY_FILE, key_path, load_key
from votetrail.services.remarks import add_remark
from votetrail.services.unit_of_work import unit_of_work
from votetrail.services.voters import pii as voter_pii
from votetrail.store import db, ledger, migrate
from votetrail.store.models import SETTINGS, VOTERS

DEFAULT_ORIGIN = "votetrail.localhost/log"
SYSTEM_ACTOR = "system"
_ORIGIN = re.compile(r"[^\s+]{1,200}")
_UPLOAD_FILES_REVISION = "0009"
"""Upgrading across it derives replacements from the old newest-upload-wins rule; init logs them."""


@dataclass(frozen=True)
class InitResult:
    app: App
    created: bool


def init(
    data_dir: str | Path | None,
    database_url: str | None,
    origin: str = DEFAULT_ORIGIN,
    state: tuple[str, str] | None = None,
) -> InitResult:
    """Create or upgrade the database and key; ``state`` is (slug, name) for a new log."""
    if not _ORIGIN.fullmatch(origin):
        raise InvalidInput("must be a schema-less URL without spaces or '+'", where="origin")
    folder = resolve_data_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    engine = db.create(resolve_url(folder, database_url))
    before = migrate.current_revision(engine)
    existing_origin: str | None = None
    if before is not None:
        try:
            existing_origin = read_origin(engine)
        except ConfigurationError:
            existing_origin = None
    if existing_origin is not None:
        # The key is checked before the schema changes: an upgrade whose events then could
        # not be signed would leave 0009's replacements unlogged, and no later init logs them.
        signer = load_key(folder)
        if signer.name != existing_origin:
            raise SigningKeyError(
                f"the key in {folder} signs for {signer.name!r} but the log is {existing_origin!r}"
            )
    migrate.upgrade(engine)
    if existing_origin is not None:
        app = App(engine, signer, existing_origin, folder)
        if before is not None and before < _UPLOAD_FILES_REVISION:
            with unit_of_work(app, SYSTEM_ACTOR) as uow:
                log_schema_replacements(uow)
        _ensure_pii_key(app)
        return InitResult(app, created=False)
    if key_path(folder).exists():
        raise SigningKeyError(
            f"{key_path(folder)} already signs another log; use a new data directory "
            "or the database that key belongs to"
        )
    signer = NoteSigner(origin, os.urandom(32))
    app = App(engine, signer, origin, folder)
    pending = folder / (KEY_FILE + ".new")
    fd = os.open(pending, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(signer.encode() + "\n")
    try:
        with unit_of_work(app, SYSTEM_ACTOR) as uow:
            ledger.create_head(uow.conn)
            uow.conn.execute(insert(SETTINGS).values(key="origin", value=origin))
            uow.record("log.created", "origin", None)
            if state is not None:
                add_jurisdiction(uow, state[0], state[1], "state", None)
    except BaseException:
        pending.unlink(missing_ok=True)
        raise
    os.replace(pending, key_path(folder))
    voter_pii.create_key(folder)
    return InitResult(app, created=True)


def _ensure_pii_key(app: App) -> None:
    """An older log gets its voter-identifier key here, at ``init``, while no voter is on file."""
    if voter_pii.key_path(app.data_dir).exists():
        return
    with app.engine.connect() as conn:
        if conn.execute(select(VOTERS.c.voter_id).limit(1)).first() is not None:
            voter_pii.load_keys(app.data_dir, create_if_missing=False)  # raises: restore it
    voter_pii.create_key(app.data_dir)


DEMO_PASSWORD = "votetrail-demo-2026"  # noqa: S105 - published demo credential
DEMO_STATE = ("state", "State of Columbia (demo)")
DEMO_COUNTIES = (
    ("adams", "Adams County"),
    ("baker", "Baker County"),
    ("clark", "Clark County"),
)
DEMO_USERS = (
    ("state-admin", "Avery Stone, Elections Director", "state_admin", "state"),
    ("analyst", "Sam Ortiz, Security Analyst", "security_analyst", "state"),
    ("adams-admin", "Jordan Lee, Adams County Clerk", "county_admin", "adams"),
    ("adams-board", "Adams Audit Board 1", "audit_board", "adams"),
    ("baker-admin", "Morgan Diaz, Baker County Clerk", "county_admin", "baker"),
    ("clark-admin", "Riley Chen, Clark County Auditor", "county_admin", "clark"),
)


def load_demo(
    data_dir: str | Path | None,
    database_url: str | None,
    *,
    with_election: bool = True,
    remark: bool = True,
) -> App:
    """A fresh demo state with three counties and one account per role.

    ``with_election`` also uploads each county's generated CVRs, manifest,
    paper-record counts, check-ins and reported results (Adams has a jammed
    tape); tests of the bare state leave it out to keep their log small and
    exact. ``remark=False`` logs the greeting as an old ``log.annotation``
    (only its hash), as a database from before schema 0018 would hold it, so
    tests that downgrade the schema start from a state that schema could hold.
    """
    result = init(data_dir, database_url, "demo.votetrail.localhost/log", DEMO_STATE)
    app = result.app
    if not result.created:
        return app
    with unit_of_work(app, SYSTEM_ACTOR) as uow:
        for slug, name in DEMO_COUNTIES:
            add_jurisdiction(uow, slug, name, "county", DEMO_STATE[0])
    with unit_of_work(app, SYSTEM_ACTOR) as uow:
        for username, display, role, where in DEMO_USERS:
            add_user(uow, username, display, role, where, DEMO_PASSWORD)
    with unit_of_work(app, "state-admin") as uow:
        greeting = "Demo state loaded: three counties, one account per role."
        if remark:
            add_remark(uow, greeting, DEMO_STATE[0])
        else:
            uow.note("log.annotation", {"text": greeting}, DEMO_STATE[0])
    if with_election:
        load_demo_election(app, list(DEMO_COUNTIES), SYSTEM_ACTOR)
    return app
