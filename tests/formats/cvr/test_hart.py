"""Hart Verity CVR XML in a ZIP, on synthetic files laid out as Arlo's Hart tests build them.

No real Hart export is in the shared data. The document layout (``Cvr`` in
namespace ``http://tempuri.org/CVRDesign.xsd`` with ``Contests``, ``BatchSequence``,
``SheetNumber``, ``PrecinctSplit``, ``BatchNumber``, ``CvrGuid``) is that of
``build_hart_cvr`` in Arlo's tests and its ``parse_hart_cvrs``; ``Value`` and
``Undervotes`` follow SHANGRLA's Hart reader.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from tests.formats.files import records_of, refused
from votetrail.core.tally.records import CastVoteRecord, ContestDefinition
from votetrail.errors import InvalidInput
from votetrail.formats.cvr.hart import detect, open_hart_cvr
from votetrail.formats.cvr.read import open_cvr_file


def option(name: str, write_in: bool = False) -> str:
    extra = "<WriteInData><Text>Zed</Text></WriteInData>" if write_in else ""
    return f"<Option><Name>{name}</Name><Id>o-{name}</Id><Value>1</Value>{extra}</Option>"


def contest(name: str, options: list[str], undervotes: int = 0) -> str:
    under = f"<Undervotes>{undervotes}</Undervotes>" if undervotes else ""
    listed = f"<Options>{''.join(options)}</Options>"
    return f"<Contest><Name>{name}</Name><Id>c-{name}</Id>{listed}{under}</Contest>"


def cvr(guid: str, batch: str, sequence: int, contests: list[str]) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Cvr xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://tempuri.org/CVRDesign.xsd">
  <Contests>{"".join(contests)}</Contests>
  <BatchSequence>{sequence}</BatchSequence>
  <SheetNumber>1</SheetNumber>
  <PrecinctSplit><Name>100</Name><Id>ps-1</Id></PrecinctSplit>
  <BatchNumber>{batch}</BatchNumber>
  <CvrGuid>{guid}</CvrGuid>
</Cvr>
"""


SHEETS = {
    "g-1.xml": cvr("g-1", "BATCH1", 1, [contest("Mayor", [option("Ada")])]),
    "g-2.xml": cvr(
        "g-2",
        "BATCH1",
        2,
        [contest("Mayor", [], 1), contest("Council", [option("Cy")], undervotes=1)],
    ),
    "g-3.xml": cvr(
        "g-3",
        "BATCH2",
        1,
        [contest("Mayor", [option("Bo")]), contest("Council", [option("Di"), option("", True)])],
    ),
}


def build(path: Path, sheets: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in (SHEETS if sheets is None else sheets).items():
            archive.writestr(name, text)
        archive.writestr("WriteIn/g-3.png", b"\x89PNG")
    return path


def test_contests_and_limits_are_learnt_from_every_sheet(tmp_path: Path) -> None:
    assert open_hart_cvr(build(tmp_path / "hart.zip")).contests == [
        ContestDefinition("Mayor", 1, ("Ada", "Bo")),
        ContestDefinition("Council", 2, ("Cy", "Di", "Write-In"), frozenset({"Write-In"})),
    ]


def test_records(tmp_path: Path) -> None:
    records = list(open_hart_cvr(build(tmp_path / "hart.zip")).records())
    assert records[0] == CastVoteRecord(
        id="g-1",
        tabulator=None,
        batch="BATCH1",
        record="1",
        precinct="100",
        marks={"Mayor": ("Ada",)},
    )
    assert records[1].marks == {"Mayor": (), "Council": ("Cy",)}
    assert records[2].marks == {"Mayor": ("Bo",), "Council": ("Di", "Write-In")}


def test_inner_zips_name_the_tabulator(tmp_path: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("g-1.xml", SHEETS["g-1.xml"])
    path = tmp_path / "outer.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Scanner 7.zip", inner.getvalue())
    (record,) = open_hart_cvr(path).records()
    assert (record.id, record.tabulator) == ("g-1", "Scanner 7")


def test_detection_and_the_common_interface(tmp_path: Path) -> None:
    path = build(tmp_path / "hart.zip")
    assert detect(path)
    opened = open_cvr_file(path)
    assert opened.format == "Hart Verity CVR XML"
    assert len(list(opened.records())) == 3
    lone = tmp_path / "g-1.xml"
    lone.write_text(SHEETS["g-1.xml"], encoding="utf-8")
    assert detect(lone)
    assert [r.id for r in open_cvr_file(lone).records()] == ["g-1"]
    nist = tmp_path / "nist.xml"
    nist.write_text("<CastVoteRecordReport/>", encoding="utf-8")
    assert not detect(nist)
    other = build(tmp_path / "other.zip", {"a.xml": "<Other/>"})
    assert not detect(other)
    (tmp_path / "x.csv").write_text("a,b\n")
    assert not detect(tmp_path / "x.csv")


def test_truncated_document_names_file_and_line(tmp_path: Path) -> None:
    sheets = dict(SHEETS)
    sheets["g-2.xml"] = SHEETS["g-2.xml"][:200]
    path = build(tmp_path / "hart.zip", sheets)
    with pytest.raises(InvalidInput) as caught:
        open_hart_cvr(path)
    assert caught.value.where is not None
    assert caught.value.where.startswith(f"{path}, g-2.xml, line ")


def test_missing_guid_duplicates_and_bad_numbers(tmp_path: Path) -> None:
    sheets = dict(SHEETS)
    sheets["g-3.xml"] = SHEETS["g-3.xml"].replace("<CvrGuid>g-3</CvrGuid>", "")
    path = build(tmp_path / "a.zip", sheets)
    with pytest.raises(InvalidInput) as caught:
        open_hart_cvr(path)
    assert caught.value.where == f"{path}, g-3.xml, field 'CvrGuid'"
    sheets["g-3.xml"] = SHEETS["g-1.xml"]
    assert "'g-1' is already used by" in str(
        refused(records_of(open_hart_cvr), build(tmp_path / "b.zip", sheets))
    )
    sheets["g-3.xml"] = SHEETS["g-1.xml"].replace("<Value>1</Value>", "<Value>x</Value>")
    path = build(tmp_path / "c.zip", sheets)
    with pytest.raises(InvalidInput) as caught:
        open_hart_cvr(path)
    assert caught.value.where == f"{path}, g-3.xml, contest 'Mayor', field 'Value'"


def test_conflicting_limits_and_empty_or_corrupt_zips(tmp_path: Path) -> None:
    sheets = dict(SHEETS)
    sheets["g-1.xml"] = cvr("g-1", "B", 1, [contest("Council", [], undervotes=3)])
    with pytest.raises(InvalidInput, match="allows 2 votes here but 3"):
        open_hart_cvr(build(tmp_path / "a.zip", sheets))
    with pytest.raises(InvalidInput, match="holds no Hart CVR XML files"):
        open_hart_cvr(build(tmp_path / "b.zip", {}))
    broken = tmp_path / "broken.zip"
    broken.write_bytes(build(tmp_path / "whole.zip").read_bytes()[:300])
    with pytest.raises(InvalidInput, match="is not a readable ZIP"):
        open_hart_cvr(broken)
