"""The parse+detect pipeline benchmark still runs end to end at a tiny size."""

from __future__ import annotations

import pytest

from tests.bench_loader import load_bench


def test_bench_netmon_pipeline_runs_small(capsys: pytest.CaptureFixture[str]) -> None:
    bench = load_bench("bench_netmon_pipeline")
    assert bench.main(["--lines", "3000"]) == 0
    out = capsys.readouterr().out
    assert "3,000 conn.log lines" in out
    assert "(b) and (c) agree on incidents and read report: yes" in out
    assert "(s) agrees with (b) on incidents and read report: yes" in out
    assert "where (s)'s" in out
