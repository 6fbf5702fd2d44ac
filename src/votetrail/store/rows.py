"""Bulk inserts straight to the driver, for the log and for uploads of millions of rows."""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, insert


def insert_many(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """``conn.execute(insert(table), rows)`` without SQLAlchemy's per-row work.

    The same INSERT statement, compiled for the connection's dialect, goes to the
    driver's ``executemany`` with the same values. SQLAlchemy's executemany
    builds and type-processes every parameter set in Python (about 6 us a row);
    the bulk tables hold only integers, text, NULL and bytes, which sqlite3 and
    psycopg store identically without it.
    """
    if not rows:
        return
    compiled = insert(table).compile(dialect=conn.dialect)
    if compiled.positional:
        order = compiled.positiontup or []
        pick = itemgetter(*order)
        if len(order) == 1:
            conn.exec_driver_sql(compiled.string, [(pick(row),) for row in rows])
        else:
            conn.exec_driver_sql(compiled.string, [pick(row) for row in rows])
    else:
        conn.exec_driver_sql(compiled.string, list(rows))
