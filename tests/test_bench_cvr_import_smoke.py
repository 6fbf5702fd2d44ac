"""The CVR import benchmark still runs end to end and still checks what it imported."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.bench_loader import load_bench
from votetrail.core.ledger.canonical import canonical_bytes
from votetrail.core.tally.records import CastVoteRecord
from votetrail.services.counting.uploads import cvr_record, cvr_text


def test_bench_runs_small(capsys: pytest.CaptureFixture[str]) -> None:
    bench = load_bench("bench_cvr_import")

    start = time.perf_counter()
    argv = ["--cvrs", "2000", "--files", "3", "--json-per-file", "500"]
    assert bench.main([*argv, "--postgres-server", "none"]) == 0
    assert time.perf_counter() - start < 10

    out = capsys.readouterr().out
    for check in (
        "CVRs stored == generated (2,000)",
        "tabulated totals == the generator's",
        "verify(app).ok",
        "JSON files hold the same totals",
    ):
        rows = [line for line in out.splitlines() if line.startswith(check)]
        assert len(rows) == 1, check
        assert rows[0].rstrip().endswith("yes"), rows[0]
    assert "import 2,000 CVRs on sqlite in 3 CSV files" in out
    assert "json.load of the same CVRs as 4 CvrExport JSON files" in out
    assert "ratio: votetrail import time (CSV) / json.load time (JSON)" in out


def test_bench_prints_postgres_beside_sqlite(postgres_server: str) -> None:
    """Issue 21: the same files imported into PostgreSQL in the same run, with the same checks."""
    bench = load_bench("bench_cvr_import")
    argv = ["--cvrs", "1500", "--files", "2", "--skip-json", "--postgres-server", postgres_server]
    report = bench.run(bench.parse_args(argv))

    assert not report.problems
    assert report.postgres_rate is not None
    assert report.postgres_rate > 0
    names = [f.name for f in report.figures]
    assert "import 1,500 CVRs on postgresql, the same files" in names
    assert "CVR import: postgresql / sqlite rate in this run" in names
    for backend in ("sqlite", "postgresql"):
        assert f"CVRs stored == generated (1,500) on {backend}" in names
        assert f"verify(app).ok on {backend}" in names


def test_generated_exports_read_as_dominion(tmp_path: Path) -> None:
    """The generator writes what the real reader accepts, with the totals it claims."""
    bench = load_bench("bench_cvr_import")
    options = bench.parse_args(["--cvrs", "700", "--files", "2", "--json-per-file", "300"])
    header = bench.read_header(options.template)
    generated = bench.generate(tmp_path, options, header)

    assert len(generated.csv_files) == 2
    assert len(generated.json_files) == 3
    assert generated.totals.cvrs == 700
    assert sum(generated.totals.tally.values()) + generated.totals.overvotes <= 700
    report = bench.Report()
    bench.check_json(bench.bench_json(generated, report), generated, report)
    assert not report.problems


def test_bench_reports_a_wrong_total(monkeypatch: pytest.MonkeyPatch) -> None:
    """An import that loses a vote must fail the run, whatever the speed."""
    bench = load_bench("bench_cvr_import")
    real = bench.generate

    def miscounting(folder: Path, options: object, header: object) -> object:
        generated = real(folder, options, header)
        first = next(iter(generated.totals.tally))
        generated.totals.tally[first] += 1
        return generated

    monkeypatch.setattr(bench, "generate", miscounting)
    assert (
        bench.main(["--cvrs", "300", "--files", "1", "--skip-json", "--postgres-server", "none"])
        == 1
    )


def test_fast_canonical_text_is_the_canonical_form() -> None:
    """``cvr_text`` (the import's hot path) must give exactly the bytes the ledger defines."""
    records = [
        CastVoteRecord("T-B-1", "T", "B", "1", "p-1", "bt-1", "Election Day", {"C": ("x",)}),
        CastVoteRecord("only id", None, None, None, marks={}),
        CastVoteRecord(
            'q"uo\\te\n\x00',
            "Zoë 選挙 😀",
            "\u2028",
            None,
            "\x1f",
            None,
            "Mail",
            {"Zeta": (), "Alpha (B)": ("b", "a"), "ä": ("Write-In",)},
        ),
    ]
    for record in records:
        assert cvr_text(record).encode("utf-8") == canonical_bytes(cvr_record(record))


def test_bench_rejects_more_files_than_cvrs() -> None:
    bench = load_bench("bench_cvr_import")
    with pytest.raises(SystemExit):
        bench.parse_args(["--cvrs", "2", "--files", "3"])
