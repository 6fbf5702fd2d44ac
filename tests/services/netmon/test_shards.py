"""Detection sharded by source across processes gives the single detector's results.

Compared on the shared Zeek captures (CTU-Normal) and on synthetic days:
incidents, the day counts handed over, each source's protocols and the read
report, for two and three shards, with and without home networks. The
synthetic days are cut into small blocks so ticks fall inside and between
blocks, their times are out of order across hour boundaries (late lines),
and some attempts go to broadcast and multicast addresses, which move no
clock.
"""

from __future__ import annotations

import gzip
import json
import random
from datetime import UTC, datetime
from ipaddress import ip_network
from pathlib import Path

import pytest

from tests.bench_loader import load_bench
from tests.cli.helpers import votetrail_on
from tests.services.netmon.zeek_days import HEADER, HOME, first_day, second_day
from votetrail.core.netmon.detector import Detector, DetectorConfig
from votetrail.core.netmon.grouping import Network
from votetrail.errors import InvalidInput
from votetrail.formats.netmon.logs import zeek_columns
from votetrail.formats.netmon.logs.common import ReadReport
from votetrail.formats.netmon.logs.zeek_columns import read_zeek_columns
from votetrail.services.context import App
from votetrail.services.netmon import ingest as netmon
from votetrail.services.netmon.ingest import _config, _noting_protocols
from votetrail.services.netmon.shards import ShardedDetection, detect_sharded

HOME_NETWORKS: tuple[Network, ...] = tuple(ip_network(n) for n in HOME)


def _single(path: Path, config: DetectorConfig) -> ShardedDetection:
    """Today's path, as ``ingest`` takes it with one worker."""
    report = ReadReport(str(path))
    detector = Detector(config)
    protocols: dict[object, set[str]] = {}
    detector.feed_many(_noting_protocols(read_zeek_columns(path, report), protocols))
    closed = detector.close_days(final=True)
    return ShardedDetection(detector.incidents(), closed, protocols, report)


def _counts(report: ReadReport) -> tuple[object, ...]:
    return (report.lines, report.events, report.ignored, report.bad, report.messages())


def assert_same(path: Path, config: DetectorConfig, workers: int = 2) -> ShardedDetection:
    expected = _single(path, config)
    got = detect_sharded(path, config, workers=workers)
    assert got.incidents == expected.incidents
    assert got.closed == expected.closed
    assert got.protocols == expected.protocols
    assert _counts(got.report) == _counts(expected.report)
    assert len(got.worker_peak_kib) == workers
    return got


def _busy_day(path: Path, lines: int, seed: int) -> Path:
    """Five hours of clients, scanners, broadcasts and an IPv6 source, lines up to 40 min late."""
    rng = random.Random(seed)
    start = datetime(2026, 11, 2, 21, 30, tzinfo=UTC).timestamp()
    rows: list[tuple[float, str]] = []
    for n in range(lines):
        ts = start + n * 5 * 3600 / lines
        if rng.random() < 0.1:
            ts -= rng.uniform(0, 2400)  # Zeek writes a long connection when it ends
        kind = rng.random()
        if kind < 0.55:
            source, target = f"10.0.{rng.randrange(4)}.{rng.randrange(1, 60)}", "192.0.2.80"
            port, state = rng.choice((443, 80, 53)), rng.choice(("SF", "SF", "S0"))
        elif kind < 0.75:
            source, target = f"203.0.113.{rng.randrange(1, 9)}", f"192.0.2.{rng.randrange(1, 250)}"
            port, state = 22 + rng.randrange(3), rng.choice(("S0", "REJ"))
        elif kind < 0.85:
            source, target = "2001:db8:1::7", "2001:db8:ffff::10"
            port, state = rng.randrange(1, 2000), "S0"
        elif kind < 0.92:
            source = f"10.0.0.{rng.randrange(1, 60)}"
            target, port = rng.choice(
                (("255.255.255.255", 67), ("224.0.0.251", 5353), ("192.0.2.255", 137))
            )
            state = "S0"
        else:
            source, target = f"198.51.100.{rng.randrange(1, 40)}", f"192.0.2.{rng.randrange(1, 9)}"
            port, state = rng.randrange(1, 65536), "REJ"
        history, pkts = {"SF": ("ShADadFf", "6"), "S0": ("S", "0"), "REJ": ("Sr", "1")}[state]
        proto = "udp" if port in (53, 67, 5353, 137) else "tcp"
        rows.append(
            (
                ts,
                f"{ts:.6f}\tC{n}\t{source}\t51000\t{target}\t{port}\t{proto}\t-\t0.1\t0\t0"
                f"\t{state}\tF\tT\t0\t{history}\t2\t80\t{pkts}\t40\t-\n",
            )
        )
    path.write_text(HEADER + "".join(text for _, text in rows), encoding="utf-8")
    return path


def _quiet_shard(path: Path) -> Path:
    """A scanner alone in its shard (the one odd address) pauses 65 minutes, clients busy.

    One detector sweeps at 23:00 (event time of a client's line), when the
    scanner's last attempt, at 22:00:30, is not yet an hour old, and not
    again before it comes back at 23:05: one scan. A shard that swept on its
    own lines only would first sweep at 23:05 and drop it: two scans.
    """
    start = datetime(2026, 11, 2, 21, 30, tzinfo=UTC).timestamp()
    lines = []

    def row(ts: float, source: str, target: str, port: int, state: str) -> str:
        history, pkts = {"SF": ("ShADadFf", "6"), "S0": ("S", "0")}[state]
        return (
            f"{ts:.6f}\tC1\t{source}\t51000\t{target}\t{port}\ttcp\t-\t0.1\t0\t0"
            f"\t{state}\tF\tT\t0\t{history}\t2\t80\t{pkts}\t40\t-\n"
        )

    for minute in range(120):
        ts = start + minute * 60
        lines.append(row(ts, f"10.0.0.{2 * (minute % 20 + 1)}", "192.0.2.80", 443, "SF"))
        if minute in (30, 95):  # 22:00 and 23:05
            lines.extend(
                row(ts + 1 + n, "203.0.113.9", f"192.0.2.{minute + n}", 22, "S0") for n in range(30)
            )
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def test_a_shard_sweeps_when_the_whole_stream_does(tmp_path: Path) -> None:
    got = assert_same(_quiet_shard(tmp_path / "quiet.conn.log"), _config(()))
    (scan,) = [i for i in got.incidents if "203.0.113.9" in i.sources]
    assert scan.connections == 60


@pytest.fixture(params=[zeek_columns.BLOCK, 4096])
def block(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Blocks as read, and tiny ones (ticks in nearly every block)."""
    monkeypatch.setattr(zeek_columns, "BLOCK", request.param)
    return int(request.param)


@pytest.mark.parametrize("home", [False, True])
def test_synthetic_days_detect_the_same(tmp_path: Path, block: int, home: bool) -> None:
    config = _config(HOME_NETWORKS if home else ())
    busy = assert_same(_busy_day(tmp_path / "busy.conn.log", 6000, seed=5), config)
    assert busy.incidents
    assert len(busy.closed.days) == 2  # the day crossed midnight
    assert_same(_busy_day(tmp_path / "three.conn.log", 3000, seed=9), config, workers=3)
    assert_same(first_day(tmp_path), config)
    assert_same(second_day(tmp_path), config)
    bench = load_bench("bench_netmon_pipeline")
    path = tmp_path / "bench.conn.log"
    bench.write_conn_log(path, 5000)
    assert assert_same(path, config).incidents or home


def test_shared_zeek_captures_detect_the_same(shared_data: Path) -> None:
    logs = sorted((shared_data / "netmon").rglob("*conn.log*"))
    assert logs, "no Zeek conn.log in the shared data"
    for path in logs:
        for config in (_config(()), _config((ip_network("192.168.1.0/24"),))):
            got = assert_same(path, config)
            assert got.report.events > 0


def test_a_file_with_no_data_lines(tmp_path: Path) -> None:
    path = tmp_path / "empty.conn.log"
    path.write_text(HEADER, encoding="utf-8")
    got = assert_same(path, _config(()))
    assert got.incidents == []


def test_a_damaged_gzip_is_refused_by_name_and_the_shards_stop(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "conn.log.gz"
    path.write_bytes(gzip.compress(_busy_day(tmp_path / "day.log", 3000, 3).read_bytes())[:-4000])
    with pytest.raises(InvalidInput, match=r"conn\.log\.gz.*damaged gzip"):
        detect_sharded(path, _config(()), workers=2)
    assert "Traceback" not in capfd.readouterr().err


def test_ingest_with_workers_stores_what_one_process_finds(
    capsys: pytest.CaptureFixture[str], demo_app: App, tmp_path: Path
) -> None:
    path = _busy_day(tmp_path / "busy.conn.log", 4000, seed=11)
    expected = _single(path, _config(()))
    ran = votetrail_on(capsys, demo_app, "netmon", "ingest", "--workers", "2", str(path))
    assert ran.code == 0, ran.err
    assert f"{len(expected.incidents)} incidents" in ran.out
    listed = votetrail_on(capsys, demo_app, "netmon", "incidents")
    stored = {i["id"]: i for i in json.loads(listed.out)}
    assert sorted(stored) == sorted(i.id for i in expected.incidents)
    assert all(stored[i.id]["connections"] == i.connections for i in expected.incidents)
    refused = votetrail_on(capsys, demo_app, "netmon", "ingest", "--workers", "0", str(path))
    assert refused.code != 0
    with pytest.raises(Exception, match="at least 1"):
        netmon.ingest(demo_app, "analyst", [path], workers=0)
