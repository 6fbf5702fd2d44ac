"""Benchmark votetrail's consistent sampler against Rivest's ``consistent_sampler`` package.

Run from the project root::

    .venv/bin/python bench/bench_sampler.py                        # 1,000,000 ballots, 1,000 draws
    .venv/bin/python bench/bench_sampler.py --ids 100000 --size 500

Both draw from the same ballot ids (shaped like the manifest reader's) with the
same 20-digit seed, without and then with replacement. The two are run in turn
``--repeat`` times and each one's fastest run counts. Times are this process's
CPU time, so other work on a shared machine does not tilt the ratio; the ids'
string hashes are computed before timing, so neither side pays for them. The
ratio is package time / votetrail time; the target is 8.

It prints one table. It exits 1 if the two samples differ (a bug, always), and
with ``--check`` also if the ratio misses the target; otherwise 0.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import consistent_sampler

from _record import record
from votetrail.core.audit.sampler import sample

TARGET_RATIO = 8.0
_T = TypeVar("_T")


@dataclass(frozen=True)
class Options:
    ids: int
    size: int
    repeat: int
    seed: str
    check: bool


@dataclass(frozen=True)
class Row:
    mode: str
    package_s: float
    votetrail_s: float
    identical: bool

    @property
    def ratio(self) -> float:
        return self.package_s / self.votetrail_s if self.votetrail_s > 0 else float("inf")


def parse_args(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--ids", type=int, default=1_000_000, help="ballots in the population")
    parser.add_argument("--size", type=int, default=1000, help="draws to take")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the fastest counts")
    parser.add_argument("--seed", default="01382438112797316654", help="20-digit public seed")
    parser.add_argument("--check", action="store_true", help="exit 1 if the target is missed")
    args = parser.parse_args(argv)
    if args.ids < 1 or not 0 <= args.size <= args.ids or args.repeat < 1:
        parser.error("need --ids >= 1, 0 <= --size <= --ids and --repeat >= 1")
    return Options(args.ids, args.size, args.repeat, args.seed, args.check)


def ballot_ids(count: int) -> list[str]:
    """Ids as the manifest reader makes them: jurisdiction, tabulator, batch of 250, position."""
    rng = random.Random(count)
    counties = [f"County {n}" for n in range(1, 117)]
    ids = []
    for index in range(count):
        batch, position = divmod(index, 250)
        county = counties[batch % len(counties)]
        ids.append(f"{county}::Tabulator {rng.randrange(1, 40)}:Batch {batch}:{position + 1}")
    return ids


def measure(ids: list[str], options: Options, with_replacement: bool) -> Row:
    def theirs() -> list[tuple[str, str, int]]:
        draws = consistent_sampler.sampler(
            ids, options.seed, with_replacement=with_replacement, take=options.size
        )
        return [(number, ballot, generation) for number, ballot, generation in draws]

    def ours() -> list[tuple[str, str, int]]:
        drawn = sample(ids, options.seed, options.size, with_replacement=with_replacement)
        return [(t.ticket, t.id, t.generation) for t in drawn]

    package_s = votetrail_s = float("inf")
    identical = True
    for _ in range(options.repeat):  # alternate, so a busy spell hits both alike
        seconds, expected = _timed(theirs)
        package_s = min(package_s, seconds)
        seconds, got = _timed(ours)
        votetrail_s = min(votetrail_s, seconds)
        identical = identical and got == expected
    mode = "with replacement" if with_replacement else "without replacement"
    return Row(mode, package_s, votetrail_s, identical)


def _timed(run: Callable[[], _T]) -> tuple[float, _T]:
    start = time.process_time()
    result = run()
    return time.process_time() - start, result


def run(options: Options) -> list[Row]:
    ids = ballot_ids(options.ids)
    len(set(ids))  # hash every id once, outside the timings
    return [measure(ids, options, with_replacement) for with_replacement in (False, True)]


def report(rows: list[Row], options: Options) -> str:
    lines = [
        f"consistent sampling: {options.ids:,} ballots, {options.size:,} draws, "
        f"fastest of {options.repeat}, in CPU seconds",
        f"{'mode':<22}{'package s':>11}{'votetrail s':>13}{'ratio':>9}  "
        f"{'>= ' + format(TARGET_RATIO, 'g') + 'x':<7}identical",
    ]
    for row in rows:
        lines.append(
            f"{row.mode:<22}{row.package_s:>11.3f}{row.votetrail_s:>13.3f}{row.ratio:>7.2f}x  "
            f"{'yes' if row.ratio >= TARGET_RATIO else 'no':<7}{'yes' if row.identical else 'NO'}"
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    rows = run(options)
    sys.stdout.write(report(rows, options))
    record(
        "bench_sampler",
        {
            **{f"votetrail {r.mode}, CPU s": round(r.votetrail_s, 4) for r in rows},
            **{f"ratio {r.mode} (package / votetrail)": round(r.ratio, 2) for r in rows},
            "samples identical": all(r.identical for r in rows),
            "ballots": options.ids,
            "draws": options.size,
        },
        target=f"package time / votetrail time ≥ {TARGET_RATIO:g}, CPU, same sample",
        met=all(r.ratio >= TARGET_RATIO and r.identical for r in rows),
        reference={f"consistent_sampler {r.mode}, CPU s": round(r.package_s, 4) for r in rows},
        notes=f"fastest of {options.repeat} runs each, in CPU time",
        smoke=options.ids < 100_000,
    )
    if not all(row.identical for row in rows):
        return 1
    if options.check and any(row.ratio < TARGET_RATIO for row in rows):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
