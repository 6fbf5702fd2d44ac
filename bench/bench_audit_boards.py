"""Load test: 200 audit boards entering ballots at once over HTTP, against PostgreSQL.

Run from the project root::

    .venv/bin/python bench/bench_audit_boards.py                  # 200 boards
    .venv/bin/python bench/bench_audit_boards.py --boards 20      # a quicker look
    .venv/bin/python bench/bench_audit_boards.py --database-url postgresql+psycopg://u@h/emptydb

Target (issue 14, "Load and security"): 200 audit boards submitting
interpretations concurrently over HTTP against PostgreSQL, p95 latency under
300 ms on the 2-core reference machine, nothing lost or duplicated, and
``votetrail verify`` clean afterwards.

What it sets up (not timed): a temporary PostgreSQL server (as the tests
start one) unless ``--database-url`` names an empty database; the demo state;
a synthetic Adams County election imported through the upload services a
clerk uses (Dominion CVRs, a manifest of small batches, so every board gets
whole batches of its own, and the results it reported); a ballot-comparison audit with its seed and
one round of ``boards x ballots-per-board`` draws; the boards, each of two
members of different parties, and the county's assignment of the round's
ballots. Then ``votetrail serve`` starts in its own process (so the clients
do not share its interpreter) and every board signs in: through the JSON
API (``POST /api/board-session`` with its one-time link, then a Bearer
token on ``POST /api/boards/{board_id}/interpretations``), or
with ``--via web`` through the board's own pages (one-time link button,
session cookie, CSRF token).

What is timed: every board, each with its own HTTP connection, starts at
the same moment and enters its ballots one after the other, each ballot one
request carrying every contest's reading (what the CVR says), waiting
``--think-ms`` (uniformly 0 to twice that) between ballots as a board reads
the next paper. The latency of each entry request is measured at the client
from sending to the full response.

Checked afterwards (a failure exits 1): every request succeeded;
``audit_interpretations`` holds exactly one row per (ballot, contest)
submitted and no other; ``verify(app)`` (what ``votetrail verify`` runs)
reports the log and every record intact. With ``--check`` a p95 of 300 ms or
more also exits 1.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from _record import cpu_by_process, cpu_used, record
from votetrail.formats.tally.results import write_csv as write_results_csv
from votetrail.services.audit import boards
from votetrail.services.audit.boards import Member
from votetrail.services.audit.draw import draw_round
from votetrail.services.audit.seed import set_seed
from votetrail.services.audit.setup import AuditMethod, AuditSetup, create_audit
from votetrail.services.context import open_app
from votetrail.services.counting.results import results
from votetrail.services.counting.uploads import (
    import_cvrs,
    import_manifest,
    import_reported_results,
)
from votetrail.services.demo.audit import paper_readings
from votetrail.services.demo.election import Batch, write_cvrs, write_table
from votetrail.services.directory import principal
from votetrail.services.setup import load_demo
from votetrail.services.verify import verify
from votetrail.store.models import AUDIT_INTERPRETATIONS

TARGET_P95_MS = 300.0
COUNTY = ("adams", "Adams County")
BALLOTS_PER_BATCH = 10
SEED = "20261103000000000001"
PARTIES = ("Democratic", "Republican", "Libertarian", "Green", "Unaffiliated")


@dataclass
class BoardJob:
    """One board's sign-in link and the readings it will enter, ballot by ballot."""

    board_id: str
    token: str
    ballots: list[tuple[str, dict[str, str]]]
    contests: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    submitted: int = 0
    signed_in: int = 0
    gave_up: int = 0


# ------------------------------------------------------------------ PostgreSQL


def _tests_helpers() -> tuple[Any, Any, Any]:
    """The test suite's PostgreSQL server, free-port and server-wait helpers (run from anywhere)."""
    root = str(Path(__file__).resolve().parent.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    from tests.databases import running_postgres
    from tests.ports import free_port, wait_for_server

    return running_postgres, free_port, wait_for_server


@contextmanager
def temporary_postgres() -> Iterator[str]:
    """A throw-away PostgreSQL server, as the tests start one; a database URL on it."""
    running_postgres, _, _ = _tests_helpers()
    with running_postgres(max_connections=300) as server:
        yield f"{server}/postgres"


def free_port() -> int:
    return int(_tests_helpers()[1]())


def wait_for_server(server: subprocess.Popen[bytes], base: str, seconds: float) -> str | None:
    failed: str | None = _tests_helpers()[2](server, base, seconds)
    return failed


# ------------------------------------------------------------------ set-up


def write_election(folder: Path, ballots: int, rng: random.Random) -> tuple[Path, Path]:
    """A Dominion CVR export and a manifest of ``ballots`` in batches of ten, two tabulators."""
    batches = [
        Batch(f"ICP-{n % 2 + 1}", f"Batch {n:04d}", f"Adams P-{n % 2 + 1}", BALLOTS_PER_BATCH)
        for n in range(1, ballots // BALLOTS_PER_BATCH + 1)
    ]
    cvrs = folder / f"{COUNTY[1]} - cvrs.csv"
    write_cvrs(cvrs, COUNTY[0], batches, rng)
    manifest = folder / f"{COUNTY[1]} - ballot manifest.csv"
    write_table(
        manifest,
        ("Tabulator", "Batch Name", "Number of Ballots"),
        [(b.tabulator, b.name, b.ballots) for b in batches],
    )
    return cvrs, manifest


def set_up(data_dir: Path, url: str, boards_wanted: int, per_board: int) -> list[BoardJob]:
    """The state, the election, the audit, its round, its boards and their links."""
    app = load_demo(data_dir, url, with_election=False)
    state, clerk = principal(app, "state-admin"), principal(app, f"{COUNTY[0]}-admin")
    assert state is not None
    assert clerk is not None
    rng = random.Random(2026)
    drawn = boards_wanted * per_board
    cvrs, manifest = write_election(data_dir, max(4 * drawn, 200), rng)
    import_cvrs(app, "system", COUNTY[0], [cvrs])
    import_manifest(app, "system", COUNTY[0], manifest)
    reported = data_dir / f"{COUNTY[1]} - reported results.csv"  # what its CVRs count
    with reported.open("w", encoding="utf-8", newline="") as handle:
        write_results_csv(results(app, COUNTY[0]), handle)
    import_reported_results(app, "system", COUNTY[0], reported)
    setup = AuditSetup(
        "Bench General Election",
        AuditMethod.BALLOT_COMPARISON,
        "0.05",
        ["Governor"],
        ["County Measure A"],
        [COUNTY[0]],
    )
    audit_id = create_audit(app, state, setup)
    set_seed(app, state, audit_id, SEED, ["Bench Witness"])
    draw_round(app, state, audit_id, drawn)
    tokens: dict[str, str] = {}
    for n in range(1, boards_wanted + 1):
        first, second = PARTIES[n % 2], PARTIES[2 + n % 3]
        members = (Member(f"Member {n}A", first), Member(f"Member {n}B", second))
        made = boards.create_board(app, clerk, audit_id, COUNTY[0], f"Audit Board {n}", members)
        tokens[made.board.id] = made.link_token
    boards.assign_ballots(app, clerk, audit_id, COUNTY[0])
    jobs = []
    for board in boards.boards_of(app, clerk, audit_id, COUNTY[0]):
        own = principal(app, board.username)
        assert own is not None
        ballots = boards.board_ballots(app, own, board.id)
        shown = paper_readings(app, COUNTY[0], ballots)
        work = [(b.ballot_id, shown[b.ballot_id]) for b in ballots]
        contests = [c.contest_id for c in ballots[0].contests] if ballots else []
        jobs.append(BoardJob(board.id, tokens[board.id], work, contests))
    app.engine.dispose()
    return jobs


# ------------------------------------------------------------------ the server


@contextmanager
def serving(data_dir: Path, url: str) -> Iterator[str]:
    """``votetrail serve`` in its own process; the base URL once it answers."""
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("votetrail")),
        "serve",
        "--data-dir",
        str(data_dir),
        "--database-url",
        url,
        "--port",
        str(port),
    ]
    if not Path(command[0]).exists():
        command[:1] = [sys.executable, "-c", "from votetrail.cli.main import main; main()"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        failed = wait_for_server(server, base, 60)
        if failed is not None:
            raise SystemExit(f"votetrail serve did not start:\n{failed}")
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# ------------------------------------------------------------------ the clients

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _csrf(html: str) -> str:
    found = _CSRF.search(html)
    if found is None:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


async def _sign_in_api(client: httpx.AsyncClient, job: BoardJob) -> None:
    answer = await client.post("/api/board-session", json={"link_token": job.token})
    if answer.status_code != 201:
        raise RuntimeError(f"{job.board_id}: API sign-in answered {answer.status_code}")
    client.headers["Authorization"] = f"Bearer {answer.json()['token']}"


async def _sign_in_web(client: httpx.AsyncClient, job: BoardJob) -> str:
    page = await client.get(f"/board-link/{job.token}")
    done = await client.post(f"/board-link/{job.token}", data={"csrf_token": _csrf(page.text)})
    if done.status_code != 303:
        raise RuntimeError(f"{job.board_id}: link sign-in answered {done.status_code}")
    home = await client.get("/audit-board/ballots/1")
    return _csrf(home.text)


def _form(
    csrf: str, ballot_id: str, readings: dict[str, str], contests: list[str]
) -> dict[str, str | list[str]]:
    """The entry form's fields as a board's browser sends them (contests in the form's order)."""
    fields: dict[str, str | list[str]] = {"csrf_token": csrf, "ballot_id": ballot_id}
    for i, contest in enumerate(contests):
        reading = readings[contest]
        if reading in ("blank", "overvote"):
            fields[f"kind{i}"] = reading
            continue
        fields[f"kind{i}"] = "marked"
        fields[f"c{i}"] = reading.split(";")
    return fields


async def _board(
    base: str, job: BoardJob, via: str, think: float, start: asyncio.Event, out: Outcome
) -> None:
    rng = random.Random(job.board_id)
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        csrf = ""
        try:
            if via == "api":
                await _sign_in_api(client, job)
            else:
                csrf = await _sign_in_web(client, job)
        except (RuntimeError, httpx.HTTPError) as exc:
            out.failures.append(str(exc))
            out.gave_up += 1
            return
        out.signed_in += 1
        await start.wait()
        for n, (ballot_id, readings) in enumerate(job.ballots, start=1):
            if think:
                await asyncio.sleep(rng.uniform(0, 2 * think))
            began = time.perf_counter()
            try:
                if via == "api":
                    answer = await client.post(
                        f"/api/boards/{job.board_id}/interpretations",
                        json={"ballot_id": ballot_id, "readings": readings, "comment": ""},
                    )
                    ok = answer.status_code in (200, 201)
                else:
                    answer = await client.post(
                        f"/audit-board/ballots/{n}",
                        data=_form(csrf, ballot_id, readings, job.contests),
                    )
                    ok = answer.status_code == 303
            except httpx.HTTPError as exc:
                out.failures.append(f"{job.board_id} {ballot_id}: {exc!r}")
                continue
            out.latencies.append(time.perf_counter() - began)
            if ok:
                out.submitted += len(readings)
            else:
                out.failures.append(f"{job.board_id} {ballot_id}: HTTP {answer.status_code}")


async def drive(
    base: str, jobs: Sequence[BoardJob], via: str, think: float
) -> tuple[Outcome, float]:
    """Sign every board in, then release them together; the outcome and the wall time."""
    out = Outcome()
    start = asyncio.Event()
    tasks = [asyncio.create_task(_board(base, job, via, think, start, out)) for job in jobs]
    # Sign-ins are not timed: release the boards once every one is signed in (or gave up).
    while out.signed_in + out.gave_up < len(jobs):
        await asyncio.sleep(0.05)
    began = time.perf_counter()
    start.set()
    await asyncio.gather(*tasks)
    return out, time.perf_counter() - began


# ------------------------------------------------------------------ report


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(q * len(ordered) + 0.5) - 1))
    return ordered[rank]


def stored_interpretations(data_dir: Path, url: str) -> tuple[int, int]:
    """Rows in audit_interpretations, and distinct (ballot, contest) pairs among them."""
    app = open_app(data_dir, url)
    with app.engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(AUDIT_INTERPRETATIONS)).scalar_one()
        pairs = conn.execute(
            select(func.count()).select_from(
                select(AUDIT_INTERPRETATIONS.c.ballot_id, AUDIT_INTERPRETATIONS.c.contest)
                .distinct()
                .subquery()
            )
        ).scalar_one()
    app.engine.dispose()
    return int(rows), int(pairs)


def verified(data_dir: Path, url: str) -> list[str]:
    app = open_app(data_dir, url)
    try:
        return list(verify(app).problems)
    finally:
        app.engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boards", type=int, default=200)
    parser.add_argument("--ballots-per-board", type=int, default=5)
    parser.add_argument(
        "--think-ms",
        type=float,
        default=5000.0,
        help="mean pause between a board's ballots (uniform 0..2x)",
    )
    parser.add_argument("--via", choices=("api", "web"), default="api")
    parser.add_argument(
        "--database-url", help="an empty PostgreSQL database (default: a temporary server)"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if p95 >= 300 ms")
    options = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="votetrail-bench-boards-"))
    rows: list[tuple[str, str, str, str]] = []
    problems: list[str] = []
    cpu: dict[str, float] = {}
    try:
        with _database(options.database_url) as url:
            data_dir = folder / "data"
            began = time.perf_counter()
            jobs = set_up(data_dir, url, options.boards, options.ballots_per_board)
            prepared = time.perf_counter() - began
            ballots = sum(len(j.ballots) for j in jobs)
            with serving(data_dir, url) as base:
                cpu_before = cpu_by_process()
                out, wall = asyncio.run(drive(base, jobs, options.via, options.think_ms / 1000))
                cpu = cpu_used(cpu_before, cpu_by_process())
            rows += _report(options, jobs, ballots, prepared, out, wall, problems)
            rows += _checks(data_dir, url, out, problems)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    width = max(len(r[0]) for r in rows)
    print(f"{'figure':<{width}}  {'target':>10}  {'measured':>26}  ok")
    for figure, goal, measured, ok_text in rows:
        print(f"{figure:<{width}}  {goal:>10}  {measured:>26}  {ok_text}")
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    slow = any(r[0].startswith("p95") and r[3] != "yes" for r in rows)
    if out.latencies:
        ms = [1000 * v for v in out.latencies]
        p95 = percentile(ms, 0.95)
        record(
            "bench_audit_boards" + ("" if options.via == "api" else f"-{options.via}"),
            {
                "boards": options.boards,
                "entries": len(out.latencies),
                "failed requests": len(out.failures),
                "rows stored == readings submitted": not any(
                    "readings submitted" in p for p in problems
                ),
                "entries/s": round(len(out.latencies) / max(wall, 1e-9), 1),
                "p50 latency, ms": round(statistics.median(ms), 1),
                "p95 latency, ms": round(p95, 1),
                "max latency, ms": round(max(ms), 1),
                "verify clean": not any(p.startswith("verify") for p in problems),
            },
            target=f"p95 < {TARGET_P95_MS:.0f} ms over HTTP against PostgreSQL, nothing lost",
            met=not problems and p95 < TARGET_P95_MS,
            shortfall=(
                f"p95 {p95:,.0f} ms is {p95 / TARGET_P95_MS:.1f}x the {TARGET_P95_MS:.0f} ms target"
                if p95 >= TARGET_P95_MS
                else ""
            ),
            profile={"wall of the entry phase, s": round(wall, 1), **cpu}
            if p95 >= TARGET_P95_MS
            else {},
            notes=f"via {options.via}, think {options.think_ms:.0f} ms; no outside reference",
            smoke=options.boards < 50,
        )
    return 1 if problems or (options.check and slow) else 0


@contextmanager
def _database(given: str | None) -> Iterator[str]:
    if given:
        yield given
        return
    with temporary_postgres() as url:
        yield url


def _report(
    options: argparse.Namespace,
    jobs: Sequence[BoardJob],
    ballots: int,
    prepared: float,
    out: Outcome,
    wall: float,
    problems: list[str],
) -> list[tuple[str, str, str, str]]:
    rows = [
        (
            f"set-up: {len(jobs)} boards, {ballots} ballots assigned (not timed)",
            "-",
            f"{prepared:.1f} s",
            "",
        ),
        (
            "ballots per board (whole batches each)",
            "-",
            f"{min(len(j.ballots) for j in jobs)} to {max(len(j.ballots) for j in jobs)}",
            "",
        ),
        (
            f"entries over HTTP ({options.via}), think {options.think_ms:.0f} ms",
            "-",
            f"{len(out.latencies)} in {wall:.1f} s ({len(out.latencies) / max(wall, 1e-9):.0f}/s)",
            "",
        ),
    ]
    if out.latencies:
        ms = [1000 * v for v in out.latencies]
        p95 = percentile(ms, 0.95)
        rows += [
            ("p50 latency", "-", f"{statistics.median(ms):.1f} ms", ""),
            (
                "p95 latency",
                f"< {TARGET_P95_MS:.0f} ms",
                f"{p95:.1f} ms",
                "yes" if p95 < TARGET_P95_MS else "NO",
            ),
            ("max latency", "-", f"{max(ms):.1f} ms", ""),
        ]
    if len({j.board_id for j in jobs}) != options.boards:
        problems.append(f"{options.boards} boards wanted, {len(jobs)} created")
    problems += out.failures[:5]
    if len(out.failures) > 5:
        problems.append(f"... and {len(out.failures) - 5} more failed requests")
    return rows


def _checks(
    data_dir: Path, url: str, out: Outcome, problems: list[str]
) -> list[tuple[str, str, str, str]]:
    rows, pairs = stored_interpretations(data_dir, url)
    same = rows == pairs == out.submitted
    if not same:
        problems.append(
            f"{out.submitted} readings submitted, {rows} rows stored ({pairs} distinct)"
        )
    began = time.perf_counter()
    found = verified(data_dir, url)
    checked = time.perf_counter() - began
    problems += [f"verify: {p}" for p in found[:5]]
    return [
        (
            f"rows stored == readings submitted ({out.submitted})",
            "",
            f"{rows} ({pairs} distinct)",
            "yes" if same else "NO",
        ),
        ("votetrail verify clean", "", f"{checked:.1f} s", "yes" if not found else "NO"),
    ]


if __name__ == "__main__":
    sys.exit(main())
