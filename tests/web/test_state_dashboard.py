"""The state's dashboard, the county's tabs, and links that only go where the viewer may go.

Issue 20, items 2, 3 and 17: the state administrator's page is a dashboard
of every county with what needs the administrator's action; every page links
only to pages the viewer's role may open (the security analyst sees no
county); a county's page is a summary with a tab per part.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from tests.services.dashboard_scenario import Loaded, load_two_counties
from tests.web.server import login, serving
from tests.web.test_browser import browser  # noqa: F401 - the same Chromium fixture
from votetrail.services.context import App
from votetrail.services.counting import results as counting
from votetrail.services.setup import DEMO_PASSWORD

HREF = re.compile(r'<a\s[^>]*href="([^"]+)"')
NOT_PAGES = ("/static/", "/logout")


@dataclass
class Site:
    app: App
    url: str
    loaded: Loaded


@pytest.fixture
def site(demo_app: App, shared_data: Path, tmp_path: Path) -> Iterator[Site]:
    loaded = load_two_counties(demo_app, shared_data, tmp_path)
    with serving(demo_app) as url:
        yield Site(demo_app, url, loaded)


@contextmanager
def _signed_in(site: Site, username: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site.url, follow_redirects=True, timeout=30) as client:
        assert login(client, username, DEMO_PASSWORD).status_code == 200
        yield client


def _row(page: str, county: str) -> str:
    return page.split(f'<tr data-county="{county}">', 1)[1].split("</tr>", 1)[0]


def _cell(row: str, name: str) -> str:
    cell = row.split(f'data-cell="{name}"', 1)[1].split("</td>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", "", cell.split(">", 1)[1]).split())


def _links(page: str) -> list[str]:
    """The page's own links (not the stylesheet, not another site), in order, once each."""
    found = [unescape(h) for h in HREF.findall(page)]
    own = [h for h in found if h.startswith("/") and not h.startswith("//")]
    return list(dict.fromkeys(h.split("#", 1)[0] for h in own if not h.startswith(NOT_PAGES)))


def test_the_state_admin_sees_every_county_and_what_needs_action(site: Site) -> None:
    with _signed_in(site, "state-admin") as client:
        page = client.get("/j/state").text
    needs = page.split('data-testid="needs-action"', 1)[1].split("</section>", 1)[0]
    assert page.index('data-testid="needs-action"') < page.index('data-testid="dashboard"')
    session = site.loaded.adams_session
    for href, words in (
        ("/voters/alerts", "1 voter alert waits for acknowledgement"),
        (f"/j/adams/lat/{session}", f"L&amp;A test {session} has a device that failed"),
        ("/j/adams/accounting", "ballot accounting errors to resolve or explain"),
        ("/j/baker/voters/review", "list-maintenance review item"),
    ):
        assert f'href="{href}"' in needs, href
        assert words in needs, words
    assert "Clark County" not in needs

    adams, baker, clark = (_row(page, c) for c in ("adams", "baker", "clark"))
    report = counting.accounting(site.app, "adams").reconciliation.summary
    assert _cell(adams, "files") == "Cast vote records, Ballot manifest"
    assert _cell(adams, "ballots") == f"{site.loaded.adams_ballots:,}"
    assert _cell(adams, "accounting") == f"{report.errors} errors, {report.warnings} warnings"
    assert _cell(adams, "lat") == "1 open, 0 signed, 1 failed"
    assert (_cell(adams, "alerts"), _cell(adams, "reviews")) == ("1", "0")
    assert _cell(baker, "files") == "none yet"
    assert _cell(baker, "ballots") == "0"
    assert _cell(baker, "lat") == "0 open, 1 signed, 0 failed"
    assert _cell(baker, "reviews") == str(site.loaded.baker_reviews)
    assert _cell(clark, "lat") == "0 open, 0 signed, 0 failed"
    assert '<div class="table-scroll"' in page.split('data-testid="dashboard"', 1)[0]


def test_the_analyst_is_shown_no_county(site: Site) -> None:
    with _signed_in(site, "analyst") as client:
        page = client.get("/j/state").text
    assert "/j/adams" not in page
    assert "/j/baker" not in page
    assert 'data-testid="dashboard"' not in page
    assert 'href="/netmon"' in page


OFFICIALS = {
    "state-admin": ["/workspace", "/j/state"],
    "analyst": ["/workspace", "/j/state"],
    "adams-admin": ["/workspace", "/j/adams"],
    "adams-board": ["/workspace", "/j/adams"],
    "baker-admin": ["/workspace", "/j/baker"],
}


@pytest.mark.only_on("sqlite")  # the links are in the pages, not the backend
def test_every_link_on_each_roles_pages_opens(site: Site) -> None:
    """Each role's workspace, state or county page and its tabs: no link answers 401 or 403."""
    problems = []
    followed = 0
    for username, starts in OFFICIALS.items():
        with _signed_in(site, username) as client:
            pages = list(starts)
            county = starts[-1]
            if county != "/j/state":
                pages += [county + tab for tab in ("/uploads", "/results", "/accounting")]
                pages += [county + "/officials", county + "/log"]
            seen: set[str] = set()
            for start in pages:
                answer = client.get(start)
                if answer.status_code in (401, 403):
                    problems.append(f"{username}: {start} answered {answer.status_code}")
                    continue
                for link in _links(answer.text):
                    if link in seen:
                        continue
                    seen.add(link)
                    status = client.get(link).status_code
                    followed += 1
                    if status in (401, 403):
                        problems.append(f"{username}: {start} links to {link}, {status}")
    assert not problems, "\n".join(problems)
    assert followed > 50


def test_the_county_page_is_a_summary_with_tabs(site: Site) -> None:
    with _signed_in(site, "adams-admin") as client:
        summary = client.get("/j/adams").text
        tabs = summary.split('<nav class="tabs"', 1)[1].split("</nav>", 1)[0]
        for part in ("", "/uploads", "/results", "/accounting", "/officials", "/log"):
            assert f'href="/j/adams{part}"' in tabs
            page = client.get(f"/j/adams{part}")
            assert page.status_code == 200
            assert page.text.count("<h1") == 1
            current = page.text.split('aria-current="page"', 1)[0].rsplit("<a ", 1)[1]
            assert f'href="/j/adams{part}"' in current  # the tab bar marks where you are
        accounting = client.get("/j/adams/accounting").text
        uploads = client.get("/j/adams/uploads").text
    report = counting.accounting(site.app, "adams").reconciliation.summary
    assert f"{report.errors} errors" in summary
    assert "Cast vote records, Ballot manifest" in summary  # words, not kinds
    assert "Paper-record counts" in summary.split('data-testid="kinds-missing"', 1)[1]
    assert f"{site.loaded.adams_ballots:,}" in summary
    assert "1 open, 0 signed, 1 failed" in summary
    assert 'href="/j/adams/accounting"' in summary.split('data-testid="needs-action"', 1)[1]
    assert "<details" in accounting  # the list behind each group's headline
    assert "batch has more ballots tabulated than the ballot manifest lists" in accounting
    assert ">cvrs<" not in uploads
    assert ">Cast vote records<" in uploads
    assert '<details class="fold">' in uploads  # hashes behind the fold


def test_an_audit_board_sees_no_link_it_cannot_follow(site: Site) -> None:
    with _signed_in(site, "adams-board") as client:
        summary = client.get("/j/adams").text
    for hidden in ("/j/adams/lat", "/j/adams/voters", "/j/adams/publications", "/upload/"):
        assert hidden not in summary, hidden
    assert "Needs action" in summary


PHONE = (390, 844)


@pytest.mark.browser
@pytest.mark.only_on("sqlite")
def test_at_phone_width_only_the_dashboard_table_scrolls_sideways(
    site: Site,
    browser: webdriver.Chrome,  # noqa: F811 - the imported fixture
) -> None:
    browser.set_window_size(*PHONE)
    browser.get(site.url + "/login")
    browser.find_element(By.NAME, "username").send_keys("state-admin")
    browser.find_element(By.NAME, "password").send_keys(DEMO_PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]").click()
    WebDriverWait(browser, 20).until(expected_conditions.url_contains("/j/state"))
    for path in ("/j/state", "/j/adams", "/j/adams/uploads", "/j/adams/accounting"):
        browser.get(site.url + path)
        page = browser.execute_script("return document.documentElement.scrollWidth")
        viewport = browser.execute_script("return document.documentElement.clientWidth")
        assert page <= viewport, f"{path} scrolls sideways: {page} > {viewport}"
    browser.get(site.url + "/j/state")
    box = browser.find_element(By.CSS_SELECTOR, ".table-scroll:has(> table.dashboard)")
    inside = browser.execute_script(
        "return [arguments[0].scrollWidth, arguments[0].clientWidth]", box
    )
    assert inside[0] > inside[1]  # the table scrolls inside its own box
    # The tabs are plain links: following one needs no script.
    browser.get(site.url + "/j/adams")
    browser.find_element(By.CSS_SELECTOR, "nav.tabs a[href='/j/adams/accounting']").click()
    WebDriverWait(browser, 20).until(expected_conditions.url_contains("/j/adams/accounting"))
    group = browser.find_element(By.CSS_SELECTOR, "details.finding-group")
    assert group.find_element(By.CSS_SELECTOR, "summary").is_displayed()
