"""The web load benchmark still runs end to end, with a handful of clients, on PostgreSQL.

Five clients (one per demo account: the three county clerks, the state
administrator, the analyst) browse and upload for a few seconds against
``votetrail serve``; the benchmark must print its latency table and no error,
and its own checks afterwards (one current paper-count upload per county,
``verify`` clean) must pass.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.bench_loader import BENCH_DIR, load_bench


@pytest.mark.only_on("postgresql")
def test_bench_web_load_runs_small(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.syspath_prepend(str(BENCH_DIR))  # it imports bench_audit_boards, as a script
    bench = load_bench("bench_web_load")
    argv = ["--clients", "5", "--seconds", "3", "--think-ms", "150", "--upload-share", "0.3"]
    start = time.perf_counter()

    code = bench.main([*argv, "--state", "light", "--check", "--database-url", database_url])

    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert time.perf_counter() - start < 60
    assert "5 clients (5 signed in)" in out
    header = next(line for line in out.splitlines() if line.startswith("kind "))
    assert header.split()[1:7] == ["requests", "p50", "ms", "p95", "ms", "p99"]
    everything = next(line for line in out.splitlines() if line.startswith("all "))
    requests, p50, p95, *_ = everything.split()[1:]
    assert int(requests) > 5
    assert 0 <= float(p50) <= float(p95)
    assert re.search(r"^errors: 0$", out, re.MULTILINE), out
    assert "verify: clean" in out
    assert "current paper-count uploads per county: {'adams': 1, 'baker': 1, 'clark': 1}" in out
