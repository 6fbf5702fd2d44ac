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

The target (issue 21): 1,000,000 voters in under 30 s on the 2-core
reference machine (issue 6 asked for 120 s), with helper processes reading
parts of the file themselves. The reference in the same run is the same file
loaded into SQLite the way it was before issue 21 (read in one stream, one
helper preparing records; ``--no-reference`` leaves it out); the ratio of the
two is printed, with the peak memory of this process and of the largest helper.
Prints a table of figure / target / measured / ok; exits
1 if a correctness check fails (with ``--check``, also if the target is missed).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import random
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from _record import record
from votetrail.formats.voters.delimited import TEXT_FIELDS
from votetrail.services.directory import principal
from votetrail.services.setup import load_demo
from votetrail.services.verify import verify
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
COLUMNS = (*TEXT_FIELDS[:18], "status", "registered_on", "dob", "ssn4", "drivers_license")


def write_file(path: Path, voters: int, seed: int) -> None:
    rng = random.Random(seed)
    counties = ("adams", "baker", "clark")
    born = date(1930, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for n in range(voters):
            city, zip_code = CITIES[n % 3]
            writer.writerow(
                (
                    f"CO{n:09d}",
                    counties[n % 3],
                    rng.choice(FIRST),
                    rng.choice("ABCDEJKLMR"),
                    rng.choice(LAST),
                    "",
                    f"{rng.randint(1, 9999)} {rng.choice(STREETS)}",
                    city,
                    "CO",
                    zip_code,
                    "",
                    "",
                    "",
                    "",
                    f"P-{n % 97 + 1:03d}",
                    f"BS-{n % 5 + 1}",
                    rng.choice(("DEM", "REP", "UNA", "LIB", "GRN")),
                    rng.choice("FMX"),
                    "active",
                    (date(2000, 1, 1) + timedelta(days=n % 9000)).isoformat(),
                    (born + timedelta(days=rng.randint(0, 27_000))).isoformat(),
                    f"{rng.randint(0, 9999):04d}" if n % 2 else "",
                    f"{rng.choice('ABCDEFGH')}{rng.randint(10**7, 10**8 - 1)}" if n % 3 else "",
                )
            )


@contextlib.contextmanager
def postgres_database(server: str) -> Iterator[str]:
    """A fresh database on ``server`` (``auto``: a throw-away server), dropped afterwards."""
    root = str(BENCH_DIR.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    from tests.databases import new_database, running_postgres

    with contextlib.ExitStack() as stack:
        if server == "auto":
            server = stack.enter_context(running_postgres())
        yield stack.enter_context(new_database(server, prefix="bench_"))


def load_once(
    data_dir: Path,
    database_url: str | None,
    voter_file: Path,
    options: argparse.Namespace,
    rows: list[Row],
    problems: list[str],
    *,
    in_parts: bool = True,
) -> float:
    """Import the file into a fresh demo state on one backend, check it; the seconds taken.

    ``in_parts=False`` is the reference: the file read in one stream, as before issue 21.
    """
    app = load_demo(data_dir, database_url, with_election=False)
    backend = app.engine.dialect.name
    first = len(rows)
    try:
        admin = principal(app, "state-admin")
        assert admin is not None
        start = time.perf_counter()
        result = import_file(app, admin, voter_file, in_parts=in_parts)
        loaded = time.perf_counter() - start
        target = TARGET_SECONDS_PER_MILLION * options.voters / 1_000_000
        rate = options.voters / loaded
        rows.append(
            (
                f"import {options.voters:,} voters on {backend}",
                f"< {target:.0f} s",
                f"{loaded:.1f} s ({rate:,.0f}/s)",
                "yes" if loaded < target else "NO",
            )
        )
        if loaded >= target and options.check and in_parts:
            problems.append(f"import target missed on {backend}")
        with app.engine.connect() as conn:
            stored = conn.execute(select(func.count()).select_from(VOTERS)).scalar_one()
        ok = stored == options.voters == result.records
        rows.append(
            (
                f"voters stored == generated ({options.voters:,}) on {backend}",
                "",
                f"{stored:,}",
                "yes" if ok else "NO",
            )
        )
        if not ok:
            problems.append(f"stored count differs on {backend}")
        if not options.skip_verify:
            start = time.perf_counter()
            report = verify(app)
            checked = time.perf_counter() - start
            rows.append(
                (
                    f"verify(app).ok on {backend}",
                    "",
                    f"{checked:.1f} s",
                    "yes" if report.ok else "NO",
                )
            )
            if not report.ok:
                problems.append(f"verify failed on {backend}: " + "; ".join(report.problems[:3]))
    finally:
        app.engine.dispose()
    if not in_parts:
        rows[first:] = [(f"reference, one stream: {r[0]}", *r[1:]) for r in rows[first:]]
    return loaded


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--skip-verify", action="store_true")
    parser.add_argument(
        "--sequential", action="store_true", help="prepare records in this process only"
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
    if options.sequential:
        voter_import.PARALLEL_FROM = 10**12
    folder = Path(tempfile.mkdtemp(prefix="votetrail-bench-voters-"))
    problems: list[str] = []
    rows: list[Row] = []
    seconds: dict[str, float] = {}
    try:
        voter_file = folder / "statewide.csv"
        start = time.perf_counter()
        write_file(voter_file, options.voters, options.seed)
        generated = time.perf_counter() - start
        rows.append(
            (f"write the {options.voters:,}-voter file (not timed)", "-", f"{generated:.1f} s", "")
        )
        seconds["sqlite"] = load_once(folder / "data", None, voter_file, options, rows, problems)
        if not options.no_reference:
            reference = load_once(
                folder / "data-ref", None, voter_file, options, rows, problems, in_parts=False
            )
            seconds["reference_sqlite_one_stream"] = reference
            rows.append(
                (
                    "voter load on sqlite: reference / parts time",
                    "-",
                    f"{reference / seconds['sqlite']:.2f}x",
                    "",
                )
            )
        if options.postgres_server != "none":
            try:
                with postgres_database(options.postgres_server) as url:
                    seconds["postgresql"] = load_once(
                        folder / "data-pg", url, voter_file, options, rows, problems
                    )
            except FileNotFoundError as exc:  # no server binaries for ``auto``
                rows.append(("import on postgresql", "-", "not run", str(exc)))
            if "postgresql" in seconds:
                ratio = seconds["sqlite"] / seconds["postgresql"]
                rows.append(("voter load: postgresql / sqlite rate", "-", f"{ratio:.2f}x", ""))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    peak = {
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "peak_rss_helper_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024,
    }
    rows.append(
        (
            "peak memory: this process / largest helper",
            "-",
            f"{peak['peak_rss_mb']} / {peak['peak_rss_helper_mb']} MB",
            "",
        )
    )
    width = max(len(r[0]) for r in rows)
    print(f"{'figure':<{width}}  {'target':>10}  {'measured':>24}  ok")
    for figure, goal, measured, ok_text in rows:
        print(f"{figure:<{width}}  {goal:>10}  {measured:>24}  {ok_text}")
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    target = TARGET_SECONDS_PER_MILLION * options.voters / 1_000_000
    record(
        "bench_voter_load",
        {
            "voters": options.voters,
            **peak,
            **{f"{name}_seconds": round(value, 2) for name, value in seconds.items()},
            **{f"{name}_voters_per_s": round(options.voters / v) for name, v in seconds.items()},
        },
        target=f"{options.voters:,} voters in < {target:.0f} s on SQLite; PostgreSQL printed "
        "beside it (issue 21)",
        met=not problems and seconds.get("sqlite", target) < target,
        reference={
            f"{k.removeprefix('reference_')}_seconds": round(v, 2)
            for k, v in seconds.items()
            if k.startswith("reference_")
        },
        notes="PostgreSQL: a local server with fsync off, as the test suite runs it",
        smoke=options.voters < SMOKE_BELOW,
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
