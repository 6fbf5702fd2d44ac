"""Benchmark Zeek conn.log parse + scan detection end to end, against a plain ``csv`` reader.

Run from the project root::

    .venv/bin/python bench/bench_netmon_pipeline.py                  # 1,000,000 lines
    .venv/bin/python bench/bench_netmon_pipeline.py --lines 100000   # a quicker look

This is the issue's target as stated: ≥ 300,000 conn.log lines/s parsed *and*
detected, memory bounded by the active sources. It writes a synthetic conn.log
(Zeek's TSV layout, 21 default columns) over four simulated hours, so sources
go idle and expire: about nine lines in ten are ordinary clients (an office of
about 2,000 hosts at a time, twenty leaving and twenty joining each minute,
reaching 16 servers), the rest come from horizontal, vertical and slow
scanners. Then, from the open file, it times:

(a) ``csv.reader`` splitting the lines into lists of strings and nothing more
    (the reference: what a plain Python reader costs);
(b) ``zeek.detect_zeek_file``: the fast path, parsing straight to the integers
    :meth:`Detector.observe` takes;
(c) ``zeek.read_zeek`` + :meth:`Detector.feed_many`: the same parser building a
    ``ConnectionEvent`` per line;
(d) ``zeek_columns.detect_zeek_columns``: the columnar reader (pyarrow's CSV
    reader per block of lines) feeding the same ``observe``, one process;
(p) the same reader's parse alone, its rows dropped (no detector);
(r) the reference of issue 21: a plain ``line.split("\\t")`` loop over the same
    file. The issue's goal is ≥ 1,000,000 lines/s parse+detect on both cores,
    within 2.5× of (r)'s time;
(s) the headline: ``shards.detect_sharded``, this process reading by columns and
    detection sharded by source across ``--workers`` processes (default: the
    cores), every shard sweeping on the whole stream's clock. It is run first, so
    the process's peak RSS is its parent's; each shard reports its own peak.
    Measured against the goal and (r); where its time goes is printed per part
    (parent: parse, route, send, merge; shards: unpickle, detect), and
    ``--profile`` prints cProfile's top functions of (d) too.

Each is wall time, the fastest of ``--repeat`` runs. Peak RSS is the process's
(``resource.getrusage``), read after (a)+(b) and again after (c): it only grows,
so the first figure is the fast path's bound. It checks that (b), (c) and (d)
give identical incidents and read reports, prints one table, and exits 0; 1 if
they differ or a line was bad. With ``--check`` it also exits 1 below the target.
A run of 1,000,000 lines or more leaves its figures in ``bench/results`` (``_record``).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # _record, also when loaded by tests

import argparse
import cProfile
import csv
import io
import os
import pstats
import random
import resource
import tempfile
import time
from collections.abc import Callable, Sequence

from _record import record
from votetrail.core.netmon.detector import Detector
from votetrail.core.netmon.incidents import Incident
from votetrail.formats.netmon.logs import zeek_columns
from votetrail.formats.netmon.logs.common import ReadReport
from votetrail.formats.netmon.logs.zeek import CONN_LOG_FIELDS as FIELDS
from votetrail.formats.netmon.logs.zeek import CONN_LOG_TYPES as TYPES
from votetrail.formats.netmon.logs.zeek import detect_zeek_file, read_zeek
from votetrail.formats.netmon.logs.zeek_columns import detect_zeek_columns, observe_rows
from votetrail.services.netmon.shards import ShardedDetection, default_workers, detect_sharded

TARGET = 300_000
GOAL = 1_000_000
"""Issue 21: conn.log lines/s parsed and detected, wall time, both cores."""
GOAL_RATIO = 2.5
"""Issue 21: at most this many times the plain ``split`` loop's time."""
HOURS = 4
SERVICES = (("tcp", 443), ("tcp", 443), ("tcp", 80), ("udp", 53), ("tcp", 25), ("tcp", 993))

Run = tuple[float, list[Incident], ReadReport, int]


def write_conn_log(path: Path, lines: int, seed: int = 2026) -> None:
    """Write ``lines`` data lines of a plausible conn.log spanning :data:`HOURS` hours."""
    rng = random.Random(seed)
    start = 1_732_881_600.0
    step = HOURS * 3600.0 / max(lines, 1)
    clients = [f"10.{i // 65536}.{i // 256 % 256}.{i % 256}" for i in range(1, 20_001)]
    servers = [f"192.0.2.{i}" for i in range(1, 65)]
    victims = [f"198.51.{i // 256}.{i % 256}" for i in range(1, 1_024)]
    scanners = [f"203.0.113.{i}" for i in range(1, 41)]
    header = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
    with path.open("w", encoding="utf-8") as out:
        out.write(header + "#path\tconn\n#open\t2026-11-29-12-00-00\n")
        out.write("#fields\t" + "\t".join(FIELDS) + "\n#types\t" + "\t".join(TYPES) + "\n")
        rows: list[str] = []
        for n in range(lines):
            ts = start + n * step
            if rng.random() < 0.9:
                # about 2,000 clients are active at a time, each for an hour and a half or so:
                # twenty hosts leave the office and twenty others join every minute
                client = clients[(int(n * step) // 60 * 20 + rng.randrange(2_000)) % len(clients)]
                proto, port = SERVICES[rng.randrange(len(SERVICES))]
                state, history, pkts = (
                    ("SF", "ShADadFf", "5")
                    if rng.random() > 0.02
                    else (
                        "S0",
                        "S",
                        "0",
                    )
                )
                rows.append(
                    f"{ts:.6f}\tC{n:x}\t{client}\t{1024 + n % 60000}\t{servers[rng.randrange(16)]}"
                    f"\t{port}\t{proto}\t-\t0.05\t120\t3400\t{state}\tT\tF\t0\t{history}\t6\t440"
                    f"\t{pkts}\t3600\t-"
                )
            else:
                scanner = rng.randrange(len(scanners))
                if scanner < 20:  # horizontal: one port across many hosts
                    victim, port = victims[rng.randrange(len(victims))], 22 + scanner
                elif scanner < 35:  # vertical: many ports of a few hosts
                    victim, port = victims[scanner], rng.randrange(1, 65_536)
                else:  # slow and wide
                    victim, port = victims[rng.randrange(len(victims))], rng.randrange(1, 1024)
                state, history, pkts = rng.choice((("S0", "S", "0"), ("REJ", "Sr", "1")))
                rows.append(
                    f"{ts:.6f}\tC{n:x}\t{scanners[scanner]}\t{40000 + n % 20000}\t{victim}"
                    f"\t{port}\ttcp\t-\t-\t-\t-\t{state}\tF\tT\t0\t{history}\t1\t44\t{pkts}"
                    f"\t{40 if pkts == '1' else 0}\t-"
                )
            if len(rows) >= 10_000:
                out.write("\n".join(rows) + "\n")
                rows.clear()
        if rows:
            out.write("\n".join(rows) + "\n")
        out.write("#close\t2026-11-29-16-00-00\n")


def time_csv(path: Path) -> tuple[float, int]:
    """(a): split every line, count the data rows."""
    began = time.perf_counter()
    count = 0
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row and not row[0].startswith("#"):
                count += 1
    return time.perf_counter() - began, count


def time_split(path: Path) -> tuple[float, int]:
    """(r): the issue's reference, a plain ``split("\\t")`` per line."""
    began = time.perf_counter()
    count = 0
    with path.open(encoding="utf-8", newline="") as handle:
        for line in handle:
            if line[:1] != "#":
                line.split("\t")
                count += 1
    return time.perf_counter() - began, count


def run_columns(path: Path) -> Run:
    """(d): the columnar reader feeding ``observe``."""
    detector = Detector()
    began = time.perf_counter()
    report = detect_zeek_columns(path, detector)
    elapsed = time.perf_counter() - began
    return elapsed, detector.incidents(), report, detector.active_sources


def time_columns_parse(path: Path) -> tuple[float, int]:
    """(p): the columnar reader's parse alone, rows counted and dropped (no detector)."""
    report = ReadReport(str(path))
    began = time.perf_counter()
    count = sum(len(block) for block in zeek_columns._blocks(path, report, keys=True))
    return time.perf_counter() - began, count


def profile_columns(path: Path, top: int = 14) -> tuple[str, str]:
    """Where (d)'s time goes: cProfile's top functions by own time, as a table and a line."""
    profiler = cProfile.Profile()
    profiler.runcall(run_columns, path)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("tottime")
    stats.print_stats(top)
    rows = sorted(
        stats.stats.items(),  # type: ignore[attr-defined]  # pstats keeps its table here
        key=lambda item: item[1][2],
        reverse=True,
    )[:5]
    brief = ", ".join(f"{Path(key[0]).name}:{key[2]} {value[2]:.1f} s" for key, value in rows)
    return out.getvalue(), brief


def run_fast(path: Path) -> Run:
    """(b): the fast path, parse straight to ``observe`` arguments."""
    detector = Detector()
    began = time.perf_counter()
    report = detect_zeek_file(path, detector)
    elapsed = time.perf_counter() - began
    return elapsed, detector.incidents(), report, detector.active_sources


def run_events(path: Path) -> Run:
    """(c): ``ConnectionEvent`` per line, then ``feed_many``."""
    detector = Detector()
    report = ReadReport(str(path))
    began = time.perf_counter()
    detector.feed_many(read_zeek(path, report))
    elapsed = time.perf_counter() - began
    return elapsed, detector.incidents(), report, detector.active_sources


def run_sharded(path: Path, workers: int) -> tuple[float, ShardedDetection]:
    """(s): columnar read here, detection in ``workers`` processes sharded by source."""
    began = time.perf_counter()
    found = detect_sharded(path, workers=workers)
    return time.perf_counter() - began, found


def _best(runner: Callable[[Path], Run], path: Path, repeat: int) -> Run:
    runs = [runner(path) for _ in range(max(repeat, 1))]
    return min(runs, key=lambda run: run[0])


def _peak_mib() -> float:
    """Peak resident set of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _counts(report: ReadReport) -> tuple[object, ...]:
    return (report.lines, report.events, report.ignored, report.bad, report.problems)


def _where_time_goes(run: ShardedDetection) -> dict[str, float]:
    """(s)'s parts, largest first: the parent's wall time per step, the shards' CPU."""
    spent = run.seconds
    parts = {
        "parse (parent, columnar read)": spent.get("parse", 0.0),
        "route (parent: shard and clock)": spent.get("route", 0.0),
        "exchange (parent send, incl. waiting on shards)": spent.get("send", 0.0),
        "exchange (shards unpickle, CPU)": spent.get("receive", 0.0),
        "detect (shards, CPU)": spent.get("detect", 0.0),
        "merge (parent, incl. waiting on shards)": spent.get("merge", 0.0),
    }
    return {k: round(v, 2) for k, v in sorted(parts.items(), key=lambda item: -item[1])}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--check", action="store_true", help="exit 1 below the target")
    parser.add_argument("--profile", action="store_true", help="print (d)'s top functions")
    parser.add_argument("--workers", type=int, default=default_workers(), help="shards of (s)")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "conn.log"
        print(f"writing {args.lines:,} lines...", file=sys.stderr)
        write_conn_log(path, args.lines)
        warm = Path(folder) / "warm.conn.log"  # pyarrow's first calls set up kernels: not (s)'s
        write_conn_log(warm, 2_000)
        for _ in observe_rows(warm):
            pass
        sharded, shard_run = min(
            (run_sharded(path, args.workers) for _ in range(max(args.repeat, 1))),
            key=lambda run: run[0],
        )
        shard_peak = _peak_mib()
        split, split_rows = min(time_split(path) for _ in range(max(args.repeat, 1)))
        plain, rows = min(time_csv(path) for _ in range(max(args.repeat, 1)))
        parse, parsed = min(time_columns_parse(path) for _ in range(max(args.repeat, 1)))
        cols, cols_incidents, cols_report, _ = _best(run_columns, path, args.repeat)
        cols_peak = _peak_mib()
        fast, fast_incidents, fast_report, fast_active = _best(run_fast, path, args.repeat)
        fast_peak = _peak_mib()
        slow, slow_incidents, slow_report, slow_active = _best(run_events, path, args.repeat)
        slow_peak = _peak_mib()
        profile, brief = profile_columns(path) if args.profile else ("", "")
    same = fast_incidents == slow_incidents and _counts(fast_report) == _counts(slow_report)
    same_cols = cols_incidents == fast_incidents and _counts(cols_report) == _counts(fast_report)
    same_shards = shard_run.incidents == fast_incidents and _counts(shard_run.report) == _counts(
        fast_report
    )
    ok = same and same_cols and same_shards and rows == split_rows == args.lines
    ok = ok and args.lines == fast_report.events
    ok = ok and fast_report.bad == 0 and parsed == args.lines
    lines = args.lines
    fast_rate, slow_rate, plain_rate = lines / fast, lines / slow, lines / plain
    split_rate, cols_rate = lines / split, lines / cols
    ratio = cols / split
    shard_rate, shard_ratio = lines / sharded, sharded / split
    goal_met = shard_rate >= GOAL and shard_ratio <= GOAL_RATIO
    shard_kib = shard_run.worker_peak_kib
    parts = _where_time_goes(shard_run)
    met = "yes" if fast_rate >= TARGET else "no"
    print(f"{lines:,} conn.log lines, {HOURS} h of traffic, {len(fast_incidents)} incidents")
    print(f"load average (1 min) at the start: {load:.2f} on {os.cpu_count()} cores")
    print("| path | lines/s | seconds | vs split | peak RSS | ≥ 300,000 lines/s |")
    print("|---|---:|---:|---:|---:|---|")
    print(
        f"| (r) split('\\t') loop, the reference | {split_rate:,.0f} | {split:.2f} "
        "| 1.00× | – | – |"
    )
    print(
        f"| (s) columnar read + detection in {args.workers} shard processes | {shard_rate:,.0f} "
        f"| {sharded:.2f} | {shard_ratio:.2f}× the time | parent {shard_peak:,.0f} MiB, "
        f"shards {', '.join(f'{k / 1024:,.0f}' for k in shard_kib)} MiB | "
        f"{'yes' if shard_rate >= TARGET else 'no'} |"
    )
    print(
        f"| (a) csv.reader split only | {plain_rate:,.0f} | {plain:.2f} "
        f"| {plain / split:.2f}× the time | – | – |"
    )
    print(
        f"| (p) columnar parse only, no detector | {lines / parse:,.0f} | {parse:.2f} "
        f"| {parse / split:.2f}× the time | – | – |"
    )
    print(
        f"| (d) columnar parse+detect (detect_zeek_columns) | {cols_rate:,.0f} | {cols:.2f} "
        f"| {ratio:.2f}× the time | {cols_peak:,.0f} MiB | "
        f"{'yes' if cols_rate >= TARGET else 'no'} |"
    )
    print(
        f"| (b) fast path parse+detect (detect_zeek_file) | {fast_rate:,.0f} | {fast:.2f} "
        f"| {fast / split:.2f}× the time | {fast_peak:,.0f} MiB (cumulative) | {met} |"
    )
    print(
        f"| (c) read_zeek + feed_many parse+detect | {slow_rate:,.0f} | {slow:.2f} "
        f"| {slow / split:.2f}× the time | {slow_peak:,.0f} MiB (cumulative) "
        f"| {'yes' if slow_rate >= TARGET else 'no'} |"
    )
    print(f"active sources at the end: {fast_active:,} (b), {slow_active:,} (c)")
    print(f"(b) and (c) agree on incidents and read report: {'yes' if same else 'no'}")
    print(f"(d) agrees with (b) on incidents and read report: {'yes' if same_cols else 'no'}")
    print(f"(s) agrees with (b) on incidents and read report: {'yes' if same_shards else 'no'}")
    short = GOAL / shard_rate
    shortfall = (
        ""
        if goal_met
        else f"{short:.1f}x short of {GOAL:,} lines/s; {shard_ratio:.2f}x the split loop's time"
        f" (goal {GOAL_RATIO}x)"
    )
    print(
        f"issue 21 goal: ≥ {GOAL:,} lines/s and ≤ {GOAL_RATIO}× the split loop's time: "
        f"(s) {shard_rate:,.0f} lines/s, {shard_ratio:.2f}× — "
        + ("met" if goal_met else f"not met, {shortfall}")
    )
    print(
        f"where (s)'s {sharded:.2f} s go (parent wall; shards CPU summed over "
        f"{args.workers}): "
        + ", ".join(f"{part} {seconds:.2f} s" for part, seconds in parts.items())
    )
    if profile:
        print("where (d)'s time goes (cProfile, own time):")
        print(profile)
    record(
        "bench_netmon_pipeline",
        {
            "lines": lines,
            "incidents": len(fast_incidents),
            "sharded parse+detect lines/s": round(shard_rate),
            "sharded time vs split": round(shard_ratio, 2),
            "shards": args.workers,
            "sharded parent peak RSS MiB": round(shard_peak),
            "sharded shard peak RSS MiB": round(max(shard_kib) / 1024),
            "columnar parse+detect lines/s (one process)": round(cols_rate),
            "columnar time vs split": round(ratio, 2),
            "columnar parse only lines/s": round(lines / parse),
            "columnar peak RSS MiB": round(cols_peak),
            "line fast path parse+detect lines/s": round(fast_rate),
            "event path parse+detect lines/s": round(slow_rate),
            "agree": bool(same and same_cols and same_shards),
        },
        target=(
            f"≥ {GOAL:,} conn.log lines/s parse+detect, within {GOAL_RATIO}× of a plain "
            "split loop over the same file"
        ),
        met=goal_met,
        reference={
            "split lines/s": round(split_rate),
            "csv.reader lines/s": round(plain_rate),
        },
        notes=(
            f"(s) reads by columns in the parent and detects in {args.workers} processes; "
            f"(d), one process, {ratio:.2f}x the split loop's time"
            + (f"; (d)'s top own time under cProfile: {brief}" if brief else "")
        ),
        shortfall=shortfall,
        profile=dict(parts),
        smoke=lines < 1_000_000,
    )
    if not ok:
        return 1
    return 1 if args.check and fast_rate < TARGET else 0


if __name__ == "__main__":
    sys.exit(main())
