"""An account's own password and second factor, and an administrator's reset.

* A user changes their password by giving the current one; every other
  session of the account ends (this browser stays signed in).
* An administrator (the state's for anyone, a county's for its own
  accounts: ``may_administer_users``) resets a password to a temporary one
  shown once; the account's sessions end, its second factor is removed (the
  usual reason is a lost phone) and it must change the password at the next
  sign-in before any page opens.
* An administrator's account may enrol a TOTP second factor (RFC 6238,
  ``core/accounts/totp.py``); sign-in then asks for a code.

Each change is an ``account_security`` record in the log; passwords and
secrets never are.
"""

from __future__ import annotations

import logging
import secrets

from sqlalchemy import Connection, delete, insert, select, update

from votetrail.core.access import Principal, Role, may_administer_users
from votetrail.core.accounts import totp
from votetrail.core.accounts.password_rules import weakness
from votetrail.errors import AuthenticationFailed, InvalidInput, NotFound, PermissionDenied
from votetrail.services.accounts.passwords import check_password, hash_password
from votetrail.services.accounts.sessions import end_all
from votetrail.services.context import App
from votetrail.services.unit_of_work import UnitOfWork
from votetrail.store.models import ACCOUNT_SECURITY, USERS, WEB_SESSIONS

log = logging.getLogger("votetrail.accounts.security")

SECOND_FACTOR_ROLES = frozenset({Role.STATE_ADMIN, Role.COUNTY_ADMIN})


def check_new_password(password: str, username: str, where: str = "new password") -> None:
    """Length, the user name and the common-password list (``core/accounts/password_rules.py``),
    for every password set: the user's change, ``admin add-user`` and ``admin set-password``."""
    problem = weakness(password, username)
    if problem is not None:
        raise InvalidInput(problem, where=where)


def _settings(conn: Connection, username: str) -> tuple[bool, str | None]:
    row = conn.execute(
        select(ACCOUNT_SECURITY).where(ACCOUNT_SECURITY.c.username == username)
    ).first()
    return (False, None) if row is None else (bool(row.must_change_password), row.totp_secret)


def _store(
    uow: UnitOfWork, event: str, username: str, must_change: bool, secret: str | None
) -> None:
    table = ACCOUNT_SECURITY
    found = uow.conn.execute(select(table.c.username).where(table.c.username == username)).first()
    values = {"must_change_password": must_change, "totp_secret": secret}
    if found is None:
        uow.conn.execute(insert(table).values(username=username, **values))
    else:
        uow.conn.execute(update(table).where(table.c.username == username).values(**values))
    jurisdiction = uow.conn.execute(
        select(USERS.c.jurisdiction_id).where(USERS.c.username == username)
    ).scalar_one()
    uow.record(event, username, jurisdiction)


def must_change_password(app: App, username: str) -> bool:
    with app.engine.connect() as conn:
        return _settings(conn, username)[0]


def totp_secret(app: App, username: str) -> str | None:
    with app.engine.connect() as conn:
        return _settings(conn, username)[1]


def change_password(
    uow: UnitOfWork, username: str, current: str, new: str, keep_session: str
) -> int:
    """The user's own change; ``keep_session`` is the stored id of this browser's session.

    Returns how many other sessions ended. A wrong current password changes nothing.
    """
    row = uow.conn.execute(
        select(USERS).where(USERS.c.username == username).with_for_update()
    ).first()
    if row is None or not check_password(current, row.password_hash):
        raise AuthenticationFailed("the current password is wrong")
    check_new_password(new, username)
    if check_password(new, row.password_hash):
        raise InvalidInput("must differ from the current password", where="new password")
    uow.conn.execute(
        update(USERS).where(USERS.c.username == username).values(password_hash=hash_password(new))
    )
    uow.record("user.updated", username, row.jurisdiction_id)
    _, secret = _settings(uow.conn, username)
    _store(uow, "account.password_changed", username, False, secret)
    ended = uow.conn.execute(
        delete(WEB_SESSIONS)
        .where(WEB_SESSIONS.c.username == username)
        .where(WEB_SESSIONS.c.id != keep_session)
    ).rowcount
    log.warning("%s changed their password (%d other sessions ended)", username, ended or 0)
    return ended or 0


def reset_password(uow: UnitOfWork, admin: Principal, username: str, state: str) -> str:
    """An administrator's reset: returns the temporary password, to be shown once."""
    row = uow.conn.execute(
        select(USERS).where(USERS.c.username == username).with_for_update()
    ).first()
    if row is None or not may_administer_users(admin, row.jurisdiction_id, state):
        # An unknown account is refused like one the administrator may not reset.
        raise PermissionDenied("your account may not reset this account's password")
    if row.username == admin.username:
        raise InvalidInput("change your own password on the account page", where="user")
    temporary = "-".join(secrets.token_hex(3) for _ in range(4))
    uow.conn.execute(
        update(USERS)
        .where(USERS.c.username == username)
        .values(password_hash=hash_password(temporary))
    )
    uow.record("user.updated", username, row.jurisdiction_id)
    _store(uow, "account.password_reset", username, True, None)
    ended = end_all(uow.conn, username)
    log.warning("%s reset the password of %s (%d sessions ended)", admin.username, username, ended)
    return temporary


def new_totp_secret() -> str:
    return totp.secret_of(secrets.token_bytes(20))


def enrol_totp(uow: UnitOfWork, principal: Principal, secret: str, code: str, now: float) -> None:
    """Store the secret once the user's app proved it has it with a right code."""
    if principal.role not in SECOND_FACTOR_ROLES:
        raise PermissionDenied("only administrators' accounts take a second factor")
    try:
        key = totp.key_of(secret)
    except ValueError:
        raise InvalidInput("the enrolment expired; start again", where="secret") from None
    if totp.matching_step(key, code, now) is None:
        raise InvalidInput("that code is not the app's current one; try the next", where="code")
    must_change, _ = _settings(uow.conn, principal.username)
    _store(uow, "account.totp_enrolled", principal.username, must_change, secret)
    log.warning("%s enrolled a second factor", principal.username)


def remove_totp(uow: UnitOfWork, username: str, password: str) -> None:
    row = uow.conn.execute(select(USERS).where(USERS.c.username == username)).first()
    if row is None or not check_password(password, row.password_hash):
        raise AuthenticationFailed("the password is wrong")
    must_change, secret = _settings(uow.conn, username)
    if secret is None:
        raise NotFound("this account has no second factor")
    _store(uow, "account.totp_removed", username, must_change, None)
    log.warning("%s removed their second factor", username)
