"""The state-scale verify benchmark still builds its state, verifies it both ways and agrees."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bench_loader import load_bench


def test_bench_runs_small(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bench = load_bench("bench_verify_state")
    folder = tmp_path / "state"
    argv = ["--scale", "0.0004", "--workers", "2", "--data-dir", str(folder)]
    assert bench.main([*argv, "--postgres-server", "none"]) == 0
    out = capsys.readouterr().out
    assert "sqlite: 400 log entries, 400 voters, 2,000 CVRs in 10 uploads" in out
    assert "verify, 2 process(es)" in out
    assert "verify, 1 process(es)" in out
    assert "reports identical: yes" in out
    assert "floor, SHA-256 over the database file" in out
    (call,) = bench.recorded
    assert call["smoke"] is True
    assert call["figures"]["same_report_as_one_process"] is True
    # A second run reuses the state it built.
    assert bench.main([*argv, "--no-reference", "--postgres-server", "none"]) == 0
    assert "state reused from an earlier run" in capsys.readouterr().out


def test_bench_verifies_the_same_state_on_postgres(
    postgres_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bench = load_bench("bench_verify_state")
    argv = ["--scale", "0.0002", "--workers", "2", "--data-dir", str(tmp_path / "state")]
    assert bench.main([*argv, "--postgres-server", postgres_server]) == 0
    out = capsys.readouterr().out
    for backend in ("sqlite", "postgresql"):
        assert f"{backend}: 200 log entries, 200 voters, 1,000 CVRs in 10 uploads" in out
    assert out.count("reports identical: yes") == 2
