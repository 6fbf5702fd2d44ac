"""ES&S CVR exports saved as Excel workbooks, read through ``open_cvr_file`` (issue 17).

Layouts seen in BrightSpots/rcv (RCTab), src/test/resources/network/brightspots/rcv/
test_data at commit 2167c240ddd25e40427cc3e7e1ecf46ef62f0b7f (../shared/data/cvr/rctab):
``2013_minneapolis_mayor/2013_minneapolis_mayor_cvr.xlsx`` (``Precinct``, ``1ST CHOICE
MAYOR MINNEAPOLIS`` ... ``3RD CHOICE ...``, ``COUNT``; cells a name, ``undervote``,
``overvote`` or ``UWI``) and ``_shared/simple_ess_cvr.xlsx`` (``Cast Vote Record``,
``Choice 1`` ...). The workbooks below are written here with our own values in
those layouts; the real Minneapolis workbook is imported in
``tests/services/counting/test_ess_xlsx_import.py``.
"""

from __future__ import annotations

from pathlib import Path

from tests.formats.files import records_of, refused
from tests.rcv.test_rctab_sources import write_xlsx
from votetrail.core.rcv.ballots import OVERVOTE
from votetrail.core.tally.records import ContestDefinition
from votetrail.formats.cvr.read import open_cvr_file

Row = list[str | int | None]
"""A sheet row as ``write_xlsx`` takes it."""

MINNEAPOLIS: Row = ["Precinct", "1ST CHOICE MAYOR", "2ND CHOICE MAYOR", "3RD CHOICE MAYOR", "COUNT"]
MIXED: Row = [
    "Cast Vote Record",
    "Precinct",
    "Mayor Choice 1 of 3",
    "Mayor Choice 2 of 3",
    "Mayor Choice 3 of 3",
    "Council",
    "Council",
]


def minneapolis(tmp_path: Path, *rows: list[str | int | None]) -> Path:
    return write_xlsx(tmp_path / "mpls.xlsx", [MINNEAPOLIS, *rows])


def test_a_minneapolis_workbook_is_read_as_a_ranked_contest(tmp_path: Path) -> None:
    path = minneapolis(
        tmp_path,
        ["W-1 P-1", "Ada", "Bo", "undervote", 1],
        ["W-1 P-2", "overvote", "undervote", "Cy", 1],
        ["W-1 P-2", "undervote", "undervote", "undervote", 1],
        ["W-2 P-1", "UWI", "Ada", "undervote", 1],
    )
    opened = open_cvr_file(path)
    assert opened.format == "ES&S CVR Excel workbook"
    assert opened.contests == [
        ContestDefinition("MAYOR", 1, ("Ada", "Bo", "Cy", "UWI"), frozenset({"UWI"}), ranks=3)
    ]
    records = list(opened.records())
    assert [(r.id, r.precinct, r.marks, r.ranks) for r in records] == [
        ("mpls.xlsx-1", "W-1 P-1", {}, {"MAYOR": (("Ada",), ("Bo",))}),
        ("mpls.xlsx-2", "W-1 P-2", {}, {"MAYOR": ((OVERVOTE,), (), ("Cy",))}),
        ("mpls.xlsx-3", "W-1 P-2", {}, {"MAYOR": ()}),
        ("mpls.xlsx-4", "W-2 P-1", {}, {"MAYOR": (("UWI",), ("Ada",))}),
    ]


def test_a_workbook_mixing_ranked_and_plurality_reads_both(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "mixed.xlsx",
        [
            MIXED,
            [7, "p1", "Ada", "Bo", None, "Cy", "Di"],
            [8, "p2", None, None, None, "Cy", "undervote"],
        ],
    )
    opened = open_cvr_file(path)
    assert opened.contests == [
        ContestDefinition("Council", 2, ("Cy", "Di")),
        ContestDefinition("Mayor", 1, ("Ada", "Bo"), ranks=3),
    ]
    assert [(r.id, r.marks, r.ranks) for r in opened.records()] == [
        ("7", {"Council": ("Cy", "Di")}, {"Mayor": (("Ada",), ("Bo",))}),
        ("8", {"Council": ("Cy",)}, {}),
    ]


def test_a_broken_workbook_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "cvr.xlsx"
    path.write_bytes(b"Precinct,1ST CHOICE MAYOR\r\n")  # a CSV saved under a workbook's name
    message = str(refused(open_cvr_file, path))
    assert message == (
        f"{path}: is not an Excel workbook (.xlsx); save the CVR export as an Excel Workbook"
    )


def test_a_row_standing_for_several_ballots_is_refused(tmp_path: Path) -> None:
    path = minneapolis(tmp_path, ["W-1 P-1", "Ada", "Bo", "undervote", 1], ["W-1", "Bo", "", "", 2])
    message = str(refused(records_of(open_cvr_file), path))
    assert message.startswith(f"{path}, row 3, column E ('COUNT'): stands for '2' ballots")


def test_a_cell_right_of_the_heading_is_refused(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "wide.xlsx", [MIXED, [1, "p1", "Ada", "", "", "Cy", "", "Zed"]])
    message = str(refused(records_of(open_cvr_file), path))
    assert message == (
        f"{path}, row 2: has a value in column H, right of the heading's last column G"
    )


def test_a_ranked_contest_with_a_doubled_rank_is_refused_naming_row_and_heading(
    tmp_path: Path,
) -> None:
    heading: Row = [
        "Cast Vote Record",
        "Mayor Choice 1 of 2",
        "Mayor Choice 1 of 2",
        "Mayor Choice 2 of 2",
    ]
    path = write_xlsx(tmp_path / "bad.xlsx", [heading, [1, "Ada", "", "Bo"]])
    message = str(refused(open_cvr_file, path))
    assert message.startswith(f"{path}, row 1, field 'Mayor Choice 1 of 2': contest 'Mayor'")
    assert "appears more than once" in message


def test_a_workbook_that_expands_without_limit_is_refused_on_import(tmp_path: Path) -> None:
    padding = " " * (8 << 20)  # compresses about a thousand times, past the guard's ratio
    path = write_xlsx(tmp_path / "bomb.xlsx", [MINNEAPOLIS], sheet_data=padding)
    message = str(refused(open_cvr_file, path))
    assert message.startswith(f"{path} (xl/worksheets/ballots.xml)")
    assert "Traceback" not in message
