"""Crash safety (issue 19): a command killed with SIGKILL leaves all or none of its work.

The real command-line entry point runs in a process of its own on a fresh copy
of a prepared state and is killed at a seeded random moment within the time a
whole run takes: a CVR import, a voter-file import, a netmon ingest and an L&A
session step (a tabulator's report recorded), on SQLite and on PostgreSQL.
Afterwards ``verify`` is clean, the log's size and the rows are those before
the command or those after a complete run, running the command again
completes it and running it once more changes nothing. The children are
forked from this process (already holding the imported program), so the kill
lands in the command's work rather than in Python's start-up; one test kills
the ``votetrail`` program itself. The long loop is ``bench/bench_crash_trials.py``.

A full disk is a file size limit (RLIMIT_FSIZE, no root needed): the write
fails with EFBIG, as it would with ENOSPC on a full disk.
"""

from __future__ import annotations

import random
import resource
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.bench_loader import load_bench
from tests.databases import _backends

BENCH = load_bench("bench_crash_trials")
SIZES = BENCH.Sizes(cvrs=6_000, voters=2_000, netmon_lines=20_000)
# Kills fall in the first WINDOW seconds of a run: each command here takes about that long
# (the bench measures a run first); a kill after the commit is a trial of "all" instead.
WINDOW = 1.5


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("crash-inputs")
    return folder, BENCH.write_inputs(folder, SIZES)


@pytest.fixture(scope="module", params=_backends())
def copies(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    inputs: tuple[Path, dict[str, Any]],
) -> Iterator[Any]:
    server = None if request.param == "sqlite" else request.getfixturevalue("postgres_server")
    prepared = BENCH.Copies(tmp_path_factory.mktemp(request.param), server, inputs[0])
    yield prepared
    prepared.close()


@pytest.mark.parametrize("kind", BENCH.KINDS)
def test_a_killed_command_leaves_all_or_none_and_completes_when_run_again(
    copies: Any, inputs: tuple[Path, dict[str, Any]], kind: str
) -> None:
    job = inputs[1][kind]
    tally = BENCH.Tally()
    rng = random.Random(f"issue-19-{kind}")
    BENCH.trial(copies, job, rng, (0.0, WINDOW), 2, tally, kind, "fork")
    assert tally.problems == []
    assert (tally.trials, tally.clean_verifies, tally.all_or_none) == (2, 2, 2)
    assert tally.completed_on_rerun == 1


def test_the_votetrail_program_killed_during_a_cvr_import(
    copies: Any, inputs: tuple[Path, dict[str, Any]]
) -> None:
    job = inputs[1]["cvr"]
    start_up = BENCH.startup_seconds()
    tally = BENCH.Tally()
    window = (start_up * 0.8, start_up + WINDOW)
    BENCH.trial(copies, job, random.Random(19), window, 1, tally, "cvr", "exec", "fork")
    assert tally.problems == []
    assert (tally.trials, tally.clean_verifies, tally.completed_on_rerun) == (1, 1, 1)


def _limit_files(size: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


@pytest.fixture(scope="module")
def sqlite_copies(
    tmp_path_factory: pytest.TempPathFactory, inputs: tuple[Path, dict[str, Any]]
) -> Any:
    return BENCH.Copies(tmp_path_factory.mktemp("sqlite-full"), None, inputs[0])


def test_a_full_disk_gives_one_clear_line_and_an_intact_database(
    sqlite_copies: Any, inputs: tuple[Path, dict[str, Any]]
) -> None:
    """A size-limited SQLite file: the import fails in one sentence and nothing changes."""
    copies = sqlite_copies
    job = inputs[1]["cvr"]
    target = copies.fresh()
    try:
        before, clean = BENCH.snapshot(target, job.table)
        assert clean
        database = target.data_dir / "votetrail.sqlite3"
        limit = database.stat().st_size + 64 * 1024
        failed = subprocess.run(
            [str(BENCH.VOTETRAIL), *job.argv, *target.args()],
            capture_output=True,
            text=True,
            preexec_fn=lambda: _limit_files(limit),
            timeout=300,
            check=False,
        )
        assert failed.returncode == 2, failed.stderr
        lines = failed.stderr.strip().splitlines()
        assert len(lines) == 1, failed.stderr
        assert lines[0].startswith("error: the database could not be written (")
        assert "the disk may be full" in lines[0]
        assert "nothing of this change was saved" in lines[0]
        after, clean = BENCH.snapshot(target, job.table)
        assert clean
        assert after == before
        assert BENCH.run_command(target, job, None, "fork").code == 0
        done, clean = BENCH.snapshot(target, job.table)
        assert clean
        assert done.rows == SIZES.cvrs
    finally:
        copies.discard(target)
