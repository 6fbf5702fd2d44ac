"""Ballot manifests as counties write them: Arlo's real fixtures, then how a file goes wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.formats.files import refused, write
from votetrail.errors import InvalidInput
from votetrail.formats.cvr.manifest import (
    BallotLocation,
    Batch,
    ballot_ids,
    jurisdiction_from_filename,
    locate,
    parse_manifest,
    read_manifest,
)

ARLO = "cvr/arlo-fixtures"


def arlo_manifests(shared_data: Path, election: str) -> list[Path]:
    return sorted((shared_data / ARLO / election).glob("* - ballot manifest.csv"))


def test_arlo_medium_election_has_every_ballot(shared_data: Path) -> None:
    """The five manifests add up to the 20,000 ballots of the election's spec."""
    folder = shared_data / ARLO / "medium-election"
    spec = json.loads((folder / "medium-election.spec.json").read_text(encoding="utf-8"))
    manifests = arlo_manifests(shared_data, "medium-election")
    names = {jurisdiction_from_filename(path) for path in manifests}
    assert names == {j["name"] for j in spec["jurisdictions"]}
    total = sum(batch.ballots for path in manifests for batch in read_manifest(path))
    assert total == spec["contests"][0]["total_ballots_cast"] == 20_000


def test_arlo_lindow_rows(shared_data: Path) -> None:
    """CRLF line ends and no newline after the last row, as Arlo's files are."""
    path = shared_data / ARLO / "medium-election" / "Lindow - ballot manifest.csv"
    batches = list(read_manifest(path))
    assert batches[0] == Batch(None, "Tabulator A", "Batch 1", 1099)
    assert batches[-1] == Batch(None, "Tabulator A", "Batch 7", 425)
    assert len(batches) == 7
    assert sum(b.ballots for b in batches) == 7173


def test_arlo_small_election_ballot_ids(shared_data: Path) -> None:
    """Every ballot gets one id, and every id reads back to its batch and position."""
    path = shared_data / ARLO / "small-election" / "Kendall Park - ballot manifest.csv"
    batches = list(read_manifest(path))
    ids = list(ballot_ids(batches, jurisdiction_from_filename(path)))
    assert len(ids) == len(set(ids)) == 500  # the Secretary of Treasure contest's ballots
    assert ids[0] == "Kendall Park::Tabulator A:Batch 1:1"
    assert ids[26] == "Kendall Park::Tabulator A:Batch 1:27"
    assert ids[27] == "Kendall Park::Tabulator B:Batch 2:1"
    assert locate(ids[27]) == BallotLocation("Kendall Park", None, "Tabulator B", "Batch 2", 1)
    for batch in batches:
        last = f"Kendall Park::{batch.tabulator}:{batch.name}:{batch.ballots}"
        assert last in ids


def test_container_column_and_loose_headers(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        " container ,TABULATOR,batch name,Number Of Ballots,CVR\n"
        'Box 1,T1,B1,"1,250",Y\n'
        "Box 2,T1,B1,0,N\n",
        "Acton - ballot manifest.csv",
    )
    assert list(read_manifest(path)) == [
        Batch("Box 1", "T1", "B1", 1250),
        Batch("Box 2", "T1", "B1", 0),
    ]
    assert list(ballot_ids(read_manifest(path), "Acton"))[:1] == ["Acton:Box 1:T1:B1:1"]


def test_byte_order_mark_and_blank_lines_are_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_bytes(b"\xef\xbb\xbfBatch Name,Number of Ballots\r\nB1,3\r\n\r\n,\r\n  ,  \r\n\r\n")
    assert list(read_manifest(path)) == [Batch(None, None, "B1", 3)]


def test_upload_text_is_parsed_the_same(tmp_path: Path) -> None:
    text = "\ufeffTabulator,Batch Name,Number of Ballots\nT1,B1,2\n"
    parsed = list(parse_manifest(text.splitlines(keepends=True), "upload.csv"))
    assert parsed == list(read_manifest(write(tmp_path, text, "Acton - ballot manifest.csv")))


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("Tabulator,Batch Name\nT1,B1\n", "line 1, field 'Number of Ballots'", "missing"),
        ("Tabulator,Number of Ballots\nT1,4\n", "line 1, field 'Batch Name'", "missing"),
        ("Batch Name,Ballots\nB1,4\n", "line 1, field 'Ballots'", "not a manifest column"),
        ("Batch Name,Batch name,Number of Ballots\n", "line 1, field 'Batch name'", "twice"),
        ("", "line 1", "empty"),
        ("Batch Name,Number of Ballots\nB1,4\n ,5\n", "line 3, field 'Batch Name'", "empty"),
        ("Batch Name,Number of Ballots\nB1,12.5\n", "line 2, field 'Number of Ballots'", "'12.5'"),
        ("Batch Name,Number of Ballots\nB1,-3\n", "line 2, field 'Number of Ballots'", "'-3'"),
        ("Batch Name,Number of Ballots\nB1,many\n", "line 2, field 'Number of Ballots'", "whole"),
        ("Batch Name,Number of Ballots\nB1,\n", "line 2, field 'Number of Ballots'", "empty"),
        ('Batch Name,Number of Ballots\nB1,"1,2345"\n', "line 2, field 'Number of Ballots'", ""),
        (
            "Batch Name,Number of Ballots\nB1,99000000\n",
            "line 2, field 'Number of Ballots'",
            "typo",
        ),
        ("Tabulator,Batch Name,Number of Ballots\n,B1,4\n", "line 2, field 'Tabulator'", "empty"),
        ("Batch Name,Number of Ballots\nB1,4,x\n", "line 2", "3 fields"),
        ('Batch Name,Number of Ballots\nB1,"4\n', "line 2", "not valid CSV"),
    ],
)
def test_bad_manifest_names_line_and_field(
    tmp_path: Path, text: str, where: str, message: str
) -> None:
    error = refused(read_manifest, write(tmp_path, text, "Acton - ballot manifest.csv"))
    assert error.where == f"{tmp_path / 'Acton - ballot manifest.csv'}, {where}"
    assert message in str(error)


def test_duplicate_batch_names_both_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Container,Tabulator,Batch Name,Number of Ballots\n"
        "Box 1,T1,B1,4\n"
        "Box 2,T1,B1,4\n"
        "\n"
        "Box 1,T1,B1,7\n",
        "Acton - ballot manifest.csv",
    )
    error = refused(read_manifest, path)
    assert error.where == f"{path}, line 5, field 'Batch Name'"
    assert "'Box 1' / 'T1' / 'B1' is already listed on line 2" in str(error)


def test_streaming_yields_rows_before_a_later_error(tmp_path: Path) -> None:
    path = write(
        tmp_path, "Batch Name,Number of Ballots\nB1,4\nB2,x\n", "Acton - ballot manifest.csv"
    )
    batches = read_manifest(path)
    assert next(batches) == Batch(None, None, "B1", 4)
    with pytest.raises(InvalidInput, match="line 3"):
        next(batches)


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"Batch Name,Number of Ballots\nB1,4\nCaf\xe9,5\n")
    assert refused(read_manifest, path).where == f"{path}, line 3"


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.csv"
    error = refused(read_manifest, path)
    assert error.where == str(path)
    assert "cannot read" in str(error)


def test_jurisdiction_from_filename() -> None:
    assert jurisdiction_from_filename(Path("x/Black Hallows - ballot manifest.csv")) == (
        "Black Hallows"
    )
    assert jurisdiction_from_filename(Path("Acton - Ballot Manifest.CSV")) == "Acton"
    for name in ("manifest.csv", " - ballot manifest.csv", "Acton - cvrs.csv"):
        with pytest.raises(InvalidInput, match="cannot tell the jurisdiction"):
            jurisdiction_from_filename(Path(name))


def test_colons_and_percents_in_names_are_escaped() -> None:
    batch = Batch("Box 3:AM", "T%1", "Batch 10:30", 2)
    ids = list(ballot_ids([batch], "St. Mary's: North"))
    assert ids == [
        "St. Mary's%3A North:Box 3%3AAM:T%251:Batch 10%3A30:1",
        "St. Mary's%3A North:Box 3%3AAM:T%251:Batch 10%3A30:2",
    ]
    assert locate(ids[1]) == BallotLocation(
        "St. Mary's: North", "Box 3:AM", "T%1", "Batch 10:30", 2
    )


names = st.text(st.characters(codec="utf-8"), min_size=1).filter(str.strip)


@given(
    jurisdiction=names,
    container=st.none() | names,
    tabulator=st.none() | names,
    batch=names,
    count=st.integers(1, 3),
)
def test_every_id_reads_back_to_its_ballot(
    jurisdiction: str, container: str | None, tabulator: str | None, batch: str, count: int
) -> None:
    row = Batch(container, tabulator, batch, count)
    ids = list(ballot_ids([row], jurisdiction))
    assert len(ids) == count
    for position, ballot in enumerate(ids, start=1):
        assert locate(ballot) == BallotLocation(
            jurisdiction.strip(), container, tabulator, batch, position
        )


@pytest.mark.parametrize(
    "ballot",
    [
        "Acton:T:B:1",
        "Acton::T:B:01",
        "Acton::T:B:0",
        "Acton::T:B:x",
        ":C:T:B:1",
        "A%3a::T:B:1",
        "A%::T:B:1",
        "Acton::T::1",
        "A::T:B:1:2",
    ],
)
def test_locate_refuses_ids_it_did_not_make(ballot: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        locate(ballot)
    assert caught.value.where == f"ballot id {ballot!r}"


def test_empty_jurisdiction_name() -> None:
    with pytest.raises(InvalidInput, match="jurisdiction name"):
        list(ballot_ids([Batch(None, None, "B", 1)], "  "))
