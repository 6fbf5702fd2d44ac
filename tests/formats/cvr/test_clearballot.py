"""Clear Ballot CVR CSV exports, on synthetic files laid out as Arlo's tests write them.

No real ClearCount export is in the shared data. The heading (``RowNumber``,
``BoxID``, ``BoxPosition``, ``BallotID``, ``PrecinctID``, ``BallotStyleID``,
``PrecinctStyleName``, ``ScanComputerName``, ``Status``, ``Remade``, then
``Choice_<id>_<n>:<contest>:Vote For <N>:<choice>:<party>``) is that of the
Clear Ballot fixtures in Arlo's ``test_cvrs.py`` and its ``parse_clearballot_cvrs``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.formats.files import records_of, refused, write
from votetrail.core.tally.records import CastVoteRecord, ContestDefinition
from votetrail.errors import InvalidInput
from votetrail.formats.cvr.clearballot import detect, open_clearballot_cvr
from votetrail.formats.cvr.read import open_cvr_file

HEADING = (
    "RowNumber,BoxID,BoxPosition,BallotID,PrecinctID,BallotStyleID,PrecinctStyleName,"
    "ScanComputerName,Status,Remade,"
    "Choice_1_1:Contest 1:Vote For 1:Choice 1-1:Non-Partisan,"
    "Choice_210_1:Contest 1:Vote For 1:Choice 1-2:Non-Partisan,"
    "Choice_34_1:Contest 2:Vote For 2:Choice 2-1:Non-Partisan,"
    "Choice_4_1:Contest 2:Vote For 2:Choice 2-2:Non-Partisan,"
    "Choice_173_1:Contest 2:Vote For 2:Write-in:\r\n"
)
ROWS = (
    "1,BATCH1,1,1-1-1,p,bs,ps,TABULATOR1,s,r,0,1,1,1,0\r\n"
    "2,BATCH1,2,1-1-2,p,bs,ps,TABULATOR1,s,r,1,0,,,\r\n"
    "3,BATCH2,1,1-2-1,p,bs,ps,TABULATOR2,s,r,1,1,0,0,1\r\n"
)


def test_heading_gives_the_contests(tmp_path: Path) -> None:
    assert open_clearballot_cvr(write(tmp_path, HEADING + ROWS, "cvrs.csv")).contests == [
        ContestDefinition("Contest 1", 1, ("Choice 1-1", "Choice 1-2")),
        ContestDefinition(
            "Contest 2", 2, ("Choice 2-1", "Choice 2-2", "Write-in"), frozenset({"Write-in"})
        ),
    ]


def test_records(tmp_path: Path) -> None:
    records = list(open_clearballot_cvr(write(tmp_path, HEADING + ROWS, "cvrs.csv")).records())
    assert records[0] == CastVoteRecord(
        id="1-1-1",
        tabulator="TABULATOR1",
        batch="BATCH1",
        record="1",
        precinct="p",
        ballot_type="bs",
        marks={"Contest 1": ("Choice 1-2",), "Contest 2": ("Choice 2-1", "Choice 2-2")},
    )
    assert records[1].marks == {"Contest 1": ("Choice 1-1",)}
    assert records[2].marks == {
        "Contest 1": ("Choice 1-1", "Choice 1-2"),
        "Contest 2": ("Write-in",),
    }


def test_without_ballot_ids_the_id_is_tabulator_box_position(tmp_path: Path) -> None:
    text = HEADING.replace("BallotID", "Other") + ROWS
    assert [r.id for r in open_clearballot_cvr(write(tmp_path, text, "cvrs.csv")).records()][
        :2
    ] == [
        "TABULATOR1-BATCH1-1",
        "TABULATOR1-BATCH1-2",
    ]


def test_detection_and_the_common_interface(tmp_path: Path) -> None:
    path = write(tmp_path, HEADING + ROWS, "cvrs.csv")
    assert detect(path)
    opened = open_cvr_file(path)
    assert opened.format == "Clear Ballot ClearCount CSV"
    assert len(list(opened.records())) == 3
    assert not detect(write(tmp_path, "Cast Vote Record,Precinct,Mayor\r\n", "ess.csv"))


def test_bad_mark_names_line_contest_and_choice(tmp_path: Path) -> None:
    path = write(tmp_path, HEADING + ROWS + "4,B,3,1-1-9,p,bs,ps,T,s,r,1,,0,0,0\r\n", "cvrs.csv")
    error = refused(records_of(open_clearballot_cvr), path)
    assert error.where == f"{path}, line 5, field 'Contest 1' / 'Choice 1-2'"


def test_duplicate_id_short_row_and_truncation(tmp_path: Path) -> None:
    error = refused(
        records_of(open_clearballot_cvr),
        write(tmp_path, HEADING + ROWS + "4,B,3,1-1-1,p,bs,ps,T,s,r,1,0,,,\r\n", "cvrs.csv"),
    )
    assert "'1-1-1' is already on line 2" in str(error)
    truncated = write(tmp_path, HEADING + ROWS + "4,B,3,1-1-9,p,bs", "t.csv")
    assert refused(records_of(open_clearballot_cvr), truncated).where == f"{truncated}, line 5"


def test_bad_headings_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no 'Choice_' column"):
        open_clearballot_cvr(write(tmp_path, "RowNumber,BoxID,BallotID\r\n", "cvrs.csv"))
    broken = HEADING.replace("Contest 1:Vote For 1:Choice 1-2", "Contest 1:Vote 1:Choice 1-2")
    path = write(tmp_path, broken + ROWS, "b.csv")
    with pytest.raises(InvalidInput) as caught:
        open_clearballot_cvr(path)
    assert caught.value.where == f"{path}, line 1, field 12"
    clash = HEADING.replace("Contest 2:Vote For 2:Choice 2-2", "Contest 2:Vote For 3:Choice 2-2")
    with pytest.raises(InvalidInput, match="two different vote limits"):
        open_clearballot_cvr(write(tmp_path, clash + ROWS, "c.csv"))


# Field file (issue 15): tests/fixtures/field/cvr/clearballot-number-of-winners.csv
# holds our own values in ClearCount's layout as seen in BrightSpots/rcv
# (src/test/resources/network/brightspots/rcv/test_data/clear_ballot_with_inline_comma/,
# also in ../shared/data/cvr/rctab): quoted headings, commas inside contest
# names, "Number of Winners N" as the rule. RCTab's ClearBallotCvrReader takes
# the field before the choice as an opaque "vote rule"; the fixture has a
# rank-less "Number of Winners 2" contest and a ranked one whose rule is
# "Vote For 1".

FIELD = Path(__file__).parents[2] / "fixtures" / "field" / "cvr"


def test_number_of_winners_gives_the_vote_limit() -> None:
    opened = open_cvr_file(FIELD / "clearballot-number-of-winners.csv")
    assert opened.contests == [
        ContestDefinition(
            "Parks Board, At Large",
            2,
            ("Lee Ortiz", "Mo Tran", "Write-in-43"),
            frozenset({"Write-in-43"}),
        ),
        ContestDefinition("Mayor", 1, ("Ann Bell", "Raj Sen"), ranks=2),  # issue 17: read
    ]
    records = list(opened.records())
    assert [r.marks for r in records] == [
        {"Parks Board, At Large": ("Lee Ortiz", "Mo Tran")},
        {"Parks Board, At Large": ("Write-in-43",)},
        {},
    ]
    assert [r.ranks for r in records] == [
        {"Mayor": (("Ann Bell",), ("Raj Sen",))},
        {"Mayor": (("Raj Sen",), ("Ann Bell",))},
        {},
    ]


def test_a_rank_before_vote_for_is_a_rank_not_part_of_the_contest(tmp_path: Path) -> None:
    """``Mayor:2:Vote For 1`` is Mayor's second rank, never a plurality contest 'Mayor:2'."""
    heading = (
        "RowNumber,BoxID,BoxPosition,BallotID,PrecinctID,BallotStyleID,PrecinctStyleName,"
        "ScanComputerName,Status,Remade,"
        "Choice_1_1:Measure A:Vote For 1:Yes:,Choice_2_1:Measure A:Vote For 1:No:,"
        "Choice_7_1:Mayor:1:Vote For 1:Ann:NON,Choice_7_1:Mayor:2:Vote For 1:Ann:NON,"
        "Choice_8_1:Mayor:1:Vote For 1:Raj:NON,Choice_8_1:Mayor:2:Vote For 1:Raj:NON\r\n"
    )
    path = write(tmp_path, heading + "1,B,1,B+1,p,s,ps,T,0,0,1,0,1,0,0,1\r\n", "cvrs.csv")
    opened = open_clearballot_cvr(path)
    assert [(c.name, c.ranks) for c in opened.contests] == [("Measure A", None), ("Mayor", 2)]
    (record,) = opened.records()
    assert record.marks == {"Measure A": ("Yes",)}
    assert record.ranks == {"Mayor": (("Ann",), ("Raj",))}


def test_a_heading_in_neither_form_is_quoted(tmp_path: Path) -> None:
    broken = HEADING.replace("Contest 1:Vote For 1:Choice 1-2", "Contest 1:Winners 1:Choice 1-2")
    with pytest.raises(InvalidInput, match=r"it reads 'Choice_210_1:Contest 1:Winners 1:"):
        open_clearballot_cvr(write(tmp_path, broken + ROWS, "b.csv"))
