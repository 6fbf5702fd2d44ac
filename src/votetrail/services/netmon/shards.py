"""Scan detection of one conn.log sharded by source address across worker processes.

Detection is per source: every state the detector keeps (random walk,
fan-out indexes, slow-scan windows, per-hour and per-day counts) belongs to
one source, so sources can be split between processes, each running its own
:class:`~votetrail.core.netmon.detector.Detector`. What the sources share is
the clock: the single detector rolls its hour and drops idle sources when
event time (the latest time seen so far) reaches its next tick, and which
sources a sweep drops depends on exactly when it runs. So this process reads
the file (columnar, :func:`~votetrail.formats.netmon.logs.zeek_columns.observe_rows`),
follows the clock of the whole stream with a detector that holds no source,
and sends every shard, with its own rows, each tick at its place among them
(:meth:`Detector.advance`): every shard sweeps at the times the single detector
would, and a row the detector would ignore moves no clock here either.

At the end each shard hands back its findings and its open day counts, and
they are grouped (distributed scans span shards) and closed together, which
gives the single detector's incidents and day counts (``tests/services/netmon/
test_shards.py`` holds it to that).

Why the reading stays in this process: the clock is a running maximum over
the file in order, so readers of separate byte ranges would have to wait for
each other before any shard could sweep, and on two cores the columnar parse
and the row hand-over already keep one core busy while the shards use the
other (``bench/bench_netmon_pipeline.py`` prints where the time goes).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, cast

from votetrail.core.netmon.detector import Detector, DetectorConfig, incidents_from, key_address
from votetrail.core.netmon.incidents import Incident, SourceFinding
from votetrail.core.netmon.nontargets import DISCOVERY_PORTS, FIRST_GROUP_V4, directed_broadcasts
from votetrail.core.netmon.tally import ClosedDays, DayTally
from votetrail.formats.netmon.logs.common import ReadReport

if TYPE_CHECKING:
    from votetrail.formats.netmon.logs.zeek_columns import ObserveRow, RowBlock

Tick = tuple[int, float]
"""(index of the shard's next row, event time): advance the clock before that row."""


def default_workers() -> int:
    """The cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass
class ShardedDetection:
    """What a sharded read found: the single detector's results, and where the time went."""

    incidents: list[Incident]
    closed: ClosedDays
    protocols: dict[object, set[str]]
    """Each source address's protocols, as ``ingest`` notes them."""
    report: ReadReport
    seconds: dict[str, float] = field(default_factory=dict)
    """Parent, wall: ``parse``, ``route`` (shard and clock), ``send`` (pickling, and
    waiting while the shards are behind), ``merge`` (waiting for them to finish, then
    grouping); shards, CPU summed over them: ``receive`` (unpickling) and ``detect``."""
    worker_peak_kib: list[int] = field(default_factory=list)
    held: tuple[int, int, int] = (0, 0, 0)
    """Sources the shards still held at the end, summed (:attr:`Detector.held`)."""


def detect_sharded(
    path: Path,
    config: DetectorConfig | None = None,
    *,
    workers: int | None = None,
    report: ReadReport | None = None,
) -> ShardedDetection:
    """Read a Zeek conn.log and detect its scans in ``workers`` processes (default: the cores)."""
    from votetrail.formats.netmon.logs.zeek_columns import Protocols, observe_rows

    config = config or DetectorConfig()
    count = workers if workers is not None else default_workers()
    if count < 1:
        raise ValueError("at least one worker")
    report = report if report is not None else ReadReport(str(path))
    shards: list[subprocess.Popen[bytes]] = []
    try:
        for _ in range(count):
            # a fresh interpreter importing only the detector: no fork of pyarrow's
            # threads, and no re-run of the caller's main module as ``spawn`` does
            shard = subprocess.Popen(
                [sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE
            )
            shards.append(shard)
            _send(shard, config)
        router = _Router(config, count)
        protocols = Protocols()
        spent = {"parse": 0.0, "route": 0.0, "send": 0.0}
        blocks: Iterator[RowBlock] = observe_rows(path, report)
        while True:
            began = time.perf_counter()
            block = next(blocks, None)
            routed = time.perf_counter()
            spent["parse"] += routed - began
            if block is None:
                break
            protocols.add(block.pairs)
            parts = router.route(block.rows)
            sent = time.perf_counter()
            spent["route"] += sent - routed
            for shard, part in zip(shards, parts, strict=True):
                if part[0] or part[1]:
                    _send(shard, part)
            spent["send"] += time.perf_counter() - sent
        began = time.perf_counter()
        for shard in shards:
            _send(shard, None)
        answers = [_answer(shard) for shard in shards]
        detection = _merge(config, router.clock, answers, protocols.by_key(), report)
        detection.seconds = {**spent, **detection.seconds}
        detection.seconds["merge"] = time.perf_counter() - began
        return detection
    finally:
        for shard in shards:
            for stream in (shard.stdin, shard.stdout):
                if stream is not None:
                    stream.close()
            try:
                shard.wait(timeout=5)
            except subprocess.TimeoutExpired:
                shard.kill()
                shard.wait()


def _send(shard: subprocess.Popen[bytes], message: object) -> None:
    stream = shard.stdin
    assert stream is not None
    try:
        pickle.dump(message, stream, protocol=pickle.HIGHEST_PROTOCOL)
        stream.flush()
    except BrokenPipeError:
        raise RuntimeError("a detection shard stopped before the end of the file") from None


class _Router:
    """Splits rows between shards and places the ticks of the whole stream's clock."""

    def __init__(self, config: DetectorConfig, count: int) -> None:
        self.clock = Detector(config)
        """A detector that holds no source: it only keeps time, as the single one would."""
        self.count = count
        self.now = float("-inf")
        self.screen = bool(config.home_networks)
        self.directed = directed_broadcasts(config.local_networks + config.home_networks)

    def route(self, rows: list[ObserveRow]) -> list[tuple[list[ObserveRow], list[Tick]]]:
        """Each shard's rows of this block, in file order, with the ticks among them."""
        count = self.count
        shards: list[list[ObserveRow]] = [[] for _ in range(count)]
        ticks: list[list[Tick]] = [[] for _ in range(count)]
        clock = self.clock
        drops = clock.drops
        directed = self.directed
        screen = self.screen
        first_group = FIRST_GROUP_V4
        discovery = DISCOVERY_PORTS
        now = self.now
        next_tick = clock.next_tick
        for row in rows:
            source, target, port, seconds = row[0], row[1], row[2], row[3]
            if (
                screen or target >= first_group or port in discovery or target in directed
            ) and drops(source, target, port):
                continue
            if seconds > now:
                now = seconds
                if seconds >= next_tick:
                    clock.advance(seconds)
                    next_tick = clock.next_tick
                    for shard, at in zip(shards, ticks, strict=True):
                        at.append((len(shard), seconds))
            shards[source % count].append(row)
        self.now = now
        return list(zip(shards, ticks, strict=True))


def _serve(inbox: IO[bytes], outbox: IO[bytes]) -> None:
    """A shard's process: detect its sources' rows, advancing at the ticks; answer at the end."""
    # the pipes join this process and the ingest that started it, nothing else
    config = cast(DetectorConfig, pickle.load(inbox))  # noqa: S301
    detector = Detector(config)
    observe = detector.observe
    advance = detector.advance
    load = pickle.load
    clock = time.process_time  # CPU: the time blocked on the pipe is not work
    unpickling = working = 0.0
    while True:
        began = clock()
        message = load(inbox)
        got = clock()
        unpickling += got - began
        if message is None:
            break
        rows, ticks = message
        start = 0
        for at, seconds in ticks:
            for row in rows[start:at]:
                observe(*row)
            advance(seconds)
            start = at
        for row in rows[start:] if start else rows:
            observe(*row)
        working += clock() - got
    fast, slow = detector.findings()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    answer = (fast, slow, detector.tally, detector.held, peak, unpickling, working)
    pickle.dump(answer, outbox, protocol=pickle.HIGHEST_PROTOCOL)
    outbox.flush()


_Answer = tuple[
    list[SourceFinding], list[SourceFinding], DayTally, tuple[int, int, int], int, float, float
]


def _answer(shard: subprocess.Popen[bytes]) -> _Answer:
    assert shard.stdout is not None
    try:
        answer: _Answer = pickle.load(shard.stdout)  # noqa: S301  # our own shard's pipe
    except EOFError:
        raise RuntimeError("a detection shard stopped before answering") from None
    return answer


def _merge(
    config: DetectorConfig,
    clock: Detector,
    answers: list[_Answer],
    protocols: dict[int, set[str]],
    report: ReadReport,
) -> ShardedDetection:
    """The shards' findings grouped together, and their day counts closed together."""
    fast: list[SourceFinding] = []
    slow: list[SourceFinding] = []
    held = [0, 0, 0]
    for shard_fast, shard_slow, tally, shard_held, _, _, _ in answers:
        fast.extend(shard_fast)
        slow.extend(shard_slow)
        clock.tally.absorb(tally)
        held = [a + b for a, b in zip(held, shard_held, strict=True)]
    return ShardedDetection(
        incidents=incidents_from(fast, slow, config),
        closed=clock.close_days(final=True),
        protocols={key_address(key): seen for key, seen in protocols.items()},
        report=report,
        seconds={
            "receive": sum(answer[5] for answer in answers),
            "detect": sum(answer[6] for answer in answers),
        },
        worker_peak_kib=[answer[4] for answer in answers],
        held=(held[0], held[1], held[2]),
    )


if __name__ == "__main__":
    # the ingest closing the pipe early (a refused file) or ^C is its to report, not ours
    with contextlib.suppress(EOFError, BrokenPipeError, KeyboardInterrupt):
        _serve(sys.stdin.buffer, sys.stdout.buffer)
