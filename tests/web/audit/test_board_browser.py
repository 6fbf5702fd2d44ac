"""An audit board on a phone-sized screen in headless Chromium, using only the keyboard.

At 390 px wide no page may scroll sideways as a whole (wide tables scroll in
their own box), and a ballot is entered with Tab, Space and Enter alone.
"""

from __future__ import annotations

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from tests.web.audit.test_board_pages import (  # noqa: F401 - the fixtures too
    Audit,
    audit,
    ballots_of,
    site,
    stored,
)
from tests.web.audit.test_state_browser import _fits
from tests.web.test_browser import browser, sign_in  # noqa: F401 - the same Chromium fixture
from votetrail.services.context import App

pytestmark = pytest.mark.browser

WIDTH = 390


def _focused(driver: webdriver.Chrome) -> WebElement:
    active = driver.switch_to.active_element
    assert isinstance(active, WebElement)
    return active


@pytest.mark.only_on("sqlite")
def test_a_board_enters_a_ballot_by_keyboard_on_a_phone(
    browser: webdriver.Chrome,  # noqa: F811 - the fixture imported above
    site: str,  # noqa: F811 - the fixture imported above
    audit: Audit,  # noqa: F811 - the fixture imported above
    election_app: App,
) -> None:
    board = audit.boards[0]
    own = ballots_of(election_app, board)
    ballot = next(b for b in own if not b.phantom)
    n = own.index(ballot) + 1
    browser.set_window_size(WIDTH, 844)
    wait = WebDriverWait(browser, 20)

    browser.get(f"{site}/board-link/{audit.tokens[board]}")
    _fits(browser)
    browser.find_element(By.CSS_SELECTOR, "[data-testid=link-sign-in]").send_keys(Keys.ENTER)
    wait.until(expected_conditions.url_contains("/audit-board"))
    wait.until(
        expected_conditions.presence_of_element_located(
            (By.CSS_SELECTOR, "[data-testid=board-ballots]")
        )
    )
    _fits(browser)

    browser.get(f"{site}/audit-board/ballots/{n}")
    _fits(browser)
    box = browser.find_element(By.CSS_SELECTOR, "input[name=c0]")
    assert box.size["height"] >= 20  # a finger-sized box on a tablet
    assert box.find_element(By.XPATH, "..").size["height"] >= 44  # and its label around it
    # From the "not found" box, Tab reaches the first contest's first choice; Space ticks it.
    browser.find_element(By.NAME, "not_found").send_keys(Keys.TAB)
    first = _focused(browser)
    assert first.get_attribute("name") == "c0"
    first.send_keys(Keys.SPACE)
    for i in range(1, len(ballot.contests)):
        box = browser.find_element(By.CSS_SELECTOR, f"input[name=c{i}]")
        box.send_keys(Keys.SPACE)
    browser.find_element(By.CSS_SELECTOR, "[data-testid=save-next]").send_keys(Keys.ENTER)
    wait.until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "[data-testid=flash]"))
    )
    _fits(browser)
    assert stored(election_app, ballot.ballot_id) == {
        c.contest_id: c.choices[0] for c in ballot.contests
    }

    browser.get(f"{site}/audit-board/review")
    _fits(browser)


@pytest.mark.only_on("sqlite")
def test_the_county_audit_pages_fit_a_phone(
    browser: webdriver.Chrome,  # noqa: F811 - the fixture imported above
    site: str,  # noqa: F811 - the fixture imported above
    audit: Audit,  # noqa: F811 - the fixture imported above
) -> None:
    browser.set_window_size(WIDTH, 844)
    sign_in(browser, site)
    for path in ("/j/adams/audits", f"/j/adams/audits/{audit.id}"):
        browser.get(site + path)
        _fits(browser)
    boards = browser.find_element(By.CSS_SELECTOR, "[data-testid=boards]")
    box = boards.find_element(By.XPATH, "..")
    assert box.get_attribute("class") == "table-scroll"
    assert boards.size["width"] > box.size["width"]  # the table scrolls inside its box
