"""Run one fuzz target: coverage-guided under atheris, or plain random mutation without it.

``python -m tests.fuzz.run TARGET --seconds N --corpus DIR`` is what ``make
fuzz`` calls once per target (atheris sets up libFuzzer once per process). The
corpus folder is seeded by ``tests.fuzz.corpus``; libFuzzer adds the inputs
that reach new code to it and writes any crashing input under ``--artifacts``.
Each input is bounded: ``-timeout`` seconds and ``-rss_limit_mb`` of memory.

The last line printed is ``FUZZ <target> executions=<n> seconds=<s> crashes=<k>``
for ``tests.fuzz.fuzz_all`` to collect.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from tests.fuzz.mutate import mutate

if TYPE_CHECKING:
    from tests.fuzz.targets import Target

TIMEOUT_SECONDS = 10
RSS_LIMIT_MB = 1024


def _atheris(name: str, seconds: int, corpus: Path, artifacts: Path) -> None:
    import atheris  # type: ignore[import-untyped,unused-ignore]

    # Only votetrail's own code is instrumented: instrumenting every loaded
    # module (SQLAlchemy, Starlette...) takes minutes and guides nothing.
    with atheris.instrument_imports(include=["votetrail"]):
        from tests.fuzz.targets import TARGETS, run_one

    target = TARGETS[name]
    folder = Path(tempfile.mkdtemp(prefix=f"fuzz-{target.name}-"))

    def one(data: bytes) -> None:
        run_one(target, data, folder)

    artifacts.mkdir(parents=True, exist_ok=True)
    atheris.Setup(
        [
            sys.argv[0],
            f"-max_total_time={seconds}",
            f"-timeout={TIMEOUT_SECONDS}",
            f"-rss_limit_mb={RSS_LIMIT_MB}",
            "-max_len=262144",
            f"-artifact_prefix={artifacts}/",
            "-print_final_stats=1",
            str(corpus),
        ],
        one,
    )
    atheris.Fuzz()


def _plain(target: Target, seconds: int, corpus: Path, artifacts: Path) -> tuple[int, int]:
    """Random mutation of the corpus: the fallback where atheris does not install."""
    from tests.fuzz.targets import run_one

    seeds = [p.read_bytes() for p in sorted(corpus.iterdir())] or [b""]
    rng = random.Random(0)
    folder = Path(tempfile.mkdtemp(prefix=f"fuzz-{target.name}-"))
    executions = crashes = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        data = mutate(rng.choice(seeds), rng)
        executions += 1
        try:
            run_one(target, data, folder)
        except Exception:
            crashes += 1
            artifacts.mkdir(parents=True, exist_ok=True)
            (artifacts / f"crash-{executions}").write_bytes(data)
            traceback.print_exc()
    return executions, crashes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("target")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--artifacts", type=Path, required=True)
    parser.add_argument("--plain", action="store_true", help="random mutation, no atheris")
    args = parser.parse_args()
    if not args.plain:
        try:
            import atheris  # noqa: F401
        except ImportError:
            print("atheris is not installed: falling back to random mutation", file=sys.stderr)
            args.plain = True
    if args.plain:
        from tests.fuzz.targets import TARGETS

        target = TARGETS[args.target]
        started = time.monotonic()
        executions, crashes = _plain(target, args.seconds, args.corpus, args.artifacts)
        print(
            f"FUZZ {target.name} executions={executions} "
            f"seconds={time.monotonic() - started:.0f} crashes={crashes}"
        )
        sys.exit(1 if crashes else 0)
    _atheris(args.target, args.seconds, args.corpus, args.artifacts)


if __name__ == "__main__":
    main()
