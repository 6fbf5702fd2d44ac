"""The pages-under-load benchmark still runs end to end, tiny, against `serve --workers 2`.

Four clients (two visitors, two signed-in clerks) for two seconds on two
workers, then its references (one worker; the static stylesheet) for one
second each, on PostgreSQL: it must print its table with every run, no error,
its verdict line, and where the time went (the server's and PostgreSQL's CPU,
each page's p95).
"""

from __future__ import annotations

import re

import pytest

from tests.bench_loader import load_bench


@pytest.mark.only_on("postgresql")
def test_bench_web_pages_runs_small(capsys: pytest.CaptureFixture[str], database_url: str) -> None:
    bench = load_bench("bench_web_pages")
    argv = ["--clients", "4", "--seconds", "2", "--reference-seconds", "1", "--think-ms", "100"]

    code = bench.main([*argv, "--workers", "2", "--state", "light", "--database-url", database_url])

    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert "signed in 2 clerks" in out
    for name in (
        "pages, --workers 2",
        "reference: pages, --workers 1",
        "reference: /static/site.css (floor)",
    ):
        row = next(line for line in out.splitlines() if line.startswith(name)).split()
        requests, errors = int(row[-9]), int(row[-4])  # ... requests req/s p50 p95 p99 errors
        assert requests > 0, out
        assert errors == 0, out
    assert re.search(r"^target p95 < 200 ms, 0 errors: p95 \d+ ms, 0 errors -> ", out, re.M), out
    # Where the time goes: the server's CPU (its workers found under it) and a page's p95.
    server = re.search(r"^  CPU s: votetrail serve \(its workers\): ([\d.]+)", out, re.M)
    assert server is not None, out
    assert float(server.group(1)) > 0, out
    assert re.search(r"^  CPU s: PostgreSQL: [\d.]+", out, re.M), out
    assert re.search(r"^  p95 ms: /j/\{county\}", out, re.M) or "p95 ms: /workspace" in out, out
