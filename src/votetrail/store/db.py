"""Engines for SQLite (one file, WAL) and PostgreSQL (psycopg 3), from a URL.

A county runs on the SQLite file in its data directory; a state points
``--database-url`` at PostgreSQL. Write transactions on SQLite begin with
``BEGIN IMMEDIATE`` so two writers queue for the lock instead of one failing
half-way when it first writes; PostgreSQL serialises log appends with a row lock.
"""

from __future__ import annotations

import atexit
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from votetrail.errors import ConfigurationError

WRITE_OPTION = "votetrail_write"
_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'votetrail.sqlite3').resolve()}"


def describe(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


def create(url: str) -> Engine:
    """Make an engine and prove it can connect, or say in one sentence why not."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigurationError(
            f"database URL {url!r} is not a URL; use sqlite:///path or "
            "postgresql+psycopg://user@host/dbname"
        ) from None
    backend = parsed.get_backend_name()
    if backend == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if backend not in ("sqlite", "postgresql"):
        raise ConfigurationError(
            f"database URL {describe(url)} names {backend!r}; "
            "votetrail runs on sqlite or postgresql"
        )
    if backend == "sqlite" and parsed.database:
        folder = Path(parsed.database).parent
        if not folder.is_dir():
            raise ConfigurationError(f"the folder {folder} for the SQLite database does not exist")
    try:
        engine = create_engine(parsed, pool_pre_ping=backend == "postgresql")
    except (NoSuchModuleError, ArgumentError, ImportError) as exc:
        raise ConfigurationError(f"database URL {describe(url)} cannot be used: {exc}") from None
    if backend == "sqlite":
        _configure_sqlite(engine)
    _ENGINES.add(engine)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise ConfigurationError(
            f"cannot connect to the database at {describe(url)}: {reason}"
        ) from None
    return engine


def dispose_all() -> None:
    """Close the pooled connections of every engine still open; run at exit.

    Closing its last connection is when SQLite folds the write-ahead log back
    into the database file and removes the ``-wal`` and ``-shm`` files. The
    interpreter's last sweep at exit would close them too, but the command
    line skips that sweep to exit sooner (``cli/main.py``), so they are
    closed here, by name, first.
    """
    for engine in list(_ENGINES):
        engine.dispose()


atexit.register(dispose_all)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # Bulk loads (a statewide voter file, a million CVRs) write far more than
        # the default 2 MB page cache holds; 64 MB per connection and in-memory
        # sort space keep index builds and large transactions off the disk.
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


# SQLSTATE 53100 is PostgreSQL's disk_full; SQLite says SQLITE_FULL, or SQLITE_IOERR_WRITE
# when a write is cut short by a file size limit (EFBIG) rather than a full disk (ENOSPC).
_PG_DISK_FULL = "53100"


def storage_failure(exc: DBAPIError) -> str | None:
    """The driver's one-line reason if a write failed for want of space, else None."""
    orig = exc.orig
    if orig is None:
        return None
    name = getattr(orig, "sqlite_errorname", None)
    full = isinstance(name, str) and (name == "SQLITE_FULL" or name.startswith("SQLITE_IOERR"))
    if not full and getattr(orig, "sqlstate", None) != _PG_DISK_FULL:
        return None
    lines = str(orig).strip().splitlines()
    return lines[0] if lines else type(orig).__name__


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
