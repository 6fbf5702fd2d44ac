"""Officials' remarks on the public log (issue 20, item 9), and what a bad address says (item 8).

A remark is kept as a logged record, so the public log shows its text, escaped,
with who wrote it and when, and ``verify`` names a remark edited in the
database. A bad value in a page's address is named with what it must be; only
a sent file is to be "corrected and uploaded again".
"""

from __future__ import annotations

import httpx
from markupsafe import escape
from sqlalchemy import text

from tests.web.server import csrf, login
from votetrail.services import log_view
from votetrail.services.context import App
from votetrail.services.remarks import add_remark
from votetrail.services.setup import DEMO_PASSWORD
from votetrail.services.unit_of_work import unit_of_work
from votetrail.services.verify import verify
from votetrail.web.words import local_time

DEMO_REMARK = "Demo state loaded: three counties, one account per role."
HOSTILE = 'Canvass begins at 9 <script>alert("x")</script> & ends at 5'


def test_the_public_log_shows_a_remark_with_who_and_when(
    client: httpx.Client, demo_app: App
) -> None:
    with unit_of_work(demo_app, "state-admin") as uow:
        add_remark(uow, HOSTILE, "adams")
    index = log_view.size(demo_app) - 1
    entry = log_view.entries(demo_app, index, 1)[0].entry

    page = client.get("/log", params={"start": 0})
    assert page.status_code == 200
    row = page.text[page.text.index(f'<td data-label="#">{index}</td>') :]
    row = row[: row.index("</tr>")]
    assert str(escape(HOSTILE)) in row
    assert "<script>" not in page.text
    assert "state-admin" in row
    assert local_time(entry.occurred_at) in row
    assert "Remark" in row
    assert "Adams County" in row
    assert str(escape(DEMO_REMARK)) in page.text

    one = client.get(f"/log/entries/{index}").json()
    assert (one["type"], one["remark"]) == ("log.remark", HOSTILE)
    listed = client.get("/log", params={"start": 0, "format": "json"}).json()["entries"]
    assert [e["remark"] for e in listed if "remark" in e] == [DEMO_REMARK, HOSTILE]


def test_an_old_annotation_says_its_text_was_not_kept(client: httpx.Client, demo_app: App) -> None:
    with unit_of_work(demo_app, "state-admin") as uow:
        uow.note("log.annotation", {"text": "only hashed"}, None)
    page = client.get("/log")
    assert "Remark (text not kept)" in page.text
    assert "Only a fingerprint (SHA-256) of this remark was logged" in page.text
    assert "only hashed" not in page.text


def test_verify_names_a_remark_edited_behind_the_applications_back(demo_app: App) -> None:
    assert verify(demo_app).ok
    with demo_app.engine.begin() as conn:
        conn.execute(text("UPDATE log_remarks SET text = 'Nothing happened.'"))
    report = verify(demo_app)
    assert not report.ok
    assert any("log_remark" in problem for problem in report.problems)


def test_a_bad_address_value_names_the_parameter_not_a_file(
    client: httpx.Client, demo_app: App
) -> None:
    bad = client.get("/log", params={"start": "soon"})
    assert bad.status_code == 400
    assert "upload it again" not in bad.text
    assert "The value of <code>start</code> in the page's address was not accepted" in bad.text
    assert "(must be a whole number)" in bad.text
    huge = client.get("/log", params={"start": str(2**60)})
    assert "(must be at most" in huge.text


def test_a_bad_file_still_says_correct_the_file(client: httpx.Client, demo_app: App) -> None:
    home = login(client, "adams-admin", DEMO_PASSWORD)
    sent = client.post(
        "/j/adams/upload/manifest",
        data={"csrf_token": csrf(home.text)},
        files={"files": ("manifest.csv", b"not,a,manifest\n1,2\n", "text/csv")},
    )
    assert sent.status_code == 400
    assert "Correct the file and upload it again" in sent.text
