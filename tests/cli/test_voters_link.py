"""`votetrail voters link FILE`: pairs of records in any file of people, printed as CSV."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from tests.cli.helpers import Result, votetrail
from tests.linkage.test_dedupe import BILL, FIELDS, TWIN_A, TWIN_B, WILLIAM, synthetic, with_address
from votetrail.linkage import DEFAULT_THRESHOLD

HEADER = ["left_id", "right_id", "match_probability"]
RENAMED = {"id": "voter_no", "first_name": "given", "last_name": "family", "dob": "born"}


def write_csv(path: Path, records: list[dict[str, str | None]], columns: list[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([RENAMED.get(column, column) for column in columns])
        writer.writerows([[record.get(column) or "" for column in columns] for record in records])
    return path


def rows(result: Result) -> list[list[str]]:
    return list(csv.reader(io.StringIO(result.out)))


@pytest.fixture(scope="module")
def voter_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    people, _ = synthetic(700, seed=3)
    people += [
        with_address(TWIN_A, "14 Poncha Blvd"),
        with_address(TWIN_B, "14 Poncha Blvd"),
        with_address(WILLIAM, "7 Ouray Ave"),
        with_address(BILL, "7 Ouray Ave"),
    ]
    for index, person in enumerate(people):
        person["hobby"] = "chess" if index % 2 else "golf"
    columns = [*FIELDS, "hobby"]
    return write_csv(tmp_path_factory.mktemp("link") / "voters.csv", people, columns)


def test_renamed_columns_mapped_and_pairs_printed(
    capsys: pytest.CaptureFixture[str],
    voter_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    result = votetrail(
        capsys,
        "voters",
        "link",
        str(voter_file),
        "--id-column",
        "voter_no",
        "--map",
        "first_name=given",
        "--map",
        "last_name=family",
        "--map",
        "dob=born",
        "--extra",
        "hobby",
    )
    assert result.code == 0, result.err
    table = rows(result)
    assert table[0] == HEADER
    found = {(row[0], row[1]) for row in table[1:]}
    assert ("dup-a", "dup-b") in found
    assert ("twin-a", "twin-b") not in found
    assert all(DEFAULT_THRESHOLD <= float(row[2]) <= 1 for row in table[1:])
    assert os.listdir(tmp_path) == []  # no data directory, no database: it only reads

    strict = votetrail(capsys, "voters", "link", str(voter_file), "--id-column", "voter_no",
                       "--map", "first_name=given", "--map", "last_name=family",
                       "--map", "dob=born", "--threshold", "0.9999")  # fmt: skip
    assert strict.code == 0
    assert {(row[0], row[1]) for row in rows(strict)[1:]} < found


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--id-column", "nope"], "has no id column 'nope'"),
        (["--id-column", "voter_no", "--map", "first_name"], "write it as FIELD=COLUMN"),
        (["--id-column", "voter_no", "--map", "birthday=born"], "'birthday' is not a voter field"),
        (["--id-column", "voter_no", "--map", "dob=born", "--map", "dob=given"], "already mapped"),
        (["--id-column", "voter_no", "--extra", "shoe"], "there is no column 'shoe'"),
        (["--id-column", "voter_no", "--threshold", "1.5"], "--threshold 1.5"),
    ],
)
def test_bad_options_are_one_line_errors(
    capsys: pytest.CaptureFixture[str], voter_file: Path, args: list[str], message: str
) -> None:
    result = votetrail(capsys, "voters", "link", str(voter_file), *args)
    assert result.code != 0
    assert result.out == ""
    assert result.err.count("\n") == 1
    assert message in result.err


def test_errors_never_show_a_date_of_birth(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "deaths.csv"
    path.write_text("id,born\nd1,7.3.1931\nd2,12.11.1940\nd1,7.3.1931\n", encoding="utf-8")
    duplicate = votetrail(capsys, "voters", "link", str(path))
    path = tmp_path / "other-deaths.csv"
    path.write_text("id,born\nd1,7.3.1931\nd2,12.11.1940\n", encoding="utf-8")
    unreadable = votetrail(capsys, "voters", "link", str(path), "--map", "dob=born")
    for result in (duplicate, unreadable):
        assert result.code != 0
        assert "1931" not in result.err
        assert "1940" not in result.err
    assert "line 4: id 'd1' (column 'id') was already used on line 2" in duplicate.err
    assert "'born'" in unreadable.err
