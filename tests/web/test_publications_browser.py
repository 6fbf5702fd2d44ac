"""Issue 18's acceptance for publications, in a real headless Chromium on the real pages.

Adams County's administrator publishes a PDF (a real one, made with the PDF
library the L&A certificates use) and a typed statement through the office's
form. Then, signed in as nobody, the public verifies: the very PDF (a match
naming its log entry), a copy with one byte changed (no match), and the
statement pasted with trailing spaces and blank lines at the end (a match;
the browser sends a textarea's line breaks as CR LF, so it arrives with
CRLF line endings too).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fpdf import FPDF
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from tests.web.test_browser import browser, sign_in  # noqa: F401 - the same Chromium fixture

pytestmark = pytest.mark.browser

STATEMENT = "The polling place at Lincoln School has NOT moved.\nVote there as usual."


def _pdf(path: Path) -> bytes:
    document = FPDF()
    document.add_page()
    document.set_font("Helvetica", size=14)
    document.cell(text="Adams County: official notice of polling places")
    document.output(str(path))
    return path.read_bytes()


def _publish(driver: webdriver.Chrome, base_url: str, title: str, kind: str) -> str:
    """Send the filled form; the publication page it leads to gives the log entry."""
    form = driver.find_element(By.CSS_SELECTOR, "[data-testid=publish-form]")
    form.find_element(By.NAME, "title").send_keys(title)
    Select(form.find_element(By.NAME, "kind")).select_by_value(kind)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    shown = (By.CSS_SELECTOR, "[data-testid=flash]")
    WebDriverWait(driver, 20).until(expected_conditions.presence_of_element_located(shown))
    assert "/publications/adams-pub-" in driver.current_url
    return driver.find_element(By.CSS_SELECTOR, "[data-testid=entry]").text


def _answer(driver: webdriver.Chrome) -> str:
    shown = (By.CSS_SELECTOR, "[data-testid=answer]")
    found = WebDriverWait(driver, 20).until(expected_conditions.presence_of_element_located(shown))
    return " ".join(found.text.split())


def _verify_file(driver: webdriver.Chrome, base_url: str, path: Path) -> str:
    driver.get(base_url + "/verify-document")
    driver.find_element(By.CSS_SELECTOR, "[data-testid=verify-file]").send_keys(str(path))
    driver.find_element(By.CSS_SELECTOR, "[data-testid=verify-file-submit]").click()
    return _answer(driver)


def test_publish_then_verify_pdf_and_statement(
    browser: webdriver.Chrome,  # noqa: F811 - the fixture imported above
    base_url: str,
    tmp_path: Path,
) -> None:
    pdf = tmp_path / "polling-places.pdf"
    body = _pdf(pdf)
    sign_in(browser, base_url)
    browser.get(base_url + "/j/adams/publications")
    browser.find_element(By.NAME, "document").send_keys(str(pdf))
    pdf_entry = _publish(browser, base_url, "Polling places for November", "polling_place_change")
    browser.get(base_url + "/j/adams/publications")
    browser.find_element(By.NAME, "statement").send_keys(STATEMENT)
    text_entry = _publish(browser, base_url, "Lincoln School has not moved", "rumor_response")
    assert int(text_entry) > int(pdf_entry)

    browser.delete_all_cookies()  # the public, signed in as nobody
    said = _verify_file(browser, base_url, pdf)
    assert re.search(
        rf"Published by Adams County on [A-Z][a-z]{{2}} \d{{1,2}}, \d{{4}}, \d{{1,2}}:\d\d [AP]M "
        rf"\S+ as Polling places for November, "
        rf"log entry {pdf_entry}; proof checked against the signed log of [\d,]+ entries\.",
        said,
    ), said
    changed = tmp_path / "polling-places-copy.pdf"
    altered = bytearray(body)
    altered[len(altered) // 2] ^= 0x01
    changed.write_bytes(bytes(altered))
    assert "has not published this document" in _verify_file(browser, base_url, changed)

    browser.get(base_url + "/verify-document")
    pasted = STATEMENT.replace("\n", "   \n") + "  \n\n"
    browser.find_element(By.CSS_SELECTOR, "[data-testid=verify-text]").send_keys(pasted)
    browser.find_element(By.CSS_SELECTOR, "[data-testid=verify-text-submit]").click()
    said = _answer(browser)
    assert f"as Lincoln School has not moved, log entry {text_entry}; proof checked" in said
    browser.get(base_url + "/verify-document")
    edited = STATEMENT.replace("NOT moved", "moved")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=verify-text]").send_keys(edited)
    browser.find_element(By.CSS_SELECTOR, "[data-testid=verify-text-submit]").click()
    assert "has not published this document" in _answer(browser)
