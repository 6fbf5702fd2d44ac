"""The audit-board load benchmark still runs end to end, at a tiny size, on PostgreSQL."""

from __future__ import annotations

import pytest

from tests.bench_loader import load_bench


@pytest.mark.only_on("postgresql")
@pytest.mark.parametrize("via", ["api", "web"])
def test_bench_audit_boards_runs_small(
    capsys: pytest.CaptureFixture[str], database_url: str, via: str
) -> None:
    bench = load_bench("bench_audit_boards")
    argv = ["--boards", "3", "--ballots-per-board", "2", "--think-ms", "0", "--via", via]
    assert bench.main([*argv, "--database-url", database_url]) == 0
    out = capsys.readouterr().out
    assert "set-up: 3 boards, 6 ballots assigned" in out
    assert f"entries over HTTP ({via})" in out
    assert "p95 latency" in out
    for check in ("rows stored == readings submitted (12)", "votetrail verify clean"):
        rows = [line for line in out.splitlines() if line.startswith(check)]
        assert len(rows) == 1, check
        assert rows[0].rstrip().endswith("yes"), rows[0]
