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
