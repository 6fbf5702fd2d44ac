"""Audit statistics at state scale: round sizes for 100 contests, risk over 20,000 ballots.

Targets (issue 21, item 8): risk over 20,000 sampled cards x 100 contests in
under 0.1 s for Kaplan–Markov and BRAVO and under 0.5 s for ALPHA, computed on
columns (``votetrail.core.audit.columns``) rather than per-card Python objects,
with the same numbers to 1e-12. The reference is the former per-card path
(``tests/core/audit/per_card_reference.py``), timed in the same run on the
same sample; the bench also checks that both give the same report. Earlier
targets, still printed: first-round sizes for 100 contests on a 3,000,000-ballot
manifest in under 1 s. Times are the fastest of ``--repeat`` runs, in CPU
seconds (the machine is shared; wall seconds are printed beside them). Turning
per-card records into columns is a reader's job and is timed on its own line.
It is a report, not a test (``--check`` exits 1 when a target is missed).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
for _folder in (str(_HERE), str(_HERE.parent)):  # _record, and tests/ for the reference
    if _folder not in sys.path:
        sys.path.insert(0, _folder)

from tests.core.audit import per_card_reference as reference  # noqa: E402

from _record import record  # noqa: E402
from votetrail.core.audit import alpha, columns  # noqa: E402
from votetrail.core.audit.assertions import Contest  # noqa: E402
from votetrail.core.audit.comparison import CardVotes, votes_for  # noqa: E402
from votetrail.formats.audit.inputs import ComparedCard, PolledBallot  # noqa: E402
from votetrail.services.audit.rounds import (  # noqa: E402
    Method,
    RiskReport,
    measure_risk,
    sample_columns,
    sample_sizes,
)

BALLOTS = 3_000_000
TARGETS = {Method.COMPARISON: 0.1, Method.BRAVO: 0.1, Method.ALPHA_POLLING: 0.5}
LABELS = {
    Method.COMPARISON: "risk, comparison (Kaplan-Markov)",
    Method.BRAVO: "risk, BRAVO",
    Method.ALPHA_POLLING: "risk, ALPHA polling",
}


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


def compared(found: Sequence[Contest], ballots: int, rng: random.Random) -> list[ComparedCard]:
    """Mostly agreeing cards with one in 500 misread, numbered by reading as the reader does."""
    a, b, blank = votes_for("A"), votes_for("B"), votes_for()
    kinds: list[tuple[CardVotes, CardVotes]] = [(a, a), (b, b), (a, b), (a, blank), (b, a)]
    cards = []
    for i in range(ballots):
        for c in found:
            k = 0 if rng.random() < 0.998 else rng.randrange(1, len(kinds))
            cvr, paper = kinds[k]
            cards.append(ComparedCard(f"b{i}", c.id, cvr, paper, k))
    return cards


def fastest(repeat: int, work: Callable[[], Any]) -> tuple[float, float, Any]:
    """CPU and wall seconds of the fastest of ``repeat`` runs, and the last result."""
    cpu = wall = float("inf")
    result: Any = None
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        result = work()
        cpu = min(cpu, time.process_time() - c0)
        wall = min(wall, time.perf_counter() - w0)
    return cpu, wall, result


def cold(measure: Callable[..., RiskReport], *args: Any, **given: Any) -> RiskReport:
    """Measure with nothing left over from an earlier run: fresh columns, empty caches.

    A column keeps its per-kind counts once taken and ALPHA keeps its draw
    numbers; a repeat would otherwise time the cached case.
    """
    alpha._weights.cache_clear()
    alpha._remaining.cache_clear()
    fresh = {
        name: type(value)(
            value.ballots,
            {c: columns.Column(col.kinds, col.codes) for c, col in value.contests.items()},
        )
        for name, value in given.items()
    }
    return measure(*args, 0.05, **fresh)


def difference(new: RiskReport, old: RiskReport) -> float:
    """Largest relative difference between the two reports' risks; inf if they disagree else."""
    same = [r.assertion for r in new.risks] == [r.assertion for r in old.risks] and (
        new.decision,
        new.ballots_sampled,
        [(r.o1, r.o2, r.u1, r.u2) for r in new.risks],
    ) == (old.decision, old.ballots_sampled, [(r.o1, r.o2, r.u1, r.u2) for r in old.risks])
    if not same:
        return float("inf")
    return max(
        (abs(a.risk - b.risk) / max(abs(a.risk), abs(b.risk), 1e-300) for a, b in _pairs(new, old)),
        default=0.0,
    )


def _pairs(new: RiskReport, old: RiskReport) -> zip[tuple[Any, Any]]:
    return zip(new.risks, old.risks, strict=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contests", type=int, default=100)
    parser.add_argument("--ballots", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    smoke = args.contests < 100 or args.ballots < 20_000
    rng = random.Random(2026)
    found = contests(args.contests, rng)
    sample = polled(found, args.ballots, rng)
    cards = compared(found, args.ballots, rng)
    measure_risk(found[:1], Method.ALPHA_POLLING, 0.05, polled=sample[:2])  # imports pyarrow

    def make_columns() -> tuple[columns.PollingColumns, columns.ComparisonColumns]:
        return columns.polling_columns([b.votes for b in sample]), sample_columns(cards)

    build_cpu, _, (polls, compares) = fastest(1, make_columns)
    sizes = [
        ("round sizes, BRAVO (exact binomial)", Method.BRAVO),
        ("round sizes, comparison (super-simple)", Method.COMPARISON),
    ]
    print(
        f"{args.contests} contests, {BALLOTS:,} ballots, {args.ballots:,} audited ballots; "
        f"load {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; fastest of {args.repeat}"
    )
    for label, method in sizes:
        cpu, wall, _ = fastest(args.repeat, partial(sample_sizes, found, method, 0.05))
        print(f"{label:<40} target < 1 s: {cpu:8.3f} s CPU {wall:8.3f} s wall")
    print(f"{'columns from per-card records':<40} {build_cpu:8.3f} s CPU (a reader's job)")
    print(
        f"{'risk':<34}{'target':>8}{'columns':>10}{'per card':>10}{'ratio':>8}"
        f"{'wall':>9}  met  max rel. diff"
    )
    figures: dict[str, Any] = {}
    reference_figures: dict[str, Any] = {}
    missed = False
    for method, target in TARGETS.items():
        given: dict[str, Any] = (
            {"polled_columns": polls} if method.polling else {"compared_columns": compares}
        )
        old_given: dict[str, Any] = {"polled": sample} if method.polling else {"compared": cards}
        cpu, wall, new = fastest(args.repeat, partial(cold, measure_risk, found, method, **given))
        old_cpu, _, old = fastest(
            args.repeat, partial(reference.measure_risk, found, method, 0.05, **old_given)
        )
        diff = difference(new, old)
        ok = cpu < target and diff <= 1e-12
        missed |= not ok
        goal = f"< {target:g} s"
        print(
            f"{LABELS[method]:<34}{goal:>8}{cpu:>10.3f}{old_cpu:>10.3f}"
            f"{old_cpu / cpu:>7.1f}x{wall:>9.3f}  {'yes' if ok else 'NO ':<4} {diff:.1e}"
        )
        figures[f"{LABELS[method]}, CPU s"] = round(cpu, 4)
        figures[f"{LABELS[method]}, wall s"] = round(wall, 4)
        figures[f"{LABELS[method]}, ratio per card / columns"] = round(old_cpu / cpu, 1)
        figures[f"{LABELS[method]}, max relative difference"] = diff
        reference_figures[f"{LABELS[method]} per card, CPU s"] = round(old_cpu, 4)
    figures["columns from per-card records, CPU s"] = round(build_cpu, 4)
    record(
        "bench_audit",
        figures,
        target=(
            "risk over 20,000 cards x 100 contests: Kaplan-Markov and BRAVO < 0.1 s, "
            "ALPHA < 0.5 s (CPU), same numbers as the per-card path to 1e-12"
        ),
        met=not missed,
        reference=reference_figures,
        notes=f"fastest of {args.repeat} runs, CPU seconds; columns built beforehand",
        smoke=smoke,
    )
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
