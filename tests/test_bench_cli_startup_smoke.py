"""The CLI start-up benchmark still runs end to end, on an empty log and one run each."""

from __future__ import annotations

import pytest

from tests.bench_loader import load_bench


def test_bench_runs_small(capsys: pytest.CaptureFixture[str]) -> None:
    bench = load_bench("bench_cli_startup")
    assert bench.main(["--runs", "1", "--init-only"]) == 0
    out = capsys.readouterr().out
    assert "verify checks an empty log (init only)" in out
    for row in ("| python -c pass |", "| votetrail --help |", "| votetrail verify |"):
        assert row in out
    assert "| < 0.25 s |" in out
    assert "| < 0.5 s |" in out
    assert "votetrail verify: one run under -X importtime took " in out
    assert "sqlalchemy " in out.split("votetrail verify: one run", 1)[1]  # verify reads the db
    [call] = bench.recorded
    assert call["name"] == "bench_cli_startup"
    assert call["smoke"] is True
    assert set(call["reference"]) == {"python_pass_best_s", "typer_rich_utils_import_best_s"}
    assert call["figures"]["help_best_s"] > 0
    assert call["figures"]["verify_best_s"] > 0


def test_bench_rejects_no_runs() -> None:
    bench = load_bench("bench_cli_startup")
    with pytest.raises(SystemExit):
        bench.parse_args(["--runs", "0"])
