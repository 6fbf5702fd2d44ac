"""``verify``'s checks of stored columns that no record hash covers directly.

Two kinds of rows hold copies of something a logged hash does cover:

* a CVR's ``cvr_id``, ``tabulator``, ``batch`` and ``precinct`` columns are
  copies of fields of its canonical ``record`` (which the upload's Merkle root
  covers), kept as columns so reports can group and filter without parsing
  JSON. Counting reads the columns, so each must equal its record's field.
* a checkpoint row's ``size`` and ``root_hash`` are copies of what its signed
  ``note`` says; ``signed_at`` is not in the note (the note stays a plain C2SP
  checkpoint that any witness accepts), so it is held to the log itself: a
  checkpoint is signed after the last entry it covers was stamped, no later
  than the next checkpoint, and not in the future.

Messages name the upload and row, or the checkpoint's size, and the column.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Connection, func, select, tuple_

from votetrail.core.ledger.checkpoint import Checkpoint
from votetrail.store.models import CHECKPOINTS, CVRS, LEDGER_ENTRIES

Problem = Callable[[str], None]
_PAGE = 20_000
# The record's field for each column that copies one.
CVR_COPIES = {"cvr_id": "id", "tabulator": "tabulator", "batch": "batch", "precinct": "precinct"}
_COPIES = [CVRS.c[name] for name in CVR_COPIES]
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


def _cvr_rows(conn: Connection, start: str | None, stop: str | None) -> Iterator[Any]:
    after: tuple[str, int] = ("", -1)
    columns = select(CVRS.c.upload_id, CVRS.c.position, CVRS.c.record, *_COPIES)
    if stop is not None:
        columns = columns.where(CVRS.c.upload_id < stop)
    # From ``start`` on, every row of that upload whatever its position, as the
    # whole-table walk from ("", -1) reads it: pieces then add up to that walk.
    where = tuple_(CVRS.c.upload_id, CVRS.c.position) > after
    if start is not None:
        where = CVRS.c.upload_id >= start
    while True:
        rows = conn.execute(
            columns.where(where).order_by(CVRS.c.upload_id, CVRS.c.position).limit(_PAGE)
        ).all()
        if not rows:
            return
        yield from rows
        after = (str(rows[-1].upload_id), int(rows[-1].position))
        where = tuple_(CVRS.c.upload_id, CVRS.c.position) > after


def cvr_upload_ids(conn: Connection) -> list[str]:
    """The upload ids the CVR rows hold, in the order the check walks them.

    One index probe per upload (``min`` past the last), not a walk over every
    row: the pieces of :func:`check_cvr_columns` that helper processes share.
    """
    found: list[str] = []
    last = ""
    first = conn.execute(select(func.min(CVRS.c.upload_id)).where(CVRS.c.upload_id >= last))
    value = first.scalar()
    while value is not None:
        found.append(value)
        last = value
        value = conn.execute(
            select(func.min(CVRS.c.upload_id)).where(CVRS.c.upload_id > last)
        ).scalar()
    return found


def check_cvr_columns(
    conn: Connection, problem: Problem, start: str | None = None, stop: str | None = None
) -> int:
    """Each CVR's copied columns must equal the fields of its logged record.

    A record that is not JSON is left to the upload's Merkle check, which
    names it; this check only compares what can be compared. ``start`` and
    ``stop`` (upload ids from :func:`cvr_upload_ids`) check only the uploads
    from ``start`` up to, not including, ``stop``.
    """
    checked = 0
    copies = list(CVR_COPIES.items())
    fields = [field for _, field in copies]
    loads = json.loads
    # Rows are read by position (upload, position, record, then the copies in
    # CVR_COPIES' order): at millions of rows, looking columns up by name was a
    # third of this check's time.
    for upload_id, position, text, *stored in _cvr_rows(conn, start, stop):
        checked += 1
        try:
            record = loads(text)
        except (TypeError, ValueError):
            continue
        if not isinstance(record, dict):
            continue
        if [record.get(field) for field in fields] == stored:
            continue
        for (column, field), value in zip(copies, stored, strict=True):
            logged = record.get(field)
            if value != logged:
                problem(
                    f"upload {upload_id!r}: CVR row {position} was changed without "
                    f"an event: its {column} column says {value!r} but its logged record "
                    f"says {logged!r}"
                )
    return checked


def check_checkpoint_rows(
    conn: Connection,
    opened: Callable[[str, str], Checkpoint | None],
    now: str,
    problem: Problem,
) -> list[int]:
    """Each stored checkpoint's columns against its signed note and the log's times.

    ``opened(note, label)`` checks the note's signature and the tree it commits
    to (naming any problem) and gives the parsed checkpoint, or None when the
    note itself is bad. Returns the sizes the rows claim, in order.
    """
    covered = LEDGER_ENTRIES.alias("covered")
    rows = conn.execute(
        select(
            CHECKPOINTS.c.size,
            CHECKPOINTS.c.root_hash,
            CHECKPOINTS.c.note,
            CHECKPOINTS.c.signed_at,
            covered.c.occurred_at,
        )
        .select_from(CHECKPOINTS.outerjoin(covered, covered.c.seq == CHECKPOINTS.c.size - 1))
        .order_by(CHECKPOINTS.c.size)
    ).all()
    sizes: list[int] = []
    previous: tuple[int, str] | None = None
    for row in rows:
        if not isinstance(row.size, int) or isinstance(row.size, bool):
            # SQLite keeps whatever a raw UPDATE writes: name it rather than stop verify.
            problem(f"stored checkpoint at size {row.size!r}: its size column is not a number")
            continue
        size = int(row.size)
        sizes.append(size)
        label = f"stored checkpoint at size {size}"
        checkpoint = opened(str(row.note), label)
        if checkpoint is not None:
            if checkpoint.size != size:
                problem(
                    f"{label}: its size column was changed: its signed note is for "
                    f"size {checkpoint.size}"
                )
            stored_root = row.root_hash
            if (
                not isinstance(stored_root, bytes | memoryview)
                or bytes(stored_root) != checkpoint.root_hash
            ):
                problem(
                    f"{label}: its root_hash column was changed: it does not match the "
                    "root in its signed note"
                )
        signed_at = str(row.signed_at)
        if not _TIME.fullmatch(signed_at):
            problem(f"{label}: its signed_at {signed_at!r} is not a time votetrail writes")
            continue
        if row.occurred_at is not None and signed_at < str(row.occurred_at):
            problem(
                f"{label}: its signed_at ({signed_at}) was changed: it is earlier than "
                f"entry #{size - 1}, which it covers ({row.occurred_at})"
            )
        if previous is not None and signed_at < previous[1]:
            problem(
                f"{label}: its signed_at ({signed_at}) is earlier than that of the "
                f"stored checkpoint at size {previous[0]} ({previous[1]}): one was changed"
            )
        if signed_at > now:
            problem(f"{label}: its signed_at ({signed_at}) lies in the future")
        previous = (size, signed_at)
    return sizes
