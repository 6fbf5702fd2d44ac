"""Jurisdictions and officials' accounts: created, changed and read, always through the log."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from votetrail.core.access import Principal, Role
from votetrail.errors import AuthenticationFailed, InvalidInput, NotFound
from votetrail.services.accounts import sessions as web_sessions
from votetrail.services.accounts.passwords import check_nothing, check_password, hash_password
from votetrail.services.accounts.security import check_new_password
from votetrail.services.context import App
from votetrail.services.unit_of_work import UnitOfWork
from votetrail.store.models import JURISDICTIONS as _JURISDICTIONS
from votetrail.store.models import USERS as _USERS

_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


@dataclass(frozen=True)
class JurisdictionView:
    id: str
    name: str
    kind: str
    parent_id: str | None


def add_jurisdiction(
    uow: UnitOfWork, slug: str, name: str, kind: str, parent: str | None
) -> JurisdictionView:
    if not _SLUG.fullmatch(slug):
        raise InvalidInput("use lower-case letters, digits and dashes", where=f"id {slug!r}")
    if kind not in ("state", "county"):
        raise InvalidInput("must be 'state' or 'county'", where=f"kind {kind!r}")
    if not name.strip():
        raise InvalidInput("must not be empty", where="name")
    if _get_jurisdiction(uow.conn, slug) is not None:
        raise InvalidInput("already exists", where=f"jurisdiction {slug!r}")
    if kind == "county":
        if parent is None or _get_jurisdiction(uow.conn, parent) is None:
            raise InvalidInput("a county needs an existing state as parent", where="parent")
    elif state_id(uow.conn) is not None:
        raise InvalidInput("this deployment already has its state", where=f"jurisdiction {slug!r}")
    uow.conn.execute(
        insert(_JURISDICTIONS).values(id=slug, name=name.strip(), kind=kind, parent_id=parent)
    )
    uow.record("jurisdiction.created", slug, slug)
    return JurisdictionView(slug, name.strip(), kind, parent)


def _get_jurisdiction(conn: Connection, slug: str) -> JurisdictionView | None:
    row = conn.execute(select(_JURISDICTIONS).where(_JURISDICTIONS.c.id == slug)).first()
    return None if row is None else JurisdictionView(row.id, row.name, row.kind, row.parent_id)


def state_id(conn: Connection) -> str | None:
    return conn.execute(
        select(_JURISDICTIONS.c.id).where(_JURISDICTIONS.c.kind == "state")
    ).scalar()


def jurisdictions(app: App) -> list[JurisdictionView]:
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(_JURISDICTIONS).order_by(_JURISDICTIONS.c.kind.desc(), _JURISDICTIONS.c.name)
        )
        return [JurisdictionView(r.id, r.name, r.kind, r.parent_id) for r in rows]


def jurisdiction(app: App, slug: str) -> JurisdictionView:
    with app.engine.connect() as conn:
        found = _get_jurisdiction(conn, slug)
    if found is None:
        raise NotFound(f"no jurisdiction {slug!r}")
    return found


RESERVED = frozenset({"anonymous", "system", "votetrail"})
"""Actors the log already uses: visitors not signed in (``refusals.ANONYMOUS``), setup and
votetrail's own entries. An account by one of these names would pass for them in the log."""


def add_user(
    uow: UnitOfWork,
    username: str,
    display_name: str,
    role: str,
    jurisdiction_id: str,
    password: str,
) -> Principal:
    if not _SLUG.fullmatch(username):
        raise InvalidInput("use lower-case letters, digits and dashes", where=f"user {username!r}")
    if username in RESERVED:
        raise InvalidInput("is the log's name for visitors or votetrail itself", where="user")
    try:
        parsed_role = Role(role)
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise InvalidInput(f"must be one of {choices}", where=f"role {role!r}") from None
    check_new_password(password, username, where="password")
    target = _get_jurisdiction(uow.conn, jurisdiction_id)
    if target is None:
        raise InvalidInput("no such jurisdiction", where=f"jurisdiction {jurisdiction_id!r}")
    if parsed_role is Role.STATE_ADMIN and target.kind != "state":
        raise InvalidInput("a state administrator belongs to the state", where="jurisdiction")
    exists = uow.conn.execute(select(_USERS.c.username).where(_USERS.c.username == username))
    if exists.first() is not None:
        raise InvalidInput("already exists", where=f"user {username!r}")
    uow.conn.execute(
        insert(_USERS).values(
            username=username,
            display_name=display_name.strip() or username,
            role=parsed_role.value,
            jurisdiction_id=jurisdiction_id,
            password_hash=hash_password(password),
            active=True,
        )
    )
    uow.record("user.created", username, jurisdiction_id)
    return Principal(username, display_name, parsed_role, jurisdiction_id)


def set_password(uow: UnitOfWork, username: str, password: str) -> int:
    """Change a password and end every session of the account; returns how many ended.

    Whoever held a session (perhaps the person whose knowledge of the old
    password is the reason for the change) must sign in again with the new one.
    """
    check_new_password(password, username, where="password")
    row = uow.conn.execute(select(_USERS).where(_USERS.c.username == username)).first()
    if row is None:
        raise NotFound(f"no user {username!r}")
    uow.conn.execute(
        update(_USERS)
        .where(_USERS.c.username == username)
        .values(password_hash=hash_password(password))
    )
    uow.record("user.updated", username, row.jurisdiction_id)
    return web_sessions.end_all(uow.conn, username)


def authenticate(app: App, username: str, password: str) -> Principal:
    """Check a password (command line); the error never says which of the two was wrong.

    An unknown name costs the same scrypt as a known one. The web sign-in adds
    throttling and a record of failures on top (``services/accounts/sign_in.py``).
    """
    with app.engine.connect() as conn:
        row = conn.execute(select(_USERS).where(_USERS.c.username == username)).first()
    if row is None:
        check_nothing(password)
        raise AuthenticationFailed("wrong user name or password")
    if not check_password(password, row.password_hash) or not row.active:
        raise AuthenticationFailed("wrong user name or password")
    return Principal(row.username, row.display_name, Role(row.role), row.jurisdiction_id)


def principal(app: App, username: str) -> Principal | None:
    with app.engine.connect() as conn:
        row = conn.execute(select(_USERS).where(_USERS.c.username == username)).first()
    if row is None or not row.active:
        return None
    return Principal(row.username, row.display_name, Role(row.role), row.jurisdiction_id)


def users_of(app: App, jurisdiction_id: str) -> list[Principal]:
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(_USERS)
            .where(_USERS.c.jurisdiction_id == jurisdiction_id)
            .order_by(_USERS.c.username)
        )
        return [
            Principal(r.username, r.display_name, Role(r.role), r.jurisdiction_id) for r in rows
        ]


def the_state(app: App) -> str:
    with app.engine.connect() as conn:
        found = state_id(conn)
    if found is None:
        raise NotFound("this deployment has no state yet; run `votetrail init --state-id ...`")
    return found
