"""Benchmark votetrail's RCTab-rules tabulation against a plain Python IRV loop.

Run from the project root::

    .venv/bin/python bench/bench_rcv_tabulate.py                     # 1,000,000 ballots
    .venv/bin/python bench/bench_rcv_tabulate.py --ballots 100000    # a quicker look

The issue's figure: tabulating 1,000,000 ranked ballots with 10 candidates,
time and memory, against the same ballots through a plain IRV loop. The
ballots are synthetic and fixed by ``--seed``: each voter ranks 1 to
``--ranks`` of the 10 candidates, drawn one after another with chances in
proportion to the candidates' popularity (a Plackett-Luce draw), so first
preferences differ and several rounds are needed.

(a) ``core.rcv.tabulate.tabulate`` with RCTab's default single-winner rules,
    given the ballots as ``RankedBallot`` objects;
(b) a plain loop written out below: every round, each ballot counts for its
    first continuing candidate; stop at a majority, else drop the last one.

Time is wall time of the call alone (ballots are built before). Peak memory is
measured in a second run of each under ``tracemalloc``: the most memory the
call held at once beyond the ballots it was given. The machine's load average
is printed beside them, since the machine is shared. Both must elect the same
candidate with the same first-round tallies; it exits 1 if they do not.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from _record import record
from votetrail.core.rcv.ballots import RankedBallot
from votetrail.core.rcv.rules import Candidate, ContestRules
from votetrail.core.rcv.tabulate import tabulate

CANDIDATES = tuple(f"Candidate {letter}" for letter in "ABCDEFGHIJ")
_T = TypeVar("_T")


@dataclass(frozen=True)
class Options:
    ballots: int
    ranks: int
    seed: int


def parse_args(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--ballots", type=int, default=1_000_000, help="ballots to count")
    parser.add_argument("--ranks", type=int, default=6, help="most rankings on a ballot (1-10)")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the synthetic ballots")
    args = parser.parse_args(argv)
    if args.ballots < 1:
        parser.error("--ballots must be at least 1")
    if not 1 <= args.ranks <= len(CANDIDATES):
        parser.error(f"--ranks must be from 1 to {len(CANDIDATES)}")
    return Options(args.ballots, args.ranks, args.seed)


def rankings(count: int, ranks: int, seed: int) -> list[tuple[str, ...]]:
    """``count`` seeded rankings: popular candidates more often, and earlier."""
    draw = random.Random(seed)
    popularity = [18.0, 16.0, 15.0, 12.0, 10.0, 9.0, 8.0, 6.0, 4.0, 2.0]
    found: list[tuple[str, ...]] = []
    for _ in range(count):
        left = list(range(len(CANDIDATES)))
        weights = list(popularity)
        chosen: list[str] = []
        for _ in range(draw.randint(1, ranks)):
            pick = draw.choices(range(len(left)), weights=weights)[0]
            chosen.append(CANDIDATES[left.pop(pick)])
            weights.pop(pick)
        found.append(tuple(chosen))
    return found


def plain_irv(ballots: list[tuple[str, ...]]) -> tuple[str, dict[str, int]]:
    """The winner and the first-round tallies, counted the plain way."""
    continuing = set(CANDIDATES)
    first_round: dict[str, int] = {}
    while True:
        tally = dict.fromkeys(sorted(continuing), 0)
        for ballot in ballots:
            for name in ballot:
                if name in continuing:
                    tally[name] += 1
                    break
        if not first_round:
            first_round = dict(tally)
        active = sum(tally.values())
        leader = max(tally, key=lambda name: tally[name])
        if tally[leader] * 2 > active or len(continuing) == 1:
            return leader, first_round
        continuing.remove(min(tally, key=lambda name: tally[name]))


def votetrail_irv(ballots: list[RankedBallot]) -> tuple[str, dict[str, int]]:
    rules = ContestRules(candidates=tuple(Candidate(name) for name in CANDIDATES))
    tabulation = tabulate(rules, ballots)
    first = {name: int(votes) for name, votes in tabulation.rounds[0].tally.items()}
    return tabulation.winners[0], first


def timed(call: Callable[[], _T]) -> tuple[_T, float]:
    start = time.perf_counter()
    result = call()
    return result, time.perf_counter() - start


def peak_bytes(call: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    print(f"generating {options.ballots:,} ballots ...", file=sys.stderr)
    plain = rankings(options.ballots, options.ranks, options.seed)
    ranked = [
        RankedBallot(str(number), tuple((name,) for name in ranking))
        for number, ranking in enumerate(plain, start=1)
    ]
    load_before = _load()
    print("(a) votetrail ...", file=sys.stderr)
    ours, ours_s = timed(lambda: votetrail_irv(ranked))
    print("(b) plain loop ...", file=sys.stderr)
    theirs, theirs_s = timed(lambda: plain_irv(plain))
    print("peak memory ...", file=sys.stderr)
    ours_peak = peak_bytes(lambda: votetrail_irv(ranked))
    theirs_peak = peak_bytes(lambda: plain_irv(plain))
    agree = ours == theirs
    distinct = len(set(plain))
    ratio = theirs_s / ours_s if ours_s > 0 else float("inf")
    rows = [
        (
            "ballots",
            f"{options.ballots:,} ({distinct:,} distinct rankings, 1-{options.ranks} ranks)",
        ),
        ("candidates", str(len(CANDIDATES))),
        ("(a) votetrail tabulate, s", f"{ours_s:.2f}"),
        ("(b) plain IRV loop, s", f"{theirs_s:.2f}"),
        ("ratio (b) / (a)", f"{ratio:.1f}"),
        ("(a) peak memory, MiB", f"{ours_peak / 2**20:.2f}"),
        ("(b) peak memory, MiB", f"{theirs_peak / 2**20:.2f}"),
        ("same winner and first round", "yes" if agree else f"NO: {ours[0]} vs {theirs[0]}"),
        ("winner", ours[0]),
        ("load average (1/5/15 min) before / after", f"{load_before} / {_load()}"),
    ]
    print("| figure | value |")
    print("|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    record(
        "bench_rcv_tabulate",
        {
            "ballots": options.ballots,
            "distinct rankings": distinct,
            "(a) votetrail tabulate, s": round(ours_s, 2),
            "(a) peak memory, MiB": round(ours_peak / 2**20, 1),
            "ratio (b) time / (a) time": round(ratio, 2),
            "same winner and first round": agree,
        },
        target="time and memory printed beside a plain IRV loop; same winner and first round",
        met=agree,
        reference={
            "(b) plain IRV loop, s": round(theirs_s, 2),
            "(b) peak memory, MiB": round(theirs_peak / 2**20, 1),
        },
        notes=f"{len(CANDIDATES)} candidates, 1 to {options.ranks} ranks, seed {options.seed}",
        smoke=options.ballots < 100_000,
    )
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
