"""Reading a county's reported results: votetrail's own results CSV as is, or one typed by hand."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from votetrail.core.tally.tabulate import ContestResult
from votetrail.errors import InvalidInput
from votetrail.formats.tally.reported import read_reported_results
from votetrail.formats.tally.results import write_csv


def _file(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "reported.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_votetrails_own_results_csv_is_read_back_without_overvotes_and_undervotes(
    tmp_path: Path,
) -> None:
    result = ContestResult(
        name='-Measure, "A"',
        votes_allowed=1,
        ballots=30,
        overvotes=1,
        undervotes=2,
        tally={"Yes": 17, "=No": 10},
        write_ins=frozenset(),
    )
    out = io.StringIO()
    write_csv([result], out)
    path = _file(tmp_path, out.getvalue())
    # The writer defused the formula-like names and quoted the comma: both come back.
    assert read_reported_results(path) == {'-Measure, "A"': {"Yes": 17, "=No": 10}}


def test_bom_crlf_quoted_cells_and_grouped_thousands(tmp_path: Path) -> None:
    text = (
        "\ufeffContest,Choice,Votes\r\n"
        '"Governor","Quinn, Avery","1,204"\r\n'
        "Governor,Blake Rivera,1010\r\n"
        "\r\n"
        "County Measure A,Yes,0\r\n"
    )
    assert read_reported_results(_file(tmp_path, text)) == {
        "Governor": {"Quinn, Avery": 1204, "Blake Rivera": 1010},
        "County Measure A": {"Yes": 0},
    }


@pytest.mark.parametrize(
    ("body", "where", "message"),
    [
        ("Governor,Avery Quinn,-3\n", "line 2, field 'votes'", "'-3' is not a whole number"),
        ("Governor,Avery Quinn,12.5\n", "line 2, field 'votes'", "'12.5' is not a whole"),
        ("Governor,Avery Quinn,\n", "line 2, field 'votes'", "'' is not a whole number"),
        ("Governor,Avery Quinn,١٢\n", "line 2, field 'votes'", "is not a whole number"),
        (",Avery Quinn,3\n", "line 2, field 'contest'", "is empty"),
        ("Governor,,3\n", "line 2, field 'choice'", "is empty"),
        (
            "Governor,Avery Quinn,3\nGovernor,Blake Rivera,2\nGovernor,Avery Quinn,3\n",
            "line 4",
            "'Avery Quinn' in 'Governor' is listed twice",
        ),
    ],
)
def test_a_bad_row_is_refused_naming_file_line_and_field(
    tmp_path: Path, body: str, where: str, message: str
) -> None:
    path = _file(tmp_path, "contest,choice,votes\n" + body)
    with pytest.raises(InvalidInput) as caught:
        read_reported_results(path)
    assert f"{path}, {where}" in str(caught.value)
    assert message in str(caught.value)


def test_a_missing_column_an_empty_file_and_bad_bytes_are_refused(tmp_path: Path) -> None:
    path = _file(tmp_path, "contest,choice,count\nGovernor,Avery Quinn,3\n")
    with pytest.raises(InvalidInput, match=r"line 1: has no column 'votes'"):
        read_reported_results(path)
    path = _file(tmp_path, "contest,choice,votes\nGovernor,overvotes,3\nGovernor,undervotes,1\n")
    with pytest.raises(InvalidInput, match="lists no votes for any choice"):
        read_reported_results(path)
    path = _file(tmp_path, "contest,choice,votes\nGovernor,Zoë,3\n", encoding="latin-1")
    with pytest.raises(InvalidInput, match=r"line 2: is not UTF-8 text"):
        read_reported_results(path)
    with pytest.raises(InvalidInput, match="cannot be read"):
        read_reported_results(tmp_path / "absent.csv")
