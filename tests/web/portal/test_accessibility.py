"""WCAG 2.1 AA on every public page, checked by axe-core in a real headless Chromium.

The pages come from the router (``pages.py``), so a new public page is
checked without anyone adding it here; the answer pages reached by a form
(the registration self-check's, the document check's with and without a
match) are added by hand. axe-core is installed by npm from
the repository's ``package-lock.json`` (``scripts/ensure-test-deps`` runs
``npm ci``) and injected into each page by the test: the site itself loads no
script from anywhere. Besides axe's serious and critical findings, the rules
the portal promises (one main landmark, all content in landmarks, headings in
order, a skip link, a page language) must pass outright.

The same pages must fit a 390 pixel wide phone without sideways scrolling,
show their content with JavaScript switched off, and, from the keyboard, offer
a skip link first and show where the focus is on every element tabbed to.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from tests.services.voters.fixtures import SECRET_DOB
from tests.shared_data import REPO
from tests.web.audit.test_audit_acceptance import resize
from tests.web.portal.conftest import RUMOR
from tests.web.portal.pages import classify
from tests.web.test_browser import browser  # noqa: F401 - the same Chromium fixture
from tests.web.test_every_page import keyboard
from votetrail.services.context import App
from votetrail.web.app import create_app

pytestmark = pytest.mark.browser

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
PHONE = (390, 844)
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
MUST_PASS = {
    "landmark-one-main",
    "region",
    "heading-order",
    "page-has-heading-one",
    "bypass",
    "skip-link",
    "html-has-lang",
    "html-lang-valid",
    "color-contrast",
    "label",
    "document-title",
}
"""Rules whose every finding fails the test, whatever impact axe gives it."""


@pytest.fixture(scope="module")
def pages(portal_app: App, portal_url: str) -> list[str]:
    with httpx.Client(base_url=portal_url, timeout=30) as anonymous:
        found = classify(create_app(portal_app), portal_app, anonymous)
    assert found.problems == []
    return found.pages


WATCH_POLICY = """
window.blocked = [];
document.addEventListener('securitypolicyviolation',
  e => window.blocked.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
"""
"""Records what the Content-Security-Policy refuses on each page (an inline style, another
site's font...): a page that needs it looks or works wrong for every reader."""


def _axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run scripts/ensure-test-deps (npm ci)")
    return AXE.read_text(encoding="utf-8")


def _run_axe(driver: webdriver.Chrome, source: str) -> list[dict[str, Any]]:
    driver.execute_script(source)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(r => done(JSON.stringify(r.violations)), e => done(JSON.stringify(String(e))));",
        TAGS,
    )
    found = json.loads(result)
    assert isinstance(found, list), found
    return found


def _registration_answer(driver: webdriver.Chrome, url: str) -> None:
    """The self-check's answer for Maria Garcia, reached by filling in the form."""
    driver.get(url + "/check-registration")
    driver.find_element(By.NAME, "voter_id").send_keys("ADAMS000000")
    driver.find_element(By.NAME, "last_name").send_keys("Garcia")
    dob = driver.find_element(By.NAME, "dob")
    driver.execute_script("arguments[0].value = arguments[1]", dob, SECRET_DOB.isoformat())
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    _wait_for(driver, "[data-testid=proof-ok]")


def _wait_for(driver: webdriver.Chrome, css: str) -> None:
    WebDriverWait(driver, 20).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css))
    )


def _visits(driver: webdriver.Chrome, url: str, pages: list[str]) -> Iterator[str]:
    """Load each page in turn (then the answers to the forms), yielding its name."""
    for page in pages:
        driver.get(url + page)
        yield page
    _registration_answer(driver, url)
    yield "/check-registration (answer)"
    for sent, answer in ((RUMOR, "match"), ("Polling places moved.", "no-match")):
        driver.get(url + "/verify-document")
        driver.find_element(By.CSS_SELECTOR, "[data-testid=verify-text]").send_keys(sent)
        driver.find_element(By.CSS_SELECTOR, "[data-testid=verify-text-submit]").click()
        _wait_for(driver, f"[data-testid={answer}]")
        yield f"/verify-document ({answer})"


def _problems(page: str, violations: list[dict[str, Any]]) -> list[str]:
    return [
        f"{page}: {v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:3])
        for v in violations
        if v["impact"] in ("serious", "critical") or v["id"] in MUST_PASS
    ]


def test_axe_finds_no_serious_or_critical_violation_on_any_public_page(
    browser: webdriver.Chrome,  # noqa: F811 - the fixture imported above
    portal_url: str,
    pages: list[str],
) -> None:
    source = _axe_source()
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH_POLICY})
    problems: list[str] = []
    blocked: list[str] = []
    for page in _visits(browser, portal_url, pages):
        problems += _problems(page, _run_axe(browser, source))
        blocked += [f"{page}: {b}" for b in browser.execute_script("return window.blocked || []")]
    assert problems == []
    assert blocked == []  # nothing the page asks for is refused by its own security policy
    # The checker is live: an image without a text alternative, planted in the last page, is found.
    browser.execute_script("document.querySelector('main').append(document.createElement('img'))")
    assert "image-alt" in {v["id"] for v in _run_axe(browser, source)}
    # And the policy watch is live: an image from another site is refused and recorded.
    refused = browser.execute_async_script(
        "const done = arguments[0], img = new Image(); img.alt = '';"
        "img.src = 'https://example.org/tracker.png'; document.body.append(img);"
        "setTimeout(() => done(window.blocked), 500);"
    )
    assert any("example.org" in b for b in refused), refused


def test_every_public_page_fits_a_phone(
    browser: webdriver.Chrome,  # noqa: F811 - the fixture imported above
    portal_url: str,
    pages: list[str],
) -> None:
    resize(browser, PHONE)
    too_wide: list[str] = []
    for page in _visits(browser, portal_url, pages):
        width = browser.execute_script("return document.documentElement.scrollWidth")
        if width > PHONE[0]:
            too_wide.append(f"{page} is {width} pixels wide")
    assert too_wide == []


def test_every_public_page_works_without_javascript(
    browser: webdriver.Chrome,  # noqa: F811 - the fixture imported above
    portal_url: str,
    pages: list[str],
) -> None:
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    # Scripts are really off: this page's own script would change the paragraph.
    browser.get(
        "data:text/html,<p id=p>off</p><script>document.getElementById('p').textContent='on'"
        "</script>"
    )
    assert browser.find_element(By.ID, "p").text == "off"
    for page in _visits(browser, portal_url, pages):
        heading = browser.find_element(By.CSS_SELECTOR, "main h1")
        assert heading.text.strip(), page


TABS = 12
"""Elements tabbed through on each public page after the skip link."""


def test_every_public_page_starts_with_a_skip_link_and_shows_the_focus(
    browser: webdriver.Chrome,  # noqa: F811 - the fixture imported above
    portal_url: str,
    pages: list[str],
) -> None:
    problems: list[str] = []
    for page in _visits(browser, portal_url, pages):
        problems += keyboard(browser, page, TABS)
    assert problems == []
