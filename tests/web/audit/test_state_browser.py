"""The state administrator runs an audit's first steps in headless Chromium on a phone-sized screen.

At 390 px wide no page may scroll sideways as a whole: the county status board
and the rounds table turn into one card per row, each cell named by its column.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from tests.web.audit.running import SEED
from tests.web.server import serving
from tests.web.test_browser import browser, sign_in  # noqa: F401 - the same Chromium fixture
from votetrail.services.audit.seed import stored_seed
from votetrail.services.context import App

pytestmark = pytest.mark.browser

WIDTH = 390


@pytest.fixture
def site(election_app: App) -> Iterator[str]:
    with serving(election_app) as url:
        yield url


def _fits(driver: webdriver.Chrome) -> None:
    inner = driver.execute_script("return window.innerWidth")
    page = driver.execute_script("return document.documentElement.scrollWidth")
    assert page <= inner, (driver.current_url, page, inner)


@pytest.mark.only_on("sqlite")
def test_the_state_sets_up_seeds_and_draws_on_a_phone(
    browser: webdriver.Chrome,  # noqa: F811 - the fixture imported above
    site: str,
    election_app: App,
) -> None:
    browser.set_window_size(WIDTH, 844)
    wait = WebDriverWait(browser, 30, ignored_exceptions=(WebDriverException,))
    flash = (By.CSS_SELECTOR, "[data-testid=flash]")
    sign_in(browser, site, "state-admin")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=state-links] a[href='/audits']").click()
    wait.until(expected_conditions.url_to_be(site + "/audits"))
    _fits(browser)

    form = browser.find_element(By.ID, "create-form")
    form.find_element(By.NAME, "election").send_keys("2026 General")
    form.find_element(By.CSS_SELECTOR, "input[name=targeted][value=Governor]").click()
    for county in ("adams", "baker", "clark"):
        form.find_element(By.CSS_SELECTOR, f"input[name=counties][value={county}]").click()
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait.until(expected_conditions.text_to_be_present_in_element(flash, "Set up audit-"))
    audit_id = browser.current_url.rsplit("/", 1)[-1]
    _fits(browser)
    # The status board is one card per county, each number named by its column.
    cell = browser.find_element(By.CSS_SELECTOR, "tr[data-county=adams] td[data-label=Phantoms]")
    assert cell.location["x"] < WIDTH / 2  # the card's cell starts at the left, not in a column
    assert not browser.find_element(
        By.CSS_SELECTOR, "[data-testid=county-board] thead"
    ).is_displayed()

    seed = browser.find_element(By.ID, "seed-form")
    seed.find_element(By.NAME, "seed").send_keys(SEED)
    seed.find_element(By.NAME, "witnesses").send_keys("Ana Ruiz\nBo Chen")
    seed.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait.until(expected_conditions.text_to_be_present_in_element(flash, "recorded"))
    assert stored_seed(election_app, audit_id) == SEED
    _fits(browser)

    drawing = browser.find_element(By.ID, "draw-form")
    drawing.find_element(By.CSS_SELECTOR, "input[name=size][value=custom]").click()
    drawing.find_element(By.NAME, "custom_size").send_keys("20")
    drawing.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait.until(expected_conditions.text_to_be_present_in_element(flash, "Round 1 drawn: 20"))
    _fits(browser)
    drawn = browser.find_elements(
        By.CSS_SELECTOR, "[data-testid=county-board] td[data-testid=drawn]"
    )
    assert sum(int(td.text) for td in drawn) == 20
