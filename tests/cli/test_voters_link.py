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


# The poll-book voter list layout of VotingWorks' VxPollBook fixtures
# (votingworks/vxsuite, libs/fixtures/data/electionFamousNames2021/voters.csv at
# 0c612c2d93c575c36cea1f86801a016a1c0e1a90): "Voter ID", "Last Name", "First Name",
# "Street Name" ... and no date of birth. The fixture has that header and 78 rows in our
# own values: households (same surname and street), three common names on different
# streets (51 same-name pairs: enough for the old code to train on the names, where it
# crashed) and four duplicate registrations.
POLL_BOOK = Path(__file__).parents[1] / "fixtures" / "field" / "voters" / "poll_book_voters.csv"
POLL_BOOK_NAMES = ["--id-column", "Voter ID", "--map", "first_name=First Name",
                   "--map", "last_name=Last Name"]  # fmt: skip
POLL_BOOK_DUPLICATES = {("44", "67"), ("35", "60"), ("18", "54"), ("12", "61")}


def test_poll_book_with_names_and_street_finds_its_duplicates(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = votetrail(
        capsys, "voters", "link", str(POLL_BOOK), *POLL_BOOK_NAMES, "--map", "street=Street Name"
    )
    assert result.code == 0, result.err
    assert {(row[0], row[1]) for row in rows(result)[1:]} == POLL_BOOK_DUPLICATES


def test_poll_book_with_names_only_runs(capsys: pytest.CaptureFixture[str]) -> None:
    result = votetrail(capsys, "voters", "link", str(POLL_BOOK), *POLL_BOOK_NAMES)
    assert result.code == 0, result.err
    found = {(row[0], row[1]) for row in rows(result)[1:]}
    # Kathrine/Katherine and Bill/William; no two of the John Smiths, Maria Garcias, David Lees.
    assert {("35", "60"), ("18", "54")} <= found
    assert found <= POLL_BOOK_DUPLICATES


def test_too_few_fields_are_refused_in_one_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    result = votetrail(capsys, "voters", "link", str(POLL_BOOK), "--id-column", "Voter ID",
                       "--map", "last_name=Last Name", "--map", "zip=Postal Zip 5")  # fmt: skip
    assert result.code != 0
    assert result.out == ""
    assert result.err.count("\n") == 1
    assert (
        f"{POLL_BOOK}: too few fields to tell people apart: linking needs at least 2 of "
        "first_name, last_name, dob, street, email, phone or an --extra column, and it has "
        "only last_name\n"
    ) in result.err


def test_an_extra_already_read_as_a_field_is_ignored_with_a_note(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = votetrail(capsys, "voters", "link", str(POLL_BOOK), *POLL_BOOK_NAMES,
                       "--map", "street=Street Name", "--extra", "First Name",
                       "--extra", "Voter ID", "--extra", "Street Number")  # fmt: skip
    assert result.code == 0, result.err
    assert (
        f"note: {POLL_BOOK}: --extra First Name: ignored, the column is already read as "
        "field first_name.\n"
    ) in result.err
    assert (
        f"note: {POLL_BOOK}: --extra Voter ID: ignored, the column is already read as the id "
        "column.\n"
    ) in result.err
    assert "Street Number" not in result.err  # a real extra: compared, no note
    assert {(row[0], row[1]) for row in rows(result)[1:]} >= {("35", "60"), ("18", "54")}
