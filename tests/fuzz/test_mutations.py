"""Every reader of outside input, fed byte-level mutations of a file it accepts.

The only allowed outcome for a damaged file is votetrail's InvalidInput naming
the file (``targets.run_one``): no other exception, no hang (each example has a
hard deadline, enforced with SIGALRM so a loop that never returns still fails),
and nothing left behind in the folder the file sits in. The longer,
coverage-guided runs are ``make fuzz`` (atheris, docs/reliability.md "Fuzzing").
"""

from __future__ import annotations

import random
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.mutate import mutate
from tests.fuzz.targets import TARGETS, Target, run_one, seeds, shared_seeds

DEADLINE_SECONDS = 5
"""One mutated file must be read or refused within this; the samples take milliseconds."""

SEED_BYTES = 16 * 1024
"""Real files are cut to this for the quick test; ``make fuzz`` uses them whole."""


class Hang(AssertionError):
    pass


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise Hang(f"reading one mutated file took over {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _samples(target: Target) -> list[bytes]:
    written = [make() for make in target.written]
    return written or [data for _, data in shared_seeds(target, SEED_BYTES)][:2]


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_mutated_files_are_refused_cleanly(name: str, request: pytest.FixtureRequest) -> None:
    target = TARGETS[name]
    if target.needs_shared or not target.written:
        # The one fixture that finds ../shared/data: skips outside CI, fails under CI=true.
        request.getfixturevalue("shared_data")
    samples = _samples(target)
    assert samples, f"no seed for {name}"
    assert not target.needs_shared or shared_seeds(target, 1), f"no shared seed for {name}"

    @settings(max_examples=60, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
    @given(st.integers(0, len(samples) - 1), st.randoms(use_true_random=False))
    def check(which: int, rng: random.Random) -> None:
        data = mutate(samples[which], rng)
        with tempfile.TemporaryDirectory() as folder:
            with deadline(DEADLINE_SECONDS):
                run_one(target, data, Path(folder))
            assert list(Path(folder).iterdir()) == [], "the reader left files behind"

    check()


def test_every_target_has_a_seed(request: pytest.FixtureRequest) -> None:
    """A target without any seed would only ever fuzz empty input."""
    if any(not t.written for t in TARGETS.values()):
        request.getfixturevalue("shared_data")  # their seeds are real files only
    assert all(seeds(t) or t.needs_shared for t in TARGETS.values())
