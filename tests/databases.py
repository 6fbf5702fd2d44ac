"""Real databases for the suite: a SQLite file per test and a PostgreSQL server per run.

The PostgreSQL server is started from the distribution's binaries
(``scripts/ensure-test-deps``, run by ``make test``, installs them from apt
when absent) in a temporary folder, on a free loopback port, with durability switched off for
speed; each test gets a fresh database on it. Tests that take
``database_url`` run once per backend. ``VOTETRAIL_TEST_BACKENDS=sqlite``
narrows a local run; CI always runs both.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from tests.ports import free_port
from votetrail.services.context import App
from votetrail.services.setup import load_demo


def _backends() -> list[str]:
    wanted = os.environ.get("VOTETRAIL_TEST_BACKENDS", "sqlite,postgresql")
    if os.environ.get("CI") == "true":
        wanted = "sqlite,postgresql"
    return [b.strip() for b in wanted.split(",") if b.strip()]


def _pg_bin() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    found = shutil.which("pg_ctl")
    return Path(found).parent if found else None


def _as_server_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root; run it as the packaged postgres user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    if _pg_bin() is None:
        message = "PostgreSQL binaries not found; run scripts/ensure-test-deps (make test does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with running_postgres() as server:
        yield server


@contextmanager
def running_postgres(max_connections: int = 200) -> Iterator[str]:
    """A throw-away PostgreSQL server; its URL without a database (``bench/`` uses it too)."""
    bin_dir = _pg_bin()
    if bin_dir is None:
        raise FileNotFoundError("PostgreSQL binaries not found; run scripts/ensure-test-deps")
    root = Path(tempfile.mkdtemp(prefix="votetrail-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data = root / "data"
    port = free_port()
    subprocess.run(
        _as_server_user(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                "votetrail",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--locale=C",
            ]
        ),
        check=True,
        capture_output=True,
    )
    options = (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off "
        f"-c max_connections={max_connections}"
    )
    subprocess.run(
        _as_server_user(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(root / "server.log"),
                "-w",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://votetrail@127.0.0.1:{port}"
    finally:
        subprocess.run(
            _as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


def _admin(server: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(
        server.replace("postgresql+psycopg", "postgresql") + "/postgres", autocommit=True
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the runs of an ``only_on(backend)`` test on the other database.

    Some behaviour exists on one database only (SQLite keeps any value in any
    column; only PostgreSQL lets two writers interleave). Such a test runs on
    its database and is not collected for the other, rather than being
    collected and skipped there.
    """
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        marker = item.get_closest_marker("only_on")
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("database_url") if callspec is not None else None
        (dropped if marker is not None and backend not in marker.args else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(params=_backends())
def database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None means the default: a SQLite file in the data directory."""
    if request.param == "sqlite":
        yield None
        return
    with new_database(request.getfixturevalue("postgres_server")) as url:
        yield url


@contextmanager
def new_database(server: str, prefix: str = "t_") -> Iterator[str]:
    """A fresh, empty database on the test server, dropped afterwards; yields its URL."""
    name = prefix + uuid.uuid4().hex[:16]
    with _admin(server) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{server}/{name}"
    with _admin(server) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "votetrail-data"


@pytest.fixture
def election_app(data_dir: Path, database_url: str | None) -> Iterator[App]:
    """The demo state with its generated election uploaded (Adams has a jammed tape)."""
    app = load_demo(data_dir, database_url)
    yield app
    app.engine.dispose()


@pytest.fixture
def demo_app(data_dir: Path, database_url: str | None) -> Iterator[App]:
    """The demo state, loaded through the real services on the test's backend."""
    app = load_demo(data_dir, database_url, with_election=False)
    yield app
    app.engine.dispose()
