"""Benchmark the transparency log against the performance targets.

Run from the project root::

    .venv/bin/python bench/bench_ledger.py                  # 1,000,000 events on SQLite
    .venv/bin/python bench/bench_ledger.py --events 100000  # a quicker look
    .venv/bin/python bench/bench_ledger.py --database-url postgresql+psycopg://user@host/db
    .venv/bin/python bench/bench_ledger.py --postgres-server postgresql+psycopg://user@host:5432

The bulk append is also measured on PostgreSQL in the same run (issue 21: at
least 40,000 events/s there, through COPY): ``--postgres-server auto`` (the
default) starts a throw-away server from the distribution's binaries as the
test suite does, a URL without a database names a server on which a fresh
database is created and dropped, ``none`` leaves PostgreSQL out. SQLite's rate
is printed beside it as the reference.

It prints one table of figure / target / measured / ok. It is a report, not a
test: it exits 0 whatever it measures, unless ``--check`` is given, in which
case a missed target (or a failed correctness check) exits 1.

What is timed:

* append: synthetic ``log.annotation`` events go through the bulk path,
  ``unit_of_work`` + ``uow.extend``, ``--batch`` events per transaction (one
  signed checkpoint each). Building the ``LogEntry`` objects is not timed; the
  transaction (leaf encoding, tree update, inserts, checkpoint, commit) is.
* inclusion: ``store.ledger.inclusion`` on one open connection for random
  indices against the full tree (the target), and ``services.log_view.inclusion``
  (new connection, entry and root read as well) for information.
* verify: ``services.verify.verify`` over the whole database.
* pymerkle: the same leaves through ``pymerkle.InmemoryTree`` (sha256, its
  default "security" mode, which prefixes leaves with 0x00 and nodes with 0x01
  exactly as RFC 9162 does) and through ``votetrail.core.ledger.merkle``. The
  ratios are pymerkle time / votetrail time, so above 1 means votetrail is
  faster. Roots compare building the tree from the leaves; proofs compare
  proving from a tree each library has already built (``merkle.Tree`` and
  ``InmemoryTree``).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType

from pymerkle import InmemoryTree

from _record import record
from votetrail.core.ledger import merkle
from votetrail.core.ledger.canonical import iso_utc
from votetrail.core.ledger.events import LogEntry
from votetrail.services import log_view
from votetrail.services.context import App
from votetrail.services.setup import init
from votetrail.services.unit_of_work import unit_of_work
from votetrail.services.verify import verify
from votetrail.store import ledger

BENCH_DIR = Path(__file__).resolve().parent
APPEND_TARGET = 20_000.0  # events per second, SQLite
PG_APPEND_TARGET = 40_000.0  # events per second, PostgreSQL (issue 21)
SMOKE_BELOW = 100_000  # runs with fewer events are looks or smoke tests: nothing recorded
# Where an append's time goes (cProfile, one 50,000-event transaction on PostgreSQL at
# load < 2, 2026-12-06, ~48,000 events/s): about half is encoding each leaf canonically
# (core.ledger.canonical), a quarter the COPY of entries and Merkle nodes, a sixth the
# frontier's hashing. Against executemany INSERTs in the same run: 2.5x the wall rate, a
# third of the in-process CPU.
PROFILE_NOTE = (
    "PostgreSQL: a local server with fsync off, as the test suite runs it. Per append, about "
    "half the time is canonical leaf encoding, a quarter the COPY of entries and nodes, a "
    "sixth the frontier's hashing; *_per_cpu_s is the rate this process's CPU allows, "
    "which other jobs on the cores do not stretch."
)
INCLUSION_TARGET_MS = 5.0  # median milliseconds per proof
VERIFY_TARGET_S = 60.0  # seconds for the whole log

ORIGIN = "bench.votetrail.localhost/log"
ACTOR = "bench"
EVENT = "log.annotation"
_BASE_TIME = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Options:
    events: int
    batch: int
    pymerkle_leaves: int
    data_dir: Path | None
    database_url: str | None
    samples: int
    pymerkle_proofs: int
    seed: int
    check: bool
    postgres_server: str = "auto"


@dataclass(frozen=True)
class Figure:
    """One row of the report; ``ok`` is None for figures without a target."""

    name: str
    target: str
    measured: str
    ok: bool | None


@dataclass
class Report:
    figures: list[Figure] = field(default_factory=list)
    append_events_per_s: float = 0.0
    backend: str = ""
    postgres_append_events_per_s: float | None = None
    postgres_verify_ok: bool | None = None
    postgres_note: str = ""
    cpu_events_per_s: dict[str, float] = field(default_factory=dict)
    inclusion_median_ms: float = 0.0
    verify_seconds: float = 0.0
    verify_ok: bool = False
    verify_problems: list[str] = field(default_factory=list)
    pymerkle_root_equal: bool = False
    pymerkle_paths_equal: bool = False
    root_ratio: float = 0.0
    inclusion_ratio: float = 0.0
    consistency_ratio: float = 0.0

    def add(self, name: str, target: str, measured: str, ok: bool | None = None) -> None:
        self.figures.append(Figure(name, target, measured, ok))

    @property
    def missed(self) -> list[Figure]:
        return [f for f in self.figures if f.ok is False]


def synthetic_entry(i: int) -> LogEntry:
    """A deterministic annotation event; only the timestamp and payload vary."""
    return LogEntry(
        event_type=EVENT,
        actor=ACTOR,
        jurisdiction=None,
        occurred_at=iso_utc(_BASE_TIME + timedelta(microseconds=i)),
        record_type=None,
        record_id=None,
        payload_hash=hashlib.sha256(i.to_bytes(8, "big")).hexdigest(),
    )


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _best_of(repeat: int, fn: Callable[[], object]) -> float:
    return min(_timed(fn) for _ in range(max(1, repeat)))


def _load() -> str:
    """The machine's load average: other work on the cores skews every figure."""
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def _yes(flag: bool) -> str:
    return "yes" if flag else "NO"


# --- the database figures -------------------------------------------------------------


def bench_append(app: App, options: Options, report: Report) -> float:
    """Append ``--events`` through ``uow.extend``; the target depends on the backend."""
    backend = app.engine.dialect.name
    target = PG_APPEND_TARGET if backend == "postgresql" else APPEND_TARGET
    batch = options.batch if options.batch > 0 else max(options.events, 1)
    with app.engine.connect() as conn:
        first_seq = ledger.head(conn)[0]
    elapsed = 0.0
    cpu = 0.0
    done = 0
    while done < options.events:
        count = min(batch, options.events - done)
        entries = [synthetic_entry(first_seq + done + k) for k in range(count)]
        start, start_cpu = time.perf_counter(), time.process_time()
        with unit_of_work(app, ACTOR) as uow:
            uow.extend(entries)
        elapsed += time.perf_counter() - start
        cpu += time.process_time() - start_cpu
        done += count
        print(
            f"  appended {done:>10,} / {options.events:,}  ({done / elapsed:,.0f} events/s)",
            file=sys.stderr,
        )
    rate = options.events / elapsed if elapsed else float("inf")
    # The rate this process's CPU alone would allow: other jobs on the cores stretch the
    # wall clock (and a local server's share of it), not this figure.
    report.cpu_events_per_s[backend] = options.events / cpu if cpu else float("inf")
    transactions = -(-options.events // batch) if options.events else 0
    report.add(
        f"append {options.events:,} events on {backend}, bulk path "
        f"({transactions} tx of <= {batch:,})",
        f">= {target:,.0f} events/s",
        f"{rate:,.0f} events/s ({elapsed:.1f} s; {cpu:.1f} s CPU in-process)",
        rate >= target,
    )
    return rate


def bench_inclusion(app: App, options: Options, report: Report) -> None:
    rng = random.Random(options.seed)
    with app.engine.connect() as conn:
        size, root = ledger.head(conn)
        indices = [rng.randrange(size) for _ in range(options.samples)]
        ledger.inclusion(conn, indices[0], size)  # warm the connection and the cache
        times: list[float] = []
        for index in indices:
            start = time.perf_counter()
            path = ledger.inclusion(conn, index, size)
            times.append(time.perf_counter() - start)
            if not merkle.verify_inclusion_hash(
                ledger.leaf_hash_at(conn, index), index, size, path, root
            ):
                raise AssertionError(f"the store's inclusion proof for {index} does not verify")
        old_sizes = [rng.randrange(1, size + 1) for _ in range(options.samples)]
        consistency_times: list[float] = []
        for old in old_sizes:
            start = time.perf_counter()
            ledger.consistency(conn, old, size)
            consistency_times.append(time.perf_counter() - start)
    median = statistics.median(times) * 1000
    report.inclusion_median_ms = median
    p95 = _percentile(times, 0.95) * 1000
    report.add(
        f"inclusion proof at {size:,} (store, median of {len(times)})",
        f"< {INCLUSION_TARGET_MS:g} ms",
        f"{median:.2f} ms (p95 {p95:.2f} ms)",
        median < INCLUSION_TARGET_MS,
    )
    service = []
    for index in indices[: min(len(indices), 50)]:
        start = time.perf_counter()
        log_view.inclusion(app, index)
        service.append(time.perf_counter() - start)
    report.add(
        f"inclusion via log_view (median of {len(service)})",
        "-",
        f"{statistics.median(service) * 1000:.2f} ms",
    )
    report.add(
        f"consistency proof at {size:,} (store, median of {len(consistency_times)})",
        "-",
        f"{statistics.median(consistency_times) * 1000:.2f} ms",
    )


def _percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def bench_verify(app: App, report: Report, *, main: bool = True) -> bool:
    """Verify the whole database; ``main`` keeps its figures as the run's (not PostgreSQL's)."""
    start, start_cpu = time.perf_counter(), time.process_time()
    result = verify(app)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - start_cpu
    if main:
        report.verify_seconds = seconds
        report.verify_ok = result.ok
    report.verify_problems.extend(result.problems)
    backend = app.engine.dialect.name
    report.add(
        f"verify over {result.size:,} entries on {backend} ({result.checkpoints} checkpoints)",
        f"< {VERIFY_TARGET_S:g} s",
        f"{seconds:.1f} s ({cpu:.1f} s CPU in-process)",
        seconds < VERIFY_TARGET_S,
    )
    report.add(f"verify reports the log intact on {backend}", "yes", _yes(result.ok), result.ok)
    return result.ok


# --- PostgreSQL beside the main backend -----------------------------------------------


@contextlib.contextmanager
def postgres_database(server: str) -> Iterator[str]:
    """A fresh database on ``server`` (``auto``: a throw-away server), dropped afterwards.

    The helpers are the test suite's (``tests/databases.py``), so the bench and the
    tests run PostgreSQL the same way: local, fsync off, which measures votetrail's
    work rather than the disk.
    """
    root = str(BENCH_DIR.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    from tests.databases import new_database, running_postgres

    with contextlib.ExitStack() as stack:
        if server == "auto":
            server = stack.enter_context(running_postgres())
        yield stack.enter_context(new_database(server, prefix="bench_"))


def bench_postgres(options: Options, report: Report) -> None:
    """The bulk append (and a verify of what it wrote) on PostgreSQL, in this same run."""
    folder = Path(tempfile.mkdtemp(prefix="votetrail-bench-pg-"))
    try:
        with postgres_database(options.postgres_server) as url:
            app = init(folder, url, ORIGIN).app
            try:
                print(f"backend postgresql, load {_load()}", file=sys.stderr)
                report.postgres_append_events_per_s = bench_append(app, options, report)
                report.postgres_verify_ok = bench_verify(app, report, main=False)
            finally:
                app.engine.dispose()
    except FileNotFoundError as exc:  # no server binaries for ``auto``
        report.postgres_note = f"PostgreSQL not measured: {exc}"
        report.add("append on postgresql", f">= {PG_APPEND_TARGET:,.0f} events/s", "not run")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- pymerkle -------------------------------------------------------------------------


def bench_pymerkle(options: Options, report: Report) -> None:
    n = options.pymerkle_leaves
    if n < 2:
        raise ValueError("--pymerkle-leaves must be at least 2")
    leaves = [synthetic_entry(i).leaf() for i in range(n)]
    repeat = 3

    vt_root = merkle.root(leaves)
    vt_root_time = _best_of(repeat, lambda: merkle.root(leaves))

    tree = InmemoryTree.init_from_entries(leaves, algorithm="sha256")
    pm_root: bytes = tree.get_root()

    def pymerkle_root() -> None:
        InmemoryTree.init_from_entries(leaves, algorithm="sha256").get_root()

    pm_root_time = _best_of(repeat, pymerkle_root)
    report.pymerkle_root_equal = pm_root == vt_root
    report.root_ratio = pm_root_time / vt_root_time
    report.add(
        f"pymerkle root == votetrail root ({n:,} leaves)",
        "yes",
        _yes(report.pymerkle_root_equal),
        report.pymerkle_root_equal,
    )
    report.add(
        "root: pymerkle / votetrail time",
        "-",
        f"{report.root_ratio:.2f}x ({pm_root_time * 1000:.1f} / {vt_root_time * 1000:.1f} ms)",
    )

    rng = random.Random(options.seed)
    k = max(1, min(options.pymerkle_proofs, n))
    indices = [rng.randrange(n) for _ in range(k)]
    old_sizes = [rng.randrange(1, n) for _ in range(k)]

    vt_tree = merkle.Tree(leaves)
    vt_paths: list[list[bytes]] = []
    vt_inclusion = _timed(lambda: vt_paths.extend(vt_tree.inclusion_proof(i) for i in indices))
    pm_paths: list[list[bytes]] = []
    pm_inclusion = _timed(
        lambda: pm_paths.extend(list(tree.prove_inclusion(i + 1).path) for i in indices)
    )
    # pymerkle's path starts with the leaf's own hash, which RFC 9162 leaves out.
    paths_equal = all(p[1:] == v for p, v in zip(pm_paths, vt_paths, strict=True))
    report.pymerkle_paths_equal = paths_equal
    report.inclusion_ratio = pm_inclusion / vt_inclusion
    report.add("pymerkle inclusion paths == votetrail's", "yes", _yes(paths_equal), paths_equal)
    report.add(
        f"inclusion proofs: pymerkle / votetrail time ({k} proofs)",
        "-",
        f"{report.inclusion_ratio:.4f}x ({pm_inclusion / k * 1e6:,.0f} / "
        f"{vt_inclusion / k * 1e6:,.0f} us per proof)",
    )

    vt_proofs: list[list[bytes]] = []
    vt_consistency = _timed(
        lambda: vt_proofs.extend(vt_tree.consistency_proof(m) for m in old_sizes)
    )
    pm_consistency = _timed(lambda: [tree.prove_consistency(m) for m in old_sizes])
    # pymerkle's consistency proof is not in RFC 9162's compact form, so instead of
    # comparing hashes, check that votetrail's proofs verify against both roots.
    old_roots = {m: vt_tree.root(m) for m in set(old_sizes)}
    consistent = all(
        merkle.verify_consistency(m, n, old_roots[m], vt_root, proof)
        for m, proof in zip(old_sizes, vt_proofs, strict=True)
    )
    report.consistency_ratio = pm_consistency / vt_consistency
    report.add("votetrail consistency proofs verify", "yes", _yes(consistent), consistent)
    report.add(
        f"consistency proofs: pymerkle / votetrail time ({k} proofs)",
        "-",
        f"{report.consistency_ratio:.4f}x ({pm_consistency / k * 1e6:,.0f} / "
        f"{vt_consistency / k * 1e6:,.0f} us per proof)",
    )


# --- driver ---------------------------------------------------------------------------


def run(options: Options) -> Report:
    report = Report()
    temporary = options.data_dir is None
    folder = Path(tempfile.mkdtemp(prefix="votetrail-bench-")) if temporary else options.data_dir
    assert folder is not None
    try:
        app = init(folder, options.database_url, ORIGIN).app
        try:
            backend = app.engine.dialect.name
            report.backend = backend
            print(f"backend {backend}, data dir {folder}, load {_load()}", file=sys.stderr)
            report.add("load average at start (1 / 5 / 15 min)", "-", _load())
            report.append_events_per_s = bench_append(app, options, report)
            bench_inclusion(app, options, report)
            bench_verify(app, report)
        finally:
            app.engine.dispose()
        if options.postgres_server != "none" and backend != "postgresql":
            bench_postgres(options, report)
            if report.postgres_append_events_per_s:
                ratio = report.postgres_append_events_per_s / report.append_events_per_s
                report.add("append: postgresql / sqlite rate in this run", "-", f"{ratio:.2f}x")
        bench_pymerkle(options, report)
        report.add("load average at end (1 / 5 / 15 min)", "-", _load())
    finally:
        if temporary:
            shutil.rmtree(folder, ignore_errors=True)
    return report


def render(report: Report) -> str:
    header = ("figure", "target", "measured", "ok")
    rows = [
        (f.name, f.target, f.measured, "-" if f.ok is None else _yes(f.ok)) for f in report.figures
    ]
    widths = [max(len(r[c]) for r in [header, *rows]) for c in range(4)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for problem in report.verify_problems[:10]:
        lines.append(f"verify problem: {problem}")
    if report.postgres_note:
        lines.append(report.postgres_note)
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--events", type=int, default=1_000_000, help="events to append (default 1,000,000)"
    )
    parser.add_argument(
        "--batch",
        type=int,
        default=50_000,
        help="events per transaction; 0 appends all in one (default 50,000)",
    )
    parser.add_argument(
        "--pymerkle-leaves",
        type=int,
        default=100_000,
        help="leaves for the pymerkle comparison (default 100,000)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="data directory (default: a temporary one, removed afterwards)",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="an empty database to use instead of SQLite in the data directory",
    )
    parser.add_argument(
        "--postgres-server",
        default="auto",
        help="also append on a fresh database on this PostgreSQL server (a URL without "
        "a database); 'auto' starts a throw-away one, 'none' skips (default auto)",
    )
    parser.add_argument(
        "--samples",
        type=int,
        default=200,
        help="random indices for the store proof timings (default 200)",
    )
    parser.add_argument(
        "--pymerkle-proofs",
        type=int,
        default=20,
        help="proofs of each kind in the pymerkle comparison (default 20)",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if a target is missed or a correctness check fails",
    )
    args = parser.parse_args(argv)
    if args.events < 1:
        parser.error("--events must be at least 1")
    if args.pymerkle_leaves < 2:
        parser.error("--pymerkle-leaves must be at least 2")
    if args.samples < 1 or args.pymerkle_proofs < 1:
        parser.error("--samples and --pymerkle-proofs must be at least 1")
    return Options(
        events=args.events,
        batch=args.batch,
        pymerkle_leaves=args.pymerkle_leaves,
        data_dir=args.data_dir,
        database_url=args.database_url,
        samples=args.samples,
        pymerkle_proofs=args.pymerkle_proofs,
        seed=args.seed,
        check=args.check,
        postgres_server=args.postgres_server,
    )


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    report = run(options)
    print(render(report))
    save(options, report)
    if report.missed:
        print("missed: " + "; ".join(f.name for f in report.missed))
    else:
        print("all targets met")
    return 1 if options.check and report.missed else 0


def save(options: Options, report: Report) -> None:
    """Leave the run's figures for the README generator (``bench/_record.py``)."""
    pg_rate = report.postgres_append_events_per_s
    sqlite_rate = report.append_events_per_s if report.backend == "sqlite" else None
    figures: dict[str, object] = {
        "events": options.events,
        "batch": options.batch,
        "backend": report.backend,
        "append_events_per_s": round(report.append_events_per_s),
        "inclusion_median_ms": round(report.inclusion_median_ms, 3),
        "verify_seconds": round(report.verify_seconds, 2),
        "verify_ok": report.verify_ok,
    }
    if pg_rate is not None:
        figures["postgresql_append_events_per_s"] = round(pg_rate)
        figures["postgresql_verify_ok"] = report.postgres_verify_ok
    for backend, cpu_rate in report.cpu_events_per_s.items():
        figures[f"{backend}_append_events_per_cpu_s"] = round(cpu_rate)
    if report.backend == "postgresql":
        pg_rate = report.append_events_per_s
    record(
        "bench_ledger",
        figures,
        target=f"bulk log append >= {PG_APPEND_TARGET:,.0f} events/s on PostgreSQL (issue 21); "
        f">= {APPEND_TARGET:,.0f} events/s on SQLite; inclusion < {INCLUSION_TARGET_MS:g} ms; "
        f"verify < {VERIFY_TARGET_S:g} s",
        met=not report.missed and pg_rate is not None,
        reference={"sqlite_append_events_per_s": round(sqlite_rate)} if sqlite_rate else {},
        notes=PROFILE_NOTE,
        smoke=options.events < SMOKE_BELOW,
    )


def _exit_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds, so a temporary data dir is still removed


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    sys.exit(main())
