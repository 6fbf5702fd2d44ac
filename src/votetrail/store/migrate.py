"""Bring a database to this program's schema, or explain why it cannot.

Migrations run inside one transaction on a connection we own (PostgreSQL and
SQLite both have transactional DDL), so a failed upgrade leaves nothing
half-written.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from votetrail.errors import SchemaError

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported only where a migration runs or something is wrong: importing it
# costs a tenth of a second, and every command opening a current database (most of
# them, ``votetrail verify`` among them) would pay it just to learn nothing is to do.

_SCRIPTS = Path(__file__).resolve().parent / "migrations"
_REVISION_LINE = re.compile(r"(?P<name>revision|down_revision)\s*(?::[^=]*)?=\s*(?P<value>.+)$")


def _config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return current_revision_on(conn)


def current_revision_on(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def _known(revision: str) -> bool:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(_config())
    return any(script.revision == revision for script in scripts.walk_revisions())


def upgrade(engine: Engine, target: str = "head") -> None:
    current = current_revision(engine)
    if current is not None and not _known(current):
        raise_newer(current)
    from alembic import command

    config = _config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, target)


def upgrade_on(conn: Connection) -> None:
    """Create the schema inside the caller's transaction (a restore commits it with its rows)."""
    from alembic import command

    config = _config()
    config.attributes["connection"] = conn
    command.upgrade(config, "head")


def downgrade(engine: Engine, target: str) -> None:
    from alembic import command

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
    if _plainly_current(engine):
        return
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


def _plainly_current(engine: Engine) -> bool:
    """The database holds exactly this program's one head revision, checked without Alembic.

    Reads the revision Alembic stored and the head the migration scripts name
    (their ``revision``/``down_revision`` lines, parsed, not run). Anything
    else, an unusual script included, answers False, and the caller asks
    Alembic itself; tests/cli/test_startup.py checks both agree.
    """
    head = script_head()
    if head is None:
        return False
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return False
        stored = [row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))]
    return stored == [head]


def script_head() -> str | None:
    """The one revision no other script builds on, or None if the scripts are not that simple."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (_SCRIPTS / "versions").glob("*.py"):
        found = _revision_lines(script)
        if found is None:
            return None
        revision, parent = found
        if revision is not None:
            revisions.add(revision)
        if parent is not None:
            parents.add(parent)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _revision_lines(script: Path) -> tuple[str | None, str | None] | None:
    """A script's ``revision`` and ``down_revision`` strings; None if either is not a plain one.

    Only those lines are read (parsing whole scripts would cost what Alembic does).
    """
    values: dict[str, object] = {}
    for line in script.read_text(encoding="utf-8").splitlines():
        found = _REVISION_LINE.match(line)
        if found is None:
            continue
        try:
            values[found["name"]] = ast.literal_eval(found["value"])
        except (ValueError, SyntaxError):
            return None
    revision, parent = values.get("revision"), values.get("down_revision")
    if not isinstance(revision, str | None) or not isinstance(parent, str | None):
        return None
    return revision, parent
