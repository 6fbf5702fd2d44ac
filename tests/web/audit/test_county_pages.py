"""A county's audit pages over real HTTP, on SQLite and PostgreSQL.

Every demo county is in a ballot-comparison audit of the demo election with
its first round drawn. Adams's administrator sets up its boards, hands
out one-time links and prints retrieval lists; Clark's administrator, who
may run Clark's part of the same audit, guesses Adams's addresses and is
refused each one, in the log.
"""

from __future__ import annotations

import base64
import csv
import io
import re
from collections.abc import Iterator

import httpx
import pytest

from tests.services.voters.fixtures import who
from tests.web.audit.test_board_pages import client, denied, sign_in_by_link, start_audit
from tests.web.server import csrf, login, serving
from votetrail.services.audit.setup import AuditMethod, AuditSetup, create_audit
from votetrail.services.context import App
from votetrail.services.setup import DEMO_PASSWORD

COOKIE = "votetrail_session"
BOARD = {
    "name": "Warehouse Board A",
    "member1": "Ana Ruiz",
    "party1": "Democratic",
    "member2": "Bo Chen",
    "party2": "Republican",
}


@pytest.fixture
def audit_id(election_app: App) -> str:
    return start_audit(election_app)


@pytest.fixture
def site(election_app: App, audit_id: str) -> Iterator[str]:
    with serving(election_app) as url:
        yield url


def _link(html: str) -> str:
    found = re.search(r'data-testid="link-url">([^<]+)</code>', html)
    assert found is not None, html
    return found.group(1)


def _token(url: str) -> str:
    return url.rsplit("/board-link/", 1)[1]


def _cookie_text(http: httpx.Client) -> str:
    """What the signed session cookie carries, decoded (it is signed, not encrypted)."""
    payload = http.cookies[COOKIE].split(".")[0]
    return base64.b64decode(payload + "=" * (-len(payload) % 4)).decode()


def test_the_county_sets_up_a_board_and_its_link_is_shown_once(
    site: str, audit_id: str, election_app: App
) -> None:
    page_url = f"/j/adams/audits/{audit_id}"
    with client(site) as http:
        home = login(http, "adams-admin", DEMO_PASSWORD)
        assert 'href="/j/adams/audits"' in home.text
        listing = http.get("/j/adams/audits")
        assert listing.status_code == 200
        assert f'data-audit="{audit_id}"' in listing.text
        page = http.get(page_url)
        assert page.status_code == 200
        assert 'data-testid="county-progress"' in page.text
        assert f"{page_url}/retrieval.csv?round=1" in page.text
        assert f"{page_url}/retrieval.pdf?round=1" in page.text
        assert 'data-testid="no-boards"' in page.text

        bad = http.post(
            f"{page_url}/boards",
            data={**BOARD, "party2": "democratic", "csrf_token": csrf(page.text)},
        )
        assert bad.status_code == 400
        assert "different parties" in bad.text
        assert 'value="Warehouse Board A"' in bad.text  # the typed input is kept
        assert "/board-link/" not in bad.text

        made = http.post(f"{page_url}/boards", data={**BOARD, "csrf_token": csrf(page.text)})
        assert made.status_code == 200
        assert made.headers["Cache-Control"] == "no-store"
        first = _link(made.text)
        assert first.startswith(f"{site}/board-link/")
        assert "shown only now" in made.text
        assert _token(first) not in _cookie_text(http)

        shown_again = http.get(page_url)
        assert _token(first) not in shown_again.text
        assert "/board-link/" not in shown_again.text
        assert 'data-board="' in shown_again.text
        assert "Ana Ruiz (Democratic)" in shown_again.text

        reissued = http.post(
            f"{page_url}/boards/1/link", data={"csrf_token": csrf(shown_again.text)}
        )
        assert reissued.status_code == 200
        second = _link(reissued.text)
        assert second != first
        assert _token(second) not in _cookie_text(http)
        assert _token(second) not in http.get(page_url).text

        assigned = http.post(f"{page_url}/assign", data={"csrf_token": csrf(page.text)})
        assert assigned.status_code == 200
        assert re.search(r"Assigned \d+ ballots to the audit boards", assigned.text)

    with client(site) as tablet:
        assert sign_in_by_link(tablet, _token(first)).status_code == 401  # replaced
    with client(site) as tablet:
        board = sign_in_by_link(tablet, _token(second))
        assert board.url.path == "/audit-board"
        assert "Warehouse Board A" in board.text


def test_the_retrieval_list_downloads_as_csv_and_pdf(site: str, audit_id: str) -> None:
    with client(site) as http:
        login(http, "adams-admin", DEMO_PASSWORD)
        sheet = http.get(f"/j/adams/audits/{audit_id}/retrieval.csv?round=1")
        assert sheet.status_code == 200
        assert sheet.headers["content-type"].startswith("text/csv")
        assert "attachment" in sheet.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(sheet.text)))
        assert rows
        assert {r["round"] for r in rows} == {"1"}
        assert all(r["ballot_id"].startswith("adams") for r in rows)
        pdf = http.get(f"/j/adams/audits/{audit_id}/retrieval.pdf?round=1")
        assert pdf.status_code == 200
        assert pdf.content.startswith(b"%PDF")
        assert http.get(f"/j/adams/audits/{audit_id}/retrieval.csv?round=x").status_code == 400


def test_another_county_cannot_reach_adams_by_guessing_addresses(
    site: str, audit_id: str, election_app: App
) -> None:
    base = f"/j/adams/audits/{audit_id}"
    with client(site) as adams:
        page = login(adams, "adams-admin", DEMO_PASSWORD)
        adams.post(f"{base}/boards", data={**BOARD, "csrf_token": csrf(page.text)})
    with client(site) as clark:
        home = login(clark, "clark-admin", DEMO_PASSWORD)
        token = csrf(home.text)
        own = clark.get(f"/j/clark/audits/{audit_id}")
        assert own.status_code == 200  # Clark's own part of the same audit
        for path in (
            "/j/adams/audits",
            base,
            f"{base}/retrieval.csv?round=1",
            f"{base}/retrieval.pdf?round=1",
        ):
            refused = clark.get(path)
            assert refused.status_code == 403, path
            assert "adams:" not in refused.text
        for path in (f"{base}/boards/1/link", f"{base}/boards", f"{base}/assign"):
            refused = clark.post(path, data={**BOARD, "csrf_token": token})
            assert refused.status_code == 403, path
            assert "/board-link/" not in refused.text
    logged = denied(election_app, "clark-admin")
    for what in (
        "GET /j/adams/audits",
        f"GET {base}",
        f"GET {base}/retrieval.csv",
        f"GET {base}/retrieval.pdf",
        f"POST {base}/boards/1/link",
        f"POST {base}/boards",
        f"POST {base}/assign",
    ):
        assert what in logged, (what, logged)


def test_a_county_not_in_the_audit_and_an_unknown_board_are_not_there(
    site: str, audit_id: str, election_app: App
) -> None:
    practice = create_audit(
        election_app,
        who(election_app, "state-admin"),
        AuditSetup("Practice", AuditMethod.BALLOT_POLLING, "0.1", ["Governor"], [], ["adams"]),
    )
    with client(site) as http:
        page = login(http, "state-admin", DEMO_PASSWORD)
        assert http.get(f"/j/baker/audits/{practice}").status_code == 404
        assert http.get(f"/j/baker/audits/{practice}/retrieval.csv").status_code == 404
        listing = http.get("/j/baker/audits").text
        assert f'data-audit="{audit_id}"' in listing
        assert f'data-audit="{practice}"' not in listing
        assert f'data-audit="{practice}"' in http.get("/j/adams/audits").text
        missing = http.post(
            f"/j/adams/audits/{audit_id}/boards/7/link", data={"csrf_token": csrf(page.text)}
        )
        assert missing.status_code == 404
        assert http.get(f"/j/adams/audits/{audit_id}").status_code == 200  # the state may


def test_an_audit_board_account_is_refused_the_county_pages(
    site: str, audit_id: str, election_app: App
) -> None:
    with client(site) as http:
        login(http, "adams-board", DEMO_PASSWORD)
        assert http.get(f"/j/adams/audits/{audit_id}").status_code == 403
        assert http.get(f"/j/adams/audits/{audit_id}/retrieval.csv").status_code == 403
    assert f"GET /j/adams/audits/{audit_id}" in denied(election_app, "adams-board")


def test_pages_fit_a_phone(site: str, audit_id: str) -> None:
    """Wide tables sit in a sideways-scrolling box at 390 px; the stylesheet says how."""
    with client(site) as http:
        login(http, "adams-admin", DEMO_PASSWORD)
        page = http.get(f"/j/adams/audits/{audit_id}")
        for table in ("county-progress",):
            at = page.text.index(f'data-testid="{table}"')
            assert page.text.rfind('<div class="table-scroll">', 0, at) != -1
        css = http.get("/static/site.css").text
        assert ".table-scroll { overflow-x: auto;" in css
