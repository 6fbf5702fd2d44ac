"""The sampler benchmark still runs end to end and still finds the two samplers identical."""

from __future__ import annotations

import pytest

from tests.bench_loader import load_bench


def test_bench_runs_small(capsys: pytest.CaptureFixture[str]) -> None:
    bench = load_bench("bench_sampler")

    assert bench.main(["--ids", "3000", "--size", "40", "--repeat", "1"]) == 0

    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if "replacement" in line]
    assert len(rows) == 2
    assert all(line.rstrip().endswith("yes") for line in rows)  # identical samples
    assert "3,000 ballots, 40 draws" in out


def test_bench_reports_a_mismatch(monkeypatch: pytest.MonkeyPatch) -> None:
    """A sampler that drifts from the package must fail the run, whatever the speed."""
    bench = load_bench("bench_sampler")
    real = bench.sample

    def drifting(ids: list[str], seed: str, n: int, *, with_replacement: bool = False) -> object:
        return real(ids, seed, n, with_replacement=with_replacement)[::-1]

    monkeypatch.setattr(bench, "sample", drifting)
    assert bench.main(["--ids", "200", "--size", "5", "--repeat", "1"]) == 1


def test_bench_rejects_a_size_above_the_population() -> None:
    bench = load_bench("bench_sampler")
    with pytest.raises(SystemExit):
        bench.parse_args(["--ids", "10", "--size", "11"])
