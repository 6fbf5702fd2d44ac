"""The sampler benchmark still runs end to end and still finds the two samplers identical."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench_sampler.py"


def _load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_sampler", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file loads
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[spec.name]
        raise
    return module


def test_bench_runs_small(capsys: pytest.CaptureFixture[str]) -> None:
    bench = _load_bench()

    assert bench.main(["--ids", "3000", "--size", "40", "--repeat", "1"]) == 0

    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if "replacement" in line]
    assert len(rows) == 2
    assert all(line.rstrip().endswith("yes") for line in rows)  # identical samples
    assert "3,000 ballots, 40 draws" in out


def test_bench_reports_a_mismatch(monkeypatch: pytest.MonkeyPatch) -> None:
    """A sampler that drifts from the package must fail the run, whatever the speed."""
    bench = _load_bench()
    real = bench.sample

    def drifting(ids: list[str], seed: str, n: int, *, with_replacement: bool = False) -> object:
        return real(ids, seed, n, with_replacement=with_replacement)[::-1]

    monkeypatch.setattr(bench, "sample", drifting)
    assert bench.main(["--ids", "200", "--size", "5", "--repeat", "1"]) == 1


def test_bench_rejects_a_size_above_the_population() -> None:
    bench = _load_bench()
    with pytest.raises(SystemExit):
        bench.parse_args(["--ids", "10", "--size", "11"])
