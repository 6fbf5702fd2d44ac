"""Checking a password at the door: same cost for every name, throttled, and recorded.

* Every attempt costs one scrypt, whether or not the name has an account
  (an unknown or disabled name is checked against a dummy hash), so the
  answer time does not reveal which names exist.
* Wrong attempts are counted over the last 15 minutes, from the
  ``failed_sign_ins`` table: five for one name from one address, twenty for
  one name from anywhere, or twenty from one address for any names, and
  the next attempt is refused without checking the password ("try again in
  N minutes"). The per-address-and-name limit stops one guesser quickly;
  the wider ones bound guessing spread over many addresses or many names,
  while a stranger cannot lock an official out with five tries of their own.
* Each wrong attempt is a row in ``failed_sign_ins`` (name typed, whether
  it is an account, address, time) and a line in the application log, never
  an entry in the public log: anyone can make them, so they must not be
  able to grow the permanent log.

The caller runs :func:`sign_in` in a worker thread: scrypt takes tens of
milliseconds of CPU and must not stall the event loop.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from votetrail.core.access import Principal, Role
from votetrail.core.accounts import totp
from votetrail.core.ledger.canonical import iso_utc
from votetrail.errors import AuthenticationFailed, TooManyAttempts
from votetrail.services.accounts import sessions
from votetrail.services.accounts.passwords import check_nothing, check_password
from votetrail.services.accounts.security import totp_secret
from votetrail.services.context import App
from votetrail.store.db import WRITE_OPTION
from votetrail.store.models import FAILED_SIGN_INS, TOTP_USED, USERS

WINDOW = timedelta(minutes=15)
KEPT = timedelta(days=90)
PER_NAME_AND_CLIENT = 5
PER_NAME = 20
PER_CLIENT = 20
FIELD = 64

log = logging.getLogger("votetrail.sign_in")


@dataclass(frozen=True)
class FailedSignIn:
    username: str
    known: bool
    client: str
    attempted_at: str


def sign_in(app: App, username: str, password: str, client: str, code: str = "") -> Principal:
    """The account, if the password is right and the door is not throttled; else raise."""
    return _check(app, username, password, client, code)[0]


def sign_in_session(
    app: App, username: str, password: str, client: str, code: str = ""
) -> tuple[Principal, str]:
    """:func:`sign_in`, then a session opened only if the password is still the one checked.

    Returns the account and the session token (``sessions.open_session``).
    An account with a second factor also needs the current ``code`` of its app;
    a missing or wrong code counts as a failed sign-in like a wrong password.
    """
    principal, password_hash = _check(app, username, password, client, code)
    return principal, sessions.open_session(app, principal.username, password_hash)


def _check(
    app: App, username: str, password: str, client: str, code: str = ""
) -> tuple[Principal, str]:
    # PostgreSQL refuses NUL in text (a 500 for anyone who types one); no account has one.
    name, client = _storable(username[:FIELD]), _storable(client[:FIELD])
    now = app.clock()
    wait = seconds_to_wait(app, name, client, now)
    if wait > 0:
        log.warning("sign-in throttled for %r from %s", name, client)
        raise TooManyAttempts(wait, "failed sign-ins")
    row = None
    if "\x00" not in username:
        with app.engine.connect() as conn:
            row = conn.execute(select(USERS).where(USERS.c.username == username)).first()
    if row is None:
        right = check_nothing(password)
    else:
        right = check_password(password, row.password_hash) and bool(row.active)
    if row is None or not right:
        _record(app, FailedSignIn(name, row is not None, client, iso_utc(now)))
        log.warning("failed sign-in for %r from %s", name, client)
        raise AuthenticationFailed("wrong user name or password")
    secret = totp_secret(app, row.username)
    if secret is not None and not _fresh_code(app, row.username, secret, code, now):
        _record(app, FailedSignIn(name, True, client, iso_utc(now)))
        log.warning("wrong second-factor code for %r from %s", name, client)
        raise AuthenticationFailed("wrong or missing code from the authenticator app")
    principal = Principal(row.username, row.display_name, Role(row.role), row.jurisdiction_id)
    return principal, str(row.password_hash)


def _fresh_code(app: App, username: str, secret: str, code: str, now: datetime) -> bool:
    """Whether ``code`` is the app's code for now (one step either side) and of a later step
    than the last code that signed this account in: a code seen once never works again."""
    step = totp.matching_step(totp.key_of(secret), code, now.timestamp())
    if step is None:
        return False
    t = TOTP_USED.c
    try:
        with app.engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
            moved = conn.execute(
                update(TOTP_USED)
                .where(t.username == username, t.last_step < step)
                .values(last_step=step)
            ).rowcount
            if moved:
                return True
            used = conn.execute(select(t.last_step).where(t.username == username)).first()
            if used is None:
                conn.execute(insert(TOTP_USED).values(username=username, last_step=step))
                return True
    except IntegrityError:  # the same code sent twice at once: the other one signed in
        pass
    log.warning("a second-factor code for %s was used again", username)
    return False


def _storable(text: str) -> str:
    return text.replace("\x00", "\ufffd")


def seconds_to_wait(app: App, username: str, client: str, now: datetime) -> int:
    """How long until the tightest exceeded limit frees up; 0 when none is."""
    since = iso_utc(now - WINDOW)
    t = FAILED_SIGN_INS.c
    limits: list[tuple[ColumnElement[bool], int]] = [
        (and_(t.username == username, t.client == client), PER_NAME_AND_CLIENT),
        (t.username == username, PER_NAME),
        (t.client == client, PER_CLIENT),
    ]
    wait = 0
    with app.engine.connect() as conn:
        for where, limit in limits:
            # The limit-th most recent failure: once it leaves the window, one more try is due.
            oldest = conn.execute(
                select(t.attempted_at)
                .where(where, t.attempted_at > since)
                .order_by(t.attempted_at.desc())
                .offset(limit - 1)
                .limit(1)
            ).scalar()
            if oldest is not None:
                frees = datetime.fromisoformat(oldest) + WINDOW
                wait = max(wait, int((frees - now).total_seconds()) + 1)
    return wait


def _record(app: App, failure: FailedSignIn) -> None:
    """Store one failure, and drop those older than ``KEPT``.

    Anyone on the internet can add rows here, so the table must not grow
    forever; ``KEPT`` is long enough for the analyst to look back on a
    campaign of guessing, far longer than any throttle window.
    """
    cutoff = iso_utc(datetime.fromisoformat(failure.attempted_at) - KEPT)
    with app.engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
        conn.execute(delete(FAILED_SIGN_INS).where(FAILED_SIGN_INS.c.attempted_at < cutoff))
        conn.execute(
            insert(FAILED_SIGN_INS).values(
                username=failure.username,
                known=failure.known,
                client=failure.client,
                attempted_at=failure.attempted_at,
            )
        )


def failed_sign_ins(app: App, limit: int = 100) -> list[FailedSignIn]:
    """The newest failed sign-ins first, for the security analyst and the state admin."""
    t = FAILED_SIGN_INS.c
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(t.username, t.known, t.client, t.attempted_at)
            .order_by(t.attempted_at.desc(), t.id.desc())
            .limit(max(1, min(limit, 10_000)))
        )
        return [FailedSignIn(r.username, bool(r.known), r.client, r.attempted_at) for r in rows]
