"""Whole-audit questions through the real files and commands: round sizes, risk, decision."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import votetrail
from votetrail.core.audit import comparison, polling
from votetrail.core.audit.types import Decision
from votetrail.formats.audit.inputs import read_contests, read_polling_sample
from votetrail.services.audit.rounds import Method, measure_risk, sample_sizes

CONTESTS = """Contest,Choice,Votes,Ballots,Vote For
Mayor,Alice,5200,10000,1
Mayor,Bob,4300,10000,1
Council,Carol,6000,10000,2
Council,Dan,5000,10000,2
Council,Erin,3000,10000,2
"""


@pytest.fixture
def contests_file(tmp_path: Path) -> Path:
    path = tmp_path / "contests.csv"
    path.write_text(CONTESTS, encoding="utf-8")
    return path


def _polling_sample(tmp_path: Path, alice: int, bob: int) -> Path:
    rows = ["Ballot,Contest,Choice"]
    for i in range(alice):
        rows += [f"a{i},Mayor,Alice", f"a{i},Council,Carol", f"a{i},Council,Dan"]
    for i in range(bob):
        rows += [f"b{i},Mayor,Bob", f"b{i},Council,Erin"]
    path = tmp_path / "sample.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_bravo_round_sizes_match_the_core(contests_file: Path) -> None:
    sizes = {s.assertion: s for s in sample_sizes(read_contests(contests_file), Method.BRAVO, 0.05)}
    expected = polling.bravo_sample_size(
        5200 / 9500, 0.05, quantile=0.9, pair_fraction=0.95, cap=10000
    )
    assert sizes["Mayor:Alice>Bob"].size == expected
    assert set(sizes) == {"Mayor:Alice>Bob", "Council:Carol>Erin", "Council:Dan>Erin"}


def test_comparison_round_sizes_use_the_super_simple_formula(contests_file: Path) -> None:
    sizes = sample_sizes(read_contests(contests_file), Method.COMPARISON, 0.05)
    by_id = {s.assertion: s.size for s in sizes}
    assert by_id["Mayor:Alice>Bob"] == comparison.sample_size(0.09, 0.05)


def test_alpha_sizes_are_reproducible(contests_file: Path) -> None:
    contests = read_contests(contests_file)
    first = sample_sizes(contests, Method.ALPHA_POLLING, 0.05, seed=7, trials=30)
    again = sample_sizes(contests, Method.ALPHA_POLLING, 0.05, seed=7, trials=30)
    assert first == again
    assert all(s.finish_probability is not None and s.finish_probability >= 0.9 for s in first)


def test_bravo_risk_and_decision(contests_file: Path, tmp_path: Path) -> None:
    contests = read_contests(contests_file)
    report = measure_risk(
        contests,
        Method.BRAVO,
        0.05,
        polled=read_polling_sample(_polling_sample(tmp_path, 300, 200)),
    )
    risks = {r.assertion: r.risk for r in report.risks}
    assert risks["Mayor:Alice>Bob"] == pytest.approx(polling.bravo_risk(5200, 4300, 300, 200))
    assert report.ballots_sampled == 500
    assert report.decision is (Decision.CONFIRMED if report.max_risk <= 0.05 else Decision.CONTINUE)
    weak = measure_risk(
        contests, Method.BRAVO, 0.05, polled=read_polling_sample(_polling_sample(tmp_path, 10, 10))
    )
    assert weak.decision is Decision.CONTINUE


def test_cli_risk_and_sample_size_as_json(
    capsys: pytest.CaptureFixture[str], contests_file: Path, tmp_path: Path
) -> None:
    sample = _polling_sample(tmp_path, 1500, 1000)
    result = votetrail(
        capsys,
        "audit",
        "risk",
        "--contests",
        str(contests_file),
        "--sample",
        str(sample),
        "--method",
        "bravo",
        "--format",
        "json",
    )
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["decision"] == "confirmed"
    assert {a["assertion"] for a in data["assertions"]} == {
        "Mayor:Alice>Bob",
        "Council:Carol>Erin",
        "Council:Dan>Erin",
    }
    sized = votetrail(
        capsys, "audit", "sample-size", "--contests", str(contests_file), "--method", "comparison"
    )
    assert sized.code == 0, sized.err
    lines = sized.out.splitlines()
    assert lines[0] == "assertion,diluted_margin,size,basis,finish_probability"
    assert lines[1].startswith("Mayor:Alice>Bob,0.09,")


def test_comparison_risk_counts_discrepancies(
    capsys: pytest.CaptureFixture[str], contests_file: Path, tmp_path: Path
) -> None:
    rows = ["Ballot,Contest,CVR,Audit"]
    for i in range(80):
        rows += [f"c{i},Mayor,Alice,Alice", f"c{i},Council,Carol;Dan,Carol;Dan"]
    rows += ["x1,Mayor,Alice,Bob", "x1,Council,Carol;Dan,Carol;Dan"]
    rows += ["x2,Mayor,Alice,", "x2,Council,Carol;Dan,MISSING"]
    sample = tmp_path / "cmp.csv"
    sample.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = votetrail(
        capsys,
        "audit",
        "risk",
        "--contests",
        str(contests_file),
        "--sample",
        str(sample),
        "--method",
        "comparison",
        "--format",
        "json",
    )
    assert result.code == 0, result.err
    mayor = next(
        a for a in json.loads(result.out)["assertions"] if a["assertion"] == "Mayor:Alice>Bob"
    )
    assert (mayor["o1"], mayor["o2"], mayor["u1"], mayor["u2"]) == (1, 1, 0, 0)
    assert mayor["risk"] == pytest.approx(comparison.kaplan_markov_p_value(82, 0.09, o1=1, o2=1))


def test_cli_names_a_bad_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "contests.csv"
    bad.write_text("Contest,Choice,Votes,Ballots\nMayor,Alice,10,x\n", encoding="utf-8")
    result = votetrail(capsys, "audit", "sample-size", "--contests", str(bad))
    assert result.code == 1
    assert f"{bad}, line 2, field 'Ballots': 'x' is not a whole number" in result.err
