"""Measure how many connection events a second the scan detector takes.

Run from the project root::

    .venv/bin/python bench/bench_netmon_detect.py                  # 1,000,000 events
    .venv/bin/python bench/bench_netmon_detect.py --events 100000 --check

The events are synthetic and built before timing, so only detection is
measured (the issue's 300,000 events/s target is for parsing plus detection;
parsing is the readers' benchmark). About nine in ten come from clients
reaching a few services, one in ten from horizontal, vertical and slow
scanners, over a simulated day. Two paths are timed: ``feed_many`` on
:class:`ConnectionEvent` objects, and ``observe`` on integers prepared
beforehand (the fast path a reader holding integers would use). Times are
this process's CPU time; each path's fastest of ``--repeat`` runs counts.

It prints one table. With ``--check`` it exits 1 if ``feed_many`` is below the
target; otherwise 0.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address

from _record import record
from votetrail.core.netmon.detector import Detector, address_key
from votetrail.core.netmon.events import ConnectionEvent, Outcome

TARGET = 300_000.0
SERVICES = (443, 443, 443, 80, 25, 53, 993)


def synthetic(count: int, seed: int) -> list[ConnectionEvent]:
    """``count`` events over one day: clients to services, plus scanners."""
    rng = random.Random(seed)
    clients = [IPv4Address(0x0B000000 + i * 7) for i in range(40_000)]
    servers = [IPv4Address(0xC0A80000 + i) for i in range(64)]
    scanners = [IPv4Address(0x2D000000 + i * 331) for i in range(2_000)]
    start = datetime(2026, 11, 3, tzinfo=UTC)
    step = 86_400.0 / count
    events: list[ConnectionEvent] = []
    for i in range(count):
        moment = start + timedelta(seconds=i * step)
        if rng.random() < 0.9:
            # about 2,000 clients are active in any hour, as in an office day
            client = clients[(int(i * step) // 60 + rng.randrange(2_000)) % len(clients)]
            server = servers[rng.randrange(8)]
            ok = rng.random() > 0.02
            outcome = Outcome.ESTABLISHED if ok else Outcome.UNANSWERED
            port = SERVICES[rng.randrange(len(SERVICES))]
            events.append(ConnectionEvent(moment, client, server, port, "tcp", outcome, True))
        else:
            scanner = scanners[rng.randrange(len(scanners))]
            target = servers[rng.randrange(len(servers))]
            port = rng.randrange(1, 65_536)
            outcome = Outcome.BLOCKED if rng.random() < 0.7 else Outcome.REJECTED
            accepted = outcome is not Outcome.BLOCKED
            events.append(ConnectionEvent(moment, scanner, target, port, "tcp", outcome, accepted))
    return events


def time_feed_many(events: list[ConnectionEvent]) -> tuple[float, int]:
    detector = Detector()
    began = time.process_time()
    detector.feed_many(events)
    elapsed = time.process_time() - began
    return elapsed, len(detector.incidents())


def time_observe(rows: list[tuple[int, int, int, float, bool, bool]]) -> float:
    detector = Detector()
    observe = detector.observe
    began = time.process_time()
    for source, target, port, seconds, established, accepted in rows:
        observe(source, target, port, seconds, established, accepted)
    return time.process_time() - began


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2004)
    parser.add_argument("--check", action="store_true")
    options = parser.parse_args(argv)
    print(f"building {options.events:,} events ...", file=sys.stderr)
    events = synthetic(options.events, options.seed)
    rows = [
        (
            address_key(e.source),
            address_key(e.target),
            e.port,
            e.time.timestamp(),
            e.outcome is Outcome.ESTABLISHED,
            e.accepted,
        )
        for e in events
    ]
    many = min(time_feed_many(events)[0] for _ in range(options.repeat))
    fast = min(time_observe(rows) for _ in range(options.repeat))
    incidents = time_feed_many(events)[1]
    print(f"| path | events | CPU s | events/s |  (target {TARGET:,.0f}/s, {incidents} incidents)")
    print("|---|---:|---:|---:|")
    for name, seconds in (("feed_many(ConnectionEvent)", many), ("observe(int keys)", fast)):
        rate = options.events / seconds
        print(f"| {name} | {options.events:,} | {seconds:.3f} | {rate:,.0f} |")
    record(
        "bench_netmon_detect",
        {
            "events": options.events,
            "feed_many(ConnectionEvent), events/s": round(options.events / many),
            "observe(int keys), events/s": round(options.events / fast),
            "feed_many, CPU s": round(many, 3),
            "observe, CPU s": round(fast, 3),
            "incidents": incidents,
        },
        target=f"feed_many ≥ {TARGET:,.0f} events/s (detection alone, CPU time)",
        met=options.events / many >= TARGET,
        notes=f"fastest of {options.repeat} runs each; no outside reference here",
        smoke=options.events < 100_000,
    )
    return 1 if options.check and options.events / many < TARGET else 0


if __name__ == "__main__":
    sys.exit(main())
