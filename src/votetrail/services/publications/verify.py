"""The part of ``votetrail verify`` that re-reads every published file.

The rows are covered like every ledgered record (a changed title, hash or
date is a named discrepancy); this adds the bytes: each stored file is
re-hashed, streaming, and must still be the SHA-256 and size its row logged,
so a document swapped in the data directory behind the application's back is
named too.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, select

from votetrail.services.publications import files
from votetrail.store.models import PUBLICATIONS


def check_publication_files(
    conn: Connection, data_dir: Path, problem: Callable[[str], None]
) -> int:
    """Re-hash each publication's stored file; how many were checked."""
    checked = 0
    for row in conn.execute(
        select(PUBLICATIONS.c.id, PUBLICATIONS.c.sha256, PUBLICATIONS.c.size).order_by(
            PUBLICATIONS.c.id
        )
    ):
        checked += 1
        found = files.hash_stored(files.path_of(data_dir, row.sha256))
        if found is None:
            problem(f"publication {row.id!r}: its stored file is missing")
        elif found != (row.sha256, row.size):
            problem(
                f"publication {row.id!r}: its stored file was changed (SHA-256 {found[0]}, "
                f"published {row.sha256})"
            )
    return checked
