"""A county clerk works the voter list in a real headless Chromium, with plain forms only."""

from __future__ import annotations

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from tests.services.voters.fixtures import load
from tests.web.test_browser import browser, sign_in  # noqa: F401 - the same Chromium fixture
from votetrail.services.context import App

pytestmark = pytest.mark.browser


def test_clerk_searches_opens_a_voter_and_changes_the_address(
    browser: webdriver.Chrome,  # noqa: F811 - the fixture imported above
    base_url: str,
    demo_app: App,
) -> None:
    load(demo_app, "adams", 12)
    wait = WebDriverWait(browser, 20)
    sign_in(browser, base_url)

    browser.find_element(By.LINK_TEXT, "Voter list").click()
    wait.until(expected_conditions.url_contains("/j/adams/voters"))
    search = browser.find_element(By.CSS_SELECTOR, "form[role=search]")
    search.find_element(By.NAME, "last_name").send_keys("Smith")
    search.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait.until(expected_conditions.url_contains("last_name=Smith"))
    rows = browser.find_elements(By.CSS_SELECTOR, "table.voters tbody tr")
    assert [r.get_attribute("data-voter") for r in rows] == ["ADAMS000011", "ADAMS000010"]

    browser.find_element(By.LINK_TEXT, "ADAMS000010").click()
    wait.until(expected_conditions.url_contains("/voters/ADAMS000010"))
    form = browser.find_element(By.ID, "change-address")
    street = form.find_element(By.NAME, "street")
    assert street.get_attribute("value") == "110 Main St"
    street.clear()
    street.send_keys("77 Aspen Way")
    form.find_element(By.NAME, "reason").send_keys("voter moved within the county")
    form.find_element(By.NAME, "source_ref").send_keys("VR-FORM-2026-311")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

    shown = (By.CSS_SELECTOR, "[data-testid=flash]")
    flash = wait.until(expected_conditions.presence_of_element_located(shown))
    assert flash.text == "Recorded the address change as version 2."
    assert browser.current_url.endswith("/voters/ADAMS000010")
    latest = browser.find_element(By.CSS_SELECTOR, "table.history tr[data-version='2']")
    cells = [c.text for c in latest.find_elements(By.TAG_NAME, "td")]
    assert cells[1] == "address"
    assert cells[3:7] == [
        "adams-admin",
        "voter moved within the county",
        "VR-FORM-2026-311",
        "residence",
    ]
    residence = browser.find_element(By.CSS_SELECTOR, "table.voter-record td[data-field=residence]")
    assert residence.text == "77 Aspen Way, Springfield, CO 80001"
