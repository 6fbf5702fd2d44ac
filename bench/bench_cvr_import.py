"""Benchmark importing Dominion CVR exports into SQLite, ledger root included.

Run from the project root::

    .venv/bin/python bench/bench_cvr_import.py                 # 1,000,000 CVRs in 10 files
    .venv/bin/python bench/bench_cvr_import.py --cvrs 100000   # a quicker look

It generates synthetic Dominion Democracy Suite CSV exports with the structure
of a real one (the four header rows of the Arlo "medium election" fixture:
election and version, "Lord of Coin (Vote For=1)" over five choice columns, the
choice names, the eight card-detail headings), imports them with
``services.counting.uploads.import_cvrs`` into a fresh SQLite log and times that call
end to end: file hashing, CSV parsing, canonical JSON per CVR, the Merkle root,
the inserts, the logged upload event and the commit. Building the log and the
county is not timed.

The same CVRs are also written as Dominion ``CvrExport_N.json`` files (one
object with ``Sessions``, ``--json-per-file`` sessions a file, as Democracy
Suite splits them) and loaded with the standard ``json.load`` into dicts: the
reference ratio compares votetrail's whole import of the CSV files with only
*parsing* the JSON files, nothing stored and nothing hashed. votetrail has no
Dominion JSON reader yet, so the two runs read different files of the same CVRs.

Afterwards the import is checked: the stored record count, ``verify(app).ok``
and the tabulated totals (``services.counting.results.results``) against the totals the
generator knows it wrote. The JSON dicts are counted the same way, so both
formats demonstrably hold the same ballots.

The same import then runs on PostgreSQL in the same run (issue 21), into a
fresh database (``--postgres-server auto``, the default, starts a throw-away
server from the distribution's binaries as the test suite does; a URL without a
database names a server; ``none`` leaves it out), with the same checks; its rate
is printed beside SQLite's.

It prints one table of figure / target / measured / ok and exits 0, or 1 if a
correctness check fails (with ``--check``, also if a target is missed).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import gc
import json
import os
import random
import resource
import shutil
import signal
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from sqlalchemy import func, select

from _record import record, where_time_goes
from votetrail.services.context import App
from votetrail.services.counting.results import results
from votetrail.services.counting.uploads import import_cvrs
from votetrail.services.directory import add_jurisdiction
from votetrail.services.setup import SYSTEM_ACTOR, init
from votetrail.services.unit_of_work import unit_of_work
from votetrail.services.verify import verify
from votetrail.store.models import CVRS

RATE_TARGET = 50_000.0  # CVRs per second, end to end
MEMORY_TARGET_MB = 1536.0  # peak resident set size of the whole process
SMOKE_BELOW = 100_000  # smaller runs are looks or smoke tests: nothing recorded
BENCH_DIR = Path(__file__).resolve().parent

ORIGIN = "bench.votetrail.localhost/log"
ACTOR = "bench"
STATE = ("st", "State")
COUNTY = ("county", "Bench County")
TEMPLATE = Path("/work/shared/data/cvr/arlo-fixtures/medium-election/Acton - cvrs.csv")

# The header rows of the real export above, used when that file is not on this machine.
FALLBACK_HEADER = (
    ("Medium Election", "5.2.16.1", *[""] * 11),
    (*[""] * 8, *["Lord of Coin (Vote For=1)"] * 5),
    (*[""] * 8, "Billie Mitchell", "Gabe Booth", "Ray Hart", "Erin Willis", "Write-In"),
    (
        "CvrNumber",
        "TabulatorNum",
        "BatchId",
        "RecordId",
        "ImprintedId",
        "CountingGroup",
        "PrecinctPortion",
        "BallotType",
        *[""] * 5,
    ),
)
# Marks drawn with the weights of the fixture's totals (medium-election.spec.json):
# 20,000 ballots, 10,000 / 7,000 / 500 / 100 / 500 votes, the rest blank; plus a
# few overvotes, which the real fixture lacks but real elections have.
CHOICE_WEIGHTS = (10_000, 7_000, 500, 100, 500)
BLANK_WEIGHT = 1_880
OVERVOTE_WEIGHT = 20
COUNTING_GROUPS = ("Election Day", "Mail", "Early Voting")
PRECINCTS = 40
BALLOT_TYPES = 6
BATCH_SIZE = 250  # cards per batch, as a tabulator's batches are a few hundred
BATCHES_PER_TABULATOR = 40


@dataclass(frozen=True)
class Options:
    cvrs: int
    files: int
    json_per_file: int
    data_dir: Path | None
    keep: bool
    template: Path | None
    seed: int
    tracemalloc: bool
    skip_json: bool
    check: bool
    postgres_server: str = "auto"


@dataclass(frozen=True)
class Figure:
    name: str
    target: str
    measured: str
    ok: bool | None


@dataclass
class Report:
    figures: list[Figure] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    rate: float = 0.0
    import_seconds: float = 0.0
    json_seconds: float = 0.0
    peak_rss_mb: float = 0.0
    postgres_rate: float | None = None
    profile: dict[str, float] = field(default_factory=dict)

    def add(self, name: str, target: str, measured: str, ok: bool | None = None) -> None:
        self.figures.append(Figure(name, target, measured, ok))

    def check(self, name: str, passed: bool, detail: str = "") -> None:
        self.add(name, "yes", "yes" if passed else f"NO {detail}".rstrip(), passed)
        if not passed:
            self.problems.append(f"{name} {detail}".rstrip())

    @property
    def missed(self) -> list[Figure]:
        return [f for f in self.figures if f.ok is False]


@dataclass(frozen=True)
class Header:
    election: str
    version: str
    contest: str  # the plain name, e.g. "Lord of Coin"
    votes_allowed: int
    choices: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass
class Totals:
    """What the generator wrote: the tabulation the import must reproduce."""

    cvrs: int = 0
    ballots: int = 0
    overvotes: int = 0
    undervotes: int = 0
    tally: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Generated:
    csv_files: list[Path]
    json_files: list[Path]
    totals: Totals
    csv_bytes: int
    json_bytes: int


# --- generating the files ---------------------------------------------------------------


def read_header(template: Path | None) -> Header:
    """The four header rows of a real export (or of the fixture, if it is absent)."""
    rows: tuple[tuple[str, ...], ...]
    if template is not None and template.is_file():
        with template.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            rows = tuple(tuple(next(reader)) for _ in range(4))
    else:
        rows = FALLBACK_HEADER
    first, contests, choice_row, columns = rows
    expected = list(FALLBACK_HEADER[3][:8])
    if list(columns[:8]) != expected:
        raise SystemExit(f"the template's detail columns are not {expected}")
    labels = {cell for cell in contests if cell}
    if len(labels) != 1:
        raise SystemExit("the generator follows a template with exactly one contest")
    label = labels.pop()
    name, _, limit = label.rpartition(" (Vote For=")
    choices = tuple(c for c, heading in zip(choice_row, contests, strict=True) if heading)
    if len(choices) != len(CHOICE_WEIGHTS):
        raise SystemExit(f"the generator expects {len(CHOICE_WEIGHTS)} choices")
    return Header(first[0], first[1], name, int(limit.rstrip(")")), choices, rows)


def _csv_line(cells: Sequence[str]) -> str:
    return ",".join(cells) + "\n"


def generate(folder: Path, options: Options, header: Header) -> Generated:
    """Write the CSV exports and the JSON exports of the same CVRs, counting what is written."""
    rng = random.Random(options.seed)
    n_choices = len(header.choices)
    outcomes: list[int | str] = [*range(n_choices), "blank", "over"]
    weights = [*CHOICE_WEIGHTS, BLANK_WEIGHT, OVERVOTE_WEIGHT]
    totals = Totals(tally=dict.fromkeys(header.choices, 0))
    csv_dir, json_dir = folder / "csv", folder / "json"
    csv_dir.mkdir()
    json_dir.mkdir()
    per_csv = -(-options.cvrs // options.files)
    csv_files: list[Path] = []
    json_files: list[Path] = []
    csv_handle: Any = None
    sessions: list[dict[str, Any]] = []
    tabulator, batch, record = 0, 0, 0

    def flush_json() -> None:
        path = json_dir / f"CvrExport_{len(json_files)}.json"
        with path.open("w", encoding="utf-8") as handle:
            json.dump(
                {"Version": header.version, "ElectionId": header.election, "Sessions": sessions},
                handle,
            )
        json_files.append(path)
        sessions.clear()

    for number in range(options.cvrs):
        if number % per_csv == 0:
            if csv_handle is not None:
                csv_handle.close()
            path = csv_dir / f"CVR_Export_{len(csv_files) + 1}.csv"
            csv_handle = path.open("w", encoding="utf-8", newline="")
            csv_handle.writelines(_csv_line(row) for row in header.rows)
            csv_files.append(path)
        if record % BATCH_SIZE == 0:
            record = 0
            batch += 1
            if batch > BATCHES_PER_TABULATOR:
                batch, tabulator = 1, tabulator + 1
        record += 1
        outcome = rng.choices(outcomes, weights)[0]
        if outcome == "blank":
            marked: list[int] = []
        elif outcome == "over":
            marked = sorted(rng.sample(range(n_choices), 2))
        else:
            assert isinstance(outcome, int)
            marked = [outcome]
        totals.cvrs += 1
        totals.ballots += 1
        if len(marked) > header.votes_allowed:
            totals.overvotes += 1
        else:
            totals.undervotes += header.votes_allowed - len(marked)
            for index in marked:
                totals.tally[header.choices[index]] += 1
        tab_name = f"Tabulator {tabulator + 1}"
        batch_name = f"Batch {batch}"
        group = number % len(COUNTING_GROUPS)
        precinct = rng.randrange(PRECINCTS) + 1
        ballot_type = precinct % BALLOT_TYPES + 1
        cells = ["0"] * n_choices
        for index in marked:
            cells[index] = "1"
        csv_handle.write(
            f"{number},{tab_name},{batch_name},{record},{tab_name}-{batch_name}-{record},"
            f"{COUNTING_GROUPS[group]},precinct-portion-{precinct},ballot-type-{ballot_type},"
            + ",".join(cells)
            + "\n"
        )
        if options.skip_json:
            continue
        sessions.append(
            {
                "TabulatorId": tabulator + 1,
                "BatchId": batch,
                "RecordId": record,
                "CountingGroupId": group + 1,
                "ImageMask": f"D:\\NAS\\Election\\Results\\Tabulator{tabulator + 1:05d}"
                f"\\Batch{batch:03d}\\Images\\{tabulator + 1:05d}_{batch:05d}_{record:06d}*.*",
                "SessionType": "ScannedVote",
                "VotingSessionIdentifier": "",
                "UniqueVotingIdentifier": "",
                "Original": {
                    "PrecinctPortionId": precinct,
                    "BallotTypeId": ballot_type,
                    "IsCurrent": True,
                    "Cards": [
                        {
                            "Id": number + 1,
                            "KeyInId": number + 1,
                            "PaperIndex": 0,
                            "Contests": [
                                {
                                    "Id": 1,
                                    "ManifestationId": 1,
                                    "Undervotes": max(0, header.votes_allowed - len(marked)),
                                    "Overvotes": max(0, len(marked) - header.votes_allowed),
                                    "OutstackConditionIds": [],
                                    "Marks": [
                                        {
                                            "CandidateId": index + 1,
                                            "ManifestationId": index + 1,
                                            "PartyId": 0,
                                            "Rank": 1,
                                            "MarkDensity": 100,
                                            "IsAmbiguous": False,
                                            "IsVote": len(marked) <= header.votes_allowed,
                                            "OutstackConditionIds": [],
                                        }
                                        for index in marked
                                    ],
                                }
                            ],
                            "OutstackConditionIds": [],
                        }
                    ],
                },
            }
        )
        if len(sessions) >= options.json_per_file:
            flush_json()
    if csv_handle is not None:
        csv_handle.close()
    if sessions:
        flush_json()
    return Generated(
        csv_files,
        json_files,
        totals,
        sum(p.stat().st_size for p in csv_files),
        sum(p.stat().st_size for p in json_files),
    )


# --- measuring ------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    """The process's peak resident set so far (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024


def _load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def _new_log(folder: Path, database_url: str | None = None) -> App:
    app = init(folder, database_url, ORIGIN, state=STATE).app
    with unit_of_work(app, SYSTEM_ACTOR) as uow:
        add_jurisdiction(uow, COUNTY[0], COUNTY[1], "county", STATE[0])
    return app


def bench_import(app: App, generated: Generated, options: Options, report: Report) -> int:
    gc.collect()
    rss_before = peak_rss_mb()
    if options.tracemalloc:
        tracemalloc.start()
    start, start_cpu = time.perf_counter(), time.process_time()
    upload = import_cvrs(app, ACTOR, COUNTY[0], generated.csv_files)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - start_cpu
    traced = tracemalloc.get_traced_memory()[1] if options.tracemalloc else None
    if options.tracemalloc:
        tracemalloc.stop()
    report.peak_rss_mb = peak_rss_mb()
    report.import_seconds = seconds
    rate = options.cvrs / seconds if seconds else float("inf")
    report.rate = rate
    mb = generated.csv_bytes / 1e6
    report.add(
        f"import {options.cvrs:,} CVRs on sqlite in {len(generated.csv_files)} CSV files "
        f"({mb:,.0f} MB), one transaction",
        f">= {RATE_TARGET:,.0f} CVRs/s",
        f"{rate:,.0f} CVRs/s ({seconds:.1f} s; {cpu:.1f} s CPU in-process)",
        rate >= RATE_TARGET,
    )
    memory_note = f"{report.peak_rss_mb:,.0f} MB (before the import {rss_before:,.0f} MB)"
    if options.tracemalloc:
        memory_note += " - tracemalloc inflates it"
    report.add(
        "peak RSS of the process, through the import",
        f"< {MEMORY_TARGET_MB:,.0f} MB",
        memory_note,
        report.peak_rss_mb < MEMORY_TARGET_MB,
    )
    if traced is not None:
        report.add(
            "peak Python allocations in the import (tracemalloc)", "-", f"{traced / 2**20:,.0f} MB"
        )
    report.add("Merkle root of the upload", "-", upload.merkle_root[:16] + "...")
    return upload.records


def profile_import(scratch: Path, generated: Generated, report: Report) -> None:
    """Where an import's time goes, when the rate is missed: the first file again, under cProfile.

    One file of the ten is enough to rank the parts (the work is the same per
    card) and keeps the profiler's overhead from doubling the run.
    """
    app = _new_log(scratch / "profiled")
    try:
        _upload, report.profile = where_time_goes(
            lambda: import_cvrs(app, ACTOR, COUNTY[0], generated.csv_files[:1])
        )
    finally:
        app.engine.dispose()


def bench_json(generated: Generated, report: Report) -> Totals:
    """Time ``json.load`` of every JSON export into dicts; count what was read afterwards."""
    totals = Totals()
    tally: dict[int, int] = {}
    elapsed = cpu = 0.0
    for path in generated.json_files:
        start, start_cpu = time.perf_counter(), time.process_time()
        with path.open("rb") as handle:
            data = json.load(handle)
        elapsed += time.perf_counter() - start
        cpu += time.process_time() - start_cpu
        for session in data["Sessions"]:
            totals.cvrs += 1
            for card in session["Original"]["Cards"]:
                for contest in card["Contests"]:
                    totals.ballots += 1
                    totals.overvotes += 1 if contest["Overvotes"] else 0
                    totals.undervotes += contest["Undervotes"]
                    for mark in contest["Marks"]:
                        if mark["IsVote"]:
                            tally[mark["CandidateId"]] = tally.get(mark["CandidateId"], 0) + 1
        del data
    report.json_seconds = elapsed
    count = len(generated.json_files)
    report.add(
        f"json.load of the same CVRs as {count} CvrExport JSON files "
        f"({generated.json_bytes / 1e6:,.0f} MB), parse only",
        "-",
        f"{totals.cvrs / elapsed:,.0f} CVRs/s ({elapsed:.1f} s; {cpu:.1f} s CPU)",
    )
    if report.import_seconds and elapsed:  # both timed
        ratio = report.import_seconds / elapsed
        report.add(
            "ratio: votetrail import time (CSV) / json.load time (JSON)",
            "-",
            f"{ratio:.2f}x (inverse {1 / ratio:.2f}x: votetrail's whole import runs at "
            f"{1 / ratio:.2f}x the CVRs/s of json.load's parsing alone)",
        )
    totals.tally = {str(k): v for k, v in sorted(tally.items())}
    return totals


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


def bench_postgres(scratch: Path, generated: Generated, options: Options, report: Report) -> None:
    """The same import into PostgreSQL, same checks; its rate beside SQLite's (issue 21)."""
    try:
        with postgres_database(options.postgres_server) as url:
            app = _new_log(scratch / "data-pg", url)
            try:
                start, start_cpu = time.perf_counter(), time.process_time()
                upload = import_cvrs(app, ACTOR, COUNTY[0], generated.csv_files)
                seconds = time.perf_counter() - start
                cpu = time.process_time() - start_cpu
                rate = options.cvrs / seconds if seconds else float("inf")
                report.postgres_rate = rate
                report.add(
                    f"import {options.cvrs:,} CVRs on postgresql, the same files",
                    "-",
                    f"{rate:,.0f} CVRs/s ({seconds:.1f} s; {cpu:.1f} s CPU in-process)",
                )
                if report.rate:
                    report.add(
                        "CVR import: postgresql / sqlite rate in this run",
                        "-",
                        f"{rate / report.rate:.2f}x",
                    )
                check_import(app, upload.records, generated, options, report, "postgresql")
            finally:
                app.engine.dispose()
    except FileNotFoundError as exc:  # no server binaries for ``auto``
        report.add("import on postgresql", "-", f"not run: {exc}")


def check_import(
    app: App,
    stored: int,
    generated: Generated,
    options: Options,
    report: Report,
    backend: str = "sqlite",
) -> None:
    expected = generated.totals
    with app.engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(CVRS)).scalar() or 0
    report.check(
        f"CVRs stored == generated ({options.cvrs:,}) on {backend}",
        stored == rows == expected.cvrs == options.cvrs,
        f"(upload says {stored:,}, table holds {rows:,})",
    )
    start = time.perf_counter()
    counted = results(app, COUNTY[0])
    seconds = time.perf_counter() - start
    got = [(c.name, c.ballots, c.overvotes, c.undervotes, dict(c.tally)) for c in counted]
    header = read_header(options.template)
    want = [
        (header.contest, expected.ballots, expected.overvotes, expected.undervotes, expected.tally)
    ]
    report.check(
        f"tabulated totals == the generator's on {backend}", got == want, f"{got} != {want}"
    )
    report.add(
        f"tabulate the stored CVRs on {backend} (services.counting.results)",
        "-",
        f"{seconds:.1f} s",
    )
    start = time.perf_counter()
    verified = verify(app)
    seconds = time.perf_counter() - start
    report.check(f"verify(app).ok on {backend}", verified.ok, "; ".join(verified.problems[:3]))
    report.add(
        f"verify the log and the upload's {stored:,} records on {backend}",
        "-",
        f"{seconds:.1f} s",
    )


def check_json(read: Totals, generated: Generated, report: Report) -> None:
    expected = generated.totals
    same = (
        read.cvrs == expected.cvrs
        and read.ballots == expected.ballots
        and read.overvotes == expected.overvotes
        and read.undervotes == expected.undervotes
        and read.tally == {str(i + 1): v for i, v in enumerate(expected.tally.values()) if v}
    )
    report.check("JSON files hold the same totals", same)


# --- driver ---------------------------------------------------------------------------------


def run(options: Options) -> Report:
    report = Report()
    header = read_header(options.template)
    scratch = Path(tempfile.mkdtemp(prefix="votetrail-bench-cvr-"))
    data_dir = options.data_dir if options.data_dir is not None else scratch / "data"
    try:
        report.add("load average at start (1 / 5 / 15 min)", "-", _load())
        start = time.perf_counter()
        generated = generate(scratch, options, header)
        print(
            f"generated {options.cvrs:,} CVRs in {time.perf_counter() - start:.1f} s "
            f"({generated.csv_bytes / 1e6:,.0f} MB CSV, {generated.json_bytes / 1e6:,.0f} MB JSON)"
            f" in {scratch}; data dir {data_dir}",
            file=sys.stderr,
        )
        app = _new_log(data_dir)
        try:
            stored = bench_import(app, generated, options, report)
            print(f"imported in {report.import_seconds:.1f} s, checking", file=sys.stderr)
            if not options.skip_json:
                check_json(bench_json(generated, report), generated, report)
            check_import(app, stored, generated, options, report)
        finally:
            app.engine.dispose()
        if report.rate < RATE_TARGET:
            profile_import(scratch, generated, report)
        if options.postgres_server != "none":
            bench_postgres(scratch, generated, options, report)
        report.add("load average at end (1 / 5 / 15 min)", "-", _load())
    finally:
        if options.keep:
            print(f"kept {scratch}", file=sys.stderr)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    return report


def render(report: Report) -> str:
    head = ("figure", "target", "measured", "ok")
    rows = [
        (f.name, f.target, f.measured, "-" if f.ok is None else ("yes" if f.ok else "NO"))
        for f in report.figures
    ]
    widths = [max(len(r[c]) for r in [head, *rows]) for c in range(4)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [head, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--cvrs", type=int, default=1_000_000, help="CVRs to generate (default 1,000,000)"
    )
    parser.add_argument(
        "--files", type=int, default=10, help="CSV files to split them into (default 10)"
    )
    parser.add_argument(
        "--json-per-file",
        type=int,
        default=10_000,
        help="sessions per CvrExport JSON file (default 10,000)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="data directory for the log (default: inside the temporary directory); must be new",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the temporary directory (generated files, and the log unless --data-dir)",
    )
    parser.add_argument(
        "--template",
        type=Path,
        default=TEMPLATE,
        help="a real Dominion CSV export whose header rows to copy (default: the Arlo fixture)",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also trace Python allocations (much slower)"
    )
    parser.add_argument(
        "--skip-json", action="store_true", help="skip the JSON files and the json.load reference"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed too")
    parser.add_argument(
        "--postgres-server",
        default="auto",
        help="also import into a fresh database on this PostgreSQL server (a URL without a "
        "database); 'auto' starts a throw-away one, 'none' skips (default auto)",
    )
    args = parser.parse_args(argv)
    if args.cvrs < 1 or args.files < 1 or args.json_per_file < 1:
        parser.error("--cvrs, --files and --json-per-file must be at least 1")
    if args.files > args.cvrs:
        parser.error("--files cannot exceed --cvrs")
    return Options(
        cvrs=args.cvrs,
        files=args.files,
        json_per_file=args.json_per_file,
        data_dir=args.data_dir,
        keep=args.keep,
        template=args.template,
        seed=args.seed,
        tracemalloc=args.tracemalloc,
        skip_json=args.skip_json,
        check=args.check,
        postgres_server=args.postgres_server,
    )


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    report = run(options)
    print(render(report))
    save(options, report)
    if report.problems:
        print("FAILED: " + "; ".join(report.problems))
        return 1
    missed = report.missed
    print("missed: " + "; ".join(f.name for f in missed) if missed else "all targets met")
    return 1 if options.check and missed else 0


def save(options: Options, report: Report) -> None:
    """Leave the run's figures for the README generator (``bench/_record.py``)."""
    figures: dict[str, Any] = {
        "cvrs": options.cvrs,
        "sqlite_cvrs_per_s": round(report.rate),
        "sqlite_seconds": round(report.import_seconds, 2),
        "peak_rss_mb": round(report.peak_rss_mb),
    }
    if report.postgres_rate is not None:
        figures["postgresql_cvrs_per_s"] = round(report.postgres_rate)
    reference: dict[str, Any] = {}
    if report.json_seconds:
        reference["json_load_cvrs_per_s"] = round(options.cvrs / report.json_seconds)
    record(
        "bench_cvr_import",
        figures,
        target=f">= {RATE_TARGET:,.0f} CVRs/s end to end on SQLite, peak RSS < "
        f"{MEMORY_TARGET_MB:,.0f} MB; PostgreSQL printed beside it (issue 21)",
        met=not report.missed and not report.problems,
        reference=reference,
        shortfall=(
            f"{RATE_TARGET / report.rate:.2f}x short of {RATE_TARGET:,.0f} CVRs/s"
            if report.rate < RATE_TARGET
            else ""
        ),
        profile=report.profile,
        notes="PostgreSQL: a local server with fsync off, as the test suite runs it",
        smoke=options.cvrs < SMOKE_BELOW,
    )


def _exit_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds, so the temporary directory is still removed


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    sys.exit(main())
