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
from votetrail.formats.cvr.read import open_cvr_file

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


# Field files (issue 15). The layouts were seen in public repositories; the
# fixtures in tests/fixtures/field/cvr/ hold our own values in those layouts:
# - dominion-trailing-empty-cell.csv: votingworks/arlo
#   client/cypress/fixtures/CSVs/cvr/ballot_comparison_cvr.csv (commit
#   d9dfe7e062989dbe59a0a571a4509f96037e63c0, seen at 8d86156c): Arlo's valid
#   comparison-audit CVR, whose row 4 has one empty cell more than row 2.
# - dominion-no-version.csv: FreeAndFair/ColoradoRLA
#   test/e-state-county/cvr-10--0--2-4-1.csv (commit 0d7d9458): row 1 holds the
#   election name alone, no Democracy Suite version.

FIELD = Path(__file__).parents[2] / "fixtures" / "field" / "cvr"


def test_empty_cells_past_the_last_contest_are_not_data() -> None:
    """Arlo's comparison-audit CVR: row 4 ends in one empty cell more than row 2 has."""
    opened = open_cvr_file(FIELD / "dominion-trailing-empty-cell.csv")
    assert [c.name for c in opened.contests] == ["Mayor", "Council"]
    records = list(opened.records())
    assert [r.id for r in records] == ["1-1-1", "1-1-2", "1-2-1"]
    assert records[0].marks == {"Mayor": ("Ana Ruiz",), "Council": ("Cy Park", "Di Lowe")}
    assert records[2].marks == {"Mayor": ("Ana Ruiz",)}


def test_empty_trailing_cells_on_every_row_are_dropped(shared_data: Path, tmp_path: Path) -> None:
    def pad(rows: list[list[str]]) -> None:
        for row in rows[1:]:
            row.extend(["", " "])

    padded = list(open_dominion_csv(corrupted(shared_data, tmp_path, pad)).records())
    assert padded == list(open_dominion_csv(arlo(shared_data)).records())


def test_a_filled_cell_past_the_last_contest_is_refused(shared_data: Path, tmp_path: Path) -> None:
    def header_extra(rows: list[list[str]]) -> None:
        rows[3].append("Notes")

    path = corrupted(shared_data, tmp_path, header_extra)
    width = len(rows_of(arlo(shared_data))[1])
    with pytest.raises(InvalidInput) as caught:
        open_dominion_csv(path)
    assert caught.value.where == f"{path}, line 4, cell {width + 1}"
    assert f"holds 'Notes', but the contest columns of line 2 end at cell {width}" in str(
        caught.value
    )

    def card_extra(rows: list[list[str]]) -> None:
        rows[6].extend(["", "1"])

    path = corrupted(shared_data, tmp_path, card_extra)
    error = refused(records_of(open_dominion_csv), path)
    assert error.where == f"{path}, line 7, cell {width + 2}"


def test_a_first_row_without_version_says_what_was_expected_and_found() -> None:
    """ColoradoRLA's generated CVRs: row 1 is the election name alone."""
    path = FIELD / "dominion-no-version.csv"
    with pytest.raises(InvalidInput) as caught:
        open_cvr_file(path)
    assert caught.value.where == f"{path}, line 1, field 2"
    assert str(caught.value).endswith(
        "the first row should start with the election name and the Democracy Suite export "
        "version, e.g. 5.10.50.85; it starts with 'genelect CVRs: 4 ballots, margins [2]' "
        "and an empty cell"
    )


def test_an_unknown_contest_heading_is_quoted(shared_data: Path, tmp_path: Path) -> None:
    def odd(rows: list[list[str]]) -> None:
        rows[1] = [cell.replace("(Vote For=1)", "(Vote For=one)") for cell in rows[1]]
        rows[0][1] = "Small Election export"

    path = corrupted(shared_data, tmp_path, odd)
    with pytest.raises(InvalidInput, match=r"line 1, field 2: the first row should start"):
        open_cvr_file(path)
    rows = rows_of(path)
    rows[0][1] = "5.2.16.1"
    write_rows(path, rows)
    with pytest.raises(InvalidInput, match=r"it reads 'Minister of Farming \(Vote For=one\)'"):
        open_cvr_file(path)


def test_a_write_in_only_file_is_read(tmp_path: Path) -> None:
    rows = [
        ["Election", "5.2.16.1", "", ""],
        ["", "", "", "Council (Vote For=1)", "Council (Vote For=1)"],
        ["", "", "", "Write-in", "Write-in 2"],
        ["TabulatorNum", "BatchId", "RecordId", "", ""],
        ["1", "1", "1", "0", "1"],
    ]
    opened = open_cvr_file(write_rows(tmp_path / "cvrs.csv", rows))
    assert opened.contests == [
        ContestDefinition(
            "Council", 1, ("Write-in", "Write-in 2"), frozenset({"Write-in", "Write-in 2"})
        )
    ]
    assert [r.marks for r in opened.records()] == [{"Council": ("Write-in 2",)}]


def test_ranked_layout_with_one_rank_is_vote_for_positions(tmp_path: Path) -> None:
    heading = "Board (Number of positions=2, Number of ranks=1)"
    rows = [
        ["Election", "5.17.17.1", "", "", "", ""],
        ["", "", "", heading, heading, heading],
        ["", "", "", "Ann", "Bo", "Cy"],
        ["TabulatorNum", "BatchId", "RecordId", "", "", ""],
        ["1", "1", "1", "1", "0", "1"],
    ]
    opened = open_cvr_file(write_rows(tmp_path / "cvrs.csv", rows))
    assert opened.contests == [ContestDefinition("Board", 2, ("Ann", "Bo", "Cy"))]
    assert [r.marks for r in opened.records()] == [{"Board": ("Ann", "Cy")}]


def test_a_ranked_only_file_reads_its_ranks(tmp_path: Path) -> None:
    """The layout democracydevelopers' colorado-rla generates for IRV tests (trailing commas).

    Until issue 17 the file was refused (no plurality contest); now its ranks are read.
    """
    heading = "Tiny (Number of positions=1, Number of ranks=2)"
    rows = [
        ["2024 Tiny", "5.10.11.24", "", "", "", "", "", ""],
        ["", "", "", heading, heading, heading, heading],
        ["", "", "", "Ann(1)", "Bo(1)", "Ann(2)", "Bo(2)"],
        ["TabulatorNum", "BatchId", "RecordId", "", "", "", "", ""],
        ["1", "1", "1", "1", "0", "0", "1", ""],
    ]
    opened = open_cvr_file(write_rows(tmp_path / "cvrs.csv", rows))
    assert opened.contests == [ContestDefinition("Tiny", 1, ("Ann", "Bo"), ranks=2)]
    (record,) = opened.records()
    assert record.marks == {}
    assert record.ranks == {"Tiny": (("Ann",), ("Bo",))}
