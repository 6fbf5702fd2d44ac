"""The voter-load benchmark still runs end to end and still checks what it loaded."""

from __future__ import annotations

import pytest

from tests.bench_loader import load_bench


def test_bench_runs_small(capsys: pytest.CaptureFixture[str]) -> None:
    bench = load_bench("bench_voter_load")
    assert bench.main(["--voters", "3000"]) == 0
    out = capsys.readouterr().out
    assert "import 3,000 voters" in out
    for check in ("voters stored == generated (3,000)", "verify(app).ok"):
        rows = [line for line in out.splitlines() if line.startswith(check)]
        assert len(rows) == 1, check
        assert rows[0].rstrip().endswith("yes"), rows[0]
