"""The voter-load benchmark still runs end to end and still checks what it loaded."""

from __future__ import annotations

import pytest

from tests.bench_loader import load_bench


def test_bench_runs_small(capsys: pytest.CaptureFixture[str]) -> None:
    bench = load_bench("bench_voter_load")
    assert bench.main(["--voters", "3000", "--postgres-server", "none"]) == 0
    out = capsys.readouterr().out
    assert "import 3,000 voters" in out
    for check in ("voters stored == generated (3,000)", "verify(app).ok"):
        rows = [line for line in out.splitlines() if line.startswith(check)]
        assert len(rows) == 1, check
        assert rows[0].rstrip().endswith("yes"), rows[0]


def test_bench_prints_postgres_beside_sqlite(
    postgres_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 21: the same file loaded into PostgreSQL in the same run, with the same checks."""
    bench = load_bench("bench_voter_load")
    assert bench.main(["--voters", "1500", "--postgres-server", postgres_server]) == 0
    out = capsys.readouterr().out
    for backend in ("sqlite", "postgresql"):
        assert f"import 1,500 voters on {backend}" in out
        for check in (
            f"voters stored == generated (1,500) on {backend}",
            f"verify(app).ok on {backend}",
        ):
            rows = [line for line in out.splitlines() if line.startswith(check)]
            assert len(rows) == 1, check
            assert rows[0].rstrip().endswith("yes"), rows[0]
    assert "voter load: postgresql / sqlite rate" in out


def test_bench_also_loads_a_larger_file_and_explains_a_miss(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``--also`` prints time and peak memory for another size; a missed target has a profile."""
    bench = load_bench("bench_voter_load")
    argv = ["--voters", "1200", "--also", "1800", "--postgres-server", "none", "--no-reference"]
    assert bench.main([*argv, "--skip-verify"]) == 0
    out = capsys.readouterr().out
    for size in ("1,200", "[1,800] import 1,800"):
        assert f"{size} voters on sqlite" in out
    assert "[1,800] voters stored == generated (1,800) on sqlite" in out
    peaks = [line for line in out.splitlines() if "peak memory on sqlite" in line]
    assert len(peaks) == 2
    assert all(line.rstrip().endswith("MB") for line in peaks)
    (run,) = bench.recorded
    assert run["smoke"] is True
    assert run["met"] is False  # 0.04 s for 1,200 voters: met on no machine
    assert "short of" in run["shortfall"]
    profile = run["profile"]
    assert "insert rows (this process)" in profile
    assert list(profile.values()) == sorted(profile.values(), reverse=True)
    assert {"voters_1800_sqlite_seconds", "voters_1800_sqlite_peak_rss_mb"} <= set(run["figures"])
