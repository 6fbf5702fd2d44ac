"""`votetrail audit batch-sample|batch-sample-size|batch-risk`: MACRO audits from files.

The election is Arlo's MACRO fixture, the one ``tests/core/audit/test_batch.py``
checks the engine against, written out as the files a county would give, so the
commands must give the numbers Arlo publishes (first-round draws 29, 15 and 10
at a 25% risk limit; (20/21)^29 after 29 clean draws of contest A).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from fractions import Fraction
from pathlib import Path

import pytest

from tests.cli.helpers import Result, votetrail
from tests.core.audit.test_batch import CONTESTS, arlo_batches

SEED = "01382438112797316654"


def write_contests(path: Path, *names: str) -> Path:
    lines = ["Contest,Choice,Votes,Ballots"]
    for name in names:
        for choice, votes in CONTESTS[name].totals.items():
            lines.append(f"{name},{choice},{votes},120000")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_reported(path: Path) -> Path:
    lines = ["County,Batch,Contest,Choice,Votes,Cards"]
    for batch, tallies in arlo_batches().items():
        for contest, tally in tallies.items():
            for choice, votes in tally.votes.items():
                lines.append(f"Adams,{batch},{contest},{choice},{votes},{tally.cards}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_draws(path: Path, batches: list[str]) -> Path:
    rows = "".join(f"{i},Adams,{batch}\n" for i, batch in enumerate(batches, 1))
    path.write_text("draw,county,batch\n" + rows, encoding="utf-8")
    return path


def write_tallies(path: Path, counts: dict[str, dict[str, dict[str, int]] | None]) -> Path:
    lines = ["County,Batch,Contest,Choice,Votes"]
    for batch, count in counts.items():
        if count is None:
            lines.append(f"Adams,{batch},,,MISSING")
            continue
        for contest, votes in count.items():
            lines.extend(f"Adams,{batch},{contest},{c},{v}" for c, v in votes.items())
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def clean(batch: str, contests: str = "A") -> dict[str, dict[str, int]]:
    reported = arlo_batches()[batch]
    return {name: dict(reported[name].votes) for name in contests if name in reported}


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {
        "A": write_contests(tmp_path / "contests-a.csv", "A"),
        "B": write_contests(tmp_path / "contests-b.csv", "B"),
        "C": write_contests(tmp_path / "contests-c.csv", "C"),
        "ABC": write_contests(tmp_path / "contests.csv", "A", "B", "C"),
        "batches": write_reported(tmp_path / "reported_batches.csv"),
    }


def risk(
    capsys: pytest.CaptureFixture[str], contests: Path, batches: Path, draws: Path, tallies: Path
) -> Result:
    return votetrail(
        capsys,
        "audit",
        "batch-risk",
        *("--contests", str(contests), "--batches", str(batches)),
        *("--sample", str(draws), "--tallies", str(tallies)),
        *("--risk-limit", "0.25", "--format", "json"),
    )


@pytest.mark.parametrize(("contests", "draws"), [("A", 29), ("B", 15), ("C", 10), ("ABC", 31)])
def test_first_round_sizes_are_arlos(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], contests: str, draws: int
) -> None:
    result = votetrail(
        capsys,
        "audit",
        "batch-sample-size",
        *("--contests", str(files[contests]), "--batches", str(files["batches"])),
        *("--risk-limit", "0.25", "--format", "json"),
    )
    assert result.code == 0, result.err
    size = json.loads(result.out)["sizes"][0]
    assert size["draws"] == draws
    assert size["hand_count_instead"] is False


def test_decision_switches_to_confirmed_as_batches_are_tallied(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], tmp_path: Path
) -> None:
    draws = write_draws(tmp_path / "sample.csv", [f"P{i}" for i in range(29)])
    tallies = tmp_path / "hand_tallies.csv"

    write_tallies(tallies, {f"P{i}": clean(f"P{i}") for i in range(27)})
    first = json.loads(risk(capsys, files["A"], files["batches"], draws, tallies).out)
    assert first["decision"] == "continue"
    assert first["draws_counted"] == 27
    assert first["contests"][0]["risk"] == pytest.approx((20 / 21) ** 27)

    # P28 counted before P27: the draws count in draw order, so nothing moves yet.
    write_tallies(tallies, {f"P{i}": clean(f"P{i}") for i in [*range(27), 28]})
    waiting = json.loads(risk(capsys, files["A"], files["batches"], draws, tallies).out)
    assert waiting["draws_counted"] == 27
    assert waiting["decision"] == "continue"

    write_tallies(tallies, {f"P{i}": clean(f"P{i}") for i in range(29)})
    done = json.loads(risk(capsys, files["A"], files["batches"], draws, tallies).out)
    assert done["decision"] == "confirmed"
    assert done["contests"] == [
        {
            "contest": "A",
            "winners": "winner",
            "risk": pytest.approx((20 / 21) ** 29),
            "decision": "confirmed",
        }
    ]
    assert done["max_risk"] <= 0.25


def test_tainted_and_missing_batches_give_the_engines_risk(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], tmp_path: Path
) -> None:
    # The engine test's tainted draws: P101 hand-counted 170-210 against 200-180.
    order = ["P101", *(f"P{i}" for i in range(40))]
    counts: dict[str, dict[str, dict[str, int]] | None] = {b: clean(b) for b in order}
    counts["P101"] = {"A": {"winner": 170, "loser": 210}}
    draws = write_draws(tmp_path / "sample.csv", order)
    tallies = write_tallies(tmp_path / "t.csv", counts)
    result = json.loads(risk(capsys, files["A"], files["batches"], draws, tallies).out)
    assert result["max_risk"] == pytest.approx((20 / 21) ** 41 / (1 - 1 / 7))

    # P3 not found: taint 1, the worst case; the risk stays at its level before P3
    # (the 4th draw) whatever the later draws show.
    counts["P3"] = None
    write_tallies(tallies, counts)
    lost = json.loads(risk(capsys, files["A"], files["batches"], draws, tallies).out)
    assert lost["max_risk"] == pytest.approx((20 / 21) ** 4 / (1 - 1 / 7))
    assert lost["decision"] == "continue"


def test_macro_risk_per_contest_on_one_sample(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], tmp_path: Path
) -> None:
    # An error in contest C only (P10: 20 of C's 5,400 margin) raises C's risk, not A's.
    order = [f"P{i}" for i in range(40)]
    counts: dict[str, dict[str, dict[str, int]] | None] = {b: clean(b, "ABC") for b in order}
    counts["P10"] = {**clean("P10", "ABC"), "C": {"winner": 190, "loser": 150}}
    draws = write_draws(tmp_path / "sample.csv", order)
    tallies = write_tallies(tmp_path / "t.csv", counts)
    result = json.loads(risk(capsys, files["ABC"], files["batches"], draws, tallies).out)
    by_contest = {row["contest"]: row["risk"] for row in result["contests"]}
    u = 60 * 690 / 5400 + 70 * 660 / 6000 + 70 * 630 / 6000
    clean_risk = (1 - 1 / u) ** 40
    assert by_contest["A"] == pytest.approx(clean_risk)
    assert by_contest["B"] == pytest.approx(clean_risk)
    assert by_contest["C"] == pytest.approx(clean_risk / (1 - (20 / 5400) / (460 / 5400)))


def test_a_tallied_batch_that_was_not_reported_is_refused(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], tmp_path: Path
) -> None:
    draws = write_draws(tmp_path / "sample.csv", ["P1"])
    tallies = write_tallies(tmp_path / "t.csv", {"P1": clean("P1"), "P999": clean("P1")})
    result = risk(capsys, files["A"], files["batches"], draws, tallies)
    assert result.code == 1
    assert result.out == ""
    assert result.err.strip() == (
        f"error: {tallies}, line 4, field 'Batch': batch 'P999' of county 'Adams' is not in "
        f"the reported batch tallies {files['batches']}"
    )


def test_a_tallied_batch_that_was_not_drawn_is_refused(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], tmp_path: Path
) -> None:
    draws = write_draws(tmp_path / "sample.csv", ["P1"])
    tallies = write_tallies(tmp_path / "t.csv", {"P1": clean("P1"), "P2": clean("P2")})
    result = risk(capsys, files["A"], files["batches"], draws, tallies)
    assert result.code == 1
    assert f"{tallies}, line 4, field 'Batch'" in result.err
    assert "was not drawn" in result.err


BAD_FILES = [
    ("batches", "Adams,P1,A,winner,2OO,400", "line 2, field 'Votes'", "'2OO' is not a whole"),
    ("batches", "Adams,P1,A,winner,200,", "line 2, field 'Cards'", "is not a whole"),
    ("batches", ",P1,A,winner,200,400", "line 2, field 'County'", "is empty"),
    ("batches", "Adams,P1,A,winner,500,400", "line 2, field 'Votes'", "only 400 cards"),
    ("tallies", "Adams,P1,A,winner,-3", "line 2, field 'Votes'", "'-3' is not a whole"),
    ("tallies", "Adams,P1,A,,200", "line 2, field 'Choice'", "is empty"),
]


@pytest.mark.parametrize(("which", "row", "where", "message"), BAD_FILES)
def test_a_bad_file_names_file_line_and_field(
    capsys: pytest.CaptureFixture[str],
    files: dict[str, Path],
    tmp_path: Path,
    which: str,
    row: str,
    where: str,
    message: str,
) -> None:
    draws = write_draws(tmp_path / "sample.csv", ["P1"])
    tallies = write_tallies(tmp_path / "t.csv", {"P1": clean("P1")})
    batches = files["batches"]
    if which == "batches":
        lines = batches.read_text(encoding="utf-8").splitlines()
        batches.write_text("\n".join([lines[0], row, *lines[1:]]) + "\n", encoding="utf-8")
        bad = batches
    else:
        tallies.write_text(f"County,Batch,Contest,Choice,Votes\n{row}\n", encoding="utf-8")
        bad = tallies
    result = risk(capsys, files["A"], batches, draws, tallies)
    assert result.code == 1
    assert result.err.startswith(f"error: {bad}, {where}: "), result.err
    assert message in result.err


def test_batches_not_adding_up_name_the_file_and_contest(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], tmp_path: Path
) -> None:
    contests = tmp_path / "c.csv"
    contests.write_text(
        "Contest,Choice,Votes,Ballots\nA,winner,60001,120000\nA,loser,54000,120000\n",
        encoding="utf-8",
    )
    result = votetrail(
        capsys, "audit", "batch-sample-size", "--contests", str(contests),
        "--batches", str(files["batches"]),
    )  # fmt: skip
    assert result.code == 1
    assert result.err.strip() == (
        f"error: {files['batches']}: contest 'A': the batches add up to 60000 votes for "
        "'winner' but the contest total is 60001"
    )


def reference_ppeb(bounds: list[tuple[str, Fraction]], seed: str, n: int) -> list[str]:
    """docs/audit.md's rule, written out again independently of core/audit/ppeb.py."""
    seed_hash = hashlib.sha256(seed.encode()).hexdigest()
    total = sum((b for _, b in bounds), Fraction(0))
    out = []
    for i in range(1, n + 1):
        u = Fraction(int(hashlib.sha256(f"{seed_hash}:{i}".encode()).hexdigest(), 16), 2**256)
        running = Fraction(0)
        for name, bound in bounds:
            running += bound
            if running > u * total:
                out.append(name)
                break
    return out


def test_batch_sample_is_ppeb_from_the_seed(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], tmp_path: Path
) -> None:
    args = ["audit", "batch-sample", "--contests", str(files["B"])]
    args += ["--batches", str(files["batches"]), "--seed", SEED, "--size", "600"]
    result = votetrail(capsys, *args)
    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert len(rows) == 600
    # Contest B is on P0-P99 (bound 440/6000) and AV0-AV99 (220/6000) only.
    bounds = {f"P{i}": Fraction(440, 6000) for i in range(100)}
    bounds.update({f"AV{i}": Fraction(220, 6000) for i in range(100)})
    ordered = sorted(bounds.items())
    assert [row["batch"] for row in rows] == reference_ppeb(ordered, SEED, 600)
    assert {row["county"] for row in rows} == {"Adams"}
    precincts = sum(row["batch"].startswith("P") for row in rows)
    assert 0.6 < precincts / 600 < 0.73  # two thirds expected
    repeats = [row for row in rows if row["generation"] != "1"]
    assert repeats  # with replacement: 600 draws from 200 batches
    assert float(rows[0]["probability"]) == pytest.approx(
        float(bounds[rows[0]["batch"]] / sum(bounds.values()))
    )
    again = votetrail(capsys, *args[:-1], "10", "--format", "json")
    assert [d["batch"] for d in json.loads(again.out)] == [r["batch"] for r in rows[:10]]

    # The file's row order does not change the draw.
    lines = files["batches"].read_text(encoding="utf-8").splitlines()
    shuffled = tmp_path / "shuffled.csv"
    shuffled.write_text("\n".join([lines[0], *reversed(lines[1:])]) + "\n", encoding="utf-8")
    args[args.index(str(files["batches"]))] = str(shuffled)
    assert votetrail(capsys, *args).out == result.out


def test_batch_sample_output_feeds_batch_risk(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], tmp_path: Path
) -> None:
    sample = tmp_path / "sample.csv"
    drawn = votetrail(
        capsys, "audit", "batch-sample", "--contests", str(files["C"]),
        "--batches", str(files["batches"]), "--seed", SEED, "--size", "10",
        "--output", str(sample),
    )  # fmt: skip
    assert drawn.code == 0
    assert drawn.out == ""
    batches = [row["batch"] for row in csv.DictReader(sample.open(encoding="utf-8"))]
    tallies = write_tallies(tmp_path / "t.csv", {b: clean(b, "C") for b in batches})
    result = json.loads(risk(capsys, files["C"], files["batches"], sample, tallies).out)
    assert result["draws"] == result["draws_counted"] == 10
    assert result["max_risk"] == pytest.approx((1 - 1 / (120 * 690 / 5400 / 2)) ** 10)
    assert result["decision"] == "confirmed"  # Arlo: 10 clean draws confirm C at 25%
