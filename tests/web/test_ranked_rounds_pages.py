"""Ranked contests round by round on the county page and the public results pages (issue 17).

The CVRs are synthetic, in Dominion's CSV layout for ranked contests
(``Mayor (Number of positions=1, Number of ranks=3)`` over ``Ada(1)``,
``Ada(2)``...; the layout of Boulder 2023's export, see
tests/services/counting/test_ranked_import.py), imported through the real
upload service and served over real HTTP; each test runs on SQLite and
PostgreSQL. Mayor: Di (no votes) goes in round 1, Cy in round 2 with 3 votes
to Ada and 3 to Bo, Ada wins 12 to 10; one ballot overvotes rank 1 and one
ranks nobody.
"""

from __future__ import annotations

import csv
import io
import os
import re
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from tests.rcv.test_raire_service import dominion_csv
from tests.web.server import login
from tests.web.test_browser import browser  # noqa: F401 - the same Chromium fixture
from votetrail.services.context import App
from votetrail.services.counting.uploads import import_cvrs
from votetrail.services.setup import DEMO_PASSWORD
from votetrail.web.ranked_chart import ChartRound, rounds_chart

PHONE = (390, 844)
COUNCIL = "Council (Number of positions=2, Number of ranks=2)"


def _council_csv(path: Path) -> Path:
    """A two-seat ranked contest: Ed 5, Flo 3, Gil 2 (Gil's next choice Flo)."""
    names = ("Ed", "Flo", "Gil")
    columns = [f"{name}({rank})" for name in names for rank in (1, 2)]
    rows = [
        ["Election", "5.17.17.1", *[""] * (len(columns) + 1)],
        ["", "", "", *[COUNCIL] * len(columns)],
        ["", "", "", *columns],
        ["TabulatorNum", "BatchId", "RecordId", *[""] * len(columns)],
    ]
    rankings = [("Ed",)] * 5 + [("Flo",)] * 3 + [("Gil", "Flo")] * 2
    for record, ranking in enumerate(rankings, start=1):
        marked = {f"{name}({rank})" for rank, name in enumerate(ranking, start=1)}
        rows.append(["2", "1", str(record), *("1" if c in marked else "0" for c in columns)])
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    return path


@pytest.fixture
def ranked_app(demo_app: App, tmp_path: Path) -> App:
    import_cvrs(demo_app, "tester", "adams", [dominion_csv(tmp_path / "mayor.csv")])
    import_cvrs(demo_app, "tester", "adams", [_council_csv(tmp_path / "council.csv")])
    return demo_app


def _section(page: str, contest: str) -> str:
    start = page.index(f'data-ranked-contest="{contest}"')
    return page[start : page.index("</section>", start)]


def _row(section: str, name: str) -> list[str]:
    """A candidate's cells as text, tags removed, one string per round."""
    row = re.search(rf"<th scope=\"row\">{name}</th>(.*?)</tr>", section, re.S)
    assert row is not None, name
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


def test_public_county_results_show_rounds_in_words(ranked_app: App, client: httpx.Client) -> None:
    page = client.get("/results/adams")
    assert page.status_code == 200
    assert "Ranked-choice contests, round by round" in page.text
    mayor = _section(page.text, "Mayor")
    assert '<th scope="col" class="num">Round 3</th>' in mayor
    assert _row(mayor, "Ada") == ["9", "9", "12 +3 Elected"]
    assert _row(mayor, "Cy") == ["6", "6 Eliminated", "\u2014"]
    assert _row(mayor, "Di") == ["0 Eliminated", "\u2014", "\u2014"]
    # The overvoted ballot stops counting in round 1 (nothing ranked after it); Cy's
    # ballots all move on, so no more stop.
    assert _row(mayor, "Exhausted or inactive ballots") == ["1", "1", "1"]
    assert _row(mayor, "Active ballots") == ["22", "22", "22"]
    assert "elected: Ada" in mayor
    assert "single-winner instant runoff" in mayor
    svg = mayor[mayor.index("<svg") : mayor.index("</svg>")]
    assert 'role="img"' in svg
    assert "<title>Round 2: Cy, 6</title>" in svg
    assert "http://" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    # The chart needs no script; the page loads only the site's own helper files.
    scripts = re.findall(r"<script[^>]*>", page.text)
    assert all(re.search(r'src="/static/[a-z]+\.js"', tag) for tag in scripts), scripts

    council = _section(page.text, "Council")
    assert "(ranked choice, 2 seats)" in council
    assert "2-seat contest" in council
    assert "elected: Ed, Flo" in council or "elected: Flo, Ed" in council


def test_statewide_results_and_county_page_show_the_same_rounds(
    ranked_app: App, client: httpx.Client
) -> None:
    statewide = client.get("/results")
    assert statewide.status_code == 200
    public_mayor = _section(statewide.text, "Mayor")
    assert _row(public_mayor, "Ada") == ["9", "9", "12 +3 Elected"]

    login(client, "adams-admin", DEMO_PASSWORD)
    county = client.get("/j/adams/results")
    assert county.status_code == 200
    county_mayor = _section(county.text, "Mayor")
    assert _row(county_mayor, "Ada") == _row(public_mayor, "Ada")
    assert _row(county_mayor, "Bo") == ["7", "7", "10 +3"]


def test_no_ranked_section_without_ranked_contests(client: httpx.Client) -> None:
    page = client.get("/results/adams")
    assert page.status_code == 200
    assert "Ranked-choice contests, round by round" not in page.text


@pytest.mark.browser
def test_rounds_table_is_readable_at_phone_width(
    ranked_app: App,
    base_url: str,
    browser: webdriver.Chrome,  # noqa: F811 - the imported fixture
) -> None:
    browser.set_window_size(*PHONE)
    browser.get(base_url + "/results/adams")
    table = browser.find_element(By.CSS_SELECTOR, '[data-ranked-contest="Mayor"] table.rounds')
    assert table.is_displayed()
    region = table.find_element(By.XPATH, "..")
    assert region.get_attribute("role") == "region"
    assert region.get_attribute("tabindex") == "0"
    viewport = browser.execute_script("return document.documentElement.clientWidth")
    page_width = browser.execute_script("return document.documentElement.scrollWidth")
    assert page_width <= viewport, "the page itself must not scroll sideways"
    assert region.size["width"] <= viewport
    header = table.find_element(By.CSS_SELECTOR, "tbody th")
    assert header.text == "Ada"
    assert header.is_displayed()
    size = browser.execute_script(
        "return parseFloat(getComputedStyle(arguments[0]).fontSize)",
        table.find_element(By.CSS_SELECTOR, "tbody td"),
    )
    assert size >= 14
    elected = table.find_element(By.CSS_SELECTOR, "strong.decision")
    browser.execute_script("arguments[0].scrollIntoView({inline: 'center'})", elected)
    assert elected.text in ("Elected", "Eliminated")
    chart = browser.find_element(By.CSS_SELECTOR, '[data-ranked-contest="Mayor"] svg')
    assert chart.size["width"] <= viewport
    assert chart.size["height"] > 50
    folder = os.environ.get("VOTETRAIL_SCREENSHOTS")
    if folder:  # for a person to look at: VOTETRAIL_SCREENSHOTS=/some/folder
        browser.execute_script("arguments[0].scrollIntoView()", table)
        browser.save_screenshot(str(Path(folder) / "ranked-rounds-phone-table.png"))
        browser.execute_script("arguments[0].scrollIntoView()", chart)
        browser.save_screenshot(str(Path(folder) / "ranked-rounds-phone-chart.png"))
    label = chart.find_element(By.CSS_SELECTOR, "text")
    assert label.text == "Round 1"
    assert label.size["height"] >= 9, "the chart's labels must stay legible on a phone"


def test_chart_escapes_names_a_cvr_file_supplies() -> None:
    hostile = '<script>alert("x")</script>'
    svg = str(
        rounds_chart(
            'c"1',
            f"{hostile}: votes per candidate in each round",
            [ChartRound(1, [(hostile, Decimal(3)), ("Bo", Decimal(2))], Decimal(1))],
        )
    )
    assert "<script" not in svg
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in svg
    assert 'id="c&#34;1-title"' in svg
