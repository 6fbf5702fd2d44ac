"""The sign-in round trip in a real headless Chromium: from a page that asked, back to it."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from tests.web.test_browser import browser  # noqa: F401 - the same Chromium fixture
from votetrail.services.setup import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def _submit(driver: webdriver.Chrome, username: str) -> None:
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(DEMO_PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]").click()


def test_a_county_page_asks_for_sign_in_and_comes_back_to_it(
    browser: webdriver.Chrome,  # noqa: F811 - the imported fixture
    base_url: str,
) -> None:
    wanted = "/j/adams/voters?last_name=Garcia"
    browser.get(base_url + wanted)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Please sign in"
    browser.find_element(By.CSS_SELECTOR, "[data-testid=sign-in-next]").click()
    WebDriverWait(browser, 20).until(expected_conditions.url_contains("/login"))
    assert (
        "/j/adams/voters" in browser.find_element(By.CSS_SELECTOR, "[data-testid=login-next]").text
    )
    _submit(browser, "adams-admin")
    WebDriverWait(browser, 20).until(expected_conditions.url_contains("/j/adams/voters"))
    landed = urlsplit(browser.current_url)
    assert (landed.path, landed.query) == ("/j/adams/voters", "last_name=Garcia")
    who = browser.find_element(By.CSS_SELECTOR, "[data-testid=signed-in]")
    assert "Jordan Lee" in str(who.get_attribute("textContent"))  # the header may be folded


def test_a_next_to_another_site_ends_on_the_workspace(
    browser: webdriver.Chrome,  # noqa: F811 - the imported fixture
    base_url: str,
) -> None:
    browser.get(base_url + "/login?next=//evil.example/j/adams")
    _submit(browser, "adams-admin")
    WebDriverWait(browser, 20).until(expected_conditions.url_contains("/j/adams"))
    landed = urlsplit(browser.current_url)
    assert landed.netloc == urlsplit(base_url).netloc
    assert landed.path == "/j/adams"
