"""NIST SP 1500-103 CVRs: the official XML examples read exactly, a hand-written JSON report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from votetrail.core.tally.records import ContestDefinition
from votetrail.core.tally.tabulate import tabulate
from votetrail.errors import InvalidInput
from votetrail.formats.cvr.nist import open_nist_cvr

EXAMPLES = "nist/CastVoteRecords"
GOVERNOR = "For Governor and Lieutenant Governor"
TREASURER = "For Treasurer of State"
CONGRESS = "For Representative to Congress(11th District)"


def example(shared_data: Path, number: int) -> Path:
    return shared_data / EXAMPLES / f"example_{number}.xml"


def test_example_1_records_and_marks(shared_data: Path) -> None:
    report = open_nist_cvr(example(shared_data, 1))
    assert (report.format, report.version, report.election_name) == ("xml", "1.0.0", "_EL7")
    assert report.contests == [ContestDefinition("_C1", 1, ("_C1CN1", "_C1CN2", "_C1CN3"))]
    records = list(report.records())
    assert [(r.id, r.ballot_type, dict(r.marks)) for r in records] == [
        ("1", "bs1", {"_C1": ("_C1CN1",)}),
        ("2", "bs1", {"_C1": ("_C1CN2",)}),
        ("3", "bs1", {"_C1": ("_C1CN1",)}),  # the faint mark (HasIndication no) is not a vote
        ("4", "bs1", {"_C1": ("_C1CN2", "_C1CN2")}),  # overvote: two indicated positions
        ("61", "bs1", {"_C1": ("_C1CN3",)}),  # the write-in "Donald Nolte" on selection _C1CS3
        ("57", "bs1", {"_C1": ("_C1CN1",)}),
    ]
    (result,) = tabulate(records, report.contests)
    assert (result.ballots, result.overvotes, dict(result.tally)) == (
        6,
        1,
        {"_C1CN1": 3, "_C1CN2": 1, "_C1CN3": 1},
    )


def test_example_2_definitions(shared_data: Path) -> None:
    report = open_nist_cvr(example(shared_data, 2))
    assert report.election_name == "_AK2014General"
    assert len(report.contests) == 25
    governor = report.contests[0]
    assert governor == ContestDefinition(
        GOVERNOR,
        1,
        (
            "Edward FitzGerald and Sharen Swartz Neuhardt",
            "John Kasich and Mary Taylor",
            "Anita Rios and Bob Fitrakis",
            "Write-In",
        ),
        frozenset({"Write-In"}),
    )
    council = next(c for c in report.contests if "County Council" in c.name)
    assert council.votes_allowed == 3
    assert report.contests[-1].choices == ("YES", "NO")


def test_example_2_records_and_marks(shared_data: Path) -> None:
    first, second = open_nist_cvr(example(shared_data, 2)).records()
    assert first.id == "css-01"
    assert len(first.marks) == 25
    assert {name: marks for name, marks in first.marks.items() if marks} == {
        GOVERNOR: ("Write-In",),
        TREASURER: ("Connie Pillich", "Josh Mandel"),  # overvote kept as marked
    }
    # The interpreted snapshot (adjudicated: a resting mark) wins over the original.
    assert second.id == "css-02"
    assert dict(second.marks) == {CONGRESS: ()}


def json_report() -> dict[str, Any]:
    """A small report written by hand to the NIST_V0_cast_vote_records.json schema."""

    def position(indication: str, allocable: str = "yes") -> dict[str, Any]:
        return {
            "@type": "CVR.SelectionPosition",
            "HasIndication": indication,
            "IsAllocable": allocable,
            "NumberVotes": 1,
        }

    def selection(selection_id: str, *positions: dict[str, Any]) -> dict[str, Any]:
        return {
            "@type": "CVR.CVRContestSelection",
            "ContestSelectionId": selection_id,
            "SelectionPosition": list(positions),
        }

    def cvr(unique: str, kind: str, *selections: dict[str, Any]) -> dict[str, Any]:
        return {
            "@type": "CVR.CVR",
            "BatchId": "B1",
            "CreatingDeviceId": "scanner-1",
            "CurrentSnapshotId": f"snap-{unique}-{kind}",
            "ElectionId": "el-1",
            "UniqueId": unique,
            "CVRSnapshot": [
                {
                    "@id": f"snap-{unique}-{kind}",
                    "@type": "CVR.CVRSnapshot",
                    "Type": kind,
                    "CVRContest": [
                        {
                            "@type": "CVR.CVRContest",
                            "ContestId": "c-mayor",
                            "CVRContestSelection": list(selections),
                        }
                    ],
                }
            ],
        }

    modified = cvr("2", "modified", selection("s-bob", position("yes")))
    modified["CVRSnapshot"].append(
        cvr("2", "original", selection("s-ann", position("yes")))["CVRSnapshot"][0]
    )
    return {
        "@type": "CVR.CastVoteRecordReport",
        "GeneratedDate": "2024-11-05T21:00:00Z",
        "GpUnit": [{"@id": "gp-1", "@type": "CVR.GpUnit", "Type": "county"}],
        "ReportGeneratingDeviceIds": ["rd-1"],
        "ReportingDevice": [{"@id": "rd-1", "@type": "CVR.ReportingDevice"}],
        "Version": "1.0.0",
        "Election": [
            {
                "@id": "el-1",
                "@type": "CVR.Election",
                "Name": "County General",
                "ElectionScopeId": "gp-1",
                "Candidate": [
                    {"@id": "cand-ann", "@type": "CVR.Candidate", "Name": "Ann Alder"},
                    {"@id": "cand-bob", "@type": "CVR.Candidate", "Name": "Bob Birch"},
                ],
                "Contest": [
                    {
                        "@id": "c-mayor",
                        "@type": "CVR.CandidateContest",
                        "Name": "Mayor",
                        "VotesAllowed": 1,
                        "ContestSelection": [
                            {
                                "@id": "s-ann",
                                "@type": "CVR.CandidateSelection",
                                "CandidateIds": ["cand-ann"],
                            },
                            {
                                "@id": "s-bob",
                                "@type": "CVR.CandidateSelection",
                                "CandidateIds": ["cand-bob"],
                            },
                        ],
                    }
                ],
            }
        ],
        "CVR": [
            cvr(
                "1",
                "original",
                selection("s-ann", position("yes")),
                selection("s-bob", position("no")),
            ),
            modified,
            cvr("3", "original", selection("s-ann", position("yes", "no"))),
        ],
    }


def write_json(tmp_path: Path, report: dict[str, Any]) -> Path:
    path = tmp_path / "cvrs.json"
    path.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return path


def test_json_report(tmp_path: Path) -> None:
    report = open_nist_cvr(write_json(tmp_path, json_report()))
    assert (report.format, report.version, report.election_name) == (
        "json",
        "1.0.0",
        "County General",
    )
    assert report.contests == [ContestDefinition("Mayor", 1, ("Ann Alder", "Bob Birch"))]
    records = list(report.records())
    assert [(r.id, r.tabulator, r.batch, dict(r.marks)) for r in records] == [
        ("1", "scanner-1", "B1", {"Mayor": ("Ann Alder",)}),
        ("2", "scanner-1", "B1", {"Mayor": ("Bob Birch",)}),  # modified beats original
        ("3", "scanner-1", "B1", {"Mayor": ()}),  # not allocable, no overvote: no vote
    ]


def test_unknown_selection_names_the_record_and_field(tmp_path: Path) -> None:
    data = json_report()
    data["CVR"][0]["CVRSnapshot"][0]["CVRContest"][0]["CVRContestSelection"][0][
        "ContestSelectionId"
    ] = "s-zed"
    report = open_nist_cvr(write_json(tmp_path, data))
    with pytest.raises(InvalidInput, match=r"cvrs.json, CVR 1 \(1\), field 'ContestSelectionId'"):
        list(report.records())


def test_bad_indication_and_duplicate_id(tmp_path: Path) -> None:
    data = json_report()
    data["CVR"][0]["CVRSnapshot"][0]["CVRContest"][0]["CVRContestSelection"][0][
        "SelectionPosition"
    ][0]["HasIndication"] = "maybe"
    with pytest.raises(
        InvalidInput, match=r"CVR 1 \(1\), contest 'c-mayor', field 'HasIndication'"
    ):
        list(open_nist_cvr(write_json(tmp_path, data)).records())
    data = json_report()
    data["CVR"][2]["UniqueId"] = "1"
    with pytest.raises(InvalidInput, match=r"CVR 3, field 'UniqueId': .*already used by CVR 1"):
        list(open_nist_cvr(write_json(tmp_path, data)).records())


def test_broken_xml_names_the_line(shared_data: Path, tmp_path: Path) -> None:
    lines = example(shared_data, 1).read_text(encoding="utf-8").splitlines()
    lines[10] = lines[10].replace("</ContestId>", "</ContestID>")
    path = tmp_path / "broken.xml"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"broken.xml, line 11: is not well-formed XML"):
        open_nist_cvr(path)


def test_other_files_are_refused(shared_data: Path, tmp_path: Path) -> None:
    results = shared_data / "nist/ElectionResultsReporting/NIST_V2_election_results_reporting.json"
    with pytest.raises(InvalidInput, match=r"field '@type': is not a CVR.CastVoteRecordReport"):
        open_nist_cvr(results)
    csv = shared_data / "cvr/arlo-fixtures/small-election/Kendall Park - cvrs.csv"
    with pytest.raises(InvalidInput, match="is neither XML nor JSON"):
        open_nist_cvr(csv)
    other = tmp_path / "other.xml"
    other.write_text("<ElectionReport/>", encoding="utf-8")
    with pytest.raises(InvalidInput, match="root element is not a 1500-103"):
        open_nist_cvr(other)
