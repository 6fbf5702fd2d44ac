"""The public portal over real HTTP: what is public, where its links lead, the results files.

Signed out, every GET route of the application is asked for (``pages.py``);
the public pages' links must lead only to pages that answer 200 signed out
(a voter following the home page never meets a sign-in wall), and they load
nothing from another origin.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from markupsafe import escape

from tests.cli.helpers import url_of, votetrail
from tests.web.portal.conftest import RUMOR
from tests.web.portal.pages import Classified, classify
from tests.web.server import serving
from votetrail.services.context import App
from votetrail.web.app import create_app

PORTAL = (
    "/",
    "/results",
    "/results/adams",
    "/log",
    "/check-registration",
    "/lat",
    "/public/audits",
)
"""The pages the home page promises, each of which must be public."""


@pytest.fixture(scope="module")
def public(portal_app: App, portal_url: str) -> Classified:
    with httpx.Client(base_url=portal_url, timeout=30) as anonymous:
        return classify(create_app(portal_app), portal_app, anonymous)


class _Links(HTMLParser):
    """Every link a page offers, and every resource it loads."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.resources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "a" and "href" in values:
            self.links.append(values["href"])
        if (
            tag in ("script", "img", "iframe", "audio", "video", "source", "embed")
            and "src" in values
        ):
            self.resources.append(values["src"])
        if tag == "link" and "href" in values:
            self.resources.append(values["href"])
        if tag == "object" and "data" in values:
            self.resources.append(values["data"])


def _parsed(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def test_every_route_is_classified_and_the_portal_is_public(public: Classified) -> None:
    assert public.problems == []
    for path in PORTAL:
        assert path in public.pages, path
    assert "/j/adams" in public.private
    assert "/results/adams/results.csv" in public.files


def test_public_pages_link_only_to_public_pages(public: Classified, portal_url: str) -> None:
    """Fails on the old home page, which linked each county's workspace (401 signed out)."""
    broken: list[str] = []
    with httpx.Client(base_url=portal_url, timeout=30) as anonymous:
        seen: dict[str, int] = {}
        for page in public.pages:
            for href in _parsed(anonymous.get(page).text).links:
                target = urlsplit(urljoin(portal_url + page, href))
                if f"{target.scheme}://{target.netloc}" != portal_url:
                    continue
                path = target.path + (f"?{target.query}" if target.query else "")
                if path not in seen:
                    seen[path] = anonymous.get(path).status_code
                if seen[path] != 200:
                    broken.append(f"{page} links {path}, which answers {seen[path]}")
    assert broken == []


def test_home_page_leads_to_every_part_of_the_portal(portal_url: str) -> None:
    home = httpx.get(portal_url + "/", timeout=30).text
    links = set(_parsed(home).links)
    for path in (
        "/results",
        "/results/adams",
        "/public/audits",
        "/lat",
        "/check-registration",
        "/publications",
        "/verify-document",
        "/rumor-control",
        "/log",
        "/checkpoint",
    ):
        assert path in links, path
    assert not any(link.startswith("/j/") for link in links)


def test_public_pages_load_nothing_from_another_origin(public: Classified, portal_url: str) -> None:
    with httpx.Client(base_url=portal_url, timeout=30) as anonymous:
        for page in public.pages:
            answer = anonymous.get(page)
            policy = answer.headers["content-security-policy"]
            assert "default-src 'self'" in policy, page
            for resource in _parsed(answer.text).resources:
                assert urlsplit(resource).netloc == "", (page, resource)
        css = anonymous.get("/static/site.css").text
    assert not re.search(r"url\(|@import", css)


@pytest.fixture
def site(election_app: App) -> Iterator[str]:
    with serving(election_app) as url:
        yield url


def test_results_files_are_what_the_cli_writes(
    site: str, election_app: App, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir, database_url = election_app.data_dir, url_of(election_app)
    with httpx.Client(base_url=site, timeout=30) as anonymous:
        for scope, options in (("adams", ["--jurisdiction", "adams"]), ("state", [])):
            csv = anonymous.get(f"/results/{scope}/results.csv")
            assert csv.status_code == 200
            assert csv.headers["content-type"].startswith("text/csv")
            assert f"{scope}-results.csv" in csv.headers["content-disposition"]
            cli = votetrail(
                capsys,
                "results",
                *options,
                "--format",
                "csv",
                data_dir=data_dir,
                database_url=database_url,
            )
            assert csv.text == cli.out
            contract = anonymous.get(f"/results/{scope}/results.json").json()
            cli = votetrail(
                capsys,
                "results",
                *options,
                "--format",
                "json",
                data_dir=data_dir,
                database_url=database_url,
            )
            assert contract == json.loads(cli.out)
            assert contract["contests"]
            nist = anonymous.get(f"/results/{scope}/results-nist.json").json()
            assert nist["@type"] == "ElectionResults.ElectionReport"
        statewide = anonymous.get("/results").text
        county = anonymous.get("/results/adams").text
    governor = next(c for c in contract["contests"] if c["name"] == "Governor")
    winner, votes = max(governor["tally"].items(), key=lambda item: item[1])
    assert f"{votes:,}" in statewide
    assert winner in statewide
    assert 'href="/results/adams/results-nist.json"' in county


def test_results_before_any_upload_say_so(client: httpx.Client) -> None:
    """The bare demo state (no election uploaded), statewide and for a county."""
    for path in ("/results", "/results/state", "/results/adams"):
        page = client.get(path)
        assert page.status_code == 200
        assert "No cast vote records have been uploaded yet." in page.text
        assert "results.csv" not in page.text
    assert client.get("/results/adams/results.json").status_code == 404
    assert client.get("/results/nowhere").status_code == 404
    assert client.get("/results/state/results.exe").status_code == 404


def test_rumor_control_lists_every_rumor_response_and_nothing_else(portal_url: str) -> None:
    page = httpx.get(portal_url + "/rumor-control", timeout=30).text
    articles = re.findall(r'<article class="rumor".*?</article>', page, re.S)
    assert len(articles) == 3  # the answer, the corrected first version, the withdrawn one
    current = next(a for a in articles if "No polling place in Adams County" in a)
    assert str(escape(RUMOR)) in current
    assert "Corrected" not in current
    assert "Withdrawn" not in current
    corrected = next(a for a in articles if "Polling places are unchanged." in a)
    correction = re.search(r'data-publication="([^"]+)"', current)
    assert correction is not None
    assert f'href="/publications/{correction.group(1)}">the correction' in corrected
    # A statement is text: markup in it is shown, never obeyed.
    withdrawn = next(a for a in articles if "Results will be &lt;b&gt;late&lt;/b&gt;." in a)
    assert "<b>" not in page
    assert "because: Published by mistake; results came on time." in withdrawn
    assert "Early voting hours" not in page  # a notice, not a rumor response
    for article in articles:
        found = re.search(r'data-publication="([^"]+)"', article)
        assert found is not None
        assert f'href="/publications/{found.group(1)}"' in article
