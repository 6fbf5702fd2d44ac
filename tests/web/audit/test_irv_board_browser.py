"""An audit board enters a paper's rankings on a phone-sized screen, keyboard only (issue 17).

At 390 px wide the rank-by-rank form must not scroll sideways, each rank's
select must be finger-sized, and typing a candidate's name into a focused
select and pressing Enter on "Save and next" stores the ranked reading.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from tests.services.audit.board_work import MEMBERS
from tests.services.audit.irv_county import CONTEST, upload_irv_county
from tests.services.voters.fixtures import who
from tests.web.audit.test_board_pages import stored
from tests.web.audit.test_state_browser import _fits
from tests.web.server import serving
from tests.web.test_browser import browser  # noqa: F401 - the same Chromium fixture
from votetrail.services.audit import boards
from votetrail.services.audit.draw import draw_round
from votetrail.services.audit.seed import set_seed
from votetrail.services.audit.setup import AuditMethod, AuditSetup, create_audit
from votetrail.services.context import App

pytestmark = pytest.mark.browser


@pytest.mark.only_on("sqlite")
def test_a_board_ranks_candidates_by_keyboard_on_a_phone(
    browser: webdriver.Chrome,  # noqa: F811 - the fixture imported above
    demo_app: App,
    tmp_path: Path,
) -> None:
    upload_irv_county(demo_app, tmp_path / "files")
    state = who(demo_app, "state-admin")
    setup = AuditSetup("City", AuditMethod.BALLOT_COMPARISON, "0.05", [CONTEST], [], ["adams"])
    audit_id = create_audit(demo_app, state, setup)
    set_seed(demo_app, state, audit_id, "16180339887498948482", ["Ana Ruiz"])
    draw_round(demo_app, state, audit_id, 5)
    clerk = who(demo_app, "adams-admin")
    made = boards.create_board(demo_app, clerk, audit_id, "adams", "Board 1", MEMBERS)
    boards.assign_ballots(demo_app, clerk, audit_id, "adams")
    first = boards.board_ballots(demo_app, clerk, made.board.id)[0]
    with serving(demo_app) as site:
        browser.set_window_size(390, 844)
        wait = WebDriverWait(browser, 20)
        browser.get(f"{site}/board-link/{made.link_token}")
        browser.find_element(By.CSS_SELECTOR, "[data-testid=link-sign-in]").send_keys(Keys.ENTER)
        wait.until(expected_conditions.url_contains("/audit-board"))
        browser.get(f"{site}/audit-board/ballots/1")
        _fits(browser)
        selects = browser.find_elements(By.CSS_SELECTOR, "ol.ranks select")
        assert [s.get_attribute("name") for s in selects] == ["r0-1", "r0-2", "r0-3"]
        assert all(s.size["height"] >= 44 for s in selects)  # finger-sized
        selects[0].send_keys("Cy")
        selects[1].send_keys("Ada")
        browser.find_element(By.CSS_SELECTOR, "[data-testid=save-next]").send_keys(Keys.ENTER)
        wait.until(
            expected_conditions.presence_of_element_located(
                (By.CSS_SELECTOR, "[data-testid=flash]")
            )
        )
        _fits(browser)
    assert stored(demo_app, first.ballot_id) == {CONTEST: "1:Cy;2:Ada"}
