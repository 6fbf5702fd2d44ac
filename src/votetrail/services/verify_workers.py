"""``votetrail verify --workers N``: the independent parts of a verify in helper processes.

At state scale (a million log entries, a million voters, five million CVRs)
one process spends minutes re-hashing, and the parts do not need each
other: the log with its tree, checkpoints and ledgered records; each
upload's Merkle root; the CVR columns, in pieces by upload; the voter
history; the voter rows with the map; netmon; the publication files. Each
piece runs in a helper process with its own connection, largest first so
the cores finish together, and its problems are put back in the order one
process would have found them, so the report is the same whatever ``N`` is.

All pieces must check the same state:

* PostgreSQL: this process's REPEATABLE READ transaction exports its
  snapshot (``pg_export_snapshot``) and every helper's transaction adopts it
  (``SET TRANSACTION SNAPSHOT``) before reading anything, so all read
  exactly what this process reads, whatever commits meanwhile.
* SQLite has no shared snapshots. Each helper's read transaction begins by
  reading the log head; every change the application makes moves the head,
  so a helper that sees another head than this process started from may
  have read another state. The whole verify then runs again in this
  process, inside the transaction it has held open since the start (one
  snapshot, as ``--workers 1``). A change made behind the application's
  back in the moments between helpers starting is not told apart: it is
  what ``verify`` exists to find, and the next run names it.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, func, select, text

from votetrail.errors import VerificationFailed
from votetrail.services.context import App
from votetrail.services.netmon.verify import check_netmon
from votetrail.services.publications.verify import check_publication_files
from votetrail.services.verify import (
    Progress,
    Trust,
    VerifyReport,
    _Verifier,
    uploads,
    verify_on,
)
from votetrail.services.verify_columns import check_cvr_columns, cvr_upload_ids
from votetrail.services.voters.verify import check_voter_history, check_voter_list
from votetrail.store import db, ledger
from votetrail.store.models import UPLOADS, VOTER_MAP

if TYPE_CHECKING:
    from concurrent.futures import Future

PARALLEL_FROM = 300_000
"""Rows (log entries, CVRs and count rows, voters) from which ``workers=None`` starts
helpers: below it, starting them (each imports votetrail afresh) costs more than it saves."""
_SNAPSHOT = re.compile(r"[0-9A-Fa-f]+-[0-9A-Fa-f]+(-[0-9]+)?")

Head = tuple[int, bytes] | str


@dataclass(frozen=True)
class _Piece:
    """One independently checkable piece; ``order`` places its problems in the report."""

    part: str
    order: tuple[int, int]
    cost: int
    args: tuple[Any, ...] = ()


@dataclass(frozen=True)
class _Setup:
    url: str
    trust: Trust
    published: tuple[str, ...]
    snapshot: str | None


@dataclass
class _Done:
    piece: _Piece
    problems: list[str]
    seconds: float
    cpu: float
    head: Head | None
    size: int = 0
    checkpoints: int = 0
    records: int = 0


def verify_in_parallel(
    app: App,
    conn: Connection,
    published: Sequence[str],
    progress: Progress | None,
    workers: int | None,
) -> VerifyReport:
    """Verify with helpers on ``conn``'s snapshot; in this process when that is not worth it."""
    head = _head(conn)  # the first read: on SQLite it fixes this transaction's snapshot
    count = _workers(conn, head, workers)
    if count <= 1:
        return verify_on(app, conn, published, progress)
    snapshot = None
    if conn.dialect.name == "postgresql":
        snapshot = str(conn.execute(text("SELECT pg_export_snapshot()")).scalar_one())
    setup = _Setup(
        url=app.engine.url.render_as_string(hide_password=False),
        trust=Trust.of(app),
        published=tuple(published),
        snapshot=snapshot,
    )
    pieces = _pieces(conn, head)
    done = _run(setup, pieces, count, progress)
    if snapshot is None and any(d.head != head for d in done):
        # SQLite: the log moved while helpers started; this transaction never did.
        report = verify_on(app, conn, published, progress)
        report.parts["helpers, discarded (the log changed meanwhile)"] = sum(
            d.seconds for d in done
        )
        return report
    return _merge(done, count)


def _head(conn: Connection) -> Head:
    try:
        return ledger.head(conn)
    except VerificationFailed as exc:
        return str(exc)


def _workers(conn: Connection, head: Head, workers: int | None) -> int:
    if workers is not None:
        return max(1, workers)
    cores = os.cpu_count() or 1
    if cores <= 1:
        return 1
    rows = head[0] if isinstance(head, tuple) else 0
    rows += int(conn.execute(select(func.coalesce(func.sum(UPLOADS.c.records), 0))).scalar_one())
    rows += int(conn.execute(select(func.coalesce(func.max(VOTER_MAP.c.voters), 0))).scalar_one())
    return cores if rows >= PARALLEL_FROM else 1


def _pieces(conn: Connection, head: Head) -> list[_Piece]:
    """Every piece, with a rough cost (rows it reads) so the largest start first."""
    entries = head[0] if isinstance(head, tuple) else 0
    voters = int(conn.execute(select(func.coalesce(func.max(VOTER_MAP.c.voters), 0))).scalar_one())
    listed = uploads(conn)
    pieces = [_Piece("log", (0, 0), 2 * entries)]
    sizes: dict[str, int] = {}
    for index, upload in enumerate(listed):
        records = upload[2] if isinstance(upload[2], int) else 0
        sizes[str(upload[0])] = records
        pieces.append(_Piece("uploads", (1, index), records, upload))
    ids = cvr_upload_ids(conn) or [""]
    bounds: list[str | None] = [None, *ids[1:], None]
    for index in range(len(bounds) - 1):
        pieces.append(
            _Piece(
                "cvr columns",
                (2, index),
                sizes.get(ids[index], 0),
                (bounds[index], bounds[index + 1]),
            )
        )
    pieces.append(_Piece("voters", (3, 0), 2 * voters, ("history",)))
    pieces.append(_Piece("voters", (3, 1), 2 * voters, ("list",)))
    pieces.append(_Piece("netmon", (4, 0), 0))
    pieces.append(_Piece("publications", (5, 0), 0))
    return pieces


def _run(setup: _Setup, pieces: list[_Piece], count: int, progress: Progress | None) -> list[_Done]:
    """Every piece through a pool of ``count`` helpers, largest first."""
    # Imported here: a small state never starts helpers, and ``verify``'s start-up counts.
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    ordered = sorted(pieces, key=lambda p: -p.cost)
    finished: list[_Done] = []
    # spawn, not fork: the caller may have threads (the CLI's progress bar) and open
    # connections that a forked child must not share.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
        pending: set[Future[_Done]] = {pool.submit(_check_piece, setup, p) for p in ordered}
        while pending:
            completed, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in completed:
                finished.append(future.result())
            if progress:
                progress("parts", len(finished), len(pieces))
    return finished


def _merge(done: list[_Done], count: int) -> VerifyReport:
    report = VerifyReport(workers=count)
    for piece in sorted(done, key=lambda d: d.piece.order):
        report.problems.extend(piece.problems)
        report.size += piece.size
        report.checkpoints += piece.checkpoints
        report.records += piece.records
        part = piece.piece.part
        report.parts[part] = report.parts.get(part, 0.0) + piece.seconds
        report.cpu[part] = report.cpu.get(part, 0.0) + piece.cpu
    return report


# --- in the helper process ---------------------------------------------------------------

_ENGINES: dict[str, Engine] = {}


def _engine(url: str) -> Engine:
    engine = _ENGINES.get(url)
    if engine is None:
        engine = _ENGINES[url] = db.create(url)
    return engine


def _check_piece(setup: _Setup, piece: _Piece) -> _Done:
    engine = _engine(setup.url)
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    with engine.connect() as conn, conn.begin():
        head: Head | None = None
        if setup.snapshot is not None:
            if not _SNAPSHOT.fullmatch(setup.snapshot):
                raise ValueError(f"not a snapshot id: {setup.snapshot!r}")
            conn.execute(text(f"SET TRANSACTION SNAPSHOT '{setup.snapshot}'"))
        else:
            head = _head(conn)
        start, start_cpu = time.perf_counter(), time.process_time()
        checker = _Verifier(setup.trust, conn, None)
        _CHECKS[piece.part](checker, setup, piece)
        seconds = time.perf_counter() - start
        cpu = time.process_time() - start_cpu
    report = checker.report
    return _Done(
        piece,
        report.problems,
        seconds,
        cpu,
        head,
        size=report.size,
        checkpoints=report.checkpoints,
        records=report.records,
    )


def _log(checker: _Verifier, setup: _Setup, _piece: _Piece) -> None:
    checker.check_log(setup.published)


def _upload(checker: _Verifier, _setup: _Setup, piece: _Piece) -> None:
    checker.check_upload(*piece.args)


def _columns(checker: _Verifier, _setup: _Setup, piece: _Piece) -> None:
    check_cvr_columns(checker.conn, checker.problem, *piece.args)


def _voters(checker: _Verifier, _setup: _Setup, piece: _Piece) -> None:
    if piece.args == ("history",):
        check_voter_history(checker.conn, checker.problem)
    else:
        checker.report.records += check_voter_list(checker.conn, checker.problem)


def _netmon(checker: _Verifier, _setup: _Setup, _piece: _Piece) -> None:
    checker.report.records += check_netmon(checker.conn, checker.problem)


def _publications(checker: _Verifier, setup: _Setup, _piece: _Piece) -> None:
    check_publication_files(checker.conn, setup.trust.data_dir, checker.problem)


_CHECKS: dict[str, Callable[[_Verifier, _Setup, _Piece], None]] = {
    "log": _log,
    "uploads": _upload,
    "cvr columns": _columns,
    "voters": _voters,
    "netmon": _netmon,
    "publications": _publications,
}
