"""Benchmark the Zeek conn.log reader against a plain ``csv`` reader over the same file.

Run from the project root::

    .venv/bin/python bench/bench_netlogs_parse.py                 # 1,000,000 lines
    .venv/bin/python bench/bench_netlogs_parse.py --lines 100000  # a quicker look

It writes a synthetic conn.log in Zeek's TSV layout (the ``#separator``,
``#fields`` and ``#types`` headers of Zeek 3+, all 21 default columns) with a
realistic mix: ordinary clients with completed connections, plus a scanner
whose probes are ``S0`` and ``REJ``. Then it times, end to end from the open
file, ``votetrail.formats.netmon.logs.zeek.read_zeek`` (every line becomes a
``ConnectionEvent`` with parsed addresses, an aware time and an outcome) and
the standard library's ``csv.reader`` splitting the same lines into lists of
strings and nothing more. The ratio csv time / votetrail time says how much
of the raw splitting speed the full parse keeps.

The issue's target is ≥ 300,000 lines/s for parse and detect; this measures
the parse alone. It prints one table and exits 0; 1 if the reader did not
return one event per data line.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from _record import record, where_time_goes
from votetrail.formats.netmon.logs.common import ReadReport
from votetrail.formats.netmon.logs.zeek import CONN_LOG_FIELDS as FIELDS
from votetrail.formats.netmon.logs.zeek import CONN_LOG_TYPES as TYPES
from votetrail.formats.netmon.logs.zeek import read_zeek

TARGET = 300_000


def write_conn_log(path: Path, lines: int, seed: int = 2026) -> None:
    """Write ``lines`` data lines of a plausible conn.log to ``path``."""
    rng = random.Random(seed)
    start = 1_732_881_600.0
    with path.open("w", encoding="utf-8") as out:
        out.write("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n")
        out.write("#unset_field\t-\n#path\tconn\n#open\t2026-11-29-12-00-00\n")
        out.write("#fields\t" + "\t".join(FIELDS) + "\n#types\t" + "\t".join(TYPES) + "\n")
        for n in range(lines):
            out.write(_row(rng, n, start + n * 0.001) + "\n")
        out.write("#close\t2026-11-29-13-00-00\n")


def _row(rng: random.Random, n: int, ts: float) -> str:
    """One data line: a fifth are a scanner's S0/REJ probes, the rest completed connections."""
    net = f"10.0.{rng.randrange(4)}.{rng.randrange(1, 255)}"
    if rng.random() < 0.2:
        state, history, tail = rng.choice(
            (("S0", "S", "1\t44\t0\t0"), ("REJ", "Sr", "1\t44\t1\t40"))
        )
        head = [f"{ts:.6f}", f"C{n:x}", "203.0.113.66", str(40000 + n % 20000), net]
        body = [str(rng.randrange(1, 1024)), "tcp", "-", "-", "-", "-", state, "F", "T", "0"]
        return "\t".join([*head, *body, history, tail, "-"])
    proto, port = rng.choice((("tcp", 443), ("tcp", 80), ("udp", 53)))
    head = [f"{ts:.6f}", f"C{n:x}", net, str(1024 + n % 60000), f"192.0.2.{rng.randrange(1, 64)}"]
    body = [str(port), proto, "-", "0.05", "120", "3400", "SF", "T", "F", "0", "ShADadFf"]
    return "\t".join([*head, *body, "6", "440", "5", "3600", "-"])


def time_votetrail(path: Path) -> tuple[float, int, ReadReport]:
    report = ReadReport(str(path))
    began = time.perf_counter()
    count = sum(1 for _ in read_zeek(path, report))
    return time.perf_counter() - began, count, report


def time_csv(path: Path) -> tuple[float, int]:
    began = time.perf_counter()
    count = 0
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row and not row[0].startswith("#"):
                count += 1
    return time.perf_counter() - began, count


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "conn.log"
        print(f"writing {args.lines:,} lines...", file=sys.stderr)
        write_conn_log(path, args.lines)
        ours, events, report = time_votetrail(path)
        plain, rows = time_csv(path)
        ours_rate, plain_rate = args.lines / ours, args.lines / plain
        profile: dict[str, float] = {}
        if ours_rate < TARGET:  # where the reader's time goes, in a second, profiled read
            _, profile = where_time_goes(lambda: time_votetrail(path))
    ok = events == args.lines == rows and report.bad == 0
    print("| figure | target | measured | ok |")
    print("|---|---|---|---|")
    print(
        f"| votetrail zeek reader, {args.lines:,} lines | ≥ {TARGET:,} lines/s (parse+detect) "
        f"| {ours_rate:,.0f} lines/s ({ours:.2f} s) | {'yes' if ours_rate >= TARGET else 'no'} |"
    )
    print(f"| csv.reader split only | – | {plain_rate:,.0f} lines/s ({plain:.2f} s) | – |")
    print(f"| ratio csv time / votetrail time | – | {ours / plain:.2f}× slower than csv | – |")
    verdict = "yes" if ok else "no"
    print(f"| one event per data line, no bad lines | yes | {verdict} | {verdict} |")
    record(
        "bench_netlogs_parse",
        {
            "lines": args.lines,
            "votetrail zeek reader, lines/s": round(ours_rate),
            "votetrail zeek reader, s": round(ours, 3),
            "ratio votetrail time / csv time": round(ours / plain, 2),
            "one event per data line": ok,
        },
        target=f"≥ {TARGET:,} lines/s (the target is for parse + detect; this is the parse)",
        met=ok and ours_rate >= TARGET,
        shortfall=(
            f"{TARGET / ours_rate:.2f}x short of {TARGET:,} lines/s" if ours_rate < TARGET else ""
        ),
        profile=profile,
        reference={
            "csv.reader split only, lines/s": round(plain_rate),
            "csv.reader, s": round(plain, 3),
        },
        smoke=args.lines < 100_000,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
