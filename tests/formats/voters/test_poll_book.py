"""Poll books: who is listed, in what order, and a ZIP whose bytes depend only on the list."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from votetrail.core.voters.record import Address, Protected, Status, VoterRecord
from votetrail.errors import InvalidInput
from votetrail.formats.voters.poll_book import COLUMNS, poll_book_csv, poll_books_zip


def voter(voter_id: str, last: str, first: str, **changes: Any) -> VoterRecord:
    base = VoterRecord(
        voter_id=voter_id,
        county="Summit",
        version=1,
        status=Status.ACTIVE,
        status_reason="",
        first_name=first,
        middle_name="",
        last_name=last,
        suffix="",
        residence=Address("12 Elm St", "Akron", "OH", "44310"),
        mailing=Address(),
        precinct="AKRON 4-F",
        ballot_style="BS-1",
        party="",
        gender="F",
        registered_on=date(2010, 1, 1),
        status_since=date(2010, 1, 1),
        dob=Protected("dob-mac", "dob-sealed"),
        ssn4=Protected(),
        drivers_license=Protected(),
    )
    return replace(base, **changes)


VOTERS = [
    voter("V-5", "Smith", "John", middle_name="Q", suffix="Jr", party="REP"),
    voter("V-4", "smith", "john", middle_name="A"),
    voter("V-3", "Smith", "John", middle_name="A"),
    voter("V-2", "Adams", "Zoe", status=Status.INACTIVE, status_reason="confirmation-notice"),
    voter("V-1", "Baker", "Al", status=Status.CANCELLED, status_reason="moved"),
    voter("V-9", "Young", "Ann", precinct="AKRON 5-A", ballot_style="BS-2"),
    voter("V-8", "=HYPERLINK(1)", "Eve", precinct="AKRON 5-A"),
    voter("V-7", "Ortiz", "Luz", precinct="Ward 1/Pct 2", residence=Address("1 Main St")),
]


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_one_precinct_in_check_in_order() -> None:
    text = poll_book_csv(VOTERS, precinct="AKRON 4-F")
    assert text.startswith(
        "voter_id,last_name,first_name,middle_name,suffix,residence,ballot_style,party,status,"
        "signature\r\n"
    )
    header, *body = rows(text)
    assert tuple(header) == COLUMNS
    assert [row[0] for row in body] == ["V-2", "V-3", "V-4", "V-5"]  # cancelled V-1 not listed
    assert body[0] == [
        "V-2",
        "Adams",
        "Zoe",
        "",
        "",
        "12 Elm St, Akron, OH 44310",
        "BS-1",
        "",
        "inactive",
        "",
    ]
    assert body[3][1:5] == ["Smith", "John", "Q", "Jr"]
    assert {row[8] for row in body[1:]} == {"active"}


def test_spreadsheet_formulas_are_defused() -> None:
    (_, first, _) = rows(poll_book_csv(VOTERS, precinct="AKRON 5-A"))
    assert first[:2] == ["V-8", "'=HYPERLINK(1)"]


def test_empty_precinct_has_only_the_header() -> None:
    assert rows(poll_book_csv(VOTERS, precinct="NOWHERE")) == [list(COLUMNS)]


def open_zip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def test_zip_has_a_book_per_precinct_and_a_readme() -> None:
    data = poll_books_zip(VOTERS, election="2024 General Election")
    archive = open_zip(data)
    assert archive.namelist() == [
        "README.txt",
        "AKRON_4-F.csv",
        "AKRON_5-A.csv",
        "Ward_1_Pct_2.csv",
    ]
    for info in archive.infolist():
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.compress_type == zipfile.ZIP_STORED
    assert archive.read("AKRON_4-F.csv").decode() == poll_book_csv(VOTERS, precinct="AKRON 4-F")
    readme = archive.read("README.txt").decode()
    assert readme.startswith("Poll books: 2024 General Election\r\n")
    assert "AKRON 4-F     AKRON_4-F.csv     4\r\n" in readme
    assert "AKRON 5-A     AKRON_5-A.csv     2\r\n" in readme
    assert "Ward 1/Pct 2  Ward_1_Pct_2.csv  1\r\n" in readme
    assert "Total voters: 7\r\n" in readme


def test_same_list_same_bytes() -> None:
    first = poll_books_zip(VOTERS, election="2024 General")
    again = poll_books_zip(list(reversed(VOTERS)), election="2024 General")
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(again).hexdigest()
    assert poll_books_zip(VOTERS, election="2024 Primary") != first


def test_file_names_are_safe_and_unique() -> None:
    voters = [
        voter("V-1", "A", "A", precinct="../etc/passwd"),
        voter("V-2", "B", "B", precinct="4 F"),
        voter("V-3", "C", "C", precinct="4/F"),
        voter("V-4", "D", "D", precinct="CON"),
        voter("V-5", "E", "E", precinct="readme.txt"),
        voter("V-6", "F", "F", precinct="4:F"),
    ]
    names = open_zip(poll_books_zip(voters, election="E")).namelist()
    assert names == [
        "README.txt",
        "etc_passwd.csv",
        "4_F.csv",
        "4_F~2.csv",
        "4_F~3.csv",
        "_CON.csv",
        "readme.txt.csv",
    ]


def test_voter_without_a_precinct_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        poll_books_zip([*VOTERS, voter("V-10", "Lost", "Lee", precinct="")], election="E")
    assert caught.value.where == "voter V-10"
    assert "no precinct" in str(caught.value)


def test_cancelled_voter_without_a_precinct_is_fine() -> None:
    gone = voter("V-10", "Gone", "Gil", precinct="", status=Status.CANCELLED)
    assert poll_books_zip([*VOTERS, gone], election="E") == poll_books_zip(VOTERS, election="E")


def test_election_name_is_required() -> None:
    with pytest.raises(InvalidInput, match="election name"):
        poll_books_zip(VOTERS, election=" ")
