"""Publication pages over real HTTP: role walls, CSRF, publishing and the public verify page."""

from __future__ import annotations

import hashlib
import json
import re

import httpx
import pytest

from tests.web.server import csrf, login
from votetrail.services import log_view
from votetrail.services.context import App
from votetrail.services.setup import DEMO_PASSWORD
from votetrail.services.verify import verify
from votetrail.web.words import local_time

PDF = b"%PDF-1.4\n% Adams County notice\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _words(html: str) -> str:
    """The page's text as a reader sees it: tags removed, white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace(" ,", ",").replace(" ;", ";")


def _publish(client: httpx.Client, **fields: str) -> httpx.Response:
    page = client.get("/j/adams/publications")
    assert page.status_code == 200
    data = {"csrf_token": csrf(page.text), "title": "Notice", "kind": "notice", "supersedes": ""}
    data.update(fields)
    files = (
        {"document": ("notice.pdf", PDF, "application/pdf")} if "statement" not in fields else None
    )
    return client.post("/j/adams/publications", data=data, files=files)


@pytest.mark.parametrize("username", ["baker-admin", "adams-board", "analyst"])
def test_others_are_refused_and_logged(client: httpx.Client, demo_app: App, username: str) -> None:
    login(client, username, DEMO_PASSWORD)
    size = log_view.size(demo_app)
    refused = client.get("/j/adams/publications")
    assert refused.status_code == 403
    assert "may not publish for this office" in refused.text
    (entry,) = log_view.entries(demo_app, size, 5)
    assert (entry.entry.event_type, entry.entry.actor) == ("access.denied", username)
    token = csrf(client.get("/verify-document").text)
    posted = client.post(
        "/j/adams/publications",
        data={"csrf_token": token, "title": "Fake", "kind": "notice", "statement": "Fake"},
    )
    assert posted.status_code == 403
    assert client.get("/publications").text.count("Fake") == 0


def test_anonymous_cannot_publish(client: httpx.Client) -> None:
    assert "Sign in" in client.get("/j/adams/publications").text
    posted = client.post("/j/adams/publications", data={"title": "x", "statement": "x"})
    assert posted.status_code in (401, 403)


def test_publish_needs_csrf(client: httpx.Client) -> None:
    login(client, "adams-admin", DEMO_PASSWORD)
    posted = client.post(
        "/j/adams/publications",
        data={"csrf_token": "forged", "title": "x", "kind": "notice", "statement": "x"},
    )
    assert posted.status_code == 403
    assert "this form has expired" in posted.text


def test_publish_download_bundle_and_verify(client: httpx.Client, demo_app: App) -> None:
    login(client, "adams-admin", DEMO_PASSWORD)
    done = _publish(client, title="Polling-place change")
    assert done.status_code == 200
    assert str(done.url).endswith("/publications/adams-pub-1")
    assert hashlib.sha256(PDF).hexdigest() in done.text
    download = client.get("/publications/adams-pub-1/document")
    assert download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment")
    bundle = json.loads(client.get("/publications/adams-pub-1/bundle.json").text)
    assert bundle["document_sha256"] == hashlib.sha256(PDF).hexdigest()
    client.post("/logout", data={"csrf_token": csrf(client.get("/verify-document").text)})

    token = csrf(client.get("/verify-document").text)
    good = client.post(
        "/verify-document",
        data={"csrf_token": token},
        files={"document": ("copy.pdf", PDF, "application/pdf")},
    )
    entry = bundle["log_entry"]["index"]
    assert (
        f"Published by Adams County on {local_time(bundle['publication']['published_at'])} as "
        f"Polling-place change, log entry {entry}; proof checked against the signed log of"
    ) in _words(good.text)
    by_hash = client.post(
        "/verify-document",
        data={"csrf_token": token, "sha256": hashlib.sha256(PDF).hexdigest().upper()},
    )
    assert 'data-testid="match"' in by_hash.text
    wrong = client.post(
        "/verify-document",
        data={"csrf_token": token},
        files={"document": ("copy.pdf", PDF.replace(b"Adams", b"Adamz"), "application/pdf")},
    )
    assert "has not published this document" in wrong.text
    assert verify(demo_app).ok


def test_withdrawn_is_said_with_reason(client: httpx.Client) -> None:
    login(client, "adams-admin", DEMO_PASSWORD)
    _publish(client, statement="Polls close at 7 p.m.", title="Hours")
    page = client.get("/j/adams/publications")
    withdrawn = client.post(
        "/j/adams/publications/adams-pub-1/withdraw",
        data={"csrf_token": csrf(page.text), "reason": "wrong closing time"},
    )
    assert "Withdrew adams-pub-1" in withdrawn.text
    token = csrf(client.get("/verify-document").text)
    answer = client.post(
        "/verify-document", data={"csrf_token": token, "statement": "Polls close at 7 p.m.\r\n"}
    )
    text = _words(answer.text)
    assert "then withdrawn on" in text
    assert "because wrong closing time" in text
    assert "Withdrawn" in client.get("/publications").text


def test_anyone_may_send_a_large_file_to_check(client: httpx.Client) -> None:
    """The public verify form takes real documents, far over the 64 KB cap of other forms."""
    token = csrf(client.get("/verify-document").text)
    big = b"%PDF-1.7\n" + bytes(range(256)) * 2048  # 512 KB
    answer = client.post(
        "/verify-document",
        data={"csrf_token": token},
        files={"document": ("scan.pdf", big, "application/pdf")},
    )
    assert answer.status_code == 200
    assert "has not published this document" in answer.text
    assert hashlib.sha256(big).hexdigest() in answer.text
