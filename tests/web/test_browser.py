"""The workspace in a real headless Chromium: the forms work without JavaScript help."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from votetrail.services.setup import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def _binary(*names: str) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    chromium = _binary("chromium", "chromium-browser")
    driver_path = _binary("chromedriver")
    if chromium is None or driver_path is None:
        message = "Chromium and chromedriver not found; run scripts/ensure-test-deps"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    profile = tempfile.mkdtemp(prefix="votetrail-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(20)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def sign_in(browser: webdriver.Chrome, base_url: str, username: str = "adams-admin") -> None:
    """Sign in through the login form and wait for the county page it leads to."""
    browser.get(base_url + "/login")
    browser.find_element(By.NAME, "username").send_keys(username)
    browser.find_element(By.NAME, "password").send_keys(DEMO_PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]").click()
    WebDriverWait(browser, 20).until(expected_conditions.url_contains("/j/"))


def test_sign_in_and_browse(browser: webdriver.Chrome, base_url: str) -> None:
    browser.get(base_url + "/")
    assert "Election records you can check" in browser.page_source
    browser.find_element(By.LINK_TEXT, "Sign in").click()
    browser.find_element(By.NAME, "username").send_keys("adams-admin")
    browser.find_element(By.NAME, "password").send_keys(DEMO_PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]").click()
    WebDriverWait(browser, 20).until(expected_conditions.url_contains("/j/adams"))
    assert browser.current_url.endswith("/j/adams")
    signed_in = browser.find_element(By.CSS_SELECTOR, "[data-testid=signed-in]").text
    assert signed_in == "Jordan Lee, Adams County Clerk · County administrator"
    browser.find_element(By.CSS_SELECTOR, "nav.tabs a[href='/j/adams/officials']").click()
    WebDriverWait(browser, 20).until(expected_conditions.url_contains("/j/adams/officials"))
    assert "Adams Audit Board 1" in browser.page_source
    browser.get(base_url + "/j/clark")
    assert "does not give access to this jurisdiction" in browser.page_source
    browser.find_element(By.LINK_TEXT, "Public log").click()
    WebDriverWait(browser, 20).until(expected_conditions.url_contains("/log"))
    rows = browser.find_elements(By.CSS_SELECTOR, "table.entries tbody tr")
    assert len(rows) == 13
    assert "Request refused" in rows[-1].text
    browser.find_element(By.CSS_SELECTOR, "header form.inline button").click()
    sign_in = (By.LINK_TEXT, "Sign in")
    assert WebDriverWait(browser, 20).until(
        expected_conditions.visibility_of_element_located(sign_in)
    )


def test_wrong_password_shows_the_error(browser: webdriver.Chrome, base_url: str) -> None:
    browser.get(base_url + "/login")
    browser.find_element(By.NAME, "username").send_keys("adams-admin")
    browser.find_element(By.NAME, "password").send_keys("wrong-password-here")
    browser.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]").click()
    shown = (By.CSS_SELECTOR, "[role=alert]")
    alert = WebDriverWait(browser, 20).until(expected_conditions.presence_of_element_located(shown))
    assert alert.text == "wrong user name or password"


def test_county_admin_uploads_real_cvrs(
    browser: webdriver.Chrome, base_url: str, shared_data: Path
) -> None:
    cvrs = shared_data / "cvr/arlo-fixtures/small-election/Kendall Park - cvrs.csv"
    sign_in(browser, base_url)
    browser.find_element(By.CSS_SELECTOR, "nav.tabs a[href='/j/adams/uploads']").click()
    WebDriverWait(browser, 20).until(expected_conditions.url_contains("/j/adams/uploads"))
    assert "No cast vote records uploaded yet" in browser.page_source
    form = browser.find_element(By.CSS_SELECTOR, "form.upload[data-kind=cvrs]")
    form.find_element(By.NAME, "files").send_keys(str(cvrs))
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    # The import runs while the request is open: wait for the page it redirects to.
    shown = (By.CSS_SELECTOR, "[data-testid=flash]")
    flash = WebDriverWait(browser, 30).until(expected_conditions.presence_of_element_located(shown))
    assert browser.current_url.endswith("/j/adams/uploads")
    assert flash.text == "Imported 500 records as adams-cvrs-1."
    assert "Kendall Park - cvrs.csv" in browser.find_element(By.CSS_SELECTOR, "table.uploads").text
    browser.find_element(By.CSS_SELECTOR, "nav.tabs a[href='/j/adams/results']").click()
    WebDriverWait(browser, 20).until(expected_conditions.url_contains("/j/adams/results"))
    contest = browser.find_element(
        By.CSS_SELECTOR, "table.contest[data-contest='Secretary of Treasure']"
    )
    rows = [r.text for r in contest.find_elements(By.CSS_SELECTOR, "tbody tr")]
    assert rows == ["Denny Vargas 450", "Jackie Sweet 20", "Emerson Thornton 0"]
