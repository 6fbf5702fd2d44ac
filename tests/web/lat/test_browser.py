"""A county clerk runs an L&A test in a real headless Chromium, with plain forms and file inputs."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from tests.web.test_browser import browser, sign_in  # noqa: F401 - the same Chromium fixture
from votetrail.core.lat.deck import generate_deck
from votetrail.formats.election.yaml import write_yaml
from votetrail.formats.lat.deck_files import write_deck_cvrs
from votetrail.services.context import App
from votetrail.services.demo.lat import demo_definition

pytestmark = pytest.mark.browser


def test_clerk_opens_a_test_adds_a_device_and_its_report_passes(
    browser: webdriver.Chrome,  # noqa: F811 - the fixture imported above
    base_url: str,
    demo_app: App,
    tmp_path: Path,
) -> None:
    definition = demo_definition("adams", "Adams County")
    definition_file = tmp_path / "adams-election.yaml"
    definition_file.write_text(write_yaml(definition), encoding="utf-8")
    report = tmp_path / "ICP-1 cvrs.json"
    write_deck_cvrs(generate_deck(definition), report, "ICP-1", ["Adams P-1"])

    # A page being replaced can answer "node does not belong to the document" for
    # a moment; the waits below look for text only the next page has, so retry.
    wait = WebDriverWait(browser, 20, ignored_exceptions=(WebDriverException,))
    sign_in(browser, base_url)

    # The county page's link; the header's "L&A tests" is the public list of every county's.
    browser.find_element(By.CSS_SELECTOR, "[data-testid=work-links] a[href$='/lat']").click()
    wait.until(expected_conditions.url_contains("/j/adams/lat"))
    form = browser.find_element(By.ID, "open-form")
    form.find_element(By.NAME, "definition").send_keys(str(definition_file))
    form.find_element(By.NAME, "location").send_keys("Adams County Election Office")
    form.find_element(By.NAME, "observers").send_keys("League of Women Voters: Jo Ortiz")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

    shown = (By.CSS_SELECTOR, "[data-testid=flash]")
    wait.until(expected_conditions.text_to_be_present_in_element(shown, "Opened L&A test"))
    assert browser.find_element(*shown).text.startswith("Opened L&A test adams-lat-")
    session_url = browser.current_url

    add = browser.find_element(By.ID, "add-device-form")
    add.find_element(By.NAME, "serial").send_keys("ICP-1")
    add.find_element(By.NAME, "kind").send_keys("precinct scanner")
    add.find_element(By.NAME, "seal").send_keys("A-100101")
    add.find_element(By.CSS_SELECTOR, "input[name=precincts][value='Adams P-1']").click()
    add.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait.until(expected_conditions.text_to_be_present_in_element(shown, "Added device ICP-1."))
    row = browser.find_element(By.CSS_SELECTOR, "table.lat-devices tr[data-device='ICP-1']")
    assert "Adams P-1" in row.text
    assert "not run" in row.text

    upload = browser.find_element(
        By.CSS_SELECTOR, "article[data-device='ICP-1'] form[data-form=results]"
    )
    upload.find_element(By.NAME, "report").send_keys(str(report))
    upload.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait.until(expected_conditions.text_to_be_present_in_element(shown, "Device ICP-1 passed"))
    assert browser.current_url == session_url
    row = browser.find_element(By.CSS_SELECTOR, "table.lat-devices tr[data-device='ICP-1']")
    outcome = row.find_element(By.CSS_SELECTOR, "[data-outcome]")
    assert outcome.text == "passed"
    run = browser.find_element(By.CSS_SELECTOR, "article[data-device='ICP-1'] .lat-run")
    assert "passed" in (run.get_attribute("class") or "")
    assert "The report matches the deck." in run.text
