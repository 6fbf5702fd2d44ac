"""Dominion CVR exports: Arlo's real files, then copies of them broken the ways files break."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.formats.files import records_of, refused
from votetrail.core.tally.records import CastVoteRecord, ContestDefinition
from votetrail.errors import InvalidInput
from votetrail.formats.cvr.dominion_csv import detect, open_dominion_csv

ARLO = "cvr/arlo-fixtures"
KENDALL_PARK = "small-election/Kendall Park - cvrs.csv"


def arlo(shared_data: Path, name: str = KENDALL_PARK) -> Path:
    return shared_data / ARLO / name


def rows_of(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]]) -> Path:
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    path.write_text(text.getvalue(), encoding="utf-8", newline="")
    return path


def corrupted(
    shared_data: Path, tmp_path: Path, change: Callable[[list[list[str]]], object]
) -> Path:
    """A copy of Kendall Park's export with ``change`` applied to its rows (line N is rows[N-1])."""
    rows = rows_of(arlo(shared_data))
    change(rows)
    return write_rows(tmp_path / "Kendall Park - cvrs.csv", rows)


def test_header_of_a_real_export(shared_data: Path) -> None:
    export = open_dominion_csv(arlo(shared_data))
    assert export.election_name == "Small Election"
    assert export.version == "5.2.16.1"
    assert export.contests == [
        ContestDefinition(
            "Minister of Farming",
            1,
            ("Erin George", "Alex Hall", "Write-In"),
            frozenset({"Write-In"}),
        ),
        ContestDefinition(
            "Master of Magic",
            1,
            ("Clem Bradley", "Rene Carr", "Blair Atkinson", "Sam Shaw", "Write-In"),
            frozenset({"Write-In"}),
        ),
        ContestDefinition(
            "Secretary of Treasure", 1, ("Denny Vargas", "Jackie Sweet", "Emerson Thornton")
        ),
    ]


def test_records_of_a_real_export(shared_data: Path) -> None:
    """Contests whose cells are empty are not on the card; the card's details come through."""
    records = list(open_dominion_csv(arlo(shared_data)).records())
    assert len(records) == 500
    assert records[0] == CastVoteRecord(
        id="Tabulator A-Batch 1-1",
        tabulator="Tabulator A",
        batch="Batch 1",
        record="1",
        precinct="precinct-portion-1",
        ballot_type="ballot-type-1",
        counting_group="Election Day",
        marks={"Secretary of Treasure": ("Denny Vargas",)},
    )
    assert records[1].marks == {"Secretary of Treasure": ("Jackie Sweet",)}
    assert records[-1].id == "Tabulator C-Batch 18-41"
    assert len({record.id for record in records}) == 500


def test_a_contest_on_the_card_with_no_marks_is_an_empty_tuple(shared_data: Path) -> None:
    path = arlo(shared_data, "medium-election/Black Hallows - cvrs.csv")
    first = next(open_dominion_csv(path).records())
    assert first.marks == {"Lord of Coin": ()}


def test_overvotes_are_kept_as_marked(shared_data: Path) -> None:
    """Tabulation, not the reader, decides that an overvote counts for no one."""
    records = open_dominion_csv(arlo(shared_data)).records()
    overvoted = [r for r in records if len(r.marks.get("Minister of Farming", ())) > 1]
    assert overvoted
    assert overvoted[0].marks["Minister of Farming"] == ("Erin George", "Alex Hall", "Write-In")


def test_id_without_imprinted_id(shared_data: Path, tmp_path: Path) -> None:
    """Without ImprintedId the id is TabulatorNum-BatchId-RecordId: the same card, the same id."""

    def drop_imprinted_id(rows: list[list[str]]) -> None:
        for row in rows:
            del row[4]

    path = corrupted(shared_data, tmp_path, drop_imprinted_id)
    with_column = list(open_dominion_csv(arlo(shared_data)).records())
    without = list(open_dominion_csv(path).records())
    assert without == with_column


def test_every_arlo_export_is_detected(shared_data: Path) -> None:
    exports = sorted((shared_data / ARLO).glob("*/* - cvrs.csv"))
    assert len(exports) == 10
    assert all(detect(path) for path in exports)


def test_other_files_are_not_detected(shared_data: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"\xff\xfe\x00garbage\n")
    others = [
        arlo(shared_data, "small-election/Kendall Park - ballot manifest.csv"),
        arlo(shared_data, "small-election/small-election.spec.json"),
        shared_data / "nist/CastVoteRecords/example_1.xml",
        tmp_path / "absent.csv",
        junk,
    ]
    assert not any(detect(path) for path in others)


def test_reading_streams_past_good_rows_before_a_bad_one(shared_data: Path, tmp_path: Path) -> None:
    """Opening reads only the header; the cards before a bad row are handed over first."""

    def break_row_100(rows: list[list[str]]) -> None:
        rows[99][16] = "x"

    records = open_dominion_csv(corrupted(shared_data, tmp_path, break_row_100)).records()
    taken = [next(records) for _ in range(95)]
    assert taken[-1].id == "Tabulator B-Batch 5-7"  # line 99
    with pytest.raises(InvalidInput, match=r"line 100, field 'Secretary of Treasure' / 'Denny"):
        list(records)


def test_truncated_header(shared_data: Path, tmp_path: Path) -> None:
    path = corrupted(shared_data, tmp_path, lambda rows: rows.__delitem__(slice(3, None)))
    with pytest.raises(
        InvalidInput, match=r"Kendall Park - cvrs.csv, line 4: the file ends after 3"
    ):
        open_dominion_csv(path)


def test_row_with_the_wrong_number_of_cells(shared_data: Path, tmp_path: Path) -> None:
    path = corrupted(shared_data, tmp_path, lambda rows: rows[9].pop())
    assert "line 10: has 18 cells but the header rows have 19" in str(
        refused(records_of(open_dominion_csv), path)
    )


def test_mark_that_is_not_0_or_1(shared_data: Path, tmp_path: Path) -> None:
    def mark_two(rows: list[list[str]]) -> None:
        rows[6][17] = "2"

    error = refused(records_of(open_dominion_csv), corrupted(shared_data, tmp_path, mark_two))
    assert error.where is not None
    assert error.where.endswith("line 7, field 'Secretary of Treasure' / 'Jackie Sweet'")
    assert "'2' is not a mark" in str(error)


def test_contest_half_empty_on_a_card(shared_data: Path, tmp_path: Path) -> None:
    def blank_one_choice(rows: list[list[str]]) -> None:
        rows[4][18] = ""

    error = refused(
        records_of(open_dominion_csv), corrupted(shared_data, tmp_path, blank_one_choice)
    )
    assert "line 5, field 'Secretary of Treasure' / 'Emerson Thornton'" in str(error)
    assert "an empty cell is not a mark" in str(error)


def test_contest_heading_without_vote_limit(shared_data: Path, tmp_path: Path) -> None:
    def undecorate(rows: list[list[str]]) -> None:
        rows[1][8:11] = ["Minister of Farming"] * 3

    with pytest.raises(InvalidInput, match=r"line 2, field 'Minister of Farming': .*Vote For=1"):
        open_dominion_csv(corrupted(shared_data, tmp_path, undecorate))


def test_duplicate_record_ids_name_both_lines(shared_data: Path, tmp_path: Path) -> None:
    path = corrupted(shared_data, tmp_path, lambda rows: rows.append(list(rows[9])))
    error = refused(records_of(open_dominion_csv), path)
    assert "line 505, field 'ImprintedId'" in str(error)
    assert "'Tabulator A-Batch 1-6' is already used on line 10" in str(error)


def test_not_utf8(shared_data: Path, tmp_path: Path) -> None:
    path = corrupted(shared_data, tmp_path, lambda rows: None)
    lines = path.read_bytes().split(b"\r\n")
    lines[7] = lines[7].replace(b"Election Day", b"Election D\xe9y")
    path.write_bytes(b"\r\n".join(lines))
    assert "line 8: is not UTF-8 text" in str(refused(records_of(open_dominion_csv), path))


def test_missing_version(shared_data: Path, tmp_path: Path) -> None:
    def no_version(rows: list[list[str]]) -> None:
        rows[0][1] = "Small Election export"

    with pytest.raises(InvalidInput, match=r"line 1, field 2: .*version"):
        open_dominion_csv(corrupted(shared_data, tmp_path, no_version))


def test_no_column_to_make_an_id_from(shared_data: Path, tmp_path: Path) -> None:
    def rename_ids(rows: list[list[str]]) -> None:
        rows[3][3] = "Record"
        rows[3][4] = "Imprint"

    with pytest.raises(InvalidInput, match=r"line 4: the headings need ImprintedId"):
        open_dominion_csv(corrupted(shared_data, tmp_path, rename_ids))


def test_byte_order_mark_and_blank_trailing_lines(shared_data: Path, tmp_path: Path) -> None:
    path = corrupted(shared_data, tmp_path, lambda rows: rows.extend([[], []]))
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    export = open_dominion_csv(path)
    assert export.election_name == "Small Election"
    assert sum(1 for _ in export.records()) == 500
