"""Issue 14's acceptance: a two-county ballot-comparison audit run in Chromium as officials run it.

Only the browser touches the audit: the state administrator sets it up,
holds the seed ceremony and draws each round at the size offered; each
county's clerk adds a board of two members of different parties, assigns
the ballots, downloads the retrieval list and issues a one-time link; each
board signs in by its link and enters what every paper ballot shows. The
test knows what the paper shows the way a real board does, by looking at
it: here the "paper" is the ballot's CVR, read through the services. One
Adams ballot that the CVR counts for the reported winner is entered as
blank (a faint mark), so round 1 does not confirm and a round 2 is drawn;
the paper agrees everywhere in round 2 and the audit confirms. Then an
observer, signed in as nobody, downloads ``evidence.zip`` and
``votetrail audit verify`` recomputes it: clean as published, exit 1 with
one interpretation altered.

With ``VOTETRAIL_SCREENSHOTS=DIR`` the test also saves one PNG of each step
into DIR (``docs/audit-workflow/`` holds the ones docs/audit-workflow.md shows).
"""

from __future__ import annotations

import csv
import io
import json
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from tests.cli.helpers import votetrail
from tests.services.voters.fixtures import who
from tests.web.server import serving
from tests.web.test_browser import browser, sign_in  # noqa: F401 - the same Chromium fixture
from votetrail.core.audit.evidence import BLANK, NOT_FOUND, OVERVOTE
from votetrail.services.audit import boards
from votetrail.services.context import App
from votetrail.services.counting.results import results
from votetrail.services.demo.audit import paper_readings

pytestmark = pytest.mark.browser

COUNTIES = ("adams", "baker")
SEED_AS_READ = "12345 67890 12345 67890"
"""The dice as read out in groups of five; the page keeps the digits only."""
SEED = SEED_AS_READ.replace(" ", "")
WITNESSES = ("Jo Ortiz, League of Women Voters", "Mark Novak, Republican Party")
MEMBERS = {
    "adams": (("Dana Whitfield", "Democratic"), ("Eli Romero", "Republican")),
    "baker": (("Frances Oyelaran", "Republican"), ("Gus Lindqvist", "Libertarian")),
}
CONTEST = "Governor"
FAINT = "Faint mark in the Governor oval; the board agreed it is not a vote."
DESKTOP = (1280, 900)
TABLET = (1024, 768)
PHONE = (390, 844)


@pytest.fixture
def site(election_app: App) -> Iterator[str]:
    """The demo election (CVRs, manifests, paper counts) with no audit yet, served over HTTP."""
    with serving(election_app) as url:
        yield url


class Shots:
    """PNGs of the steps, saved only when VOTETRAIL_SCREENSHOTS names a folder."""

    def __init__(self, driver: webdriver.Chrome) -> None:
        folder = os.environ.get("VOTETRAIL_SCREENSHOTS")
        self.folder = Path(folder) if folder else None
        self.driver = driver
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)

    def take(self, name: str, at: str | None = None) -> None:
        """Save the viewport, scrolled so ``at`` (a CSS selector) is near its top."""
        if self.folder is None:
            return
        if at is not None:
            self.driver.execute_script(
                "document.querySelector(arguments[0]).scrollIntoView(); window.scrollBy(0, -80);",
                at,
            )
        assert self.driver.save_screenshot(str(self.folder / f"{name}.png"))


@dataclass
class Run:
    """What the officials learn as the audit goes on, and what the test checks at the end."""

    app: App
    url: str
    driver: webdriver.Chrome
    shots: Shots
    audit_id: str = ""
    winner: str = ""
    links: dict[str, str] = field(default_factory=dict)  # county -> the board's newest link
    misread: str = ""  # the ballot entered as blank whose CVR votes for the winner
    entered: int = 0

    def wait(self, seconds: float = 30) -> WebDriverWait[webdriver.Chrome]:
        return WebDriverWait(self.driver, seconds, ignored_exceptions=(WebDriverException,))

    def find(self, css: str) -> WebElement:
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def text(self, css: str) -> str:
        return str(self.driver.find_element(By.CSS_SELECTOR, css).text)

    def present(self, css: str) -> WebElement:
        """Wait for the element: a click's new page may still be loading when it returns."""
        shown = (By.CSS_SELECTOR, css)
        found = self.wait().until(expected_conditions.presence_of_element_located(shown))
        assert isinstance(found, WebElement)
        return found

    def click(self, css: str) -> None:
        self.driver.find_element(By.CSS_SELECTOR, css).click()

    def flash(self, contains: str) -> str:
        shown = (By.CSS_SELECTOR, "[data-testid=flash]")
        self.wait().until(expected_conditions.text_to_be_present_in_element(shown, contains))
        self.present("footer")  # the new page is read to its end
        return self.text("[data-testid=flash]")

    def arrive(self, url: str) -> None:
        """Wait for the page a click leads to, read to its end."""
        self.wait().until(expected_conditions.url_to_be(url))
        self.present("footer")

    def sign_in(self, username: str) -> None:
        self.driver.delete_all_cookies()
        sign_in(self.driver, self.url, username)

    def http(self) -> httpx.Client:
        """A client carrying the browser's session, for what a browser only saves to disk."""
        cookies = {c["name"]: c["value"] for c in self.driver.get_cookies()}
        return httpx.Client(base_url=self.url, cookies=cookies, timeout=30)

    def audit_page(self) -> str:
        return f"{self.url}/audits/{self.audit_id}"


def _quoted(value: str) -> str:
    return json.dumps(value)  # a CSS string literal: the demo's names hold no backslash


def resize(driver: webdriver.Chrome, size: tuple[int, int]) -> None:
    """Make the page's viewport (not the window around it) ``size`` CSS pixels."""
    width, height = size
    driver.set_window_size(width, height)
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    if inner != [width, height]:
        driver.set_window_size(2 * width - inner[0], 2 * height - inner[1])


def _fits(driver: webdriver.Chrome, width: int) -> None:
    page = driver.execute_script("return document.documentElement.scrollWidth")
    assert page <= width, (driver.current_url, page)


# ---------------------------------------------------------------- the state administrator


def set_up(run: Run) -> None:
    resize(run.driver, DESKTOP)
    run.sign_in("state-admin")
    run.click("[data-testid=state-links] a[href='/audits']")
    run.arrive(run.url + "/audits")
    assert run.driver.find_elements(By.CSS_SELECTOR, "[data-testid=no-audits]")
    form = run.driver.find_element(By.ID, "create-form")
    form.find_element(By.NAME, "election").send_keys("Demo General Election")
    assert form.find_element(By.NAME, "risk_limit").get_attribute("value") == "0.05"
    form.find_element(By.CSS_SELECTOR, f"input[name=targeted][value={_quoted(CONTEST)}]").click()
    for county in COUNTIES:
        form.find_element(By.CSS_SELECTOR, f"input[name=counties][value={county}]").click()
    run.shots.take("01-set-up", "#create-audit")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    run.flash("Set up audit-")
    run.audit_id = run.driver.current_url.rsplit("/", 1)[-1]
    counties = run.driver.find_elements(By.CSS_SELECTOR, "[data-testid=county-board] tbody tr")
    assert [r.get_attribute("data-county") for r in counties] == list(COUNTIES)
    assert not run.driver.find_elements(By.CSS_SELECTOR, "[data-testid=launch-problems]")
    run.shots.take("02-status-board")


def seed_ceremony(run: Run) -> None:
    form = run.driver.find_element(By.ID, "seed-form")
    form.find_element(By.NAME, "seed").send_keys(SEED_AS_READ)
    form.find_element(By.NAME, "witnesses").send_keys("\n".join(WITNESSES))
    run.shots.take("03-seed-ceremony", "#seed")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    run.flash(f"Seed {SEED} recorded")
    assert run.text("[data-testid=seed]") == SEED
    assert run.text("[data-testid=witnesses]").splitlines() == list(WITNESSES)
    assert not run.driver.find_elements(By.ID, "seed-form")  # it cannot be set twice


def draw(run: Run, number: int) -> int:
    """Draw the round at the first size the engine offers; the number of tickets drawn."""
    run.driver.get(run.audit_page())
    offered = run.driver.find_elements(
        By.CSS_SELECTOR, "[data-testid=offered-sizes] input[name=size]:not([value=custom])"
    )
    assert offered, "the engine offered no size"
    size = int(str(offered[0].get_attribute("value")))
    if number == 1:
        run.shots.take("04-sizes", "#draw")
    offered[0].click()
    run.click("#draw-form button[type=submit]")
    run.flash(f"Round {number} drawn: {size} tickets")
    return size


def close_round(run: Run, number: int) -> str:
    """Measure the round once every board signed off; the decision the page shows."""
    resize(run.driver, DESKTOP)
    run.sign_in("state-admin")
    run.driver.get(run.audit_page())
    run.click("#close button[type=submit]")
    run.flash(f"Round {number} measured")
    cell = f"tr[data-round='{number}'][data-contest={_quoted(CONTEST)}] td[data-decision]"
    decision = str(run.driver.find_element(By.CSS_SELECTOR, cell).get_attribute("data-decision"))
    run.shots.take(f"{8 + number:02d}-round-{number}-results", "#rounds")
    return decision


# ---------------------------------------------------------------- a county's clerk


def county_round(run: Run, county: str, number: int, tickets: int) -> None:
    """The clerk's part of a round: a board (first round), assignment, list, a one-time link."""
    resize(run.driver, DESKTOP)
    run.sign_in(f"{county}-admin")
    page = f"{run.url}/j/{county}/audits/{run.audit_id}"
    run.driver.get(f"{run.url}/j/{county}/audits")
    run.click(f"tr[data-audit={_quoted(run.audit_id)}] a")
    run.arrive(page)
    if number == 1:
        form = run.driver.find_element(By.ID, "board-form")
        for i, (name, party) in enumerate(MEMBERS[county], start=1):
            form.find_element(By.NAME, f"member{i}").send_keys(name)
            form.find_element(By.NAME, f"party{i}").send_keys(party)
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        run.wait().until(
            expected_conditions.presence_of_element_located(
                (By.CSS_SELECTOR, "[data-testid=one-time-link]")
            )
        )
        run.driver.get(page)  # the link is shown once: this page no longer has it
        assert not run.driver.find_elements(By.CSS_SELECTOR, "[data-testid=link-url]")
    run.click("[data-testid=assign]")
    assigned = run.flash("Assigned")
    drawn = [(r.text, r.get_attribute("href") or "") for r in _retrieval_links(run)]
    csv_link = next(href for text, href in drawn if text == "CSV" and f"round={number}" in href)
    pdf_link = next(
        href for text, href in drawn if text == "printable PDF" and f"round={number}" in href
    )
    if county == "adams" and number == 1:
        run.shots.take("05-county-retrieval", "[data-testid=retrieval-links]")
    with run.http() as http:
        listed = http.get(csv_link)
        assert listed.status_code == 200
        assert listed.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(listed.text)))
        printed = http.get(pdf_link)
        assert printed.status_code == 200
        assert printed.headers["content-type"].startswith("application/pdf")
        assert printed.content.startswith(b"%PDF-")
    assert rows
    assert {r["round"] for r in rows} == {str(number)}
    assert f"Assigned {len({r['ballot_id'] for r in rows})} ballot" in assigned
    assert len(rows) <= tickets
    run.click("[data-testid=issue-link]")
    run.present("[data-testid=link-url]")
    run.present("footer")
    run.links[county] = run.text("[data-testid=link-url]")
    assert run.links[county].startswith(f"{run.url}/board-link/")


def _retrieval_links(run: Run) -> list[WebElement]:
    return list(run.driver.find_elements(By.CSS_SELECTOR, "[data-testid=retrieval-links] a"))


# ---------------------------------------------------------------- an audit board


def paper(run: Run, county: str) -> dict[str, dict[str, str]]:
    """What each of the county board's paper ballots shows: here, what its CVR says."""
    admin = who(run.app, f"{county}-admin")
    (board,) = boards.boards_of(run.app, admin, run.audit_id, county)
    ballots = boards.board_ballots(run.app, admin, board.id)
    return paper_readings(run.app, county, ballots)


def enter(run: Run, shown: dict[str, str], *, misread: bool) -> None:
    """Tick what the paper shows on the open entry form and save it."""
    driver = run.driver
    form = driver.find_element(By.ID, "entry-form")
    if all(r == NOT_FOUND for r in shown.values()):
        box = form.find_element(By.NAME, "not_found")
        if not box.is_selected():  # a phantom's box is ticked already
            box.click()
    else:
        for fieldset in form.find_elements(By.CSS_SELECTOR, "fieldset.contest"):
            contest = str(fieldset.get_attribute("data-contest"))
            reading = shown[contest]
            if reading in (BLANK, OVERVOTE):
                fieldset.find_element(By.CSS_SELECTOR, f"input[value={reading}]").click()
                continue
            for choice in reading.split(";"):
                fieldset.find_element(By.CSS_SELECTOR, f"input[value={_quoted(choice)}]").click()
            fieldset.find_element(By.CSS_SELECTOR, "input[value=marked]").click()
    if misread:
        form.find_element(By.NAME, "comment").send_keys(FAINT)
        run.shots.take("07-board-entry", "[data-testid=ballot-where]")
    form.find_element(By.CSS_SELECTOR, "[data-testid=save-next]").click()


def board_round(run: Run, county: str, number: int, *, misread: bool) -> None:
    """The board signs in by its link, enters every ballot, reviews and signs off."""
    driver = run.driver
    driver.delete_all_cookies()
    resize(driver, TABLET)
    driver.get(run.links[county])
    run.click("[data-testid=link-sign-in]")
    run.arrive(run.url + "/audit-board")
    count = len(driver.find_elements(By.CSS_SELECTOR, "[data-testid=board-ballots] tbody tr"))
    assert count > 0
    if county == "adams" and number == 1:
        run.shots.take("06-board-ballots")
    papers = paper(run, county)
    assert len(papers) == count
    run.click("[data-testid=board-ballots] tbody tr a")
    for n in range(1, count + 1):
        run.arrive(f"{run.url}/audit-board/ballots/{n}")
        ballot = run.text("[data-testid=ballot-where] code")
        shown = dict(papers[ballot])
        if misread and not run.misread and shown[CONTEST] == run.winner:
            shown[CONTEST] = BLANK
            run.misread = ballot
        if county == "adams" and number == 1 and n == 1:
            resize(driver, PHONE)
            _fits(driver, PHONE[0])
            resize(driver, TABLET)
        enter(run, shown, misread=run.misread == ballot and misread)
        run.entered += 1
    run.arrive(run.url + "/audit-board/review")
    entered = driver.find_elements(By.CSS_SELECTOR, "[data-testid=review] tbody tr")
    assert len(entered) == count  # one contest a ballot
    form = driver.find_element(By.ID, "sign-off-form")
    for i, (name, _) in enumerate(MEMBERS[county], start=1):
        form.find_element(By.NAME, f"member{i}").send_keys(name)
    if county == "adams" and number == 1:
        run.shots.take("08-review-sign-off", "#sign-off-title")
    run.click("[data-testid=sign-off]")
    run.flash(f"signed off round {number}")


# ---------------------------------------------------------------- the observer


def reported_winner(app: App) -> str:
    """The reported winner of the contest over the audit's counties."""
    votes: dict[str, int] = {}
    for county in COUNTIES:
        for contest in results(app, county):
            if contest.name == CONTEST:
                for choice, n in contest.tally.items():
                    votes[choice] = votes.get(choice, 0) + n
    return max(votes, key=lambda c: votes[c])


def altered(package: bytes, ballot: str) -> bytes:
    """A copy of the zip in which the misread ballot's audited reading is its CVR's."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(out, "w") as copy:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "interpretations.csv":
                rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
                changed = 0
                for row in rows[1:]:
                    if row[0] == ballot and row[1] == CONTEST:
                        row[3] = row[2]
                        changed += 1
                assert changed == 1
                text = io.StringIO()
                csv.writer(text, lineterminator="\n").writerows(rows)
                data = text.getvalue().encode("utf-8")
            copy.writestr(item, data)
    return out.getvalue()


def test_two_counties_run_a_comparison_audit_in_the_browser(
    browser: webdriver.Chrome,  # noqa: F811 - the fixture imported above
    site: str,
    election_app: App,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = Run(election_app, site, browser, Shots(browser))
    run.winner = reported_winner(election_app)
    set_up(run)
    seed_ceremony(run)

    tickets = draw(run, 1)
    for county in COUNTIES:
        county_round(run, county, 1, tickets)
    for county in COUNTIES:
        board_round(run, county, 1, misread=county == "adams")
    assert run.misread
    assert close_round(run, 1) == "continue"
    assert run.find("[data-testid=status]").get_attribute("data-status") == "sampling"

    tickets = draw(run, 2)
    for county in COUNTIES:
        county_round(run, county, 2, tickets)
    for county in COUNTIES:
        board_round(run, county, 2, misread=False)
    assert close_round(run, 2) == "confirmed"
    assert run.find("[data-testid=status]").get_attribute("data-status") == "confirmed"
    report = {
        str(a.text): str(a.get_attribute("href"))
        for a in browser.find_elements(By.CSS_SELECTOR, "p.muted a")
    }

    # The observer: no sign-in from here on.
    browser.delete_all_cookies()
    resize(browser, DESKTOP)
    browser.find_element(By.CSS_SELECTOR, "[data-testid=public-link]").click()
    run.arrive(f"{site}/public/audits/{run.audit_id}")
    assert run.text("[data-field=seed]") == SEED
    risk = f"tr[data-round='2'][data-contest={_quoted(CONTEST)}] [data-field=decision]"
    assert browser.find_element(By.CSS_SELECTOR, risk).get_attribute("data-decision") == "confirmed"
    assert (
        float(run.text(f"tr[data-round='2'][data-contest={_quoted(CONTEST)}] [data-field=risk]"))
        <= 0.05
    )
    assert run.misread in run.text("[data-testid=discrepancies]")
    run.shots.take("11-public-page")
    run.shots.take("12-public-risk", "#rounds-title")
    evidence_href = str(
        browser.find_element(By.CSS_SELECTOR, "a[href$='evidence.zip']").get_attribute("href")
    )

    with httpx.Client(timeout=60) as http:
        pdf = http.get(report["Report (PDF)"])
        assert pdf.status_code == 200
        assert pdf.content.startswith(b"%PDF-")
        listed = http.get(report["Report (CSV)"])
        assert listed.status_code == 200
        assert run.misread in listed.text
        package = http.get(evidence_href)
        assert package.status_code == 200
    published = tmp_path / "evidence.zip"
    published.write_bytes(package.content)
    with zipfile.ZipFile(published) as opened:
        audit = json.loads(opened.read("audit.json"))
    assert audit["seed"] == SEED
    assert [r["decision"][CONTEST] for r in audit["rounds"]] == ["continue", "confirmed"]

    checked = votetrail(capsys, "audit", "verify", str(published))
    assert checked.code == 0, checked.out + checked.err
    tampered = tmp_path / "tampered.zip"
    tampered.write_bytes(altered(package.content, run.misread))
    refused = votetrail(capsys, "audit", "verify", str(tampered))
    assert refused.code == 1, refused.out + refused.err
    said = refused.out + refused.err
    assert f"round 1, contest {CONTEST!r}: audit.json gives decision 'continue'" in said
