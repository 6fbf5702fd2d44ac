"""An upload's stored rows (its CVRs, or its manifest, count or result rows), in order.

Apart from ``services/counting/uploads.py``, which brings everything an import
needs: ``votetrail verify`` and the results pages only read what is stored.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Connection, select

from votetrail.store.models import CVRS, UPLOAD_ROWS

PAGE = 20_000


def stored_records(conn: Connection, upload_id: str, cvrs: bool) -> Iterator[tuple[int, str]]:
    """An upload's canonical rows in order, read in pages so memory stays flat."""
    table = CVRS if cvrs else UPLOAD_ROWS
    after = -1
    while True:
        rows = conn.execute(
            select(table.c.position, table.c.record)
            .where(table.c.upload_id == upload_id, table.c.position > after)
            .order_by(table.c.position)
            .limit(PAGE)
        ).all()
        if not rows:
            return
        for row in rows:
            yield int(row.position), str(row.record)
        after = int(rows[-1].position)
