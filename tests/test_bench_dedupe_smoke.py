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


def test_large_path_skips_splink_and_names_its_variant(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 10M path at a tiny size: Splink alone is not run, steps and peak are reported."""
    bench = load_bench("bench_dedupe")
    monkeypatch.setattr(bench, "LARGE", 1000)
    monkeypatch.setattr(bench, "SPLINK_MAX", 1000)
    assert bench.main(["--records", "1200"]) == 0
    out = capsys.readouterr().out
    assert "(b) Splink alone | not run: its four blocking rules would make up to " in out
    assert "(a) step: train |" in out
    assert "(a) step: read |" in out
    assert "(a) peak RSS of the command" in out
    [call] = bench.recorded
    assert call["name"] == "bench_dedupe-1k"  # a variant beside the 1M results
    assert call["smoke"] is True
    assert "(b) Splink alone, blocked pairs (not run)" in call["reference"]


def test_file_is_shuffled_across_buckets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Written through several spill buckets, the file still holds every registration once."""
    bench = load_bench("bench_dedupe")
    monkeypatch.setattr(bench, "_ROWS_PER_BUCKET", 300)
    monkeypatch.setattr(bench, "_CHUNK", 50)
    truth = bench.write_voter_file(tmp_path / "a.csv", 2000, 5)
    lines = (tmp_path / "a.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert len(lines) == len(truth) == 2000
    assert [bench.row_of(line.split(",")[0]) for line in lines] == list(range(2000))
    persons = list(truth)
    assert persons != sorted(persons)  # shuffled, not in the order persons were made
    assert sorted(Counter(persons).values())[-1] <= 3
