"""ES&S CVR CSV exports, on synthetic files laid out as Arlo's ES&S tests write them.

No real ES&S export is in the shared data. The layout (``Cast Vote Record``,
``Precinct``, ``Ballot Style``, then one column per contest holding the choice
name, ``undervote`` or ``overvote``) is that of Arlo's ``ESS_CVR`` test fixture
and its ``parse_ess_cvrs``; a vote-for-N contest repeating its heading N times
and an empty cell for a contest not on the ballot follow public ES&S samples.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.formats.files import records_of, refused, write
from votetrail.core.tally.records import CastVoteRecord, ContestDefinition
from votetrail.errors import InvalidInput
from votetrail.formats.cvr.ess import detect, open_ess_cvr
from votetrail.formats.cvr.read import open_cvr_file

ESS_CVR = (
    "Cast Vote Record,Precinct,Ballot Style,Contest 1,Contest 2,Contest 2\r\n"
    "1,p1,bs1,Choice 1-2,Choice 2-1,Choice 2-3\r\n"
    "2,p1,bs1,Choice 1-1,undervote,undervote\r\n"
    "3,p2,bs2,undervote,,\r\n"
    "4,p2,bs2,overvote,Choice 2-2,undervote\r\n"
    "5,p1,bs1,Write-in,overvote,overvote\r\n"
)


def test_contests_are_gathered_from_every_row(tmp_path: Path) -> None:
    assert open_ess_cvr(write(tmp_path, ESS_CVR, "cvr.csv")).contests == [
        ContestDefinition(
            "Contest 1", 1, ("Choice 1-1", "Choice 1-2", "Write-in"), frozenset({"Write-in"})
        ),
        ContestDefinition("Contest 2", 2, ("Choice 2-1", "Choice 2-2", "Choice 2-3")),
    ]


def test_records_undervotes_overvotes_and_contests_off_the_ballot(tmp_path: Path) -> None:
    records = list(open_ess_cvr(write(tmp_path, ESS_CVR, "cvr.csv")).records())
    assert records[0] == CastVoteRecord(
        id="1",
        tabulator=None,
        batch=None,
        record="1",
        precinct="p1",
        ballot_type="bs1",
        marks={"Contest 1": ("Choice 1-2",), "Contest 2": ("Choice 2-1", "Choice 2-3")},
    )
    assert records[1].marks == {"Contest 1": ("Choice 1-1",), "Contest 2": ()}
    assert records[2].marks == {"Contest 1": ()}
    assert records[3].marks == {
        "Contest 1": ("Choice 1-1", "Choice 1-2", "Write-in"),
        "Contest 2": ("Choice 2-2",),
    }
    assert records[4].marks["Contest 2"] == ("Choice 2-1", "Choice 2-2", "Choice 2-3")


def test_batch_and_tabulator_columns_when_exported(tmp_path: Path) -> None:
    text = (
        "Election ID,Tabulator CVR,Cast Vote Record,Batch,Precinct,Ballot Style,Mayor\r\n"
        "E1,0002000017,17,B-4,p,bs,Ada\r\n"
    )
    (record,) = open_ess_cvr(write(tmp_path, text, "cvr.csv")).records()
    assert (record.id, record.tabulator, record.batch) == ("17", "0002", "B-4")


def test_detection_and_the_common_interface(tmp_path: Path) -> None:
    path = write(tmp_path, ESS_CVR, "cvr.csv")
    assert detect(path)
    opened = open_cvr_file(path)
    assert opened.format == "ES&S CVR CSV"
    assert len(list(opened.records())) == 5
    assert not detect(write(tmp_path, "Cast Vote Record,Precinct\r\n1,p\r\n", "only.csv"))
    assert not detect(write(tmp_path, "RowNumber,BoxID\r\n", "cb.csv"))


def test_short_row_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, ESS_CVR + "6,p1,bs1,Choice 1-1\r\n", "cvr.csv")
    assert refused(records_of(open_ess_cvr), path).where == f"{path}, line 7"


def test_duplicate_and_missing_record_numbers(tmp_path: Path) -> None:
    error = refused(
        records_of(open_ess_cvr), write(tmp_path, ESS_CVR + "2,p1,bs1,Choice 1-1,,\r\n", "cvr.csv")
    )
    assert error.where is not None
    assert error.where.endswith("line 7, field 'Cast Vote Record'")
    assert "already on line 3" in str(error)
    error = refused(
        records_of(open_ess_cvr), write(tmp_path, ESS_CVR + ",p1,bs1,Choice 1-1,,\r\n", "b.csv")
    )
    assert str(error).endswith("line 7, field 'Cast Vote Record': is empty")


def test_wrong_headings_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no 'Cast Vote Record' column"):
        open_ess_cvr(write(tmp_path, "Ballot,Precinct,Mayor\r\n1,p,Ada\r\n", "cvr.csv"))
    with pytest.raises(InvalidInput, match="not side by side"):
        open_ess_cvr(write(tmp_path, "Cast Vote Record,A,B,A\r\n1,x,y,z\r\n", "b.csv"))
    with pytest.raises(InvalidInput, match="no contest columns"):
        open_ess_cvr(write(tmp_path, "Cast Vote Record,Precinct\r\n1,p\r\n", "c.csv"))


def test_an_overvote_that_cannot_be_represented(tmp_path: Path) -> None:
    path = write(tmp_path, "Cast Vote Record,Mayor\r\n1,Ada\r\n2,overvote\r\n", "cvr.csv")
    with pytest.raises(InvalidInput) as caught:
        open_ess_cvr(path)
    assert caught.value.where == f"{path}, line 3, field 'Mayor'"


def test_bad_bytes_and_quoting_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "cvr.csv"
    path.write_bytes(ESS_CVR.encode() + b"6,p\xff,bs1,Choice 1-1,,\r\n")
    assert refused(records_of(open_ess_cvr), path).where == f"{path}, line 7"
    quoted = write(tmp_path, ESS_CVR + '7,"p1,bs1\r\n', "q.csv")
    with pytest.raises(InvalidInput, match="not valid CSV"):
        open_ess_cvr(quoted)
