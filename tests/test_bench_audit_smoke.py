"""The audit benchmark still runs end to end at a tiny size."""

from __future__ import annotations

import pytest

from tests.bench_loader import load_bench


def test_bench_audit_runs_small(capsys: pytest.CaptureFixture[str]) -> None:
    bench = load_bench("bench_audit")
    assert bench.main(["--contests", "3", "--ballots", "200"]) == 0
    out = capsys.readouterr().out
    assert "3 contests, 3,000,000 ballots, 200 audited ballots" in out
    assert "risk, comparison (Kaplan-Markov)" in out
