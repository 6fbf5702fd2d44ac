"""RCTab CVR sources read into ranked ballots, checked against RCTab's own reports.

Every loadable case of RCTab's suite (BrightSpots/rcv, src/test/resources/network/brightspots/
rcv/test_data at commit 2167c240ddd25e40427cc3e7e1ecf46ef62f0b7f; ../shared/data/cvr/rctab
through ``shared_data``) is read and compared with its expected detailed report: the number
of ballots, of ballots ranking nobody, and round 1's votes per candidate. The small files
built below are our own values in the layouts seen there: ES&S workbooks
(``_shared/simple_ess_cvr.xlsx``), generic CSV (``generic_csv_test_cvr.csv``), Clear Ballot
CSV (``clear_ballot_with_inline_comma_cvr.csv``), Dominion folders
(``_shared/dominion_alaska/alaska_input_data``), Hart folders (``_shared/hart_cvr_archive``)
and NIST CDF JSON (``test_set_0_skipped_first_choice_cvr.json``).
"""

from __future__ import annotations

import json
import zipfile
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest

from tests.rcv.test_rctab_config import REFUSED, SUITE, _suite_configs
from votetrail.core.rcv.ballots import OVERVOTE, UNDECLARED_WRITE_IN, RankedBallot
from votetrail.core.rcv.rules import ContestRules, OvervoteRule
from votetrail.errors import InvalidInput
from votetrail.formats.rcv import load_contest
from votetrail.formats.rcv.xlsx import column_number, sheet_rows

REFUSED_WHEN_READ = {
    "max_ranking_enforcement/max_ranking_enforcement_config.json": (
        "max_ranking_enforcement_cvr.csv, line 2: ballot 1 ranks a candidate at rank 4, but the "
        "contest allows 3 rankings (maxRankingsAllowed)"
    ),
}


def first_round(rules: ContestRules, ballots: list[RankedBallot]) -> Counter[str]:
    """Round 1 as RCTab counts it: each ballot's first continuing choice.

    Enough of the rules for round 1 only: skipped ranks past the limit and
    overvotes (by the overvote rule) end a ballot; excluded candidates are
    passed over.
    """
    excluded = rules.excluded()
    limit = rules.max_skipped_ranks_allowed
    tally: Counter[str] = Counter()
    for ballot in ballots:
        last = 0
        for rank, marks in enumerate(ballot.ranks, 1):
            if not marks:
                continue
            if limit is not None and rank - last - 1 > limit:
                break
            last = rank
            live = [m for m in marks if m not in excluded and m != OVERVOTE]
            if OVERVOTE in marks or len(marks) > 1:
                if rules.overvote_rule is OvervoteRule.EXHAUST_IMMEDIATELY:
                    break
                if rules.overvote_rule is OvervoteRule.ALWAYS_SKIP_TO_NEXT_RANK:
                    continue
                if len(live) > 1:
                    break
            if len(live) == 1:
                tally[live[0]] += 1
                break
    return tally


LOADABLE = [name for name in _suite_configs() if name not in REFUSED]


@pytest.mark.parametrize("name", LOADABLE)
def test_suite_sources_match_rctabs_round_one(shared_data: Path, name: str) -> None:
    path = shared_data / SUITE / name
    if name in REFUSED_WHEN_READ:
        with pytest.raises(InvalidInput) as refused:
            load_contest(path)
        assert REFUSED_WHEN_READ[name] in str(refused.value)
        return
    rules, ballots = load_contest(path)
    assert ballots
    reports = sorted(path.parent.glob("*expected_detailed_report.json"))
    if not reports:  # conversion and user-interface cases: RCTab compares no round table
        return
    report = json.loads(reports[0].read_text())
    summary = report["summary"]
    assert len(ballots) == int(summary["totalNumBallots"])
    assert sum(1 for b in ballots if not b.ranks) == summary["undervotes"]
    expected = {name: Decimal(votes) for name, votes in report["results"][0]["tally"].items()}
    counted = first_round(rules, ballots)
    assert {c: Decimal(counted.get(c, 0)) for c in expected} == expected
    assert set(counted) <= set(expected)


def test_every_provider_is_in_the_suite(shared_data: Path) -> None:
    providers = Counter(
        json.loads((shared_data / SUITE / name).read_text())["cvrFileSources"][0]["provider"]
        for name in LOADABLE
    )
    assert set(providers) == {"ess", "genericCsv", "dominion", "hart", "clearBallot", "cdf"}


def test_ess_labels_become_ballot_marks(shared_data: Path) -> None:
    folder = shared_data / SUITE
    _, ballots = load_contest(
        folder / "test_set_overvote_delimiter/test_set_overvote_delimiter_config.json"
    )
    assert any(len(rank) > 1 for b in ballots for rank in b.ranks)
    _, ballots = load_contest(folder / "2013_minneapolis_mayor/2013_minneapolis_mayor_config.json")
    marks = Counter(m for b in ballots for rank in b.ranks for m in rank)
    assert marks[OVERVOTE] > 0
    assert marks[UNDECLARED_WRITE_IN] > 0
    assert "undervote" not in marks
    assert ballots[0].precinct == "MINNEAPOLIS W-7 P-10"
    assert ballots[0].id == "2013_minneapolis_mayor_cvr.xlsx-1"


# -- small files of our own ------------------------------------------------------------------


def write_xlsx(path: Path, rows: list[list[str | int | None]], sheet_data: str = "") -> Path:
    """A minimal workbook: one sheet, text as inline strings, numbers as numbers."""
    cells = []
    for r, row in enumerate(rows, 1):
        parts = []
        for c, value in enumerate(row):
            ref = f"{chr(ord('A') + c)}{r}"
            if value is None:
                continue
            if isinstance(value, int):
                parts.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                parts.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>')
        cells.append(f'<row r="{r}">{"".join(parts)}</row>')
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            '<sheet name="CVR" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/ballots.xml"/>'
            "</Relationships>",
        )
        book.writestr(
            "xl/worksheets/ballots.xml",
            f'<worksheet xmlns="{main}"><sheetData>{"".join(cells)}{sheet_data}</sheetData>'
            "</worksheet>",
        )
    return path


def write_config(folder: Path, source: dict[str, Any], **rules: Any) -> Path:
    config = {
        "tabulatorVersion": "TEST",
        "outputSettings": {"contestName": "Our Council"},
        "cvrFileSources": [source],
        "candidates": [{"name": "Ada"}, {"name": "Grace", "aliases": ["G. Hopper", "7"]}],
        "rules": {
            "tiebreakMode": "useCandidateOrder",
            "overvoteRule": "alwaysSkipToNextRank",
            "winnerElectionMode": "singleWinnerMajority",
            "numberOfWinners": "1",
            "decimalPlacesForVoteArithmetic": "4",
            "maxSkippedRanksAllowed": "1",
            "maxRankingsAllowed": "3",
            **rules,
        },
    }
    path = folder / "contest_config.json"
    path.write_text(json.dumps(config, indent=2))
    return path


def ess_source(**fields: Any) -> dict[str, Any]:
    """An ES&S source: ids in column 1, precincts in 2, ranks from 3."""
    ess = {
        "overvoteLabel": "overvote",
        "skippedRankLabel": "undervote",
        "firstVoteColumnIndex": "3",
        "precinctColumnIndex": "2",
    }
    return column_source("cvr.xlsx", "ess", "Write-in", **(ess | fields))


def csv_source(**fields: Any) -> dict[str, Any]:
    """A generic CSV source: ids in column 1, candidates from 2."""
    return column_source("cvr.csv", "genericCsv", "Write-In", firstVoteColumnIndex="2", **fields)


def column_source(file: str, provider: str, write_in: str, **fields: Any) -> dict[str, Any]:
    return {
        "filePath": file,
        "provider": provider,
        "firstVoteRowIndex": "2",
        "idColumnIndex": "1",
        "undeclaredWriteInLabel": write_in,
        **fields,
    }


HEADING: list[str | int | None] = [
    "Cast Vote Record",
    "Precinct",
    "Choice 1",
    "Choice 2",
    "Choice 3",
]


def test_xlsx_reader_streams_cells_by_column(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "cvr.xlsx", [HEADING, [17, "P-1", "Ada", None, "Grace"]])
    rows = list(sheet_rows(path))
    assert rows[1] == (2, {0: "17", 1: "P-1", 2: "Ada", 4: "Grace"})
    assert column_number("AA") == 26


def test_ess_workbook_reads_labels_aliases_and_skips(tmp_path: Path) -> None:
    write_xlsx(
        tmp_path / "cvr.xlsx",
        [
            HEADING,
            [1, "P-1", "Ada", "undervote", "G. Hopper"],
            [2, "P-2", "overvote", "Write-in", "Ada"],
            [3, None, "undervote", None, None],
        ],
    )
    rules, ballots = load_contest(write_config(tmp_path, ess_source()))
    assert [b.ranks for b in ballots] == [
        (("Ada",), (), ("Grace",)),
        ((OVERVOTE,), (UNDECLARED_WRITE_IN,), ("Ada",)),
        (),
    ]
    assert [b.id for b in ballots] == ["1", "2", "3"]
    assert [b.precinct for b in ballots] == ["P-1", "P-2", "missing_precinct_id"]
    assert rules.undeclared_write_ins


def test_ess_blank_cells_as_write_ins_fill_to_the_last_rank(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "cvr.xlsx", [HEADING, [1, "P-1", None, "Ada"]])
    source = ess_source(treatBlankAsUndeclaredWriteIn=True)
    _, ballots = load_contest(write_config(tmp_path, source))
    assert ballots[0].ranks == ((UNDECLARED_WRITE_IN,), ("Ada",), (UNDECLARED_WRITE_IN,))


def test_ess_overvote_delimiter_names_the_overvoted(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "cvr.xlsx", [HEADING, [1, "P-1", "Ada|Grace", "Ada"]])
    source = ess_source(overvoteDelimiter="|", overvoteLabel="")
    _, ballots = load_contest(write_config(tmp_path, source))
    assert ballots[0].ranks == (("Ada", "Grace"), ("Ada",))
    write_xlsx(tmp_path / "cvr.xlsx", [HEADING, [1, "P-1", "Ada| ", "Ada"]])
    with pytest.raises(InvalidInput) as refused:
        load_contest(write_config(tmp_path, source))
    assert str(refused.value).startswith(f"{tmp_path / 'cvr.xlsx'}, row 2: rank 1 (column 3)")


def test_ess_unknown_candidate_is_refused_with_where(tmp_path: Path) -> None:
    write_xlsx(
        tmp_path / "cvr.xlsx",
        [HEADING, [1, "P-1", "Ada"], [2, "P-1", "Adda"], [3, "P-1", "Grace", "Adda"]],
    )
    with pytest.raises(InvalidInput) as refused:
        load_contest(write_config(tmp_path, ess_source()))
    message = str(refused.value)
    assert message.startswith("CVR source 1 (cvr.xlsx): names candidates the configuration")
    assert f"'Adda' (2 times, first at {tmp_path / 'cvr.xlsx'}, row 3)" in message


def test_ess_ranks_past_the_limit_are_not_read(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "cvr.xlsx", [HEADING, [1, "P-1", "Ada", "Grace", "Mystery"]])
    _, ballots = load_contest(write_config(tmp_path, ess_source(), maxRankingsAllowed="2"))
    assert ballots[0].ranks == (("Ada",), ("Grace",))


def test_ess_missing_ballot_id_is_refused(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "cvr.xlsx", [HEADING, [None, "P-1", "Ada"]])
    with pytest.raises(InvalidInput) as refused:
        load_contest(write_config(tmp_path, ess_source()))
    assert "row 2: the ballot id (column 1, idColumnIndex) is empty" in str(refused.value)


def test_a_workbook_that_is_not_a_zip_is_refused_in_words(tmp_path: Path) -> None:
    (tmp_path / "cvr.xlsx").write_text("Cast Vote Record,Choice 1\n1,Ada\n")
    with pytest.raises(InvalidInput) as refused:
        load_contest(write_config(tmp_path, ess_source()))
    assert "is not an Excel workbook (.xlsx)" in str(refused.value)


def test_generic_csv_ranks_per_candidate_column(tmp_path: Path) -> None:
    (tmp_path / "cvr.csv").write_text("id,Ada,Grace,Write-In\nr1,2,1,\nr2,1,1,2\nr3,,,\n")
    _, ballots = load_contest(write_config(tmp_path, csv_source()))
    assert [b.ranks for b in ballots] == [
        (("Grace",), ("Ada",)),
        (("Ada", "Grace"), (UNDECLARED_WRITE_IN,)),
        (),
    ]
    assert [b.id for b in ballots] == ["r1", "r2", "r3"]


def test_generic_csv_rank_that_is_not_a_number_is_refused(tmp_path: Path) -> None:
    (tmp_path / "cvr.csv").write_text("id,Ada,Grace\nr1,2,first\n")
    with pytest.raises(InvalidInput) as refused:
        load_contest(write_config(tmp_path, csv_source()))
    assert str(refused.value) == (
        f"{tmp_path / 'cvr.csv'}, line 2: column 3 (Grace) holds 'first'; expected a rank number"
    )


def test_clear_ballot_rank_columns(tmp_path: Path) -> None:
    heading = [
        "RowNumber", "BoxID", "BoxPosition", "BallotID", "PrecinctID", "BallotStyleID",
        "PrecinctStyleName", "ScanComputerName", "Status", "Remade",
        '"Choice_1_1:Town, Council:1:Number of Winners 1:Ada:NON"',
        '"Choice_1_1:Town, Council:2:Number of Winners 1:Ada:NON"',
        '"Choice_2_1:Town, Council:1:Number of Winners 1:Grace:NON"',
        '"Choice_2_1:Town, Council:2:Number of Winners 1:Grace:NON"',
    ]  # fmt: skip
    lines = [
        ",".join(heading),
        "1,B1,1,B1+1,7,1,7,Scan1,0,0,0,1,1,0",
        "2,B1,2,B1+2,7,1,7,Scan1,0,0,0,0,0,0",
    ]
    (tmp_path / "cvr.csv").write_text("\n".join(lines) + "\n")
    source = {"filePath": "cvr.csv", "provider": "clearBallot", "contestId": "Town, Council"}
    _, ballots = load_contest(write_config(tmp_path, source))
    assert [b.ranks for b in ballots] == [(("Grace",), ("Ada",)), ()]
    assert [(b.id, b.precinct) for b in ballots] == [("B1+1", "7"), ("B1+2", "7")]


def write_dominion(folder: Path, marks: list[dict[str, Any]], ranks: int = 3) -> Path:
    folder.mkdir()
    manifests = {
        "ContestManifest.json": [{"Description": "COUNCIL", "Id": 4, "NumOfRanks": ranks}],
        "CandidateManifest.json": [
            {"Description": "Ada", "Id": 6, "ContestId": 4},
            {"Description": "Grace", "Id": 7, "ContestId": 4},
            {"Description": "Other contest", "Id": 9, "ContestId": 5},
        ],
        "PrecinctPortionManifest.json": [{"Description": "Precinct 3", "Id": 3}],
    }
    for name, entries in manifests.items():
        (folder / name).write_text(json.dumps({"Version": "5.10", "List": entries}))
    session = {
        "TabulatorId": 42,
        "BatchId": 5,
        "RecordId": 1,
        "Original": {
            "PrecinctPortionId": 3,
            "IsCurrent": True,
            "Cards": [{"Contests": [{"Id": 4, "OutstackConditionIds": [], "Marks": marks}]}],
        },
    }
    (folder / "CvrExport.json").write_text(json.dumps({"Sessions": [session]}))
    return folder


def dominion_mark(candidate: int, rank: int, ambiguous: bool = False) -> dict[str, Any]:
    return {"CandidateId": candidate, "Rank": rank, "IsAmbiguous": ambiguous, "IsVote": True}


def test_dominion_folder_marks_by_rank(tmp_path: Path) -> None:
    write_dominion(
        tmp_path / "export",
        [dominion_mark(7, 1), dominion_mark(6, 2, ambiguous=True), dominion_mark(6, 3)],
    )
    source = {"filePath": "export", "provider": "dominion", "contestId": "4"}
    path = write_config(tmp_path, source)
    raw = json.loads(path.read_text())
    raw["candidates"][0]["aliases"] = ["6"]
    path.write_text(json.dumps(raw))
    _, ballots = load_contest(path)
    assert [(b.id, b.ranks, b.precinct) for b in ballots] == [
        ("42-5-1", (("Grace",), (), ("Ada",)), "Precinct 3")
    ]


def test_dominion_rank_above_the_contests_ranks_is_refused(tmp_path: Path) -> None:
    write_dominion(tmp_path / "export", [dominion_mark(7, 3)], ranks=2)
    source = {"filePath": "export", "provider": "dominion", "contestId": "4"}
    with pytest.raises(InvalidInput) as refused:
        load_contest(write_config(tmp_path, source))
    assert str(refused.value) == (
        f"{tmp_path / 'export/CvrExport.json'}, session 1: a mark has rank 3, but the contest "
        "has 2 ranks (NumOfRanks in ContestManifest.json)"
    )


def test_dominion_candidate_of_another_contest_is_refused(tmp_path: Path) -> None:
    write_dominion(tmp_path / "export", [dominion_mark(9, 1)])
    source = {"filePath": "export", "provider": "dominion", "contestId": "4"}
    with pytest.raises(InvalidInput) as refused:
        load_contest(write_config(tmp_path, source))
    assert "candidate Id 9 is not a candidate of contest 4" in str(refused.value)


def test_hart_rank_digits(tmp_path: Path) -> None:
    folder = tmp_path / "hart"
    folder.mkdir()
    document = (
        '<?xml version="1.0" encoding="utf-8"?><Cvr xmlns="http://tempuri.org/CVRDesign.xsd">'
        "<Contests><Contest><Name>COUNCIL</Name><Id>c-1</Id><Options>"
        "<Option><Name>Ada</Name><Id>o-ada</Id><Value>010</Value></Option>"
        "<Option><Name>Grace</Name><Id>7</Id><Value>101</Value></Option>"
        "</Options></Contest></Contests><PrecinctSplit><Name>PRC1</Name><Id>p</Id>"
        "</PrecinctSplit><BatchNumber>3</BatchNumber><CvrGuid>g-1</CvrGuid></Cvr>"
    )
    (folder / "1_g-1.xml").write_text(document)
    (folder / "1_g-1.xml.sig.xml").write_text("<Signature/>")
    source = {"filePath": "hart", "provider": "hart", "contestId": "c-1"}
    path = write_config(tmp_path, source)
    raw = json.loads(path.read_text())
    raw["candidates"][0]["aliases"] = ["o-ada"]
    path.write_text(json.dumps(raw))
    _, ballots = load_contest(path)
    assert [(b.id, b.ranks, b.precinct, b.batch) for b in ballots] == [
        ("g-1", (("Grace",), ("Ada",), ("Grace",)), "PRC1", "3")
    ]


def test_cdf_json_ranks_and_missing_contest(tmp_path: Path) -> None:
    report = {
        "Election": [
            {
                "Candidate": [{"@id": "c-a", "Name": "Ada"}, {"@id": "c-g", "Name": "Grace"}],
                "Contest": [
                    {
                        "@id": "k-1",
                        "Name": "Council",
                        "ContestSelection": [
                            {"@id": "s-a", "CandidateIds": ["c-a"]},
                            {"@id": "s-g", "CandidateIds": ["c-g"]},
                            {"@id": "s-w", "IsWriteIn": True},
                        ],
                    }
                ],
            }
        ],
        "GpUnit": [{"@id": "u-1", "Name": "Precinct 1"}],
        "CVR": [
            {
                "BallotPrePrintedId": "b-1",
                "BallotStyleUnitId": "u-1",
                "CurrentSnapshotId": "s1",
                "CVRSnapshot": [
                    {
                        "@id": "s1",
                        "CVRContest": [
                            {
                                "ContestId": "k-1",
                                "CVRContestSelection": [
                                    {"ContestSelectionId": "s-g", "SelectionPosition": [
                                        {"HasIndication": "yes", "Rank": 1}]},
                                    {"ContestSelectionId": "s-w", "SelectionPosition": [
                                        {"HasIndication": "yes", "Rank": 2}]},
                                    {"ContestSelectionId": "s-a", "SelectionPosition": [
                                        {"HasIndication": "no", "Rank": 3}]},
                                ],
                            }
                        ],
                    }
                ],
            }
        ],
    }  # fmt: skip
    (tmp_path / "cvr.json").write_text(json.dumps(report))
    source = {"filePath": "cvr.json", "provider": "cdf", "contestId": "Council"}
    _, ballots = load_contest(write_config(tmp_path, source))
    assert [(b.id, b.ranks, b.precinct) for b in ballots] == [
        ("b-1", (("Grace",), (UNDECLARED_WRITE_IN,)), "Precinct 1")
    ]
    source["contestId"] = "Mayor"
    with pytest.raises(InvalidInput) as refused:
        load_contest(write_config(tmp_path, source))
    assert str(refused.value) == (
        f"{tmp_path / 'cvr.json'}: has no contest named 'Mayor' (the source's contestId)"
    )


def test_a_workbook_that_expands_without_limit_is_refused(tmp_path: Path) -> None:
    padding = " " * (8 << 20)  # compresses about a thousand times, past the guard's ratio
    path = write_xlsx(tmp_path / "cvr.xlsx", [HEADING], sheet_data=padding)
    with pytest.raises(InvalidInput) as refused:
        list(sheet_rows(path))
    message = str(refused.value)
    assert message.startswith(f"{path} (xl/worksheets/ballots.xml)")
    assert "Traceback" not in message
