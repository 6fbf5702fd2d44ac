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

The target (issue 6): 1,000,000 voters in under 120 s on the 2-core
reference machine. Prints a table of figure / target / measured / ok; exits
1 if a correctness check fails (with ``--check``, also if the target is missed).
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from votetrail.formats.voters.delimited import TEXT_FIELDS
from votetrail.services.directory import principal
from votetrail.services.setup import load_demo
from votetrail.services.verify import verify
from votetrail.services.voters import imports as voter_import
from votetrail.services.voters.files import import_file
from votetrail.store.models import VOTERS

TARGET_SECONDS_PER_MILLION = 120.0
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--skip-verify", action="store_true")
    parser.add_argument(
        "--sequential", action="store_true", help="prepare records in this process only"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if the target is missed")
    options = parser.parse_args(argv)
    if options.sequential:
        voter_import.PARALLEL_FROM = 10**12
    folder = Path(tempfile.mkdtemp(prefix="votetrail-bench-voters-"))
    problems: list[str] = []
    rows: list[tuple[str, str, str, str]] = []
    try:
        voter_file = folder / "statewide.csv"
        start = time.perf_counter()
        write_file(voter_file, options.voters, options.seed)
        generated = time.perf_counter() - start
        app = load_demo(folder / "data", None, with_election=False)
        admin = principal(app, "state-admin")
        assert admin is not None
        start = time.perf_counter()
        result = import_file(app, admin, voter_file)
        loaded = time.perf_counter() - start
        target = TARGET_SECONDS_PER_MILLION * options.voters / 1_000_000
        rate = options.voters / loaded
        rows.append(
            (f"write the {options.voters:,}-voter file (not timed)", "-", f"{generated:.1f} s", "")
        )
        rows.append(
            (
                f"import {options.voters:,} voters",
                f"< {target:.0f} s",
                f"{loaded:.1f} s ({rate:,.0f}/s)",
                "yes" if loaded < target else "NO",
            )
        )
        if loaded >= target and options.check:
            problems.append("import target missed")
        with app.engine.connect() as conn:
            stored = conn.execute(select(func.count()).select_from(VOTERS)).scalar_one()
        ok = stored == options.voters == result.records
        rows.append(
            (
                f"voters stored == generated ({options.voters:,})",
                "",
                f"{stored:,}",
                "yes" if ok else "NO",
            )
        )
        if not ok:
            problems.append("stored count differs")
        if not options.skip_verify:
            start = time.perf_counter()
            report = verify(app)
            checked = time.perf_counter() - start
            rows.append(("verify(app).ok", "", f"{checked:.1f} s", "yes" if report.ok else "NO"))
            if not report.ok:
                problems.append("verify failed: " + "; ".join(report.problems[:3]))
        app.engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    width = max(len(r[0]) for r in rows)
    print(f"{'figure':<{width}}  {'target':>10}  {'measured':>24}  ok")
    for figure, goal, measured, ok_text in rows:
        print(f"{figure:<{width}}  {goal:>10}  {measured:>24}  {ok_text}")
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
