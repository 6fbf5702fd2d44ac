"""Concurrent writers on one demo state: the workload of the stress test and its bench.

Each writer is a thread calling the real services (the web logins go over
real HTTP to a served application), so they contend for the log the way the
web server's worker threads and a CLI import do: two counties import CVRs,
two counties' voter lists are loaded and changed, Clark runs L&A steps, the
state's analyst ingests a network log, and officials sign in. Afterwards the
caller checks ``verify`` and :func:`checkpoint_forks`.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from pathlib import Path

import httpx
from sqlalchemy import select

from tests.services.voters.fixtures import load, who
from tests.web.server import login, serving
from votetrail.core.ledger.merkle import verify_consistency
from votetrail.core.voters.transactions import Change, Kind
from votetrail.formats.election.yaml import write_yaml
from votetrail.services.context import App
from votetrail.services.counting.uploads import import_cvrs
from votetrail.services.demo.election import Batch, write_cvrs
from votetrail.services.demo.lat import demo_definition
from votetrail.services.demo.netmon import load_demo_netmon
from votetrail.services.lat.sessions import add_device, open_from_file
from votetrail.services.setup import DEMO_PASSWORD
from votetrail.services.voters import records as voters
from votetrail.store import ledger
from votetrail.store.models import CHECKPOINTS


@dataclass
class Tally:
    """Operations done and errors met, per writer."""

    done: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, writer: str) -> None:
        with self.lock:
            self.done[writer] = self.done.get(writer, 0) + 1

    def fail(self, writer: str, exc: BaseException) -> None:
        with self.lock:
            self.errors.append(f"{writer}: {type(exc).__name__}: {exc}")


def _cvrs(app: App, county: str, rounds: int, folder: Path, tally: Tally) -> None:
    rng = random.Random(county)
    for n in range(rounds):
        path = folder / f"{county}-cvrs-{n}.csv"
        batch = Batch(f"ICP-{100 + n}", "Batch 1", f"{county.title()} P-1", 15)
        write_cvrs(path, county, [batch], rng)
        import_cvrs(app, f"{county}-admin", county, [path])
        tally.count(f"cvr import {county}")


def _voters(app: App, county: str, rounds: int, tally: Tally) -> None:
    admin = f"{county}-admin"
    load(app, county, 4, user=admin)
    tally.count("voter import")
    principal = who(app, admin)
    for n in range(rounds):
        voter_id = f"{county.upper()}{n % 4:06d}"
        change = Change(Kind.PARTY, reason="asked", source_ref=f"F-{n}", values={"party": f"P{n}"})
        voters.change(app, principal, voter_id, change)
        tally.count("voter change")


def _lat(app: App, rounds: int, folder: Path, tally: Tally) -> None:
    definition = folder / "clark.yaml"
    definition.write_text(write_yaml(demo_definition("clark", "Clark County")), "utf-8")
    clerk = who(app, "clark-admin")
    _, session = open_from_file(
        app, clerk, "clark", definition, "pre", date(2026, 10, 20), "Clark office", ["Jo Ortiz"]
    )
    tally.count("lat step")
    for n in range(rounds):
        add_device(app, clerk, session, f"DS200-{n}", "precinct scanner", f"SEAL-{n}")
        tally.count("lat step")


def _netmon(app: App, tally: Tally) -> None:
    load_demo_netmon(app)
    tally.count("netmon ingest")


def _logins(base: str, rounds: int, tally: Tally) -> None:
    users = ("state-admin", "adams-admin", "baker-admin", "analyst")
    for n in range(rounds):
        with httpx.Client(base_url=base, timeout=30) as client:
            signed = login(client, users[n % len(users)], DEMO_PASSWORD)
            if (
                signed.status_code != 303
                or client.get("/workspace", follow_redirects=True).status_code != 200
            ):
                raise AssertionError(f"sign-in {n} answered {signed.status_code}")
        tally.count("web login")


def run_writers(app: App, folder: Path, rounds: int) -> tuple[Tally, float]:
    """Run every writer at once; returns what they did and the seconds taken."""
    folder.mkdir(parents=True, exist_ok=True)
    tally = Tally()
    with serving(app) as base:
        jobs: dict[str, Callable[[], None]] = {
            "cvr adams": lambda: _cvrs(app, "adams", rounds, folder, tally),
            "cvr baker": lambda: _cvrs(app, "baker", rounds, folder, tally),
            "voters adams": lambda: _voters(app, "adams", rounds, tally),
            "voters baker": lambda: _voters(app, "baker", rounds, tally),
            "lat clark": lambda: _lat(app, rounds, folder, tally),
            "netmon": lambda: _netmon(app, tally),
            "logins": lambda: _logins(base, rounds, tally),
        }
        start = threading.Barrier(len(jobs))

        def runner(name: str, job: Callable[[], None]) -> None:
            start.wait()
            try:
                job()
            except Exception as exc:  # every failure is a finding to report
                tally.fail(name, exc)

        threads = [threading.Thread(target=runner, args=item) for item in jobs.items()]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.monotonic() - began
    return tally, took


def checkpoint_forks(app: App) -> tuple[int, list[str]]:
    """Stored checkpoints checked, and each consecutive pair not proved consistent."""
    problems: list[str] = []
    with app.engine.connect() as conn:
        rows = conn.execute(select(CHECKPOINTS).order_by(CHECKPOINTS.c.size)).all()
        for old, new in pairwise(rows):
            if old.size == 0:
                continue
            proof = ledger.consistency(conn, old.size, new.size)
            if not verify_consistency(old.size, new.size, old.root_hash, new.root_hash, proof):
                problems.append(f"checkpoint {old.size} is not consistent with {new.size}")
    return len(rows), problems
