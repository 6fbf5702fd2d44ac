"""Bring a database to this program's schema, or explain why it cannot.

Migrations run inside one transaction on a connection we own (PostgreSQL and
SQLite both have transactional DDL), so a failed upgrade leaves nothing
half-written.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from votetrail.errors import SchemaError

_SCRIPTS = Path(__file__).resolve().parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return current_revision_on(conn)


def current_revision_on(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _known(revision: str) -> bool:
    scripts = ScriptDirectory.from_config(_config())
    return any(script.revision == revision for script in scripts.walk_revisions())


def upgrade(engine: Engine, target: str = "head") -> None:
    current = current_revision(engine)
    if current is not None and not _known(current):
        raise_newer(current)
    config = _config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, target)


def upgrade_on(conn: Connection) -> None:
    """Create the schema inside the caller's transaction (a restore commits it with its rows)."""
    config = _config()
    config.attributes["connection"] = conn
    command.upgrade(config, "head")


def downgrade(engine: Engine, target: str) -> None:
    config = _config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, target)


def raise_newer(current: str) -> None:
    raise SchemaError(
        f"the database has schema revision {current}, newer than this votetrail "
        f"(which knows up to {head_revision()}); install the newer votetrail"
    )


def require_current(engine: Engine) -> None:
    """Refuse to run on a database that is empty, older or newer than this program."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    if current is None:
        raise SchemaError("the database has no votetrail schema; run `votetrail init` first")
    if not _known(current):
        raise_newer(current)
    raise SchemaError(
        f"the database has schema revision {current}, older than {head}; "
        "run `votetrail init` to upgrade it"
    )
