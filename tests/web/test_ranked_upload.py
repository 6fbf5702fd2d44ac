"""An upload holding a ranked-choice contest imports it too (issue 17): nothing is left out.

The ES&S workbook is written here in the layout of Minneapolis's 2013 export in RCTab's
suite (BrightSpots/rcv test_data/2013_minneapolis_mayor, commit 2167c240ddd2).
"""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.formats.cvr.test_ess_xlsx import MINNEAPOLIS, Row
from tests.formats.cvr.test_ranked_contests import RANKED_SESSIONS, dominion_zip
from tests.rcv.test_rctab_sources import write_xlsx
from tests.web.server import csrf, login
from votetrail.services.setup import DEMO_PASSWORD

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_the_upload_message_imports_the_ranked_contest_too(
    client: httpx.Client, tmp_path: Path
) -> None:
    page = login(client, "adams-admin", DEMO_PASSWORD)
    mixed = dominion_zip(tmp_path / "mixed.zip", {2: 3}, RANKED_SESSIONS)
    answer = client.post(
        "/j/adams/upload/cvrs",
        data={"csrf_token": csrf(page.text)},
        files=[("files", (mixed.name, mixed.read_bytes(), "application/zip"))],
    )
    assert answer.status_code == 200
    assert "Imported 2 records" in answer.text
    assert "Left out" not in answer.text


def test_an_ess_workbook_is_accepted_and_a_broken_one_refused_by_name(
    client: httpx.Client, tmp_path: Path
) -> None:
    login(client, "adams-admin", DEMO_PASSWORD)
    page = client.get("/j/adams/uploads")
    assert ".xlsx" in page.text  # the file chooser offers workbooks
    rows: list[Row] = [
        MINNEAPOLIS,
        ["W-1 P-1", "Ada", "Bo", "undervote", 1],
        ["W-1 P-2", "overvote", "Ada", "undervote", 1],
        ["W-2 P-1", "UWI", "undervote", "undervote", 1],
    ]
    workbook = write_xlsx(tmp_path / "mpls.xlsx", rows)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(workbook.read_bytes()[:300])
    refused = client.post(
        "/j/adams/upload/cvrs",
        data={"csrf_token": csrf(page.text)},
        files=[("files", (broken.name, broken.read_bytes(), XLSX))],
    )
    assert refused.status_code == 400
    assert "broken.xlsx: is not an Excel workbook (.xlsx)" in refused.text
    assert "votetrail-upload-" not in refused.text
    answer = client.post(
        "/j/adams/upload/cvrs",
        data={"csrf_token": csrf(client.get("/j/adams").text)},
        files=[("files", (workbook.name, workbook.read_bytes(), XLSX))],
    )
    assert answer.status_code == 200
    assert "Imported 3 records" in answer.text
