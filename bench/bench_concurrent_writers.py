"""Concurrent writers, longer: two county CVR imports, voter changes, L&A steps, a
netmon ingest and web sign-ins at once, on SQLite and PostgreSQL.

Run from the project root::

    .venv/bin/python bench/bench_concurrent_writers.py                 # 40 rounds, both backends
    .venv/bin/python bench/bench_concurrent_writers.py --rounds 10 --backends sqlite

The writers are those of ``tests/services/test_concurrent_writers.py``
(``tests/concurrent_writers.py``), each doing ``--rounds`` operations. It prints,
per backend, the operations done per writer, the errors, the seconds taken, the
``verify`` result and how many stored checkpoints were proved consistent with
the next. Exit 1 on any error, an unclean verify or a checkpoint fork.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from _record import record

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def _database(backend: str, server: str | None) -> Iterator[str | None]:
    if backend == "sqlite" or server is None:
        yield None
        return
    name = "bench_" + uuid.uuid4().hex[:12]
    admin = server.replace("postgresql+psycopg", "postgresql") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def _run(backend: str, server: str | None, rounds: int, figures: dict[str, object]) -> bool:
    from tests.concurrent_writers import checkpoint_forks, run_writers

    from votetrail.services.setup import load_demo
    from votetrail.services.verify import verify

    with tempfile.TemporaryDirectory() as folder, _database(backend, server) as url:
        app = load_demo(Path(folder) / "data", url, with_election=False)
        try:
            tally, took = run_writers(app, Path(folder) / "files", rounds)
            report = verify(app)
            checked, forks = checkpoint_forks(app)
        finally:
            app.engine.dispose()
    operations = sum(tally.done.values())
    print(f"{backend}: {operations} operations in {took:.1f} s, {len(tally.errors)} errors")
    for writer, done in sorted(tally.done.items()):
        print(f"  {writer}: {done}")
    for error in tally.errors:
        print(f"  ERROR {error}")
    print(f"  verify: {'clean' if report.ok else 'FAILED'}")
    print(f"  checkpoints: {checked} stored, {len(forks)} not consistent with the next")
    for fork in forks:
        print(f"  FORK {fork}")
    figures[f"{backend}: operations"] = operations
    figures[f"{backend}: seconds"] = round(took, 1)
    figures[f"{backend}: errors"] = len(tally.errors)
    figures[f"{backend}: verify clean"] = report.ok
    figures[f"{backend}: checkpoints not consistent with the next"] = len(forks)
    return not tally.errors and report.ok and not forks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.databases import running_postgres

    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    ok = True
    figures: dict[str, object] = {"rounds per writer": args.rounds}
    if "sqlite" in backends:
        ok = _run("sqlite", None, args.rounds, figures) and ok
    if "postgresql" in backends:
        with running_postgres() as server:
            ok = _run("postgresql", server, args.rounds, figures) and ok
    record(
        "bench_concurrent_writers",
        figures,
        target="no errors, verify clean, every stored checkpoint consistent with the next",
        met=ok,
        smoke=args.rounds < 10,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
