"""Audit statistics at state scale: round sizes for 100 contests, risk over 20,000 ballots.

Targets (issue "Risk-limiting audit engine"): first-round sample sizes for 100
contests on a 3,000,000-ballot manifest in under 1 s, and risk measurement over
20,000 audited ballots x 100 contests in under 1 s. Prints figures; it is a
report, not a test (``--check`` exits 1 when a target is missed).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Sequence

from votetrail.core.audit.assertions import Contest
from votetrail.core.audit.comparison import CardVotes, votes_for
from votetrail.formats.audit.inputs import ComparedCard, PolledBallot
from votetrail.services.audit.rounds import Method, measure_risk, sample_sizes

BALLOTS = 3_000_000


def contests(count: int, rng: random.Random) -> list[Contest]:
    out = []
    for i in range(count):
        margin = rng.uniform(0.02, 0.3)
        turnout = rng.uniform(0.6, 0.95)
        a = int(BALLOTS * turnout * (0.5 + margin / 2))
        b = int(BALLOTS * turnout) - a
        out.append(Contest(f"c{i}", {"A": a, "B": b}, BALLOTS))
    return out


def polled(found: Sequence[Contest], ballots: int, rng: random.Random) -> list[PolledBallot]:
    sample = []
    for i in range(ballots):
        votes = {c.id: frozenset({"A" if rng.random() < 0.55 else "B"}) for c in found}
        sample.append(PolledBallot(f"b{i}", votes))
    return sample


def compared(found: Sequence[Contest], ballots: int) -> list[ComparedCard]:
    same: CardVotes = votes_for("A")
    return [ComparedCard(f"b{i}", c.id, same, same, 0) for i in range(ballots) for c in found]


def timed(label: str, target: float, work: object) -> tuple[str, float, float]:
    start = time.perf_counter()
    assert callable(work)
    work()
    return label, target, time.perf_counter() - start


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contests", type=int, default=100)
    parser.add_argument("--ballots", type=int, default=20_000)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    rng = random.Random(2026)
    found = contests(args.contests, rng)
    sample = polled(found, args.ballots, rng)
    cards = compared(found, args.ballots)
    rows = [
        timed(
            "round sizes, BRAVO (exact binomial)",
            1.0,
            lambda: sample_sizes(found, Method.BRAVO, 0.05),
        ),
        timed(
            "round sizes, comparison (super-simple)",
            1.0,
            lambda: sample_sizes(found, Method.COMPARISON, 0.05),
        ),
        timed("risk, BRAVO", 1.0, lambda: measure_risk(found, Method.BRAVO, 0.05, polled=sample)),
        timed(
            "risk, comparison (Kaplan-Markov)",
            1.0,
            lambda: measure_risk(found, Method.COMPARISON, 0.05, compared=cards),
        ),
        timed(
            "risk, ALPHA polling (no target)",
            float("inf"),
            lambda: measure_risk(found, Method.ALPHA_POLLING, 0.05, polled=sample),
        ),
    ]
    print(f"{args.contests} contests, {BALLOTS:,} ballots, {args.ballots:,} audited ballots")
    missed = False
    for label, target, seconds in rows:
        ok = seconds < target
        missed |= not ok
        shown = "-" if target == float("inf") else f"< {target:.0f} s"
        print(f"{label:<42} {shown:>8} {seconds:8.3f} s  {'ok' if ok else 'MISSED'}")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
