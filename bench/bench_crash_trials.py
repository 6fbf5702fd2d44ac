"""SIGKILL trials: kill the real ``votetrail`` command at random moments and check the log.

Run from the project root::

    .venv/bin/python bench/bench_crash_trials.py                  # 3 minutes, both backends
    .venv/bin/python bench/bench_crash_trials.py --minutes 1 --backends sqlite

Four commands are interrupted, each a large piece of work in one transaction:
``votetrail cvr import`` of generated Dominion CSV exports, ``votetrail voters
import`` of a generated statewide voter file, ``votetrail netmon ingest`` of a
generated Zeek ``conn.log`` and ``votetrail lat session result`` (an L&A
session step: a tabulator's report recorded and compared with the deck).

A trial starts from a fresh copy of a prepared state (the demo state with an
L&A session open and a device under test: a copied data directory and, on
PostgreSQL, a database made from a template), starts the command in its own
process group, sends SIGKILL after a seeded random delay between the time the
program takes to start and the time the whole command takes (both measured
first), and then checks:

* ``verify`` is clean (the same check ``votetrail verify`` runs);
* the log and the tables hold all or none of the interrupted work: the log's
  size and the kind's row count are either those before the command or those
  after a run that completed;
* no process of the killed command is left running (a helper process would
  otherwise keep working on a dead command's behalf);
* running the same command again completes it, and running it once more after
  that changes neither the log nor the rows.

It prints, per kind and backend, the trials run, how many had a clean verify,
how many were "all or none", and how many kills landed after the commit.
Exit 1 if any trial failed a check. ``tests/services/test_crash_safety.py``
runs the same trials a few times per kind in ``make test``.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from sqlalchemy import Table, func, select

from _record import record
from votetrail.cli.main import run as run_cli
from votetrail.formats.election.yaml import write_yaml
from votetrail.services.context import open_app
from votetrail.services.demo.lat import demo_definition
from votetrail.services.setup import DEMO_PASSWORD, load_demo
from votetrail.services.verify import verify
from votetrail.store.models import CVRS, LAT_RESULTS, NETMON_INGESTS, VOTERS

ROOT = Path(__file__).resolve().parent.parent
VOTETRAIL = Path(sys.executable).parent / "votetrail"
KINDS = ("cvr", "voters", "netmon", "lat")
SESSION = "adams-lat-1"  # the first L&A session of a county gets this id


def _load_sibling(name: str) -> object:
    """The file generators of the other benchmarks (one generator per format in the repo)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.bench_loader import load_bench

    return load_bench(name)


@dataclass(frozen=True)
class Sizes:
    cvrs: int = 40_000
    voters: int = 20_000
    netmon_lines: int = 150_000


@dataclass(frozen=True)
class Job:
    """One command to interrupt: its arguments and the table its work fills."""

    kind: str
    argv: tuple[str, ...]
    table: Table


@dataclass(frozen=True)
class Target:
    """One copy of the prepared state: a data directory and its database URL (None: SQLite)."""

    data_dir: Path
    url: str | None

    def args(self) -> list[str]:
        extra = ["--data-dir", str(self.data_dir)]
        return extra + (["--database-url", self.url] if self.url else [])


@dataclass(frozen=True)
class State:
    log_size: int
    rows: int


@dataclass
class Tally:
    trials: int = 0
    clean_verifies: int = 0
    all_or_none: int = 0
    after_commit: int = 0
    finished_first: int = 0
    completed_on_rerun: int = 0
    problems: list[str] = field(default_factory=list)


def write_inputs(folder: Path, sizes: Sizes) -> dict[str, Job]:
    """The four commands' input files, generated with the other benchmarks' generators."""
    folder.mkdir(parents=True, exist_ok=True)
    cvr_bench = _load_sibling("bench_cvr_import")
    options = cvr_bench.parse_args(  # type: ignore[attr-defined]
        ["--cvrs", str(sizes.cvrs), "--files", "2", "--skip-json"]
    )
    header = cvr_bench.read_header(options.template)  # type: ignore[attr-defined]
    (folder / "cvr").mkdir()
    generated = cvr_bench.generate(folder / "cvr", options, header)  # type: ignore[attr-defined]
    voter_file = folder / "voters.csv"
    _load_sibling("bench_voter_load").write_file(voter_file, sizes.voters, 2026)  # type: ignore[attr-defined]
    conn_log = folder / "conn.log"
    _load_sibling("bench_netmon_pipeline").write_conn_log(conn_log, sizes.netmon_lines)  # type: ignore[attr-defined]
    definition = folder / "adams.yaml"
    definition.write_text(write_yaml(demo_definition("adams", "Adams County")), encoding="utf-8")
    report = folder / "icp1.json"
    code = run_cli(
        ["lat", "deck", str(definition), "--format", "cvr", "--precinct", "Adams P-1",
         "--tabulator", "ICP-1", "--output", str(report)]
    )  # fmt: skip
    if code != 0:
        raise SystemExit("could not write the L&A deck's report")
    return {
        "cvr": Job(
            "cvr",
            ("cvr", "import", *map(str, generated.csv_files), "--jurisdiction", "adams"),
            CVRS,
        ),
        "voters": Job(
            "voters", ("voters", "import", str(voter_file), "--user", "state-admin"), VOTERS
        ),
        "netmon": Job("netmon", ("netmon", "ingest", str(conn_log)), NETMON_INGESTS),
        "lat": Job(
            "lat",
            (
                "lat",
                "session",
                "result",
                SESSION,
                "--serial",
                "ICP-1",
                str(report),
                "--user",
                "adams-admin",
            ),
            LAT_RESULTS,
        ),
    }


def _pg(server: str, sql: str) -> None:
    url = server.replace("postgresql+psycopg", "postgresql") + "/postgres"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


class Copies:
    """A prepared state and fresh copies of it, on SQLite or on one PostgreSQL server."""

    def __init__(self, folder: Path, server: str | None, inputs: Path) -> None:
        self.folder = folder
        self.server = server
        self.template_db = "tmpl_" + uuid.uuid4().hex[:12] if server else None
        self.template_dir = folder / "template"
        self.made: list[str] = []
        if server is not None:
            _pg(server, f'CREATE DATABASE "{self.template_db}"')
        url = f"{server}/{self.template_db}" if server else None
        app = load_demo(self.template_dir, url, with_election=False)
        app.engine.dispose()
        target = Target(self.template_dir, url)
        os.environ["VOTETRAIL_PASSWORD"] = DEMO_PASSWORD
        definition = inputs / "adams.yaml"
        for argv in (
            ["lat", "session", "open", "--county", "adams", "--definition", str(definition),
             "--phase", "pre", "--date", "2026-10-20", "--location", "Office",
             "--user", "adams-admin"],
            ["lat", "session", "device", SESSION, "--serial", "ICP-1", "--seal", "S-1",
             "--precinct", "Adams P-1", "--user", "adams-admin"],
        ):  # fmt: skip
            if run_cli([*argv, *target.args()]) != 0:
                raise SystemExit(f"could not prepare the L&A session: {' '.join(argv[:3])}")
        if server is not None:  # the commands above leave pooled connections to the template
            _pg(
                server,
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE datname = '{self.template_db}' AND pid <> pg_backend_pid()",
            )

    def fresh(self) -> Target:
        name = uuid.uuid4().hex[:12]
        data_dir = self.folder / f"copy-{name}"
        shutil.copytree(self.template_dir, data_dir)
        if self.server is None:
            return Target(data_dir, None)
        database = f"t_{name}"
        _pg(self.server, f'CREATE DATABASE "{database}" TEMPLATE "{self.template_db}"')
        self.made.append(database)
        return Target(data_dir, f"{self.server}/{database}")

    def discard(self, target: Target) -> None:
        shutil.rmtree(target.data_dir, ignore_errors=True)
        if self.server is not None and target.url is not None:
            database = target.url.rsplit("/", 1)[1]
            _pg(self.server, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            self.made.remove(database)

    def close(self) -> None:
        if self.server is None:
            return
        for database in [*self.made, self.template_db]:
            _pg(self.server, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def snapshot(target: Target, table: Table) -> tuple[State, bool]:
    """The log's size, the kind's rows, and whether ``verify`` is clean."""
    app = open_app(target.data_dir, target.url)
    try:
        with app.engine.connect() as conn:
            rows = conn.execute(select(func.count()).select_from(table)).scalar_one()
        report = verify(app)
        return State(report.size, rows), report.ok
    finally:
        app.engine.dispose()


@dataclass(frozen=True)
class Outcome:
    code: int | None  # None: killed
    seconds: float
    leftovers: int  # processes of the command still alive after its leader was killed


def run_command(
    target: Target, job: Job, kill_after: float | None = None, launch: str = "exec"
) -> Outcome:
    """The real CLI in a process of its own; SIGKILL after ``kill_after`` seconds if set.

    ``exec`` starts the ``votetrail`` program; ``fork`` forks this process, already
    holding the imported program, and runs the same command-line entry point in
    the child, so a kill lands in the command's work instead of in Python's start-up.
    """
    start = time.perf_counter()
    pid = _spawn(target, job, launch)
    deadline = None if kill_after is None else start + kill_after
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return Outcome(os.waitstatus_to_exitcode(status), time.perf_counter() - start, 0)
        if deadline is not None and time.perf_counter() >= deadline:
            break
        if time.perf_counter() - start > 600:
            deadline = time.perf_counter()
        time.sleep(0.005)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    seconds = time.perf_counter() - start
    # A helper process notices its parent died within a moment; give it 5 s on a busy machine.
    gone_by = time.perf_counter() + 5
    while (leftovers := _group_members(pid)) and time.perf_counter() < gone_by:
        time.sleep(0.05)
    if leftovers:
        os.killpg(pid, signal.SIGKILL)
    return Outcome(None, seconds, leftovers)


def _spawn(target: Target, job: Job, launch: str) -> int:
    """Start the command in a new process group (its id is the command's); return the id."""
    argv = [*job.argv, *target.args()]
    os.environ["VOTETRAIL_PASSWORD"] = DEMO_PASSWORD
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: run the command and leave without Python's clean-up
        code = 70
        try:
            os.setsid()
            quiet = os.open(os.devnull, os.O_WRONLY)
            os.dup2(quiet, 1)
            os.dup2(quiet, 2)
            if launch == "exec":
                os.execv(VOTETRAIL, [str(VOTETRAIL), *argv])  # noqa: S606 - no shell wanted
            code = run_cli(argv)
        finally:
            os._exit(code)
    return pid


def _group_members(pgid: int) -> int:
    count = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            count += 1
    return count


def startup_seconds() -> float:
    """How long the program takes to start and open a database, before any work."""
    start = time.perf_counter()
    subprocess.run([str(VOTETRAIL), "--help"], check=True, capture_output=True)
    return time.perf_counter() - start


def trial(
    copies: Copies,
    job: Job,
    rng: random.Random,
    window: tuple[float, float],
    kills: int,
    tally: Tally,
    label: str,
    launch: str = "exec",
    finish: str | None = None,
) -> None:
    """``kills`` interrupted runs on one fresh copy, then a completing run and a repeat.

    ``launch`` starts the killed runs, ``finish`` (by default the same) the other two.
    """
    finish = finish or launch
    target = copies.fresh()
    try:
        before, ok = snapshot(target, job.table)
        if not ok:
            tally.problems.append(f"{label}: the fresh copy does not verify")
            return
        seen: list[State] = []
        for _ in range(kills):
            delay = rng.uniform(*window)
            outcome = run_command(target, job, delay, launch)
            state, clean = snapshot(target, job.table)
            tally.trials += 1
            tally.clean_verifies += clean
            if outcome.code is not None:
                tally.finished_first += 1
            if not clean:
                tally.problems.append(f"{label}: verify not clean after a kill at {delay:.2f} s")
            if outcome.leftovers:
                tally.problems.append(
                    f"{label}: {outcome.leftovers} process(es) of the killed command kept running"
                )
            seen.append(state)
        completed = run_command(target, job, None, finish)
        done, clean = snapshot(target, job.table)
        if not clean:
            tally.problems.append(f"{label}: verify not clean after the completing run")
        if done.rows <= before.rows or done.log_size <= before.log_size:
            tally.problems.append(
                f"{label}: running the command again did not complete it "
                f"(exit {completed.code}, {before} -> {done})"
            )
        else:
            tally.completed_on_rerun += 1
        for state in seen:
            if state in (before, done):
                tally.all_or_none += 1
                tally.after_commit += state == done
            else:
                tally.problems.append(f"{label}: partial work {state} (before {before}, {done})")
        run_command(target, job, None, finish)
        again, clean = snapshot(target, job.table)
        if again != done or not clean:
            tally.problems.append(f"{label}: a repeat after completion changed {done} to {again}")
    finally:
        copies.discard(target)


def calibrate(copies: Copies, job: Job, launch: str = "exec") -> float:
    """Seconds one uninterrupted run of the command takes on this machine and backend."""
    target = copies.fresh()
    try:
        outcome = run_command(target, job, None, launch)
        if outcome.code != 0:
            raise SystemExit(f"{job.kind}: the command failed without any kill")
        return outcome.seconds
    finally:
        copies.discard(target)


@contextmanager
def backend_server(backend: str) -> Iterator[str | None]:
    if backend == "sqlite":
        yield None
        return
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.databases import running_postgres

    with running_postgres() as server:
        yield server


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--minutes", type=float, default=3.0, help="time per backend")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--kills-per-copy", type=int, default=2)
    parser.add_argument(
        "--launch",
        default="exec,fork",
        help="exec: start the votetrail program; fork: run it in a forked child (no start-up)",
    )
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--cvrs", type=int, default=Sizes.cvrs)
    parser.add_argument("--voters", type=int, default=Sizes.voters)
    parser.add_argument("--netmon-lines", type=int, default=Sizes.netmon_lines)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    kinds = [k for k in options.kinds.split(",") if k]
    rng = random.Random(options.seed)
    sizes = Sizes(options.cvrs, options.voters, options.netmon_lines)
    launches = [m for m in options.launch.split(",") if m]
    tallies: dict[tuple[str, str, str], Tally] = {}
    with ExitStack() as stack:
        folder = Path(tempfile.mkdtemp(prefix="votetrail-crash-"))
        stack.callback(shutil.rmtree, folder, True)
        jobs = write_inputs(folder / "inputs", sizes)
        start_up = startup_seconds()
        print(f"the program starts in {start_up:.2f} s")
        for backend in [b for b in options.backends.split(",") if b]:
            server = stack.enter_context(backend_server(backend))
            copies = Copies(folder / backend, server, folder / "inputs")
            stack.callback(copies.close)
            windows: dict[tuple[str, str], tuple[float, float]] = {}
            for kind in kinds:
                for launch in launches:
                    seconds = calibrate(copies, jobs[kind], launch)
                    low = start_up * 0.5 if launch == "exec" else 0.0
                    windows[kind, launch] = (low, seconds * 1.05)
                    print(f"{kind} on {backend} ({launch}): kills from {low:.2f} s to "
                          f"{seconds * 1.05:.2f} s")  # fmt: skip
            deadline = time.monotonic() + options.minutes * 60
            while time.monotonic() < deadline:
                for kind in kinds:
                    for launch in launches:
                        tally = tallies.setdefault((kind, backend, launch), Tally())
                        trial(
                            copies, jobs[kind], rng, windows[kind, launch],
                            options.kills_per_copy, tally, f"{kind} on {backend} ({launch})",
                            launch,
                        )  # fmt: skip
    print(
        "| kind | backend | start | trials | clean verify | all or none "
        "| killed before commit | after commit | finished first | problems |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    failed = False
    for (kind, backend, launch), tally in tallies.items():
        before = tally.all_or_none - tally.after_commit
        print(
            f"| {kind} | {backend} | {launch} | {tally.trials} | {tally.clean_verifies} | "
            f"{tally.all_or_none} | {before} | {tally.after_commit - tally.finished_first} | "
            f"{tally.finished_first} | {len(tally.problems)} |"
        )
        failed = failed or bool(tally.problems)
    for tally in tallies.values():
        for problem in tally.problems:
            print("PROBLEM", problem)
    figures: dict[str, object] = {}
    for (kind, backend, launch), tally in tallies.items():
        figures[f"{kind} on {backend} ({launch}): trials"] = tally.trials
        figures[f"{kind} on {backend} ({launch}): clean verify, all or none"] = (
            f"{tally.clean_verifies}, {tally.all_or_none}"
        )
    figures["problems"] = sum(len(t.problems) for t in tallies.values())
    record(
        "bench_crash_trials",
        figures,
        target="every trial: verify clean, all or none, no process left, a rerun completes",
        met=not failed,
        notes=f"{options.minutes:g} minutes per backend, seed {options.seed}",
        smoke=options.minutes < 0.5,
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
