"""Benchmark loading a statewide voter file into SQLite, with the log and record hashes.

Run from the project root::

    .venv/bin/python bench/bench_voter_load.py                   # 1,000,000 voters
    .venv/bin/python bench/bench_voter_load.py --voters 100000   # a quicker look

It writes a synthetic voter file in votetrail's column layout (names, two
addresses, precinct, party, dates of birth, SSN4 for some and licence
numbers for others, spread over three counties), creates a fresh demo state
and times ``votetrail voters import`` as a service call end to end: file
hashing, CSV parsing, sealing and keyed-hashing every identifier, the
canonical version of every record and its hash, the inserts of current rows
and versions, the import's Merkle root, the 4,096 buckets of the voter map,
the logged events and the commit. It then checks the stored count and runs
``verify`` (timed separately; it re-hashes every row and version).

The same file is then loaded into PostgreSQL in the same run (issue 21), on a
fresh database (``--postgres-server auto``, the default, starts a throw-away
server from the distribution's binaries as the test suite does; a URL without a
database names a server; ``none`` leaves it out), with the same checks.
``--also 10000000`` then loads a file of ten million voters on both backends
too, printing the time and peak memory of each (no reference, no verify).
Every load runs in a process of its own, so its peak memory is its own.

The target (issue 21): 1,000,000 voters in under 30 s on the 2-core
reference machine (issue 6 asked for 120 s), with helper processes reading
parts of the file themselves. The reference in the same run is the same file
loaded into SQLite the way it was before issue 21 (read in one stream, one
helper preparing records; ``--no-reference`` leaves it out); the ratio of the
two is printed, with the peak memory of the loading process and of its largest
helper. A missed target is recorded with where the time went: the parts of the
import timed in the loading process, and the helpers' own CPU time.
Prints a table of figure / target / measured / ok; exits
1 if a correctness check fails (with ``--check``, also if the target is missed).
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from _record import record
from votetrail.formats.voters.delimited import TEXT_FIELDS
from votetrail.services.directory import principal
from votetrail.services.setup import load_demo
from votetrail.services.verify import verify
from votetrail.services.voters import files as voter_files
from votetrail.services.voters import imports as voter_import
from votetrail.services.voters.files import import_file
from votetrail.store.models import VOTERS

TARGET_SECONDS_PER_MILLION = 30.0
SMOKE_BELOW = 100_000  # smaller runs are looks or smoke tests: nothing recorded
BENCH_DIR = Path(__file__).resolve().parent
Row = tuple[str, str, str, str]
FIRST = (
    "MARIA",
    "JAMES",
    "AISHA",
    "ROBERT",
    "LINH",
    "DAVID",
    "FATIMA",
    "JOHN",
    "GRACE",
    "OMAR",
    "ELENA",
    "MICHAEL",
    "SOFIA",
    "WEI",
    "PRIYA",
    "CARLOS",
    "HANNAH",
    "KWAME",
    "ANA",
    "LUCAS",
)
LAST = (
    "GARCIA",
    "SMITH",
    "NGUYEN",
    "JOHNSON",
    "PATEL",
    "BROWN",
    "KIM",
    "LOPEZ",
    "DAVIS",
    "ALI",
    "MARTINEZ",
    "WILSON",
    "ANDERSON",
    "TAYLOR",
    "THOMAS",
    "MOORE",
    "JACKSON",
    "WHITE",
    "LEE",
)
STREETS = ("MAIN ST", "OAK AVE", "PINE RD", "MAPLE DR", "CEDAR LN", "ELM ST", "PARK BLVD")
CITIES = (("SPRINGFIELD", "80001"), ("RIVERTON", "80002"), ("LAKEWOOD", "80003"))
LETTERS = "ABCDEFGH"
"""A licence number starts with one of these."""
COLUMNS = (*TEXT_FIELDS[:18], "status", "registered_on", "dob", "ssn4", "drivers_license")


def write_file(path: Path, voters: int, seed: int) -> None:
    """The synthetic file, one ``\\n``-ended line per voter (no value needs quoting).

    Lines end in a bare line feed, as the loader cuts a file into parts only then
    (a carriage return makes it read the file in one stream).
    """
    rng = random.Random(seed)
    counties = ("adams", "baker", "clark")
    born = date(1930, 1, 1)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(",".join(COLUMNS) + "\n")
        lines: list[str] = []
        for n in range(voters):
            city, zip_code = CITIES[n % 3]
            lines.append(
                f"CO{n:09d},{counties[n % 3]},{rng.choice(FIRST)},{rng.choice('ABCDEJKLMR')},"
                f"{rng.choice(LAST)},,{rng.randint(1, 9999)} {rng.choice(STREETS)},{city},CO,"
                f"{zip_code},,,,,P-{n % 97 + 1:03d},BS-{n % 5 + 1},"
                f"{rng.choice(('DEM', 'REP', 'UNA', 'LIB', 'GRN'))},{rng.choice('FMX')},active,"
                f"{(date(2000, 1, 1) + timedelta(days=n % 9000)).isoformat()},"
                f"{(born + timedelta(days=rng.randint(0, 27_000))).isoformat()},"
                f"{f'{rng.randint(0, 9999):04d}' if n % 2 else ''},"
                f"{f'{rng.choice(LETTERS)}{rng.randint(10**7, 10**8 - 1)}' if n % 3 else ''}\n"
            )
            if len(lines) == 100_000:
                handle.writelines(lines)
                lines.clear()
        handle.writelines(lines)


def _tests_importable() -> None:
    root = str(BENCH_DIR.parent)
    if root not in sys.path:
        sys.path.insert(0, root)


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """A throw-away PostgreSQL server for the run, as the test suite starts one."""
    _tests_importable()
    from tests.databases import running_postgres

    with running_postgres() as server:
        yield server


@contextlib.contextmanager
def new_postgres_database(server: str) -> Iterator[str]:
    """A fresh database on ``server``, dropped afterwards."""
    _tests_importable()
    from tests.databases import new_database

    with new_database(server, prefix="bench_") as url:
        yield url


@dataclass
class Load:
    """What one load measured, handed back from the process it ran in."""

    backend: str
    seconds: float
    stored: int
    records: int
    verify_seconds: float | None
    verify_problems: list[str]
    peak_mb: int
    peak_helper_mb: int
    helper_cpu: float
    phases: dict[str, float]


@contextlib.contextmanager
def timed_phases(phases: dict[str, float]) -> Iterator[None]:
    """Time the import's parts that run in this process by wrapping them where they are called."""
    wrapped = {
        (voter_files, "sha256_file"): "hash the file (this process)",
        (voter_files, "file_parts"): "cut the file into parts (this process)",
        (voter_import, "_insert_tuples"): "insert rows (this process)",
        (voter_import, "insert_many"): "insert rows (this process)",
        (voter_import, "_create_indexes"): "build the indexes (this process)",
        (voter_import, "publish_map"): "voter map, 4,096 buckets (this process)",
    }
    originals = {key: getattr(*key) for key in wrapped}

    def timer(func: Callable[..., Any], label: str) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                phases[label] = phases.get(label, 0.0) + time.perf_counter() - start

        return run

    for (module, name), label in wrapped.items():
        setattr(module, name, timer(originals[(module, name)], label))
    try:
        yield
    finally:
        for (module, name), func in originals.items():
            setattr(module, name, func)


def load_once(
    data_dir: Path,
    database_url: str | None,
    voter_file: Path,
    *,
    in_parts: bool,
    verify_after: bool,
    sequential: bool,
) -> Load:
    """In a process of its own: import the file into a fresh demo state, check it, measure it.

    A process per load, so each load's peak memory (``ru_maxrss`` of the
    process and of its largest helper) is its own and not the largest so far.
    """
    if sequential:
        voter_import.PARALLEL_FROM = 10**12
    app = load_demo(data_dir, database_url, with_election=False)
    backend = app.engine.dialect.name
    phases: dict[str, float] = {}
    try:
        admin = principal(app, "state-admin")
        assert admin is not None
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        with timed_phases(phases):
            result = import_file(app, admin, voter_file, in_parts=in_parts)
        loaded = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        helper_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        peak_helper = after.ru_maxrss // 1024
        with app.engine.connect() as conn:
            stored = conn.execute(select(func.count()).select_from(VOTERS)).scalar_one()
        checked: float | None = None
        problems: list[str] = []
        if verify_after:
            start = time.perf_counter()
            report = verify(app)
            checked = time.perf_counter() - start
            problems = list(report.problems[:3]) if not report.ok else []
    finally:
        app.engine.dispose()
    return Load(
        backend,
        loaded,
        stored,
        result.records,
        checked,
        problems,
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        peak_helper,
        helper_cpu,
        phases,
    )


def _child(connection: Connection, args: tuple[Any, ...], options: dict[str, Any]) -> None:
    try:
        connection.send(("ok", load_once(*args, **options)))
    except BaseException as exc:  # handed to the parent, which reports it
        connection.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        connection.close()


def in_own_process(
    data_dir: Path,
    database_url: str | None,
    voter_file: Path,
    problems: list[str],
    rows: list[Row],
    **options: Any,
) -> Load | None:
    """One load in a fresh process; a failure is a problem and a row, and the run goes on."""
    context = multiprocessing.get_context("spawn")
    receiving, sending = context.Pipe(duplex=False)
    process = context.Process(
        target=_child, args=(sending, (data_dir, database_url, voter_file), options)
    )
    process.start()
    sending.close()
    try:
        status, value = receiving.recv()
    except EOFError:
        status, value = "error", "the load's process ended without an answer"
    process.join()
    if status == "ok" and isinstance(value, Load):
        return value
    backend = "postgresql" if database_url else "sqlite"
    problems.append(f"the load on {backend} failed: {value}")
    rows.append((f"import {voter_file.name} on {backend}", "-", "failed", "NO"))
    return None


def report(load: Load, voters: int, rows: list[Row], problems: list[str], label: str = "") -> None:
    """Table rows for one load; a correctness problem is added to ``problems``."""
    target = TARGET_SECONDS_PER_MILLION * voters / 1_000_000
    rate = voters / load.seconds
    name = f"{label}import {voters:,} voters on {load.backend}"
    ok_text = "yes" if load.seconds < target else "NO"
    rows.append((name, f"< {target:.0f} s", f"{load.seconds:.1f} s ({rate:,.0f}/s)", ok_text))
    ok = load.stored == voters == load.records
    rows.append(
        (
            f"{label}voters stored == generated ({voters:,}) on {load.backend}",
            "",
            f"{load.stored:,}",
            "yes" if ok else "NO",
        )
    )
    if not ok:
        problems.append(f"stored count differs on {load.backend}")
    if load.verify_seconds is not None:
        rows.append(
            (
                f"{label}verify(app).ok on {load.backend}",
                "",
                f"{load.verify_seconds:.1f} s",
                "NO" if load.verify_problems else "yes",
            )
        )
        if load.verify_problems:
            problems.append(f"verify failed on {load.backend}: " + "; ".join(load.verify_problems))
    rows.append(
        (
            f"{label}peak memory on {load.backend}: loading process / largest helper",
            "-",
            f"{load.peak_mb:,} / {load.peak_helper_mb:,} MB",
            "",
        )
    )


def profile_of(load: Load) -> dict[str, float]:
    """Where a load's time went: its timed parts, the rest, and the helpers' own CPU time."""
    parts = {name: round(seconds, 2) for name, seconds in load.phases.items()}
    rest = load.seconds - sum(load.phases.values())
    parts["waiting for the helpers, Merkle tree, commit, rest (this process)"] = round(rest, 2)
    parts["helpers' CPU time: read, check, seal, hash (2 processes, both cores)"] = round(
        load.helper_cpu, 2
    )
    return dict(sorted(parts.items(), key=lambda item: item[1], reverse=True))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=1_000_000)
    parser.add_argument(
        "--also",
        type=int,
        action="append",
        default=[],
        metavar="VOTERS",
        help="also load a file of this many voters on each backend (time and peak memory, "
        "no reference, no verify), e.g. --also 10000000",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--skip-verify", action="store_true")
    parser.add_argument(
        "--sequential", action="store_true", help="prepare records in the loading process only"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if the target is missed")
    parser.add_argument(
        "--no-reference",
        action="store_true",
        help="leave out the reference load (SQLite, the file read in one stream)",
    )
    parser.add_argument(
        "--postgres-server",
        default="auto",
        help="also load into a fresh database on this PostgreSQL server (a URL without a "
        "database); 'auto' starts a throw-away one, 'none' skips (default auto)",
    )
    options = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="votetrail-bench-voters-"))
    problems: list[str] = []
    rows: list[Row] = [("machine load (1 min) at the start", "-", f"{os.getloadavg()[0]:.2f}", "")]
    seconds: dict[str, float] = {}
    loads: dict[str, Load] = {}
    figures: dict[str, Any] = {"voters": options.voters}
    try:
        with contextlib.ExitStack() as stack:
            server = None
            if options.postgres_server != "none":
                server = options.postgres_server
                if server == "auto":
                    try:
                        server = stack.enter_context(postgres_server())
                    except FileNotFoundError as exc:  # no server binaries
                        rows.append(("import on postgresql", "-", "not run", str(exc)))
                        server = None
            for size in (options.voters, *options.also):
                first = size == options.voters
                voter_file = folder / f"statewide-{size}.csv"
                start = time.perf_counter()
                write_file(voter_file, size, options.seed)
                generated = time.perf_counter() - start
                label = "" if first else f"[{size:,}] "
                rows.append(
                    (
                        f"{label}write the {size:,}-voter file (not timed)",
                        "-",
                        f"{generated:.1f} s",
                        "",
                    )
                )
                verify_after = first and not options.skip_verify
                common = {"verify_after": verify_after, "sequential": options.sequential}
                key = "" if first else f"voters_{size}_"
                sqlite = in_own_process(
                    folder / f"data-{size}",
                    None,
                    voter_file,
                    problems,
                    rows,
                    in_parts=True,
                    **common,
                )
                if sqlite is not None:
                    report(sqlite, size, rows, problems, label)
                    loads[f"{key}sqlite"] = sqlite
                if first and not options.no_reference:
                    first_row = len(rows)
                    reference = in_own_process(
                        folder / "data-ref",
                        None,
                        voter_file,
                        problems,
                        rows,
                        in_parts=False,
                        **common,
                    )
                    if reference is not None:
                        report(reference, size, rows, problems)
                        loads["reference_sqlite_one_stream"] = reference
                    rows[first_row:] = [
                        (f"reference, one stream: {r[0]}", *r[1:]) for r in rows[first_row:]
                    ]
                if sqlite is not None and first and "reference_sqlite_one_stream" in loads:
                    reference = loads["reference_sqlite_one_stream"]
                    rows.append(
                        (
                            "voter load on sqlite: reference / parts time",
                            "-",
                            f"{reference.seconds / sqlite.seconds:.2f}x",
                            "",
                        )
                    )
                if server is not None:
                    with new_postgres_database(server) as url:
                        postgres = in_own_process(
                            folder / f"data-pg-{size}",
                            url,
                            voter_file,
                            problems,
                            rows,
                            in_parts=True,
                            **common,
                        )
                    if postgres is not None:
                        report(postgres, size, rows, problems, label)
                        loads[f"{key}postgresql"] = postgres
                    if postgres is not None and sqlite is not None:
                        rows.append(
                            (
                                f"{label}voter load: postgresql / sqlite rate",
                                "-",
                                f"{sqlite.seconds / postgres.seconds:.2f}x",
                                "",
                            )
                        )
                voter_file.unlink()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    rows.append(("machine load (1 min) at the end", "-", f"{os.getloadavg()[0]:.2f}", ""))
    width = max(len(r[0]) for r in rows)
    print(f"{'figure':<{width}}  {'target':>10}  {'measured':>24}  ok")
    for figure, goal, measured, ok_text in rows:
        print(f"{figure:<{width}}  {goal:>10}  {measured:>24}  {ok_text}")
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    for name, load in loads.items():
        seconds[name] = load.seconds
        if not name.startswith("reference_"):
            figures[f"{name}_seconds"] = round(load.seconds, 2)
            figures[f"{name}_voters_per_s"] = round(load.records / load.seconds)
            figures[f"{name}_peak_rss_mb"] = load.peak_mb
            figures[f"{name}_peak_rss_helper_mb"] = load.peak_helper_mb
    target = TARGET_SECONDS_PER_MILLION * options.voters / 1_000_000
    took = seconds.get("sqlite", float("inf"))
    met = not problems and took < target
    if options.check and took >= target:
        problems.append("import target missed on sqlite")
    shortfall = profile = None
    if "sqlite" in loads and took >= target:
        shortfall = (
            f"{took / target:.2f}x short of {target:.0f} s for {options.voters:,} voters on SQLite "
            f"({took:.1f} s)"
        )
        profile = profile_of(loads["sqlite"])
        print("where the SQLite load's time went (seconds):")
        for name, value in profile.items():
            print(f"  {value:8.2f}  {name}")
    millions = options.voters // 1_000_000
    record(  # a larger list (--voters 10000000) is kept beside the 1M run, not over it
        "bench_voter_load" if options.voters <= 1_000_000 else f"bench_voter_load-{millions}m",
        figures,
        target=f"{options.voters:,} voters in < {target:.0f} s on SQLite; PostgreSQL printed "
        "beside it (issue 21)",
        met=met,
        reference={
            f"{k.removeprefix('reference_')}_seconds": round(v, 2)
            for k, v in seconds.items()
            if k.startswith("reference_")
        },
        notes="PostgreSQL: a local server with fsync off, as the test suite runs it; each load "
        "runs in a process of its own, so its peak memory is its own",
        shortfall=shortfall or "",
        profile=profile,
        smoke=options.voters < SMOKE_BELOW,
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
