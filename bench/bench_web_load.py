"""Load test: 200 signed-in officials browsing and uploading for 5 minutes, against PostgreSQL.

Run from the project root::

    .venv/bin/python bench/bench_web_load.py                          # 200 clients, 300 s
    .venv/bin/python bench/bench_web_load.py --clients 50 --seconds 60
    .venv/bin/python bench/bench_web_load.py --clients 5 --seconds 3 --state light  # smoke
    .venv/bin/python bench/bench_web_load.py --database-url postgresql+psycopg://u@h/emptydb

Measure (issue 19, "Reliability"): the web app under 200 concurrent
signed-in clients browsing and uploading for 5 minutes against PostgreSQL:
errors (goal: 0) and the p95 latency.

What it sets up (not timed): a temporary PostgreSQL server started as the
tests start one (``tests/databases.py``, through ``bench_audit_boards``)
unless ``--database-url`` names an empty database; the whole demo state, loaded
by the same command ``votetrail demo --no-serve`` runs (election, voters, L&A
tests, audits, publications, network monitoring; ``--state light`` leaves out
the voter lists and the audits, for the smoke test in
``tests/test_bench_web_load_smoke.py``); then ``votetrail serve`` in
its own process (uvicorn, one worker), as ``bench_audit_boards.py`` serves.
Every client, on its own HTTP connection and with its own session cookie,
signs in through ``/login`` as one of the demo's officials (the three county
clerks, the state administrator and the security analyst, in turn, so about
40 clients share each account); sign-ins are timed but reported apart.

What is timed: all clients are released together and, for ``--seconds``,
each repeats: wait uniformly 0 to twice ``--think-ms`` (a person reading the
page), then one action drawn for its role. Browsing: the county's page,
results (statewide, the county's), L&A (the county's list and the public
sessions), a voter search by a surname and a voter's page, the audits, the
accounting report, the network monitor and its JSON for the analyst, and the
public pages (home, log, checkpoint, publications, rumour control, public
audits). With chance ``--upload-share`` the action is a write instead: a
clerk replaces the county's paper-record counts through the multipart form of
the county's uploads page (the current upload chosen under "Replaces" and confirmed,
counts varied by a few), or an office publishes a small notice file through
its publications form; both carry the session's CSRF token from the page
just read. Latency is measured at the client from sending to the full body.

Errors: any exception (time-out, refused connection) and any answer of 400 or
more, except one expected refusal, counted apart: two clerks of one county
replacing the same paper counts at once, where the second is told the upload
"was already replaced" (400), as it should be. Checked afterwards (a failure
exits 1): every county still has exactly one current paper-count upload, and
``verify(app)`` (what ``votetrail verify`` runs) reports the log and every
record intact. With ``--check`` any error also exits 1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Sequence
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from _record import cpu_by_process, cpu_used, record
from bench_audit_boards import _csrf, _database, percentile, serving, verified
from votetrail.cli.main import demo_command
from votetrail.services.context import open_app
from votetrail.services.counting.current_uploads import current_uploads
from votetrail.services.demo.lat import load_demo_lat
from votetrail.services.demo.netmon import load_demo_netmon
from votetrail.services.demo.publications import load_demo_publications
from votetrail.services.demo.voters import LAST
from votetrail.services.setup import DEMO_COUNTIES, DEMO_PASSWORD, DEMO_STATE, load_demo

STATE = DEMO_STATE[0]
ACCOUNTS = (*(f"{slug}-admin" for slug, _ in DEMO_COUNTIES), "state-admin", "analyst")
"""Signed-in roles, one client after another: clerks of each county, the state, the analyst."""
PUBLIC = ("/", "/log", "/checkpoint", "/publications", "/rumor-control", "/public/audits")
STALE_REPLACE = "was already replaced"
"""The refusal a clerk gets for replacing an upload another clerk has just replaced."""
_REPLACE_OPTION = re.compile(r'<option value="([^"]+)">')
_LINK = re.compile(r'href="(/[^"#?]+)"')


@dataclass
class Tally:
    """Everything the clients saw, by kind of request."""

    latencies: defaultdict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    expected: Counter[str] = field(default_factory=Counter)
    sign_ins: list[float] = field(default_factory=list)
    signed_in: int = 0
    gave_up: int = 0


class Official:
    """One signed-in client: its own connection and cookie, browsing as its account may."""

    def __init__(
        self, http: httpx.AsyncClient, account: str, n: int, tally: Tally, papers: dict[str, bytes]
    ) -> None:
        self.http = http
        self.account = account
        self.n = n
        self.tally = tally
        self.papers = papers
        self.rng = random.Random(f"{account}-{n}")
        counties = {f"{slug}-admin": slug for slug, _ in DEMO_COUNTIES}
        self.county = counties.get(account)
        self.home = self.county or STATE
        self.writes = 0

    async def call(
        self, kind: str, method: str, url: str, *, expected: str | None = None, **kw: object
    ) -> httpx.Response | None:
        """Send, time, and sort the answer into success, expected refusal or error."""
        began = time.perf_counter()
        try:
            answer = await self.http.request(method, url, **kw)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            self.tally.errors[f"{kind}: {type(exc).__name__}"] += 1
            return None
        self.tally.latencies[kind].append(time.perf_counter() - began)
        if answer.status_code < 400:
            return answer
        if expected is not None and answer.status_code == 400 and expected in answer.text:
            self.tally.expected[f"{kind}: {expected}"] += 1
        else:
            self.tally.errors[f"{kind}: HTTP {answer.status_code} {method} {url}"] += 1
        return None

    async def sign_in(self) -> None:
        began = time.perf_counter()
        page = await self.http.get("/login")
        done = await self.http.post(
            "/login",
            data={
                "username": self.account,
                "password": DEMO_PASSWORD,
                "csrf_token": _csrf(page.text),
            },
        )
        if done.status_code != 303:
            raise RuntimeError(f"{self.account}: sign-in answered {done.status_code}")
        self.tally.sign_ins.append(time.perf_counter() - began)

    # ------------------------------------------------------------ browsing

    def browsing(self) -> list[tuple[float, Callable[[], Awaitable[None]]]]:
        """The actions this account takes, with weights (what such a person looks at)."""
        public: list[tuple[float, Callable[[], Awaitable[None]]]] = [
            (1.0, self.public_page),
            (1.0, lambda: self.get("results", "/results")),
            (0.5, lambda: self.follow("L&A public", "/lat", "/lat/")),
        ]
        if self.account == "analyst":
            return [
                *public,
                (3.0, lambda: self.get("netmon", "/netmon")),
                (1.0, lambda: self.get("netmon json", "/netmon/incidents.json")),
                (1.0, lambda: self.get("netmon json", "/netmon/totals.json")),
            ]
        office: list[tuple[float, Callable[[], Awaitable[None]]]] = [
            (3.0, lambda: self.get("jurisdiction page", f"/j/{self.home}")),
            (1.0, lambda: self.get("publications", f"/j/{self.home}/publications")),
        ]
        if self.county is None:  # the state administrator
            county = self.rng.choice(DEMO_COUNTIES)[0]
            return [
                *public,
                *office,
                (1.0, lambda: self.get("jurisdiction page", f"/j/{county}")),
                (1.0, lambda: self.get("audits", "/audits")),
            ]
        return [
            *public,
            *office,
            (1.0, lambda: self.get("results", f"/results/{self.county}")),
            (1.0, lambda: self.follow("L&A county", f"/j/{self.county}/lat", "/lat/")),
            (2.0, self.voter_search),
            (0.5, lambda: self.get("audits", f"/j/{self.county}/audits")),
            (0.5, lambda: self.get("accounting", f"/j/{self.county}/accounting.html")),
        ]

    async def get(self, kind: str, url: str) -> None:
        await self.call(kind, "GET", url)

    async def public_page(self) -> None:
        await self.get("public", self.rng.choice(PUBLIC))

    async def follow(self, kind: str, url: str, prefix: str) -> None:
        """A list page, then one of the items it links to, as a reader clicks through."""
        page = await self.call(kind, "GET", url)
        links = sorted({m for m in _LINK.findall(page.text) if prefix in m}) if page else []
        if links:
            await self.get(kind, self.rng.choice(links))

    async def voter_search(self) -> None:
        surname = self.rng.choice(LAST)
        page = await self.call(
            "voter search", "GET", f"/j/{self.county}/voters", params={"last_name": surname}
        )
        found = sorted(set(re.findall(r'href="(/voters/[^"/]+)"', page.text))) if page else []
        found = [link for link in found if link != "/voters/alerts"]
        if found:
            await self.get("voter page", self.rng.choice(found))

    # ------------------------------------------------------------ writes

    async def replace_paper_counts(self) -> None:
        """The county's uploads page, then its paper-counts form naming the upload to replace."""
        assert self.county is not None
        page = await self.call("uploads page", "GET", f"/j/{self.county}/uploads")
        if page is None:
            return
        form = page.text.split('data-kind="paper_counts"', 1)[-1].split("</form>", 1)[0]
        current = _REPLACE_OPTION.findall(form)
        self.writes += 1
        rows = self.papers[self.county].decode().splitlines()
        varied = [rows[0]] + [
            f"{line.rsplit(',', 1)[0]},{int(line.rsplit(',', 1)[1]) + self.rng.randint(-3, 3)}"
            for line in rows[1:]
        ]
        body = ("\r\n".join(varied) + "\r\n").encode()
        name = f"paper records {self.account} {self.n}-{self.writes}.csv"
        await self.call(
            "upload paper counts",
            "POST",
            f"/j/{self.county}/upload/paper_counts",
            expected=STALE_REPLACE,
            data={
                "csrf_token": _csrf(page.text),
                "replace": current[-1] if current else "",
                "confirm_replace": "yes",
            },
            files={"files": (name, body, "text/csv")},
        )

    async def publish(self) -> None:
        """The office's publications page, then a small notice file through its form."""
        page = await self.call("publications", "GET", f"/j/{self.home}/publications")
        if page is None:
            return
        self.writes += 1
        text = f"Notice {self.n}-{self.writes} from {self.account}: counting resumes at 9."
        await self.call(
            "publish",
            "POST",
            f"/j/{self.home}/publications",
            data={
                "csrf_token": _csrf(page.text),
                "title": f"Load notice {self.n}-{self.writes}",
                "kind": "notice",
                "statement": "",
                "supersedes": "",
            },
            files={"document": (f"notice-{self.n}-{self.writes}.txt", text.encode(), "text/plain")},
        )

    def writing(self) -> list[Callable[[], Awaitable[None]]]:
        if self.account == "analyst":
            return []
        if self.county is None:
            return [self.publish]
        return [self.replace_paper_counts, self.publish]

    async def act(self, upload_share: float) -> None:
        writes = self.writing()
        if writes and self.rng.random() < upload_share:
            await self.rng.choice(writes)()
            return
        choices = self.browsing()
        action = self.rng.choices([a for _, a in choices], [w for w, _ in choices])[0]
        await action()


async def _client(
    base: str,
    account: str,
    n: int,
    options: argparse.Namespace,
    papers: dict[str, bytes],
    start: asyncio.Event,
    tally: Tally,
) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=120) as http:
        official = Official(http, account, n, tally, papers)
        try:
            await official.sign_in()
        except (RuntimeError, httpx.HTTPError) as exc:
            tally.errors[f"sign-in: {exc!r}"] += 1
            tally.gave_up += 1
            return
        tally.signed_in += 1
        await start.wait()
        think = options.think_ms / 1000
        end = time.monotonic() + options.seconds
        while True:
            await asyncio.sleep(official.rng.uniform(0, 2 * think))
            if time.monotonic() >= end:
                return
            await official.act(options.upload_share)


async def drive(
    base: str, options: argparse.Namespace, papers: dict[str, bytes]
) -> tuple[Tally, float, tuple[str, str]]:
    """Sign every client in, release them together; what they saw, the time, the load."""
    tally = Tally()
    start = asyncio.Event()
    tasks = [
        asyncio.create_task(
            _client(base, ACCOUNTS[n % len(ACCOUNTS)], n, options, papers, start, tally)
        )
        for n in range(options.clients)
    ]
    while tally.signed_in + tally.gave_up < options.clients:
        await asyncio.sleep(0.05)
    loads = _loadavg()
    began = time.perf_counter()
    start.set()
    await asyncio.gather(*tasks)
    return tally, time.perf_counter() - began, (loads, _loadavg())


# ------------------------------------------------------------------ set-up and checks


def load_demo_state(data_dir: Path, url: str, state: str = "demo") -> dict[str, bytes]:
    """What ``votetrail demo --no-serve`` loads; each county's paper-counts file as uploaded.

    ``light`` leaves out the voter lists and the audits, which take most of the
    set-up (a minute on a busy machine), so a smoke test can afford a run; the
    voter search and the audit pages are still browsed, and find nothing.
    """
    if state == "light":
        app = load_demo(data_dir, url)
        try:
            load_demo_lat(app, list(DEMO_COUNTIES))
            load_demo_publications(app)
            load_demo_netmon(app)
        finally:
            app.engine.dispose()
    else:
        with redirect_stdout(sys.stderr):  # its list of accounts is not part of the figures
            demo_command(data_dir=data_dir, database_url=url, no_serve=True)
    return {
        slug: (data_dir / "demo-files" / f"{name} - paper records.csv").read_bytes()
        for slug, name in DEMO_COUNTIES
    }


def current_paper_counts(data_dir: Path, url: str) -> dict[str, int]:
    app = open_app(data_dir, url)
    try:
        with app.engine.connect() as conn:
            return {
                slug: len(current_uploads(conn, slug, "paper_counts")) for slug, _ in DEMO_COUNTIES
            }
    finally:
        app.engine.dispose()


def _ms(values: Sequence[float]) -> str:
    ms = [1000 * v for v in values]
    return "  ".join(f"{percentile(ms, q):>8.0f}" for q in (0.5, 0.95, 0.99)) + f"  {max(ms):>8.0f}"


def report(tally: Tally, wall: float, loads: tuple[str, str], options: argparse.Namespace) -> None:
    everything = [v for values in tally.latencies.values() for v in values]
    errors = sum(tally.errors.values())
    expected = sum(tally.expected.values())
    print(
        f"{options.clients} clients ({tally.signed_in} signed in), {wall:.0f} s, "
        f"think {options.think_ms:.0f} ms, upload share {options.upload_share}"
    )
    print(f"load average (1/5/15 min) at release {loads[0]}, at the end {loads[1]}")
    if tally.sign_ins:
        print(
            f"sign-ins (not in the figures below): {len(tally.sign_ins)}, ms p50/p95/p99/max "
            + _ms(tally.sign_ins)
        )
    print(
        f"{'kind':<22} {'requests':>8}  {'p50 ms':>8}  {'p95 ms':>8}  {'p99 ms':>8}  {'max ms':>8}"
    )
    for kind in sorted(tally.latencies):
        values = tally.latencies[kind]
        print(f"{kind:<22} {len(values):>8}  {_ms(values)}")
    if everything:
        print(f"{'all':<22} {len(everything):>8}  {_ms(everything)}")
    print(f"throughput: {len(everything) / max(wall, 1e-9):.1f} requests/s")
    print(f"errors: {errors}")
    for what, count in tally.errors.most_common(20):
        print(f"  {count:>6}  {what}")
    print(f"expected refusals: {expected}")
    for what, count in tally.expected.most_common():
        print(f"  {count:>6}  {what}")


def save(
    options: argparse.Namespace,
    tally: Tally,
    wall: float,
    cpu: dict[str, float],
    problems: list[str],
) -> None:
    """Leave the run's figures for bench/README.md; the p95 per kind is the profile.

    Issue 19 set no latency target here, only "0 errors, nothing lost": the
    figures are printed for comparison with ``bench_web_pages.py`` (issue 21),
    which runs the same server with several workers.
    """
    everything = [1000 * v for values in tally.latencies.values() for v in values]
    if not everything:
        return
    errors = sum(tally.errors.values())
    figures: dict[str, object] = {
        "clients": options.clients,
        "seconds": round(wall),
        "requests": len(everything),
        "requests/s": round(len(everything) / max(wall, 1e-9), 1),
        "p50, ms": round(percentile(everything, 0.5)),
        "p95, ms": round(percentile(everything, 0.95)),
        "p99, ms": round(percentile(everything, 0.99)),
        "errors": errors,
        "expected refusals": sum(tally.expected.values()),
        "verify clean and one current paper count per county": not problems,
    }
    per_kind = {
        f"p95 {kind}, ms": round(percentile([1000 * v for v in values], 0.95))
        for kind, values in sorted(tally.latencies.items())
    }
    met = errors == 0 and not problems
    record(
        "bench_web_load",
        figures,
        target="0 errors and nothing lost (verify clean) with 200 signed-in officials, "
        "one server process, PostgreSQL",
        met=met,
        shortfall="" if met else f"{errors} errors, {len(problems)} problems after the run",
        profile={**per_kind, **cpu},
        notes=f"think {options.think_ms:.0f} ms, upload share {options.upload_share}; the profile "
        "holds the p95 per kind of page and the CPU seconds each kind of process used",
        smoke=options.clients < 50 or options.seconds < 60 or options.state != "demo",
    )


def _loadavg() -> str:
    return " / ".join(f"{v:.2f}" for v in os.getloadavg())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument(
        "--think-ms", type=float, default=5000.0, help="mean pause between actions (0..2x)"
    )
    parser.add_argument(
        "--upload-share", type=float, default=0.05, help="chance that an action is a write"
    )
    parser.add_argument(
        "--database-url", help="an empty PostgreSQL database (default: a temporary server)"
    )
    parser.add_argument(
        "--state",
        choices=("demo", "light"),
        default="demo",
        help="demo: what `votetrail demo` loads; light: without voter lists and audits",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 on any error")
    options = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="votetrail-bench-web-"))
    problems: list[str] = []
    try:
        with _database(options.database_url) as url:
            data_dir = folder / "data"
            began = time.perf_counter()
            papers = load_demo_state(data_dir, url, options.state)
            print(f"demo state loaded in {time.perf_counter() - began:.1f} s", file=sys.stderr)
            with serving(data_dir, url) as base:
                cpu_before = cpu_by_process()
                tally, wall, loads = asyncio.run(drive(base, options, papers))
                cpu = cpu_used(cpu_before, cpu_by_process())
            report(tally, wall, loads, options)
            held = current_paper_counts(data_dir, url)
            print(f"current paper-count uploads per county: {held}")
            problems += [
                f"{slug} has {n} current paper counts" for slug, n in held.items() if n != 1
            ]
            began = time.perf_counter()
            found = verified(data_dir, url)
            took = time.perf_counter() - began
            print(f"verify: {'clean' if not found else 'PROBLEMS'} ({took:.1f} s)")
            problems += [f"verify: {p}" for p in found[:5]]
            if options.check and tally.errors:
                problems.append(f"{sum(tally.errors.values())} errors")
            save(options, tally, wall, cpu, problems)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
