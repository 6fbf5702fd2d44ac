"""An upload holding a ranked-choice contest says, on the county's page, that it was left out."""

from __future__ import annotations

from pathlib import Path

import httpx
from markupsafe import escape

from tests.formats.cvr.test_ranked_contests import RANKED_SESSIONS, dominion_zip
from tests.web.server import csrf, login
from votetrail.services.setup import DEMO_PASSWORD


def test_the_upload_message_names_the_ranked_contest_left_out(
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
    assert str(escape("Left out: mixed.zip: contest 'Council' is ranked-choice")) in answer.text
