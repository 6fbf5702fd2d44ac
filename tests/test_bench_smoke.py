"""The benchmark script still runs end to end, at a size that takes a few seconds."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bench_loader import load_bench


def test_bench_runs_small(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bench = load_bench("bench_ledger")
    data_dir = tmp_path / "bench-data"
    argv = [
        "--events",
        "3000",
        "--batch",
        "1000",
        "--pymerkle-leaves",
        "500",
        "--samples",
        "20",
        "--pymerkle-proofs",
        "5",
        "--data-dir",
        str(data_dir),
        "--postgres-server",
        "none",
    ]

    assert bench.main(argv) == 0

    out = capsys.readouterr().out
    rows = {line.split("  ")[0]: line for line in out.splitlines()}
    verify_row = next(v for k, v in rows.items() if k.startswith("verify reports the log intact"))
    assert verify_row.rstrip().endswith("yes")
    root_row = next(v for k, v in rows.items() if k.startswith("pymerkle root == votetrail root"))
    assert root_row.rstrip().endswith("yes")
    assert "verify problem" not in out
    assert (data_dir / "votetrail.sqlite3").exists(), "a given --data-dir is kept"


def test_bench_report_fields(tmp_path: Path) -> None:
    bench = load_bench("bench_ledger")
    options = bench.parse_args(
        [
            "--events",
            "500",
            "--pymerkle-leaves",
            "64",
            "--samples",
            "5",
            "--pymerkle-proofs",
            "3",
            "--data-dir",
            str(tmp_path / "d"),
            "--postgres-server",
            "none",
        ]
    )
    report = bench.run(options)
    assert report.verify_ok, report.verify_problems
    assert report.pymerkle_root_equal
    assert report.pymerkle_paths_equal
    assert report.append_events_per_s > 0
    assert report.inclusion_median_ms > 0


def test_bench_prints_postgres_beside_sqlite(tmp_path: Path, postgres_server: str) -> None:
    """Issue 21: the bulk append's rate on PostgreSQL is printed in the same run as SQLite's."""
    bench = load_bench("bench_ledger")
    argv = ["--events", "1500", "--batch", "500", "--pymerkle-leaves", "64", "--samples", "5"]
    argv += ["--pymerkle-proofs", "3", "--data-dir", str(tmp_path / "d")]
    report = bench.run(bench.parse_args([*argv, "--postgres-server", postgres_server]))

    assert report.verify_ok
    assert report.postgres_verify_ok is True
    assert report.postgres_append_events_per_s is not None
    assert report.postgres_append_events_per_s > 0
    names = [f.name for f in report.figures]
    assert any(n.startswith("append 1,500 events on sqlite") for n in names)
    pg_row = next(f for f in report.figures if f.name.startswith("append 1,500 events on postgres"))
    assert pg_row.target == ">= 40,000 events/s"
    assert "append: postgresql / sqlite rate in this run" in names
