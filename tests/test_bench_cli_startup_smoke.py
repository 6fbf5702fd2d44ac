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


def test_a_missed_target_says_where_the_time_goes() -> None:
    bench = load_bench("bench_cli_startup")
    by_part = {"sqlalchemy": 0.2, "typer": 0.05, "rich": 0.03, "votetrail.core": 0.01}
    profile = bench.where_time_goes(0.6, by_part, top=2)
    assert list(profile) == [
        "parsing, the command's work and exit",
        "import sqlalchemy",
        "import typer",
        "import, the rest",
    ]
    assert sum(profile.values()) == pytest.approx(0.6)
    assert bench.shortfall_of("votetrail verify", 0.6, 0.5) == (
        "votetrail verify 0.600 s, 1.20x the 0.5 s target"
    )
