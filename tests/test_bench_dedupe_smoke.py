"""The dedupe benchmark still runs end to end at a tiny size, and its generator stays honest."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.bench_loader import load_bench


def test_bench_runs_small(capsys: pytest.CaptureFixture[str]) -> None:
    bench = load_bench("bench_dedupe")
    assert bench.main(["--records", "1500"]) == 0
    out = capsys.readouterr().out
    assert "| records | 1,500 (" in out
    assert "(a) votetrail voters link, end to end" in out
    assert "(b) Splink predict() alone" in out
    precision, recall = (
        out.split("(a) pairs printed; precision / recall | ")[1]
        .split(" |")[0]
        .split("; ")[1]
        .split(" / ")
    )
    assert float(precision) >= 0.9
    assert float(recall) >= 0.9


def test_generator_is_fixed_by_its_seed_and_writes_duplicates(tmp_path: Path) -> None:
    bench = load_bench("bench_dedupe")
    first = bench.write_voter_file(tmp_path / "a.csv", 2000, 5)
    second = bench.write_voter_file(tmp_path / "b.csv", 2000, 5)
    assert first == second
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    sizes = Counter(first)
    assert 1.05 < 2000 / len(sizes) < 1.2  # about one person in twelve registered again
    header = (tmp_path / "a.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == list(bench.COLUMNS)


def test_bench_rejects_a_single_record() -> None:
    bench = load_bench("bench_dedupe")
    with pytest.raises(SystemExit):
        bench.parse_args(["--records", "1"])
