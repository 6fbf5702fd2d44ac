"""Dominion JSON CVR exports, on synthetic files laid out as Democracy Suite writes them.

No real JSON export is in the shared data, so the files are built here from the
layout documented by RCTab's ``DominionCvrReader`` and SHANGRLA's ``Dominion``
reader (Sessions -> Original/Modified -> Cards -> Contests -> Marks; manifests
with a ``List`` of ``Id``/``Description``/``VoteFor``/``ContestId``).
"""

from __future__ import annotations

import copy
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.formats.files import records_of, refused
from votetrail.core.tally.records import CastVoteRecord, ContestDefinition
from votetrail.errors import InvalidInput
from votetrail.formats.cvr.dominion_json import detect, open_dominion_json
from votetrail.formats.cvr.read import open_cvr_file

CONTESTS: dict[str, Any] = {
    "Version": "5.10.50.85",
    "List": [
        {"Description": "Mayor", "Id": 1, "ExternalId": "", "VoteFor": 1, "NumOfRanks": 0},
        {"Description": "Council", "Id": 2, "ExternalId": "", "VoteFor": 2, "NumOfRanks": 0},
    ],
}
CANDIDATES: dict[str, Any] = {
    "Version": "5.10.50.85",
    "List": [
        {"Description": "Ada Ames", "Id": 10, "ContestId": 1, "Type": "Regular"},
        {"Description": "Bo Bell", "Id": 11, "ContestId": 1, "Type": "Regular"},
        {"Description": "Write-in", "Id": 12, "ContestId": 1, "Type": "WriteIn"},
        {"Description": "Cy Cole", "Id": 20, "ContestId": 2, "Type": "Regular"},
        {"Description": "Di Dunn", "Id": 21, "ContestId": 2, "Type": "Regular"},
        {"Description": "Ed Eng", "Id": 22, "ContestId": 2, "Type": "Regular"},
    ],
}


def mark(candidate: int, vote: bool = True, ambiguous: bool = False) -> dict[str, Any]:
    return {
        "CandidateId": candidate,
        "PartyId": 0,
        "Rank": 1,
        "MarkDensity": 90,
        "IsAmbiguous": ambiguous,
        "IsVote": vote,
    }


def session(
    record: int, contests: list[dict[str, Any]], modified: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    def reading(cs: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "PrecinctPortionId": 7,
            "BallotTypeId": 3,
            "IsCurrent": True,
            "Cards": [{"Id": record, "PaperIndex": 0, "Contests": cs}],
        }

    found: dict[str, Any] = {
        "TabulatorId": 5,
        "BatchId": 1,
        "RecordId": record,
        "CountingGroupId": 2,
        "Original": reading(contests),
    }
    if modified is not None:
        found["Original"]["IsCurrent"] = False
        found["Modified"] = reading(modified)
    return found


def contest(contest_id: int, marks: list[dict[str, Any]], overvotes: int = 0) -> dict[str, Any]:
    return {"Id": contest_id, "Undervotes": 0, "Overvotes": overvotes, "Marks": marks}


EXPORTS = {
    "CvrExport_0.json": [session(1, [contest(1, [mark(10)]), contest(2, [mark(20), mark(21)])])],
    "CvrExport_1.json": [
        session(2, [contest(1, [mark(10, False), mark(11, False)], overvotes=1)]),
        session(3, [contest(1, [])], modified=[contest(1, [mark(12)])]),
    ],
    "CvrExport_10.json": [session(4, [contest(2, [mark(22), mark(21, False, True)])])],
}


def export_doc(sessions: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": "5.10.50.85", "ElectionId": "General", "Sessions": sessions}


def build_zip(
    path: Path, exports: dict[str, Any] | None = None, extra: dict[str, Any] | None = None
) -> Path:
    files: dict[str, Any] = {"ContestManifest.json": CONTESTS, "CandidateManifest.json": CANDIDATES}
    for name, sessions in (exports or EXPORTS).items():
        files[name] = export_doc(sessions)
    files.update(extra or {})
    with zipfile.ZipFile(path, "w") as archive:
        for name, document in files.items():
            text = document if isinstance(document, str) else json.dumps(document, indent=2)
            archive.writestr(name, text)
    return path


def test_manifests_give_the_contests(tmp_path: Path) -> None:
    export = open_dominion_json(build_zip(tmp_path / "cvrs.zip"))
    assert export.version == "5.10.50.85"
    assert export.contests == [
        ContestDefinition("Mayor", 1, ("Ada Ames", "Bo Bell", "Write-in"), frozenset({"Write-in"})),
        ContestDefinition("Council", 2, ("Cy Cole", "Di Dunn", "Ed Eng")),
    ]


def test_records_stream_file_by_file_in_numeric_order(tmp_path: Path) -> None:
    """Modified wins; overvoted marks are kept though IsVote is false; ambiguous ones are not."""
    records = list(open_dominion_json(build_zip(tmp_path / "cvrs.zip")).records())
    assert [r.id for r in records] == ["5-1-1", "5-1-2", "5-1-3", "5-1-4"]
    assert records[0] == CastVoteRecord(
        id="5-1-1",
        tabulator="5",
        batch="1",
        record="1",
        precinct="7",
        ballot_type="3",
        counting_group="2",
        marks={"Mayor": ("Ada Ames",), "Council": ("Cy Cole", "Di Dunn")},
    )
    assert records[1].marks == {"Mayor": ("Ada Ames", "Bo Bell")}
    assert records[2].marks == {"Mayor": ("Write-in",)}
    assert records[3].marks == {"Council": ("Ed Eng",)}


def test_a_lone_export_reads_the_manifests_beside_it(tmp_path: Path) -> None:
    (tmp_path / "ContestManifest.json").write_text(json.dumps(CONTESTS))
    (tmp_path / "CandidateManifest.json").write_text(json.dumps(CANDIDATES))
    lone = tmp_path / "CvrExport.json"
    lone.write_text(json.dumps(export_doc(EXPORTS["CvrExport_0.json"])))
    assert detect(lone)
    assert [r.id for r in open_dominion_json(lone).records()] == ["5-1-1"]


def test_a_multi_card_session_gives_one_record_per_card(tmp_path: Path) -> None:
    two = session(9, [contest(1, [mark(11)])])
    two["Original"]["Cards"].append({"Id": 99, "Contests": [contest(2, [])]})
    records = list(
        open_dominion_json(build_zip(tmp_path / "c.zip", {"CvrExport.json": [two]})).records()
    )
    assert [(r.id, dict(r.marks)) for r in records] == [
        ("5-1-9/1", {"Mayor": ("Bo Bell",)}),
        ("5-1-9/2", {"Council": ()}),
    ]


def test_detection_and_the_common_interface(tmp_path: Path) -> None:
    path = build_zip(tmp_path / "cvrs.zip")
    assert detect(path)
    opened = open_cvr_file(path)
    assert opened.format == "Dominion Democracy Suite JSON 5.10.50.85"
    assert len(list(opened.records())) == 4
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert not detect(other)
    (tmp_path / "cvrs.csv").write_text("a,b\n")
    assert not detect(tmp_path / "cvrs.csv")


def test_truncated_export_names_file_and_line(tmp_path: Path) -> None:
    text = json.dumps(export_doc(EXPORTS["CvrExport_1.json"]), indent=2)
    path = build_zip(tmp_path / "c.zip", extra={"CvrExport_1.json": text[: len(text) // 2]})
    error = refused(records_of(open_dominion_json), path)
    assert error.where is not None
    assert "CvrExport_1.json, line " in error.where
    assert "not valid JSON" in str(error)


def test_unknown_candidate_names_session_and_field(tmp_path: Path) -> None:
    exports = copy.deepcopy(EXPORTS)
    exports["CvrExport_1.json"][1]["Modified"]["Cards"][0]["Contests"][0]["Marks"][0][
        "CandidateId"
    ] = 20
    error = refused(records_of(open_dominion_json), build_zip(tmp_path / "c.zip", exports))
    assert error.where == (
        f"{tmp_path / 'c.zip'}, CvrExport_1.json, session 2 (5-1-3), card 1, "
        "contest 'Mayor', field 'CandidateId'"
    )


def test_missing_field_and_duplicate_ids_are_refused(tmp_path: Path) -> None:
    exports = copy.deepcopy(EXPORTS)
    del exports["CvrExport_0.json"][0]["BatchId"]
    assert refused(
        records_of(open_dominion_json), build_zip(tmp_path / "a.zip", exports)
    ).where == (f"{tmp_path / 'a.zip'}, CvrExport_0.json, session 1, field 'BatchId'")
    exports = copy.deepcopy(EXPORTS)
    exports["CvrExport_10.json"][0]["RecordId"] = 1
    error = refused(records_of(open_dominion_json), build_zip(tmp_path / "b.zip", exports))
    assert "'5-1-1' is already used by" in str(error)


def test_missing_manifest_and_corrupt_zip(tmp_path: Path) -> None:
    path = tmp_path / "c.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("CvrExport_0.json", json.dumps(export_doc([])))
        archive.writestr("ContestManifest.json", json.dumps(CONTESTS))
    with pytest.raises(InvalidInput, match=r"the ZIP has no CandidateManifest\.json"):
        open_dominion_json(path)
    broken = tmp_path / "broken.zip"
    broken.write_bytes(build_zip(tmp_path / "whole.zip").read_bytes()[:200])
    assert not detect(broken)
    with pytest.raises(InvalidInput, match="is not a readable ZIP"):
        open_dominion_json(broken)


def test_bad_manifest_entry_names_entry_and_field(tmp_path: Path) -> None:
    contests = copy.deepcopy(CONTESTS)
    contests["List"][1]["VoteFor"] = "two"
    path = build_zip(tmp_path / "c.zip", extra={"ContestManifest.json": contests})
    with pytest.raises(InvalidInput) as caught:
        open_dominion_json(path)
    assert caught.value.where == f"{path}, ContestManifest.json, entry 2, field 'VoteFor'"
