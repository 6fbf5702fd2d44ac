"""The labelled-data benchmark still runs, and its classic reference rule is the one stated."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bench_loader import load_bench
from tests.netmon_labels import FOLDER, Flow


def _flow(seconds: float, source: str, target: str, port: int) -> Flow:
    return Flow(seconds, source, target, port, "tcp", "SF", "ShADadFf", malicious=False)


def test_classic_rule_is_twenty_in_fifteen_minutes() -> None:
    bench = load_bench("bench_netmon_labelled")
    browsing = [_flow(40.0 * i, "10.0.0.5", f"192.0.2.{i}", 443) for i in range(20)]
    sweep = [_flow(44.0 * i, "10.0.0.6", f"192.0.2.{i}", 443) for i in range(21)]
    ports = [_flow(40.0 * i, "203.0.113.1", "10.0.0.9", 1000 + i) for i in range(20)]
    slow = [_flow(600.0 * i, "203.0.113.2", "10.0.0.9", 1000 + i) for i in range(107)]
    nineteen = [_flow(10.0 * i, "203.0.113.3", "10.0.0.9", 1000 + i % 19) for i in range(50)]
    found = bench.classic_scanners(browsing + sweep + ports + slow + nineteen)
    # 21 hosts 44 s apart span 880 s: all within 900 s; 20 ports 40 s apart too
    assert found == {"10.0.0.5", "10.0.0.6", "203.0.113.1"}


def test_bench_netmon_labelled_runs_small(
    capsys: pytest.CaptureFixture[str], shared_data: Path
) -> None:
    bench = load_bench("bench_netmon_labelled")
    args = ["--data", str(shared_data / FOLDER), "--attempts", "3000", "--sources", "200"]
    assert bench.main(args) == 0
    out = capsys.readouterr().out
    assert "| all four | (b) classic | 24 |" in out
    assert "4 of 4 |" in out  # the classic rule flags every desktop
    assert "synthetic day:" in out
    assert "peak while feeding" in out
