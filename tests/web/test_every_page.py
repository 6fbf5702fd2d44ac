"""Every page of the demo, as the public and as each role, on a laptop and on a phone.

The pages are found from the router, not listed: each GET route is asked for
by every role (anonymous, state administrator, security analyst, Adams's
county administrator, the Adams audit board of the demo's polling audit),
its path parameters filled from the demo state that ``votetrail demo``
loads (what ``make demo`` serves). A route in :data:`DOWNLOADS` (files,
JSON, static assets, stand-alone reports) is no page and is left out; the
test asserts that list is complete (every other route answers HTML), holds
no page (no entry answers HTML under the site's own security policy) and is
current (each entry is a route). A page a role may not open is a refusal page (401 signed out, 403
signed in): those are pages too, each checked once.

Every page a role opens is loaded in one headless Chromium at 1280×800 and
at 390×844, and must: not scroll sideways; have no serious or critical
axe-core violation (nor any of :data:`MUST_PASS`, whatever its impact); have
exactly one ``h1``; start with a skip link to the main content; and, tabbed
through from that skip link, show where the focus is. At phone width the
header must stay under :data:`HEADER_MAX` pixels tall, its menu closed, and
open from the keyboard. A screenshot of each visit is saved, with an index
(``pages.json``), into ``$VOTETRAIL_SCREENSHOTS`` (a temporary folder by
default); ``make screenshots`` keeps a chosen few in ``docs/screenshots/``
and rewrites ``docs/screenshots.md`` (``tests/web/screenshots.py``).

axe-core is the npm package the public portal's accessibility test already
injects (``package.json``): the Python wrapper ``axe-selenium-python`` the
issue names bundles axe-core 3.1 from 2018 for Python 3.11 (its newer
release needs Python 3.12), so it would check older rules than the portal
test does; ``docs/screenshots.md`` says so.
"""

from __future__ import annotations

import base64
import json
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.wait import WebDriverWait
from sqlalchemy import select

from tests.web.audit.test_audit_acceptance import resize
from tests.web.server import login, serving
from tests.web.test_browser import browser  # noqa: F401 - the same Chromium fixture
from tests.web.test_role_walls import routes
from votetrail.cli.main import run
from votetrail.services import log_view
from votetrail.services.audit import boards, progress
from votetrail.services.context import App, open_app
from votetrail.services.demo.accounts import officer
from votetrail.services.demo.netmon import DAY
from votetrail.services.lat import records as lat_records
from votetrail.services.publications import views as publications
from votetrail.services.setup import DEMO_PASSWORD
from votetrail.store.models import VOTERS
from votetrail.web.app import create_app
from votetrail.web.headers import REPORT_POLICY

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"laptop": (1280, 800), "phone": (390, 844)}
HEADER_MAX = 80
"""Pixels the header may take at phone width with its menu closed."""
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
MUST_PASS = {
    "landmark-one-main",
    "region",
    "heading-order",
    "page-has-heading-one",
    "bypass",
    "skip-link",
    "html-has-lang",
    "document-title",
    "color-contrast",
    "label",
    "select-name",
    "button-name",
    "link-name",
}
"""Rules whose every finding fails the test, whatever impact axe gives it."""
TALLEST = 8000
"""Pixels of a page's screenshot at most (the public audit page is longer)."""
TABS = 6
"""Elements tabbed through in the main content after the skip link, on each page."""
COUNTY = "adams"
"""The county of the county administrator and the audit board; the state's staff go there too."""

DOWNLOADS = frozenset(
    {
        "/api/audits",
        "/api/audits/{audit_id}",
        "/api/audits/{audit_id}/counties/{county}",
        "/api/audits/{audit_id}/counties/{county}/boards",
        "/api/audits/{audit_id}/counties/{county}/retrieval",
        "/api/audits/{audit_id}/evidence.zip",
        "/api/audits/{audit_id}/sizes",
        "/api/boards/{board_id:path}/ballots",
        "/api/openapi.json",
        "/checkpoint",
        "/checkpoint/witnesses",
        "/checkpoints/{size}",
        "/j/{slug}/accounting.csv",
        "/j/{slug}/accounting.html",
        "/j/{slug}/audits/{audit_id}/retrieval.csv",
        "/j/{slug}/audits/{audit_id}/retrieval.pdf",
        "/j/{slug}/lat/{session_id}/devices/{serial:path}/expected-cvrs.json",
        "/key-rotations",
        "/lat/{session_id}/certificate.pdf",
        "/lat/{session_id}/deck.{kind}",
        "/log/entries/{index}",
        "/log/proof/consistency/{old}",
        "/log/proof/consistency/{old}/{new}",
        "/log/proof/inclusion/{index}",
        "/netmon/blocklist.{fmt}",
        "/netmon/incidents.json",
        "/netmon/report/{day}",
        "/netmon/totals.json",
        "/public/audits/{audit_id}/evidence.zip",
        "/public/audits/{audit_id}/report.csv",
        "/public/audits/{audit_id}/report.pdf",
        "/publications/{publication_id}/bundle.json",
        "/publications/{publication_id}/document",
        "/results/{slug}/{name}",
        "/static/{path:path}",
        "/verifier-key",
        "/voters/{voter_id}/proof",
    }
)
"""GET routes that are no page: files, JSON, static assets, stand-alone printable reports."""


@dataclass(frozen=True)
class Role:
    role: str
    username: str | None  # None: signed out


@dataclass
class Visit:
    """One page as one role: where it was asked for and what answered."""

    role: str
    route: str
    url: str
    status: int
    final: str = ""
    files: dict[str, str] = field(default_factory=dict)  # width -> screenshot file name
    whole: dict[str, bool] = field(default_factory=dict)  # width -> the whole page, or first screen
    heading: str = ""


_PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")


def _voter(app: App) -> str:
    """The Adams voter with the longest history (several versions to show)."""
    with app.engine.connect() as conn:
        found = conn.execute(
            select(VOTERS.c.voter_id)
            .where(VOTERS.c.county == COUNTY)
            .order_by(VOTERS.c.version.desc(), VOTERS.c.voter_id)
            .limit(1)
        ).scalar_one()
    return str(found)


def _lat_session(app: App) -> str:
    signed = [s for s in lat_records.sessions(app, COUNTY) if s.signed_at is not None]
    return (signed or lat_records.sessions(app, COUNTY))[0].id


def _publication(app: App) -> str:
    found = publications.publications(app)
    ours = [p for p in found if p.jurisdiction == COUNTY] or found
    return ours[0].id


def _audit(app: App) -> str:
    """The finished audit: every page of it has rounds, readings and risks to show."""
    return progress.audits(app)[-1][0]


EXAMPLES: dict[str, Callable[[App], str]] = {
    "slug": lambda app: COUNTY,
    "county": lambda app: COUNTY,
    "voter_id": _voter,
    "session_id": _lat_session,
    "audit_id": _audit,
    "publication_id": _publication,
    "ref": lambda app: "1",  # the board's first ballot to enter
    "token": lambda app: "not-a-link",  # a board's one-time link: the page names it refused
    "day": lambda app: DAY.date().isoformat(),
    "size": lambda app: str(log_view.size(app)),
    "index": lambda app: "0",
}
"""A value from the demo state for each path parameter a page's route takes."""


def board_account(app: App) -> str:
    """The demo's audit board with a password: the Adams board of the audit under way."""
    running = [a[0] for a in progress.audits(app) if a[0] != _audit(app)]
    admin = officer(app, f"{COUNTY}-admin")
    return boards.boards_of(app, admin, running[0], COUNTY)[0].username


def page_routes(app: App) -> tuple[list[str], list[str]]:
    """The GET routes that are pages, and the problems of the DOWNLOADS list."""
    web = create_app(app)
    found = sorted({path for method, path in routes(list(web.router.routes)) if method == "GET"})
    stale = sorted(DOWNLOADS - set(found))
    problems = [f"DOWNLOADS names {path}, which is no route any more" for path in stale]
    return [p for p in found if p not in DOWNLOADS], problems


def address(route: str, app: App) -> str | None:
    names = _PARAMETER.findall(route)
    if any(n not in EXAMPLES for n in names):
        return None
    return _PARAMETER.sub(lambda m: EXAMPLES[m.group(1)](app), route)


NOT_IN_DEMO = {
    "/audits/{audit_id}/batch-round": "the demo has no batch-comparison audit",
    "/j/{slug}/audits/{audit_id}/batches": "the demo has no batch-comparison audit",
}
"""Page routes the demo state has nothing for (404 to every role), with the reason."""
SEEN_ONCE = (401, 403, 404)
"""A page refused or not found for a role: checked once, as the first role that met it."""


FILE_EXAMPLES = {"kind": "json", "fmt": "cidr", "name": "results.csv", "path": "site.css"}
"""Values for the parameters only downloads take; any other such parameter gets ``x``."""


def downloads_that_are_pages(app: App, base: str) -> list[str]:
    """Each route of DOWNLOADS that answers the state administrator with a page of the site.

    A stand-alone HTML report (ballot accounting, the network's daily report)
    carries its own inline styles under ``REPORT_POLICY`` and is a download;
    an HTML answer under the site's policy is a page the tour would leave out.
    """
    found = []
    with httpx.Client(base_url=base, timeout=60, follow_redirects=True) as client:
        login(client, "state-admin", DEMO_PASSWORD)
        for route in sorted(DOWNLOADS):
            url = _PARAMETER.sub(
                lambda m: (
                    EXAMPLES[m.group(1)](app)
                    if m.group(1) in EXAMPLES
                    else FILE_EXAMPLES.get(m.group(1), "x")
                ),
                route,
            )
            answer = client.get(url)
            html = answer.headers.get("content-type", "").startswith("text/html")
            report = answer.headers.get("content-security-policy") == REPORT_POLICY
            if answer.status_code == 200 and html and not report:
                found.append(f"{route}: {url} is a page: take it out of DOWNLOADS")
    return found


@dataclass
class Plan:
    """What each role opens, found over HTTP before the browser starts."""

    visits: list[Visit]
    problems: list[str]


def plan(app: App, base: str, roles: list[Role]) -> Plan:
    """Ask for every page route as every role; keep what each role opens, once per address.

    A route answering 200 with HTML is a page of that role (a redirect counts
    as the page it leads to, unless that page is visited anyway); 401, 403
    and 404 are refusal pages, each kept once. A 404 to every role is a
    problem (the example names nothing in the demo) unless :data:`NOT_IN_DEMO`
    says why; any other answer, or a file, is a problem naming the route.
    """
    pages, problems = page_routes(app)
    problems += downloads_that_are_pages(app, base)
    addresses: dict[str, str] = {}
    for route in pages:
        url = address(route, app)
        if url is None:
            names = [n for n in _PARAMETER.findall(route) if n not in EXAMPLES]
            problems.append(f"{route}: add an example for {', '.join(names)} to EXAMPLES")
        else:
            addresses[route] = url
    visits: list[Visit] = []
    refusals: set[int] = set()
    opened: set[str] = set()
    for role in roles:
        direct: list[Visit] = []
        redirected: list[Visit] = []
        with httpx.Client(base_url=base, timeout=60, follow_redirects=True) as client:
            if role.username is not None:
                signed = login(client, role.username, DEMO_PASSWORD)
                assert not signed.url.path.startswith("/login"), f"{role.username} not signed in"
            for route, url in addresses.items():
                answer = client.get(url)
                final = answer.url.raw_path.decode()
                kind = answer.headers.get("content-type", "")
                status = answer.status_code
                visit = Visit(role.role, route, url, status, final)
                if status in SEEN_ONCE:
                    if status not in refusals and route not in NOT_IN_DEMO:
                        refusals.add(status)
                        visits.append(visit)
                elif status != 200:
                    problems.append(f"{route}: {url} answered {status} to {role.role}")
                elif not kind.startswith("text/html"):
                    problems.append(f"{route} answers {kind}: add it to DOWNLOADS")
                else:
                    opened.add(route)
                    (direct if final == url else redirected).append(visit)
        seen = {v.final for v in direct}
        for visit in redirected:
            if visit.final not in seen:
                seen.add(visit.final)
                direct.append(visit)
        visits += direct
    for route in addresses:
        if route in NOT_IN_DEMO and route in opened:
            problems.append(f"{route} opens in the demo now: take it out of NOT_IN_DEMO")
        elif route not in NOT_IN_DEMO and route not in opened:
            problems.append(f"{route}: {addresses[route]} opens for no role; fix EXAMPLES")
    return Plan(visits, problems)


# ----------------------------------------------------------------------------- in the browser

SHAPE = """
const first = document.querySelector(
  'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]');
const main = document.querySelector('main');
let text = document.title;
if (main) {
  const copy = main.cloneNode(true);
  copy.querySelectorAll('input[name=csrf_token]').forEach(e => e.removeAttribute('value'));
  text += copy.outerHTML;
}
let h1 = 0xdeadbeef, h2 = 0x41c6ce57;
for (let i = 0; i < text.length; i++) {
  const c = text.charCodeAt(i);
  h1 = Math.imul(h1 ^ c, 2654435761);
  h2 = Math.imul(h2 ^ c, 1597334677);
}
return {skip: !!first && first.matches('a.skip[href="#main"]'),
        main: !!document.querySelector('main#main'),
        h1: document.querySelectorAll('h1').length,
        heading: (document.querySelector('h1') || {textContent: ''}).textContent.trim(),
        wide: document.documentElement.scrollWidth, room: document.documentElement.clientWidth,
        header: (document.querySelector('body > header') || {offsetHeight: 0}).offsetHeight,
        height: document.documentElement.scrollHeight,
        content: (h1 >>> 0).toString(16) + (h2 >>> 0).toString(16) + ':' + text.length,
        over: document.documentElement.scrollWidth > document.documentElement.clientWidth
          ? wider() : []};

function wider() {  // the innermost elements reaching past the right edge, to name in a failure
  const room = document.documentElement.clientWidth, found = [];
  for (const e of document.body.querySelectorAll('*')) {
    if (e.getBoundingClientRect().right <= room + 1 || found.length >= 3) continue;
    if ([...e.children].some(c => c.getBoundingClientRect().right > room + 1)) continue;
    let up = e, clipped = false;
    while ((up = up.parentElement) && up !== document.body) {
      if (getComputedStyle(up).overflowX !== 'visible') { clipped = true; break; }
    }
    if (!clipped) found.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
      + [...e.classList].map(c => '.' + c).join('') + ' in ' + e.parentElement.tagName.toLowerCase()
      + [...e.parentElement.classList].map(c => '.' + c).join(''));
  }
  return found;
}
"""
"""The page's shape: skip link first, one h1, width against the room, header height, and a
fingerprint of its main content (the CSRF token left out) to tell one role's page from another's."""
FOCUS = """
const e = document.activeElement, style = getComputedStyle(e), box = e.getBoundingClientRect();
return {tag: e.tagName, text: (e.textContent || e.name || '').trim().slice(0, 40),
        type: e.type, skip: e.classList.contains('skip'), href: e.getAttribute('href'),
        outline: style.outlineStyle, width: parseFloat(style.outlineWidth),
        shown: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight};
"""
"""What has the keyboard focus, and whether it shows."""
AXE_RUN = """
const done = arguments[arguments.length - 1];
const context = arguments[1] ? {exclude: ['main']} : document;
axe.run(context, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
  .then(r => done(JSON.stringify(r.violations)), e => done(JSON.stringify(String(e))));
"""
"""axe on the page, or (``arguments[1]``) on all of it but the main content."""


def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run scripts/ensure-test-deps (npm ci)")
    return AXE.read_text(encoding="utf-8")


def run_axe(driver: webdriver.Chrome, *, without_main: bool = False) -> list[dict[str, Any]]:
    """axe's violations; axe is in every page already (:func:`load_axe_everywhere`)."""
    found = json.loads(driver.execute_async_script(AXE_RUN, TAGS, without_main))
    assert isinstance(found, list), found
    return found


def load_axe_everywhere(driver: webdriver.Chrome) -> None:
    """Put axe-core into every page the browser opens, as it opens, not sent again each time."""
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": axe_source()})


def serious(where: str, violations: list[dict[str, Any]]) -> list[str]:
    return [
        f"{where}: {v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:3])
        for v in violations
        if v["impact"] in ("serious", "critical") or v["id"] in MUST_PASS
    ]


def keyboard(driver: webdriver.Chrome, where: str, tabs: int = TABS) -> list[str]:
    """Tab from the top: the skip link first and shown, Enter moves to main, focus always shows."""
    driver.execute_script("window.scrollTo(0, 0); document.activeElement.blur()")
    ActionChains(driver).send_keys(Keys.TAB).perform()
    first = driver.execute_script(FOCUS)
    if not (first["skip"] and first["href"] == "#main" and first["shown"]):
        return [f"{where}: the first Tab reaches {first}, not a visible skip link"]
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    problems = []
    if driver.execute_script("return document.activeElement.tagName") != "MAIN":
        problems.append(f"{where}: the skip link does not move the focus to the main content")
    for _ in range(tabs):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        now = driver.execute_script(FOCUS)
        if now["tag"] == "BODY":
            break
        if now["type"] == "date":
            continue  # Chrome marks the focused part (day, month, year) of a date field itself
        if now["outline"] == "none" or (now["outline"] != "auto" and now["width"] < 2):
            problems.append(f"{where}: no visible focus on {now}")
    return problems


def screenshot(driver: webdriver.Chrome, path: Path, height: int | None) -> None:
    """The whole page (``height``, up to :data:`TALLEST`) or, with None, the first screen."""
    if height is None:
        path.write_bytes(driver.get_screenshot_as_png())
        return
    width = driver.execute_script("return document.documentElement.clientWidth")
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": min(height, TALLEST), "scale": 1},
        },
    )
    path.write_bytes(base64.b64decode(shot["data"]))


def file_name(visit: Visit, width: str) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", visit.final.lower()).strip("-") or "home"
    status = "" if visit.status == 200 else f"-{visit.status}"
    return f"{visit.role}--{words}{status}--{width}.png"


def sign_in(driver: webdriver.Chrome, base: str, role: Role) -> None:
    """Start the role's session afresh: cookies cleared, then the sign-in form."""
    driver.get(base + "/login")
    driver.delete_all_cookies()
    if role.username is None:
        return
    driver.get(base + "/login")
    driver.find_element(By.NAME, "username").send_keys(role.username)
    driver.find_element(By.NAME, "password").send_keys(DEMO_PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(driver, 30).until(lambda d: "/login" not in d.current_url)


def tour(
    driver: webdriver.Chrome, base: str, visits: list[Visit], roles: list[Role], folder: Path
) -> list[str]:
    """Every visit at both widths: its shape, axe, the keyboard, a screenshot.

    Each page is loaded once and checked at one width, then the window is
    resized and it is checked at the other (pages alternate which width comes
    first, so the window changes once per page). A page whose main content
    another role already showed at that width (a public page seen signed in,
    say) is the same DOM there: axe then checks all of it but the main
    content, the keyboard walk is not repeated, and its screenshot is the
    first screen only. Everything else is checked on every visit.
    """
    load_axe_everywhere(driver)
    # A phone's scrollbars lie over the page and take no width; so do these, at both widths.
    driver.execute_cdp_cmd("Emulation.setScrollbarsHidden", {"hidden": True})
    problems: list[str] = []
    checked: set[tuple[str, str, str]] = set()  # (route, width, content) seen in full
    order = list(WIDTHS)
    for role in roles:
        sign_in(driver, base, role)
        for visit in (v for v in visits if v.role == role.role):
            driver.get(base + visit.url)
            for width in order:
                resize(driver, WIDTHS[width])
                problems += check(driver, visit, width, checked, folder)
            order.reverse()
    return problems


def check(
    driver: webdriver.Chrome,
    visit: Visit,
    width: str,
    checked: set[tuple[str, str, str]],
    folder: Path,
) -> list[str]:
    """One page at one width (the window already that wide); the problems found."""
    where = f"{visit.role} {visit.url} ({visit.status}) at {width}"
    # Two frames: what the page's scripts do on a resize (tables.js) is done.
    driver.execute_async_script(
        "const done = arguments[0]; window.scrollTo(0, 0); document.activeElement.blur();"
        "requestAnimationFrame(() => requestAnimationFrame(done));"
    )
    shape = driver.execute_script(SHAPE)
    visit.heading = shape["heading"]
    problems = []
    if shape["wide"] > shape["room"]:
        problems.append(f"{where}: {shape['wide']} pixels wide in {shape['room']}: {shape['over']}")
    if shape["h1"] != 1:
        problems.append(f"{where}: {shape['h1']} h1 elements, not one")
    if not (shape["skip"] and shape["main"]):
        problems.append(f"{where}: no skip link first to main#main")
    if width == "phone" and shape["header"] > HEADER_MAX:
        problems.append(f"{where}: the header is {shape['header']} pixels tall")
    seen = (visit.route, width, shape["content"])
    repeat = seen in checked
    checked.add(seen)
    name = file_name(visit, width)
    screenshot(driver, folder / name, None if repeat else shape["height"])
    visit.files[width] = name
    visit.whole[width] = not repeat
    problems += serious(where, run_axe(driver, without_main=repeat))
    if width == "laptop" and not repeat:
        problems += keyboard(driver, where)
    return problems


def screenshots_folder(default: Path) -> Path:
    """``$VOTETRAIL_SCREENSHOTS`` (``make screenshots``), else the test's own folder."""
    chosen = os.environ.get("VOTETRAIL_SCREENSHOTS")
    folder = Path(chosen) if chosen else default
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def demo_state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """What ``make demo`` serves: ``votetrail demo --no-serve`` into a fresh data directory."""
    data = tmp_path_factory.mktemp("every-page") / "demo-data"
    assert run(["demo", "--no-serve", "--data-dir", str(data)]) == 0
    app = open_app(data, None)
    yield app
    app.engine.dispose()


@pytest.fixture(scope="module")
def demo_url(demo_state: App) -> Iterator[str]:
    with serving(demo_state) as url:
        yield url


def roles_of(app: App) -> list[Role]:
    return [
        Role("anonymous", None),
        Role("state_admin", "state-admin"),
        Role("security_analyst", "analyst"),
        Role("county_admin", f"{COUNTY}-admin"),
        Role("audit_board", board_account(app)),
    ]


def test_every_page_as_every_role_fits_a_laptop_and_a_phone_and_passes_axe(
    browser: webdriver.Chrome,  # noqa: F811 - the fixture imported above
    demo_state: App,
    demo_url: str,
    tmp_path: Path,
) -> None:
    started = time.monotonic()
    roles = roles_of(demo_state)
    found = plan(demo_state, demo_url, roles)
    folder = screenshots_folder(tmp_path / "screenshots")
    problems = found.problems + tour(browser, demo_url, found.visits, roles, folder)
    index = [asdict(v) for v in found.visits]
    (folder / "pages.json").write_text(json.dumps(index, indent=1) + "\n", encoding="utf-8")
    assert not problems, "\n".join(problems)
    # The checks are live: a picture without a text alternative and a box wider than the
    # screen, planted in the last page, are both found.
    browser.execute_script(
        "const main = document.querySelector('main'), wide = document.createElement('div');"
        "wide.style.width = '2000px'; wide.textContent = 'wide';"
        "main.append(document.createElement('img'), wide);"
    )
    resize(browser, WIDTHS["phone"])
    last = Visit("planted", "/", browser.current_url, 200)
    planted = check(browser, last, "phone", set(), tmp_path)
    assert any("image-alt" in p for p in planted), planted
    assert any("pixels wide" in p for p in planted), planted
    # Every role was shown pages of its own, and the refusals were seen.
    assert {v.role for v in found.visits if v.status == 200} == {r.role for r in roles}
    assert {v.status for v in found.visits} >= {200, 401, 403}
    print(f"{len(found.visits)} pages x {len(WIDTHS)} widths in {time.monotonic() - started:.0f} s")


def test_the_phone_header_is_a_closed_menu_the_keyboard_opens_with_or_without_javascript(
    browser: webdriver.Chrome,  # noqa: F811 - the fixture imported above
    demo_url: str,
) -> None:
    sign_in(browser, demo_url, Role("state_admin", "state-admin"))  # the most links
    for scripts in ("on", "off"):
        if scripts == "off":
            browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
        resize(browser, WIDTHS["phone"])
        browser.get(demo_url + "/")
        header = browser.find_element(By.CSS_SELECTOR, "body > header")
        assert header.rect["height"] <= HEADER_MAX, scripts
        menu = browser.find_element(By.CSS_SELECTOR, "header details.menu")
        links = header.find_elements(By.CSS_SELECTOR, "nav a")
        assert [a.text for a in links if a.is_displayed()] == [], scripts  # folded away
        # Skip link, brand, then "Menu"; Enter opens it, and Tab goes on into the links.
        ActionChains(browser).send_keys(Keys.TAB * 3).perform()
        assert browser.switch_to.active_element.tag_name == "summary", scripts
        ActionChains(browser).send_keys(Keys.ENTER).perform()
        assert menu.get_dom_attribute("open") is not None, scripts
        shown = [a.text for a in links if a.is_displayed()]
        assert shown[:4] == ["Results", "Audits", "L&A tests", "Public log"], scripts
        assert {"Network", "Voter alerts", "Accounts"} <= set(shown), scripts
        assert header.find_element(By.CSS_SELECTOR, "nav button").is_displayed(), scripts
        assert header.rect["height"] <= HEADER_MAX, scripts  # the open menu lies over the page
        ActionChains(browser).send_keys(Keys.TAB).perform()
        assert browser.switch_to.active_element.get_dom_attribute("href") == "/results", scripts
        ActionChains(browser).send_keys(Keys.ENTER).perform()
        WebDriverWait(browser, 20).until(lambda d: d.current_url.endswith("/results"))
        # On a laptop there is no "Menu" to press: the links are there, next after the brand.
        resize(browser, WIDTHS["laptop"])
        browser.get(demo_url + "/")
        assert not browser.find_element(By.CSS_SELECTOR, "header summary").is_displayed()
        links = browser.find_elements(By.CSS_SELECTOR, "header nav a")
        assert all(a.is_displayed() for a in links), scripts
        ActionChains(browser).send_keys(Keys.TAB * 3).perform()
        assert browser.switch_to.active_element.get_dom_attribute("href") == "/results", scripts
