"""Colorado's ballot manifests, as the state's RLA software (ColoradoRLA) takes them.

Layout seen in FreeAndFair/ColoradoRLA: ``test/2.0-test-data/alamosa-manifest.csv``
(commit 1570e6dc4de022329b8e6b7a876f3239ba29e923), ``docs/samples/manifest-dq.csv``
(15e653ab6b872ecbd14ef78dead67eb46c00a40f) and ``test/e-state-county/manifest-2-10.csv``
(6ea8efa8e817d449d3d3742954a9f8298c99eae1, an empty StorageLocation): header
``CountyID,ScannerID,BatchID,NumBallots,StorageLocation``, scanner and batch
numbers quoted. The fixtures in ``tests/fixtures/field/manifest/`` reproduce that
layout with our own values; the four-column form (no StorageLocation) is the
one issue 15 names.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.formats.files import refused, write
from votetrail.formats.cvr.manifest import Batch, ballot_ids, read_manifest

FIELD = Path(__file__).resolve().parents[2] / "fixtures" / "field" / "manifest"


def test_colorado_manifest_with_storage_location() -> None:
    batches = list(read_manifest(FIELD / "colorado-manifest.csv"))
    assert batches == [
        Batch("Bin 3", "7", "1", 42),
        Batch("Bin 3", "7", "2", 38),
        Batch("Bin 9", "12", "1", 150),
        Batch(None, "Scanner4", "5", 0),
    ]
    ids = list(ballot_ids(batches, "Saguache"))
    assert len(ids) == 230
    assert ids[0] == "Saguache:Bin 3:7:1:1"
    assert ids[-1] == "Saguache:Bin 9:12:1:150"


def test_colorado_manifest_without_storage_location() -> None:
    batches = list(read_manifest(FIELD / "colorado-manifest-no-location.csv"))
    assert batches == [
        Batch(None, "1", "101", 25),
        Batch(None, "1", "102", 25),
        Batch(None, "2", "101", 19),
    ]


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        (
            "CountyID,ScannerID,BatchID,NumBallots\nAdams,1,1,10\nDenver,1,2,10\n",
            "line 3, field 'CountyID'",
            "is 'Denver' but line 2 says 'Adams'",
        ),
        ("CountyID,ScannerID,BatchID,NumBallots\n,1,1,10\n", "line 2, field 'CountyID'", "empty"),
        (
            "CountyID,ScannerID,BatchID,NumBallots\nAdams,1,1,ten\n",
            "line 2, field 'NumBallots'",
            "'ten' is not a whole number",
        ),
        (
            "CountyID,ScannerID,BatchID,NumBallots\nAdams,,1,10\n",
            "line 2, field 'ScannerID'",
            "empty",
        ),
        (
            "CountyID,ScannerID,BatchID,NumBallots\nAdams,1,1,10\nAdams,1,1,12\n",
            "line 3, field 'BatchID'",
            "already listed on line 2",
        ),
        (
            "CountyID,BatchID,Batch Name,NumBallots\n",
            "line 1, field 'Batch Name'",
            "'BatchID' is the same column",
        ),
        ("CountyID,ScannerID,NumBallots\nAdams,1,10\n", "line 1, field 'Batch Name'", "missing"),
    ],
)
def test_colorado_manifest_errors_name_the_file_heading(
    tmp_path: Path, text: str, where: str, message: str
) -> None:
    path = write(tmp_path, text, "Adams - ballot manifest.csv")
    error = refused(read_manifest, path)
    assert error.where == f"{path}, {where}"
    assert message in str(error)


def test_unknown_column_names_both_layouts(tmp_path: Path) -> None:
    path = write(tmp_path, "Batch,Ballots\nB1,4\n", "Adams - ballot manifest.csv")
    assert "'ScannerID', 'BatchID', 'NumBallots'" in str(refused(read_manifest, path))
