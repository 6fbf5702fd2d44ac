"""Pages under load: 200 clients, half public, half signed-in clerks, against `serve --workers N`.

Run from the project root::

    .venv/bin/python bench/bench_web_pages.py                         # 200 clients, 120 s
    .venv/bin/python bench/bench_web_pages.py --workers 4 --seconds 60
    .venv/bin/python bench/bench_web_pages.py --clients 4 --seconds 2 --state light  # smoke

Target (issue 21, item 7): ``votetrail serve --workers N`` (default: the
cores) with 200 concurrent clients on the public pages and the signed-in
county pages for 2 minutes against PostgreSQL: p95 < 200 ms and no error.

Set up (not timed): a throw-away PostgreSQL server (as the tests start one)
unless ``--database-url`` names an empty database; the demo state that
``votetrail demo --no-serve`` loads (``--state light``: without voter lists
and audits, for the smoke test); then ``votetrail serve --workers N`` as a
real subprocess. Half the clients are visitors; the other half sign in
through ``/login`` as the three county clerks in turn, each with its own
connection and session cookie (the sessions live in the database, so the
same cookies serve every run below).

Timed: all clients released together; for ``--seconds`` each waits 0 to
2 × ``--think-ms`` (a person reading) and asks for one page. Visitors: home,
log, checkpoint, results (statewide and a county's), L&A list, publications,
rumour control, public audits, the glossary. Clerks: their county's
page, uploads, results, L&A, audits, publications, a voter search by surname,
the workspace. Latency is measured at the client, send to full body. Errors:
any exception and any answer of 400 or more.

Reference, in the same run and with the same clients and pace: the same
pages served by one worker (``--workers 1``, what ``serve`` was before), and
the server's floor, the static stylesheet ``/static/site.css`` from N
workers (what uvicorn, the network and the load generator cost with no page
behind them). ``--reference-seconds`` (default 60) times each reference.
The clients run on the same cores as the server and PostgreSQL.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script or loaded by tests

import argparse
import asyncio
import os
import random
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx

from _record import record
from bench_audit_boards import _csrf, _database, free_port, percentile, wait_for_server
from bench_web_load import load_demo_state
from votetrail.services.demo.voters import LAST
from votetrail.services.setup import DEMO_COUNTIES, DEMO_PASSWORD

TARGET_P95_MS = 200.0
COUNTIES = [slug for slug, _ in DEMO_COUNTIES]
PUBLIC = (
    "/",
    "/log",
    "/checkpoint",
    "/results",
    "/lat",
    "/publications",
    "/rumor-control",
    "/public/audits",
)
FLOOR = "/static/site.css"


@dataclass
class Tally:
    """What the clients saw in one run."""

    public: list[float] = field(default_factory=list)
    county: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)

    @property
    def all(self) -> list[float]:
        return self.public + self.county


@dataclass
class Run:
    name: str
    workers: int
    tally: Tally
    wall: float
    loads: tuple[float, float]

    @property
    def requests(self) -> int:
        return len(self.tally.all)

    def ms(self, q: float, which: list[float] | None = None) -> float:
        values = self.tally.all if which is None else which
        return percentile([1000 * v for v in values], q)

    def figures(self) -> dict[str, float | int]:
        return {
            "workers": self.workers,
            "requests": self.requests,
            "requests/s": round(self.requests / max(self.wall, 1e-9), 1),
            "p50 ms": round(self.ms(0.5), 1),
            "p95 ms": round(self.ms(0.95), 1),
            "p99 ms": round(self.ms(0.99), 1),
            "errors": sum(self.tally.errors.values()),
            "load at release": self.loads[0],
            "load at end": self.loads[1],
        }


@contextmanager
def serving(data_dir: Path, url: str, workers: int) -> Iterator[str]:
    """``votetrail serve --workers N`` in its own process; the base URL once it answers."""
    port = free_port()
    command = [sys.executable, "-c", "from votetrail.cli.main import main; main()", "serve"]
    command += ["--data-dir", str(data_dir), "--database-url", url, "--port", str(port)]
    command += ["--workers", str(workers)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        failed = wait_for_server(server, base, 90)
        if failed is not None:
            raise SystemExit(f"votetrail serve did not start:\n{failed}")
        time.sleep(1.0 if workers > 1 else 0)  # the other workers finish starting
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


class Client:
    """One browser: its own cookies, a visitor or a county clerk, asking for pages."""

    def __init__(self, n: int, clerk: str | None) -> None:
        self.n = n
        self.clerk = clerk
        self.county = clerk.removesuffix("-admin") if clerk else random.Random(n).choice(COUNTIES)
        self.rng = random.Random(f"pages-{n}")
        self.cookies: httpx.Cookies = httpx.Cookies()

    def page(self, floor: bool) -> str:
        if floor:
            return FLOOR
        if self.clerk is None:
            return self.rng.choice([*PUBLIC, f"/results/{self.county}", "/glossary"])
        county = f"/j/{self.county}"
        return self.rng.choice(
            [
                county,
                county,
                f"{county}/uploads",
                f"{county}/lat",
                f"{county}/audits",
                f"{county}/publications",
                f"{county}/voters?last_name={self.rng.choice(LAST)}",
                f"/results/{self.county}",
                "/workspace",
            ]
        )

    async def sign_in(self, base: str) -> None:
        if self.clerk is None:
            return
        async with httpx.AsyncClient(base_url=base, timeout=120) as http:
            form = await http.get("/login")
            done = await http.post(
                "/login",
                data={
                    "username": self.clerk,
                    "password": DEMO_PASSWORD,
                    "csrf_token": _csrf(form.text),
                },
            )
            if done.status_code != 303:
                raise RuntimeError(f"{self.clerk}: sign-in answered {done.status_code}")
            self.cookies = http.cookies

    async def browse(
        self, base: str, seconds: float, think: float, floor: bool, go: asyncio.Event, tally: Tally
    ) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60, cookies=self.cookies) as http:
            # One connection opened before the clock starts, as a browser already on the site.
            await http.get(FLOOR)
            await go.wait()
            end = time.monotonic() + seconds
            kept = tally.county if self.clerk else tally.public
            while True:
                await asyncio.sleep(self.rng.uniform(0, 2 * think))
                if time.monotonic() >= end:
                    return
                url = self.page(floor)
                began = time.perf_counter()
                try:
                    answer = await http.get(url)
                except httpx.HTTPError as exc:
                    tally.errors[f"{type(exc).__name__} GET {url}"] += 1
                    continue
                kept.append(time.perf_counter() - began)
                if answer.status_code >= 400:
                    tally.errors[f"HTTP {answer.status_code} GET {url.split('?')[0]}"] += 1


async def drive(
    base: str, clients: list[Client], seconds: float, think: float, floor: bool
) -> tuple[Tally, float, tuple[float, float]]:
    tally = Tally()
    go = asyncio.Event()
    tasks = [asyncio.create_task(c.browse(base, seconds, think, floor, go, tally)) for c in clients]
    await asyncio.sleep(1.0)  # every client connected
    before = os.getloadavg()[0]
    began = time.perf_counter()
    go.set()
    await asyncio.gather(*tasks)
    return tally, time.perf_counter() - began, (round(before, 2), round(os.getloadavg()[0], 2))


async def sign_in_all(base: str, clients: list[Client]) -> None:
    await asyncio.gather(*(c.sign_in(base) for c in clients))


def timed(
    name: str,
    data_dir: Path,
    url: str,
    workers: int,
    clients: list[Client],
    options: argparse.Namespace,
    *,
    seconds: float,
    floor: bool = False,
) -> Run:
    with serving(data_dir, url, workers) as base:
        if not any(c.cookies for c in clients if c.clerk):
            began = time.perf_counter()
            asyncio.run(sign_in_all(base, clients))
            took = time.perf_counter() - began
            print(f"signed in {sum(1 for c in clients if c.clerk)} clerks in {took:.1f} s")
        tally, wall, loads = asyncio.run(
            drive(base, clients, seconds, options.think_ms / 1000, floor)
        )
    return Run(name, workers, tally, wall, loads)


def report(runs: list[Run]) -> None:
    print(
        f"{'run':<34} {'workers':>7} {'requests':>8} {'req/s':>7} {'p50 ms':>8} "
        f"{'p95 ms':>8} {'p99 ms':>8} {'errors':>6}  load"
    )
    for run in runs:
        f = run.figures()
        print(
            f"{run.name:<34} {run.workers:>7} {run.requests:>8} {f['requests/s']:>7} "
            f"{f['p50 ms']:>8.0f} {f['p95 ms']:>8.0f} {f['p99 ms']:>8.0f} {f['errors']:>6}  "
            f"{run.loads[0]:.2f} -> {run.loads[1]:.2f}"
        )
    main = runs[0]
    for label, values in (("public", main.tally.public), ("county", main.tally.county)):
        if values:
            print(
                f"  {label} pages ({len(values)} requests): p50 {main.ms(0.5, values):.0f} ms, "
                f"p95 {main.ms(0.95, values):.0f} ms, p99 {main.ms(0.99, values):.0f} ms"
            )
    for run in runs:
        for what, count in run.tally.errors.most_common(10):
            print(f"  {run.name}: {count:>6}  {what}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument(
        "--reference-seconds", type=float, default=60.0, help="each reference run (0: none)"
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--think-ms", type=float, default=5000.0, help="mean pause between pages (0..2x)"
    )
    parser.add_argument(
        "--database-url", help="an empty PostgreSQL database (default: a temporary server)"
    )
    parser.add_argument("--state", choices=("demo", "light"), default="demo")
    parser.add_argument("--check", action="store_true", help="exit 1 unless the target is met")
    options = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="votetrail-bench-pages-"))
    clerks = [f"{slug}-admin" for slug in COUNTIES]
    clients = [
        Client(n, clerks[(n // 2) % len(clerks)] if n % 2 else None) for n in range(options.clients)
    ]
    try:
        with _database(options.database_url) as url:
            data_dir = folder / "data"
            began = time.perf_counter()
            load_demo_state(data_dir, url, options.state)
            print(f"demo state loaded in {time.perf_counter() - began:.1f} s", file=sys.stderr)
            runs = [
                timed(
                    f"pages, --workers {options.workers}",
                    data_dir,
                    url,
                    options.workers,
                    clients,
                    options,
                    seconds=options.seconds,
                )
            ]
            if options.reference_seconds > 0:
                runs.append(
                    timed(
                        "reference: pages, --workers 1",
                        data_dir,
                        url,
                        1,
                        clients,
                        options,
                        seconds=options.reference_seconds,
                    )
                )
                runs.append(
                    timed(
                        f"reference: {FLOOR} (floor)",
                        data_dir,
                        url,
                        options.workers,
                        clients,
                        options,
                        seconds=options.reference_seconds,
                        floor=True,
                    )
                )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(
        f"{options.clients} clients ({options.clients // 2} signed-in clerks), "
        f"think {options.think_ms:.0f} ms, {os.cpu_count()} cores, PostgreSQL"
    )
    report(runs)
    main_run = runs[0]
    p95 = main_run.ms(0.95)
    errors = sum(main_run.tally.errors.values())
    met = bool(main_run.requests) and p95 < TARGET_P95_MS and errors == 0
    ratio = ""
    if len(runs) > 1 and runs[1].requests:
        ratio = f"; one worker's p95 / this p95 = {runs[1].ms(0.95) / max(p95, 1e-9):.2f}"
    print(
        f"target p95 < {TARGET_P95_MS:.0f} ms, 0 errors: p95 {p95:.0f} ms, {errors} errors "
        f"-> {'met' if met else 'NOT met'}{ratio}"
    )
    record(
        "bench_web_pages",
        main_run.figures(),
        target=f"p95 < {TARGET_P95_MS:.0f} ms and 0 errors, 200 clients (half public, half "
        "signed-in county pages), 2 minutes, against PostgreSQL",
        met=met,
        reference={run.name: run.figures() for run in runs[1:]},
        notes=f"{options.clients} clients, think {options.think_ms:.0f} ms, "
        f"{options.seconds:.0f} s; references {options.reference_seconds:.0f} s each",
        smoke=options.clients < 50 or options.seconds < 30,
    )
    return 1 if options.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
