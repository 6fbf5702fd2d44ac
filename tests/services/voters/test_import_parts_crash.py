"""A voter file read in parts by helper processes is still all or nothing when killed.

``tests/cli/test_crash_safety.py`` kills a voter import of 2,000 records,
which is read in one stream. This kills the real command at random moments
while it loads a file large enough to be cut into parts for the helpers
(issue 21), on both backends: afterwards ``verify`` is clean, the voters are
all there or none are, no helper outlives the command, and running the
command again completes it.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from tests.bench_loader import load_bench
from tests.cli import test_crash_safety
from votetrail.formats.voters.delimited import PRESETS, file_parts
from votetrail.services.voters import imports

copies = test_crash_safety.copies
"""The crash test's prepared copies, made here from this module's ``inputs`` (45,000 voters)."""

BENCH = load_bench("bench_crash_trials")
VOTERS = 45_000
"""Enough bytes for the loader to use its helpers (about 80 bytes a record are assumed)."""


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("parts-crash-inputs")
    sizes = BENCH.Sizes(cvrs=200, voters=VOTERS, netmon_lines=100)
    return folder, BENCH.write_inputs(folder, sizes)


def test_a_killed_import_in_parts_leaves_all_or_none(
    copies: Any, inputs: tuple[Path, dict[str, Any]]
) -> None:
    folder, jobs = inputs
    voter_file = folder / "voters.csv"
    assert voter_file.stat().st_size // 80 >= imports.PARALLEL_FROM
    assert file_parts(voter_file, PRESETS["votetrail"]) is not None
    job = jobs["voters"]
    seconds = BENCH.calibrate(copies, job, "fork")
    tally = BENCH.Tally()
    BENCH.trial(copies, job, random.Random("issue-21"), (0.2, seconds), 2, tally, "parts", "fork")
    assert tally.problems == []
    assert (tally.trials, tally.clean_verifies, tally.all_or_none) == (2, 2, 2)
    assert tally.completed_on_rerun == 1
