"""A full disk under PostgreSQL (issue 19): one clear line, an intact database, then success.

The SQLite test in ``test_crash_safety.py`` fakes a full disk with a file size
limit. PostgreSQL writes its files in a server process the test cannot limit,
so here the disk really fills: the test database lives in a tablespace on a
small tmpfs mounted for the test (root is needed to mount; the server's OS user
owns the mount). The demo state is loaded, the tmpfs is shrunk to leave a
couple of megabytes, and the real ``votetrail cvr import`` of a few thousand
generated CVRs runs out of room mid-transaction. PostgreSQL answers
``could not extend file ...: No space left on device`` (SQLSTATE 53100); the
command must say so in one line and exit 2, ``votetrail verify`` must be
clean with none of the import in the log or the tables, and once the tmpfs is
given room again the very same command must complete.

Mounting needs root and the right to mount (a container may lack it): without
them the test skips saying why, except under ``CI=true``, where a skip would
hide that the check never ran, so it fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import psycopg
import pytest

from tests.bench_loader import load_bench
from votetrail.services.setup import DEMO_PASSWORD, load_demo
from votetrail.store.models import CVRS

CRASH = load_bench("bench_crash_trials")
CVRS_IMPORTED = 6_000
TMPFS_SIZE = 24 * 1024 * 1024
ROOM_LEFT = 2 * 1024 * 1024
"""Free space left on the tmpfs before the import: far less than 6,000 CVRs need."""


def _cannot(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"the PostgreSQL disk-full test cannot run under CI: {reason}")
    pytest.skip(reason)


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)


def _admin(server: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(
        server.replace("postgresql+psycopg", "postgresql") + "/postgres", autocommit=True
    )


@dataclass(frozen=True)
class SmallDisk:
    """A database whose files all live on a tmpfs that can be shrunk and grown."""

    mount: Path
    url: str

    def resize(self, size: int) -> None:
        done = _run("mount", "-o", f"remount,size={size}", str(self.mount))
        assert done.returncode == 0, done.stderr

    def used(self) -> int:
        return shutil.disk_usage(self.mount).used

    def free(self) -> int:
        return shutil.disk_usage(self.mount).free


@pytest.fixture
def small_disk(database_url: str) -> Iterator[SmallDisk]:
    """A tablespace on a fresh tmpfs and an empty database in it, all removed afterwards."""
    if os.geteuid() != 0:
        _cannot("mounting a tmpfs for the tablespace needs root")
    if shutil.which("mount") is None or shutil.which("umount") is None:
        _cannot("the mount and umount programs are not installed")
    server = database_url.rsplit("/", 1)[0]
    mount = Path(tempfile.mkdtemp(prefix="votetrail-full-disk-"))
    tag = uuid.uuid4().hex[:12]
    tablespace, database = f"full_{tag}", f"t_full_{tag}"
    mounted = False
    try:
        done = _run(
            "mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE},mode=0700", "tmpfs", str(mount)
        )
        if done.returncode != 0:
            _cannot(f"mount -t tmpfs was refused: {done.stderr.strip()}")
        mounted = True
        # The server runs as the packaged postgres user when the tests run as root
        # (tests/databases.py); it must own the tablespace's folder.
        shutil.chown(mount, "postgres", "postgres")
        with _admin(server) as conn:
            conn.execute(f"CREATE TABLESPACE \"{tablespace}\" LOCATION '{mount}'")
            conn.execute(f'CREATE DATABASE "{database}" TABLESPACE "{tablespace}"')
        yield SmallDisk(mount, f"{server}/{database}")
    finally:
        try:
            with _admin(server) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
                conn.execute(f'DROP TABLESPACE IF EXISTS "{tablespace}"')
        finally:
            if mounted and _run("umount", str(mount)).returncode != 0:
                _run("umount", "--lazy", str(mount))
            shutil.rmtree(mount, ignore_errors=True)


@pytest.fixture
def cvr_files(tmp_path: Path) -> list[Path]:
    """Dominion CSV exports from the generator the CVR benchmark and the crash tests use."""
    cvr_bench = load_bench("bench_cvr_import")
    options = cvr_bench.parse_args(["--cvrs", str(CVRS_IMPORTED), "--files", "1", "--skip-json"])
    folder = tmp_path / "cvr"
    folder.mkdir()
    generated = cvr_bench.generate(folder, options, cvr_bench.read_header(options.template))
    return list(generated.csv_files)


def _votetrail(target: object, *argv: str) -> subprocess.CompletedProcess[str]:
    """The real ``votetrail`` program against the copy, as an official would run it."""
    return subprocess.run(
        [str(CRASH.VOTETRAIL), *argv, *target.args()],  # type: ignore[attr-defined]
        capture_output=True,
        text=True,
        env={**os.environ, "VOTETRAIL_PASSWORD": DEMO_PASSWORD},
        timeout=300,
        check=False,
    )


@pytest.mark.only_on("postgresql")
def test_a_full_disk_on_postgresql_gives_one_clear_line_and_an_intact_database(
    small_disk: SmallDisk, cvr_files: list[Path], tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    load_demo(data_dir, small_disk.url, with_election=False).engine.dispose()
    target = CRASH.Target(data_dir, small_disk.url)
    before, clean = CRASH.snapshot(target, CVRS)
    assert clean
    small_disk.resize(small_disk.used() + ROOM_LEFT)
    command = ("cvr", "import", *map(str, cvr_files), "--jurisdiction", "adams")

    failed = _votetrail(target, *command)

    assert failed.returncode == 2, failed.stderr
    assert "Traceback" not in failed.stderr
    lines = failed.stderr.strip().splitlines()
    assert len(lines) == 1, failed.stderr
    assert lines[0].startswith("error: the database could not be written (could not extend file")
    assert "No space left on device" in lines[0]
    assert "the disk may be full" in lines[0]
    assert "nothing of this change was saved" in lines[0]
    assert small_disk.free() < 64 * 1024  # the import really did fill the disk
    checked = _votetrail(target, "verify")
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith(f"OK: {before.log_size} log entries")
    after, clean = CRASH.snapshot(target, CVRS)
    assert clean
    assert after == before  # neither a CVR nor a log entry of the import is left

    small_disk.resize(TMPFS_SIZE)
    completed = _votetrail(target, *command)

    assert completed.returncode == 0, completed.stderr
    done, clean = CRASH.snapshot(target, CVRS)
    assert clean
    assert done.rows == before.rows + CVRS_IMPORTED
    assert done.log_size > before.log_size
    assert _votetrail(target, "verify").returncode == 0
