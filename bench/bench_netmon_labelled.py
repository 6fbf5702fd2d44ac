"""Scan detection against labelled traffic: votetrail's detector and the classic 15-minute rule.

Run from the project root::

    .venv/bin/python bench/bench_netmon_labelled.py                 # the four captures + a day
    .venv/bin/python bench/bench_netmon_labelled.py --attempts 10000 --sources 600

The labelled data are the four CTU-Normal captures in ``../shared/data/netmon/ctu-normal``
(one Windows desktop with a public address each, ~24 h of real Zeek conn.log,
every flow to the desktop labelled as an attack); ``tests/netmon_labels.py``
reads them and is the ground truth: a *scanner* is a labelled source that
touched ≥ 20 ports or ≥ 20 hosts over the capture. The desktops are the
benign sources that must never be flagged. Two predictors are scored per
source, each capture on its own and all four together ((capture, source) pairs):

(a) votetrail: the Zeek reader and :class:`Detector` configured as ``netmon
    ingest --home-net 147.32.0.0/16`` configures it; a source is predicted a
    scanner when it is a source of any incident other than ``internal``;
(b) the classic fixed-threshold rule, written here on its own: a source that
    reaches 20 distinct ports of one host, or 20 distinct hosts, within any
    15 minutes, over every flow of the log whatever its direction or answer.

It also prints each capture's per-day totals (labelled distinct sources and
attempts against the detector's :meth:`Detector.close_days`), why each missed
scanner was missed (its ports, span and busiest 15 minutes), and memory:
the peak Python allocation while feeding each capture (``tracemalloc``), and
for a synthetic day at the issue's scale (``--attempts`` unsolicited attempts
from ``--sources`` sources that touch one to four ports each, plus
``--slow`` slow scanners) the peak while feeding and what the detector holds
at the end of the day, before ``close_days(final=True)`` hands it over.

Prints tables and exits 0; 1 if the labelled data are missing.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import tracemalloc
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address, ip_network
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the ground truth is the test suite's, run from anywhere
    sys.path.insert(0, str(ROOT))

from tests.netmon_labels import (  # noqa: E402
    FOLDER,
    HOME_NETWORK,
    SCAN_THRESHOLD,
    Flow,
    GroundTruth,
    all_ground_truth,
)
from tests.shared_data import shared_data_dir  # noqa: E402

from _record import record  # noqa: E402
from votetrail.core.netmon.detector import Detector, DetectorConfig  # noqa: E402
from votetrail.core.netmon.events import ConnectionEvent, Outcome  # noqa: E402
from votetrail.core.netmon.incidents import IncidentKind  # noqa: E402
from votetrail.formats.netmon.logs.common import ReadReport  # noqa: E402
from votetrail.formats.netmon.logs.zeek import read_zeek  # noqa: E402

WINDOW = 900.0
"""The classic rule's window: 15 minutes, in seconds."""
MIB = 1024 * 1024


# ------------------------------------------------------------- the classic rule


def _reaches(times_keys: list[tuple[float, object]], threshold: int, window: float) -> bool:
    """Whether ``threshold`` distinct keys fall within ``window`` seconds (times ascending)."""
    held: Counter[object] = Counter()
    start = 0
    for moment, key in times_keys:
        held[key] += 1
        while times_keys[start][0] < moment - window:
            old = times_keys[start][1]
            held[old] -= 1
            if not held[old]:
                del held[old]
            start += 1
        if len(held) >= threshold:
            return True
    return False


def classic_scanners(
    flows: Iterable[Flow], threshold: int = SCAN_THRESHOLD, window: float = WINDOW
) -> set[str]:
    """Sources reaching ``threshold`` ports of one host or ``threshold`` hosts in ``window`` s.

    Every flow counts, whichever way it went and whatever the answer, as in
    the fixed-threshold detectors of the 2000s (Snort's sfPortscan, Bro's
    original scan policy): the rule knows no home network and no
    conn_state. ICMP flows count as contacts with a host, not as ports.
    """
    hosts: dict[str, list[tuple[float, object]]] = defaultdict(list)
    ports: dict[tuple[str, str], list[tuple[float, object]]] = defaultdict(list)
    for flow in flows:
        hosts[flow.source].append((flow.time, flow.target))
        if flow.protocol != "icmp":
            ports[(flow.source, flow.target)].append((flow.time, flow.port))
    found = set()
    for source, seen in hosts.items():
        if _reaches(sorted(seen, key=lambda item: item[0]), threshold, window):
            found.add(source)
    for (source, _), seen in ports.items():
        if source not in found and _reaches(
            sorted(seen, key=lambda item: item[0]), threshold, window
        ):
            found.add(source)
    return found


# ------------------------------------------------------------------ votetrail


def detector_config() -> DetectorConfig:
    """As ``netmon ingest --home-net 147.32.0.0/16`` builds it (``services/netmon/ingest.py``)."""
    return DetectorConfig(home_networks=(HOME_NETWORK,), local_networks=(HOME_NETWORK,))


@dataclass(frozen=True)
class Detected:
    flagged: set[str]
    """Sources of an incident other than ``internal``: predicted scanners."""
    internal: set[str]
    """Sources of an ``internal`` incident."""
    days: dict[str, tuple[int, int]]
    """UTC day (ISO) → (sources, attempts) from ``close_days(final=True)``."""
    peak: int
    """Peak traced bytes while reading and feeding the capture."""


def run_votetrail(conn_log: Path) -> Detected:
    report = ReadReport(str(conn_log))
    events = list(read_zeek(conn_log, report))
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    detector = Detector(detector_config())
    detector.feed_many(events)
    incidents = detector.incidents()
    closed = detector.close_days(final=True)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    flagged: set[str] = set()
    internal: set[str] = set()
    for incident in incidents:
        (internal if incident.kind is IncidentKind.INTERNAL else flagged).update(incident.sources)
    days = {total.day.isoformat(): (total.sources, total.attempts) for total in closed.days}
    return Detected(flagged, internal, days, peak)


# -------------------------------------------------------------------- scoring


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    benign_flagged: int = 0
    benign: int = 0

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.benign_flagged += other.benign_flagged
        self.benign += other.benign

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score(truth: GroundTruth, flagged: set[str], benign_flagged: set[str]) -> Score:
    scanners = truth.scanners
    return Score(
        tp=len(flagged & scanners),
        fp=len(flagged - scanners),
        fn=len(scanners - flagged),
        benign_flagged=len(truth.benign & benign_flagged),
        benign=len(truth.benign),
    )


def why_missed(truth: GroundTruth, source: str) -> str:
    """A missed scanner's flows in one line: ports, span, busiest 15 minutes, states."""
    flows = [f for f in truth.flows_of(source) if f.malicious]
    keyed = [(f.time, f.port) for f in flows if f.protocol != "icmp"]
    busiest = 0
    start = 0
    for end in range(len(keyed)):
        while keyed[start][0] < keyed[end][0] - WINDOW:
            start += 1
        busiest = max(busiest, len({port for _, port in keyed[start : end + 1]}))
    hours = (flows[-1].time - flows[0].time) / 3600 if flows else 0.0
    states = Counter(f.state for f in flows).most_common(3)
    count = truth.sources[source]
    return (
        f"{truth.capture.name} {source}: {count.attempts} attempts, {count.ports} ports, "
        f"{count.hosts} host(s) over {hours:.1f} h, at most {busiest} ports in 15 min, "
        f"states {', '.join(f'{s}×{n}' for s, n in states)}"
    )


# -------------------------------------------------------------- synthetic day


def synthetic_day(attempts: int, sources: int, slow: int, seed: int) -> list[ConnectionEvent]:
    """A day of unsolicited attempts at an office's /24, as the issue describes it.

    ``sources`` internet sources each try one to four ports of one or two
    office hosts, most once, a few over and over (the attempts are shared
    out with a long tail), nearly all unanswered; ``slow`` slow scanners each
    try 100 ports of one host, or one port of 60 hosts, spread over 24 hours.
    Sorted by time, as a firewall writes them.
    """
    rng = random.Random(seed)
    start = datetime(2026, 11, 3, tzinfo=UTC).timestamp()
    office = [0xC6336400 + i for i in range(1, 255)]  # 198.51.100.1-254
    common = (22, 23, 80, 443, 445, 3389, 5060, 8080, 1433, 3306, 6379, 5900)
    rows: list[tuple[float, int, int, int, Outcome]] = []
    weights = [1.0 / (1 + i) ** 0.8 for i in range(sources)]
    scale = (attempts - sources) / sum(weights)
    for i in range(sources):
        source = 0x01000000 + i * 2_654_435 % 0xC0000000
        ports = [rng.choice(common) if rng.random() < 0.7 else rng.randrange(1, 65536)]
        ports += [rng.randrange(1, 65536) for _ in range(rng.randrange(4))]
        hosts = [rng.choice(office) for _ in range(rng.choice((1, 1, 1, 2)))]
        for _ in range(1 + int(weights[i] * scale)):
            moment = start + rng.random() * 86_400
            outcome = Outcome.REJECTED if rng.random() < 0.05 else Outcome.UNANSWERED
            rows.append((moment, source, rng.choice(hosts), rng.choice(ports), outcome))
    for j in range(slow):
        source = 0x4F7C3E00 + j  # one /24, like 79.124.62.0/24 in the captures
        if j % 3:
            host = rng.choice(office)
            rows.extend(
                (
                    start + rng.random() * 86_400,
                    source,
                    host,
                    rng.randrange(1, 65536),
                    Outcome.UNANSWERED,
                )
                for _ in range(100)
            )
        else:
            port = rng.choice(common)
            rows.extend(
                (start + rng.random() * 86_400, source, host, port, Outcome.UNANSWERED)
                for host in rng.sample(office, 60)
            )
    rows.sort(key=lambda row: row[0])
    return [
        ConnectionEvent(
            datetime.fromtimestamp(moment, UTC),
            IPv4Address(source),
            IPv4Address(target),
            port,
            "tcp",
            outcome,
            True,
        )
        for moment, source, target, port, outcome in rows
    ]


@dataclass(frozen=True)
class DayMemory:
    events: int
    peak: int
    held: int
    after_close: int
    active: int
    incidents: int
    seconds: float
    sources: int
    attempts: int


def day_memory(events: list[ConnectionEvent]) -> DayMemory:
    """Feed a day under ``tracemalloc``: the peak, and what the detector still holds."""
    network = ip_network("198.51.100.0/24")
    config = DetectorConfig(
        home_networks=(network,), local_networks=(network,), idle_timeout=timedelta(hours=1)
    )
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    began = time.process_time()
    detector = Detector(config)
    detector.feed_many(events)
    seconds = time.process_time() - began
    held = tracemalloc.get_traced_memory()[0] - base
    active = detector.active_sources
    incidents = len(detector.incidents())
    closed = detector.close_days(final=True)
    after = tracemalloc.get_traced_memory()[0] - base
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return DayMemory(
        events=len(events),
        peak=peak,
        held=held,
        after_close=after,
        active=active,
        incidents=incidents,
        seconds=seconds,
        sources=sum(total.sources for total in closed.days),
        attempts=sum(total.attempts for total in closed.days),
    )


# ----------------------------------------------------------------------- main


def _load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def _row(name: str, rule: str, s: Score) -> str:
    return (
        f"| {name} | {rule} | {s.tp + s.fn} | {s.tp + s.fp} | {s.tp} | {s.fp} | {s.fn} "
        f"| {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.benign_flagged} of {s.benign} |"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=shared_data_dir() / FOLDER)
    parser.add_argument("--attempts", type=int, default=100_000)
    parser.add_argument("--sources", type=int, default=6_000)
    parser.add_argument("--slow", type=int, default=30)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"labelled captures not found at {args.data}", file=sys.stderr)
        return 1
    print(f"load average at start (1 / 5 / 15 min): {_load()}")
    truths = all_ground_truth(args.data)
    totals = {"votetrail": Score(), "classic": Score()}
    rows: list[str] = []
    missed: list[str] = []
    day_rows: list[str] = []
    peaks: list[str] = []
    for truth in truths:
        name = truth.capture.name
        found = run_votetrail(truth.capture.conn_log(args.data))
        ours = score(truth, found.flagged, found.flagged | found.internal)
        classic = classic_scanners(truth.flows)
        theirs = score(truth, classic, classic)
        totals["votetrail"].add(ours)
        totals["classic"].add(theirs)
        rows += [_row(name, "(a) votetrail", ours), _row(name, "(b) classic", theirs)]
        missed += [why_missed(truth, s) for s in sorted(truth.scanners - found.flagged)]
        extra = sorted(found.flagged - truth.scanners)
        if extra:
            missed.append(f"{name} flagged, not labelled scanners: {', '.join(extra)}")
        for total in truth.day_totals():
            got = found.days.get(total.day.isoformat(), (0, 0))
            day_rows.append(
                f"| {name} | {total.day} | {total.sources:,} | {got[0]:,} "
                f"| {total.attempts:,} | {got[1]:,} |"
            )
        peaks.append(f"{name} {found.peak / MIB:.1f} MiB")
    print()
    print("Per source, against labelled scanners (≥ 20 ports or hosts over the capture)")
    print(
        "| capture | rule | scanners | flagged | TP | FP | FN | precision | recall | F1 "
        "| desktop flagged |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for row in rows:
        print(row)
    print(_row("all four", "(a) votetrail", totals["votetrail"]))
    print(_row("all four", "(b) classic", totals["classic"]))
    print()
    print("Missed or extra (votetrail):" if missed else "votetrail missed no scanner")
    for line in missed:
        print(f"  {line}")
    print()
    print("Per UTC day: labelled vs Detector.close_days(final=True)")
    print("| capture | day | labelled sources | counted | labelled attempts | counted |")
    print("|---|---|---:|---:|---:|---:|")
    for row in day_rows:
        print(row)
    print()
    print(f"peak Python allocation while feeding each capture: {', '.join(peaks)}")
    print(
        f"building a synthetic day ({args.attempts:,} attempts, {args.sources:,} sources) ...",
        file=sys.stderr,
    )
    day = synthetic_day(args.attempts, args.sources, args.slow, args.seed)
    memory = day_memory(day)
    print(
        f"synthetic day: {memory.events:,} events ({args.sources:,} sources with one to four "
        f"ports, {args.slow} slow scanners), {memory.seconds:.2f} s CPU, "
        f"{memory.incidents} incidents, counted {memory.sources:,} sources / "
        f"{memory.attempts:,} attempts"
    )
    print(
        f"| peak while feeding | held at the end of the day | after close_days(final=True) "
        f"| sources held |\n|---:|---:|---:|---:|\n| {memory.peak / MIB:.1f} MiB "
        f"| {memory.held / MIB:.1f} MiB | {memory.after_close / MIB:.1f} MiB | {memory.active:,} |"
    )
    print(f"load average at end (1 / 5 / 15 min): {_load()}")
    ours, theirs = totals["votetrail"], totals["classic"]
    record(
        "bench_netmon_labelled",
        {
            "labelled scanners, all four captures": ours.tp + ours.fn,
            "(a) votetrail precision": round(ours.precision, 3),
            "(a) votetrail recall": round(ours.recall, 3),
            "(a) votetrail F1": round(ours.f1, 3),
            "(a) desktops flagged": f"{ours.benign_flagged} of {ours.benign}",
            "synthetic day: events": memory.events,
            "synthetic day: peak while feeding, MiB": round(memory.peak / MIB, 1),
            "synthetic day: held at the end, MiB": round(memory.held / MIB, 1),
            "synthetic day: CPU s": round(memory.seconds, 2),
        },
        target="no desktop flagged, and F1 at or above the classic rule's on the same captures",
        met=ours.benign_flagged == 0 and ours.f1 >= theirs.f1,
        reference={
            "(b) classic precision": round(theirs.precision, 3),
            "(b) classic recall": round(theirs.recall, 3),
            "(b) classic F1": round(theirs.f1, 3),
            "(b) desktops flagged": f"{theirs.benign_flagged} of {theirs.benign}",
        },
        notes="the four CTU-Normal captures; the classic rule: 20 ports or hosts in 15 minutes",
        smoke=args.attempts < 100_000,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
