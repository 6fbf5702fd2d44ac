"""What people read (issue 20, item 7): words, local times and folded hashes, never internals.

Signed out and as each role, the pages reachable by links from a few starting
points of the full demo (audits, L&A tests, publications, results, the log,
network monitoring, accounts) are fetched over real HTTP, and their visible
text (tags removed, ``<details>`` folds left out) is held to the rules: no
64-hex hash or Merkle root outside a fold, no time to the microsecond or in
ISO form, no internal names (``cvrs``, ``paper_counts``, ``manifest_short``,
"County adams") and no "checkpoint of size". The county and state pages and
the voter pages are another part of the issue and are left out here.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx

from tests.web.server import login, serving
from votetrail.core.accounting.findings import FindingKind
from votetrail.core.ledger.events import EVENT_TYPES
from votetrail.core.netmon.incidents import IncidentKind
from votetrail.services.context import App
from votetrail.services.demo.audit import load_demo_audits
from votetrail.services.demo.lat import load_demo_lat
from votetrail.services.demo.netmon import load_demo_netmon
from votetrail.services.demo.publications import load_demo_publications
from votetrail.services.setup import DEMO_COUNTIES, DEMO_PASSWORD
from votetrail.store.records import RECORD_TYPES
from votetrail.web import words

MINE = re.compile(
    r"^/(log|glossary|lat|public/audits|publications|results|rumor-control|verify-document"
    r"|netmon|account|accounts|audits|audit-board|j/[^/]+/(audits|lat))(/|$|\?)"
)
"""The pages this test holds to the rules (another test covers county and voter pages)."""
SKIP = re.compile(
    r"(\.(csv|json|zip|pdf|txt|html|nftables|ipset|pfsense|cidr)$|/document$|/bundle|"
    r"/proof/|format=json|/report/|/blocklist|/static/|/entries/|^/log\?start=)"
)
"""Downloads and machine-readable answers: they keep exact values on purpose."""
STARTS = [
    "/",
    "/log",
    "/log?start=0",
    "/glossary",
    "/lat",
    "/public/audits",
    "/publications",
    "/results",
    "/rumor-control",
    "/verify-document",
]
SIGNED_IN = [
    "/account",
    "/accounts",
    "/audits",
    "/netmon",
    "/audit-board",
    "/j/adams/audits",
    "/j/adams/lat",
]
ROLES = [None, "state-admin", "analyst", "adams-admin", "audit-2-adams-board-1"]
LIMIT = 60
"""Pages fetched per role at most: every kind of page is reached well within it."""

HEX64 = re.compile(r"\b[0-9a-fA-F]{64}\b")
MICROSECONDS = re.compile(r"\d{2}:\d{2}:\d{2}\.\d{3,}")
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
INTERNAL = re.compile(
    r"(?<![\w-])(cvrs|paper_counts|check_ins|manifest_short|reported_results)(?![\w.-])"
)
COUNTY_SLUG = re.compile(r"\bCounty (adams|baker|clark)\b")


class Visible(HTMLParser):
    """The text a reader sees: no tags, no attributes, no scripts, nothing inside a fold."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("details", "script", "style", "title"):
            self.hidden += 1
        if tag == "a":
            self.links.extend(v for k, v in attrs if k == "href" and v)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("details", "script", "style", "title"):
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def _read(html: str) -> Visible:
    page = Visible()
    page.feed(html)
    return page


def _problems(text: str) -> list[str]:
    found = []
    for name, pattern in (
        ("a 64-hex hash outside a fold", HEX64),
        ("a time to the microsecond", MICROSECONDS),
        ("an ISO timestamp", ISO_TIME),
        ("an internal name", INTERNAL),
        ("a county slug", COUNTY_SLUG),
    ):
        hit = pattern.search(text)
        if hit:
            start = max(hit.start() - 40, 0)
            found.append(f"{name}: ...{text[start : hit.end() + 40]!r}...")
    if "checkpoint of size" in text:
        found.append('"checkpoint of size"')
    return found


def _crawl(client: httpx.Client, starts: list[str]) -> tuple[dict[str, list[str]], set[str]]:
    """Path → the rule breaches its visible text shows, for every page reached."""
    queue = list(starts)
    seen: set[str] = set()
    breaches: dict[str, list[str]] = {}
    while queue and len(seen) < LIMIT:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        answer = client.get(path)
        if answer.status_code != 200 or "text/html" not in answer.headers["content-type"]:
            continue
        page = _read(answer.text)
        text = " ".join(" ".join(page.parts).split())
        problems = _problems(text)
        if problems and (path == "/" or MINE.match(path)):
            breaches[path] = problems
        for link in page.links:
            target = urlsplit(urljoin(path, link))
            local = target.path + (f"?{target.query}" if target.query else "")
            if target.netloc or not MINE.match(local) or SKIP.search(local):
                continue
            if local not in seen:
                queue.append(local)
    return breaches, seen


def _full_demo(election_app: App) -> App:
    """What ``votetrail demo`` loads besides the voters: tests, audits, documents, a network day."""
    load_demo_lat(election_app, list(DEMO_COUNTIES))
    load_demo_audits(election_app)
    load_demo_publications(election_app)
    load_demo_netmon(election_app)
    return election_app


def test_pages_show_words_local_times_and_folded_hashes(election_app: App) -> None:
    app = _full_demo(election_app)
    breaches: dict[str, dict[str, list[str]]] = {}
    reached: set[str] = set()
    with serving(app) as url:
        for role in ROLES:
            with httpx.Client(base_url=url, timeout=30) as client:
                starts = list(STARTS)
                if role is not None:
                    login(client, role, DEMO_PASSWORD)
                    starts += SIGNED_IN
                found, seen = _crawl(client, starts)
            reached |= seen
            if found:
                breaches[str(role)] = found
    listed = [
        f"{role} {path}: {p}" for role, f in breaches.items() for path, ps in f.items() for p in ps
    ]
    assert not listed, "\n".join(listed)
    # The crawl reached every kind of page it is meant to hold to the rules.
    for kind in ("/public/audits/", "/publications/", "/lat/", "/audits/", "/j/adams/lat/"):
        assert any(path.startswith(kind) for path in reached), kind
    for page in ("/netmon", "/accounts", "/audit-board"):
        assert page in reached, page


def test_every_event_type_and_finding_kind_has_words() -> None:
    assert sorted(set(EVENT_TYPES) - set(words.EVENTS)) == []
    assert sorted({k.value for k in FindingKind} - set(words.FINDINGS)) == []
    assert sorted({k.value for k in IncidentKind} - set(words.SCANS)) == []
    assert sorted(set(RECORD_TYPES) - set(words.RECORDS)) == []
    assert words.event_label("upload.cvrs") == "Cast vote records imported"
    assert words.kind_label("manifest_short") == "Fewer paper ballots than the manifest says"
    assert words.kind_label("paper_counts") == "Paper-record counts"
    assert words.log_size(76) == "the signed log of 76 entries"


def test_the_glossary_explains_the_terms_pages_link_to(client: httpx.Client) -> None:
    page = client.get("/glossary")
    assert page.status_code == 200
    anchors = set(re.findall(r'<dt id="([a-z-]+)"', page.text))
    for term in (
        "checkpoint",
        "merkle-tree",
        "inclusion-proof",
        "consistency-proof",
        "hash",
        "cvr",
        "ballot-manifest",
        "risk-limit",
        "risk-limiting-audit",
        "ballot-polling",
        "ballot-comparison",
        "la-test",
        "phantom-ballot",
        "margin",
        "raire-assertion",
        "witness-cosignature",
    ):
        assert term in anchors
    log = client.get("/log")
    linked = set(re.findall(r'href="/glossary#([a-z-]+)"', log.text))
    assert linked
    assert linked <= anchors
