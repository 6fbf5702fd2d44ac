"""Signed-in sessions kept on the server, so that ending one really ends it.

The browser's (signed) cookie carries only a random token; the server keeps
the SHA-256 of that token, the account and an expiry. Signing out deletes the
row, and a password change or an administrator's "sign out everywhere"
deletes every row of the account, so a copied or stolen cookie stops working
at once instead of living out its eight hours.

A session ends at the first of two limits (``SessionPolicy``): eight hours
after sign-in (``VOTETRAIL_SESSION_HOURS``), or thirty minutes after its
last request (``VOTETRAIL_SESSION_IDLE_MINUTES``), so a browser left open
in an empty office does not stay signed in all day. The last request is
written at most once a minute (``TOUCH_EVERY``), not on every page.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, Connection, and_, delete, func, insert, or_, select, update

from votetrail.core.access import Principal, Role
from votetrail.core.ledger.canonical import iso_utc
from votetrail.errors import AuthenticationFailed, ConfigurationError, NotFound
from votetrail.services.context import App
from votetrail.services.unit_of_work import UnitOfWork
from votetrail.store.db import WRITE_OPTION
from votetrail.store.models import USERS, WEB_SESSIONS

LIFETIME = timedelta(hours=8)
IDLE = timedelta(minutes=30)
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class SessionPolicy:
    """How long a session lives: ``lifetime`` from sign-in, ``idle`` from its last request."""

    lifetime: timedelta = LIFETIME
    idle: timedelta = IDLE

    @classmethod
    def from_env(cls) -> SessionPolicy:
        return cls(
            lifetime=timedelta(hours=_whole("VOTETRAIL_SESSION_HOURS", 8, 1, 24 * 30)),
            idle=timedelta(minutes=_whole("VOTETRAIL_SESSION_IDLE_MINUTES", 30, 1, 24 * 60)),
        )


def _whole(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ConfigurationError(f"{name} must be a whole number from {low} to {high}")
    return int(raw)


log = logging.getLogger("votetrail.sessions")


def session_id(token: str) -> str:
    """The stored id of the session a cookie's token names."""
    return _key(token)


def _key(token: str) -> str:
    """What the table stores: a database reader does not get live cookies."""
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(app: App, username: str, password_hash: str | None = None) -> str:
    """Start a session for an account that just proved its password; return the token.

    ``password_hash`` is the hash the password was checked against. The
    check takes a whole scrypt, and a password change (which ends every
    session) may land in between: then the account no longer has that hash
    and no session is opened. The account's row is locked meanwhile, so a
    change waits for this session and then ends it too.
    """
    token = secrets.token_urlsafe(32)
    now = app.clock()
    policy = SessionPolicy.from_env()
    with app.engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
        if password_hash is not None:
            row = conn.execute(
                select(USERS.c.password_hash, USERS.c.active)
                .where(USERS.c.username == username)
                .with_for_update()
            ).first()
            if row is None or row.password_hash != password_hash or not row.active:
                log.warning("sign-in for %s refused: the account changed meanwhile", username)
                raise AuthenticationFailed("wrong user name or password")
        conn.execute(delete(WEB_SESSIONS).where(WEB_SESSIONS.c.expires_at < iso_utc(now)))
        conn.execute(
            insert(WEB_SESSIONS).values(
                id=_key(token),
                username=username,
                created_at=iso_utc(now),
                expires_at=iso_utc(now + policy.lifetime),
                last_seen_at=iso_utc(now),
            )
        )
    log.info("signed in: %s", username)
    return token


def _not_idle(since: str) -> ColumnElement[bool]:
    """A request after ``since`` (a row from before 0017 has none: its sign-in counts)."""
    s = WEB_SESSIONS.c
    return or_(s.last_seen_at > since, and_(s.last_seen_at.is_(None), s.created_at > since))


def principal(app: App, token: str) -> Principal | None:
    """The account behind a live session, or None (unknown, ended, expired, idle or inactive).

    A live session's last request is brought up to now (at most once a minute).
    """
    now = app.clock()
    idle_since = iso_utc(now - SessionPolicy.from_env().idle)
    s = WEB_SESSIONS.c
    query = (
        select(USERS, s.last_seen_at, s.created_at)
        .join(WEB_SESSIONS, s.username == USERS.c.username)
        .where(s.id == _key(token))
        .where(s.expires_at > iso_utc(now))
        .where(_not_idle(idle_since))
    )
    with app.engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None or not row.active:
        return None
    seen = row.last_seen_at or row.created_at
    if seen < iso_utc(now - TOUCH_EVERY):
        with app.engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
            conn.execute(
                update(WEB_SESSIONS).where(s.id == _key(token)).values(last_seen_at=iso_utc(now))
            )
    return Principal(row.username, row.display_name, Role(row.role), row.jurisdiction_id)


def end_session(app: App, token: str) -> None:
    """Sign out this browser: its token no longer names a session."""
    with app.engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
        conn.execute(delete(WEB_SESSIONS).where(WEB_SESSIONS.c.id == _key(token)))


def end_all(conn: Connection, username: str) -> int:
    """End every session of an account, in the caller's transaction; returns how many."""
    ended = conn.execute(delete(WEB_SESSIONS).where(WEB_SESSIONS.c.username == username))
    return ended.rowcount or 0


def sign_out_everywhere(uow: UnitOfWork, username: str) -> int:
    """An administrator's action: end the account's sessions and say so in the log."""
    row = uow.conn.execute(select(USERS).where(USERS.c.username == username)).first()
    if row is None:
        raise NotFound(f"no user {username!r}")
    ended = end_all(uow.conn, username)
    uow.note("user.signed_out_everywhere", {"user": username}, row.jurisdiction_id)
    log.warning("%s signed %s out everywhere (%d sessions)", uow.actor, username, ended)
    return ended


def live_sessions(app: App) -> dict[str, int]:
    """How many live sessions (neither expired nor idle) each account has, for the accounts page."""
    t = WEB_SESSIONS.c
    now = app.clock()
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(t.username, func.count())
            .where(t.expires_at > iso_utc(now))
            .where(_not_idle(iso_utc(now - SessionPolicy.from_env().idle)))
            .group_by(t.username)
        )
        return {str(name): int(n) for name, n in rows}
