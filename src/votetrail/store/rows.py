"""Bulk inserts straight to the driver, for the log and for uploads of millions of rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlalchemy.exc import DBAPIError


def insert_many(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """``conn.execute(insert(table), rows)`` without SQLAlchemy's per-row work.

    The same INSERT statement, compiled for the connection's dialect, goes to the
    driver's ``executemany`` with the same values. SQLAlchemy's executemany
    builds and type-processes every parameter set in Python (about 6 us a row);
    the bulk tables hold only integers, text, NULL and bytes, which sqlite3 and
    psycopg store identically without it. On PostgreSQL the rows go through
    ``COPY`` instead (see :func:`copy_rows`).
    """
    if not rows:
        return
    compiled = insert(table).compile(dialect=conn.dialect)
    if conn.dialect.name == "postgresql":
        columns = list(compiled.params)
        pick = itemgetter(*columns)
        if len(columns) == 1:
            copy_rows(conn, table, columns, [(pick(row),) for row in rows])
        else:
            copy_rows(conn, table, columns, map(pick, rows))
        return
    if compiled.positional:
        order = compiled.positiontup or []
        pick = itemgetter(*order)
        if len(order) == 1:
            conn.exec_driver_sql(compiled.string, [(pick(row),) for row in rows])
        else:
            conn.exec_driver_sql(compiled.string, [pick(row) for row in rows])
    else:
        conn.exec_driver_sql(compiled.string, list(rows))


def copy_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Write rows to a PostgreSQL table with ``COPY ... FROM STDIN``, in the caller's transaction.

    An INSERT executemany costs PostgreSQL a round of parse, bind and execute per
    row (psycopg pipelines them, yet the server still plans each one); COPY streams
    the rows as one statement, four to five times faster for the log. The rows
    are the same: COPY's text format parses each value with the column's own
    input function, as the INSERT's bound parameters are cast to the column type.
    The raw psycopg connection is the one SQLAlchemy holds, inside the same
    transaction, so a failure or a kill still leaves all or nothing. A driver
    error is raised as SQLAlchemy's, as an INSERT's would be, so callers (the
    full-disk check in ``unit_of_work``, duplicate keys) see no difference.
    """
    if not conn.in_transaction():
        conn.begin()  # what executing a statement would do: SQLAlchemy then owns the commit
    raw = conn.connection.driver_connection
    assert raw is not None
    names = ", ".join(conn.dialect.identifier_preparer.quote(c) for c in columns)
    statement = f"COPY {conn.dialect.identifier_preparer.format_table(table)} ({names}) FROM STDIN"
    import psycopg  # only on PostgreSQL: SQLite installs need not have it

    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    except psycopg.Error as exc:
        raise DBAPIError.instance(
            statement, None, exc, psycopg.Error, dialect=conn.dialect
        ) from exc
