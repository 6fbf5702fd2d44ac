"""Every route, as anonymous and as every role of two counties, against the table in
docs/security.md ("Who may do what, route by route"), over real HTTP.

The routes come from the application's router, so a route added without a row
in the table fails here. Each county official is sent to the *other* county's
addresses (its slug, a voter, an L&A test, an account), since that is what a
forged link or a curious clerk would try; the state's staff go to Adams. A
refusal must be a 401 (not signed in) or a 403, logged exactly once as
``access.denied`` naming the user (``anonymous`` for a 401 or for a visitor's
form); a form POST without a valid CSRF token is refused whoever sends it, and
with a valid one it is still refused to a role the table does not allow,
without writing anything but the refusal. The JSON API checks the caller
before it reads a body, so an empty body sent by a refused role is a logged
403, never a 400. An allowed request is neither refused nor logged as one.

The refusal counters (``test_refusals.py``) are emptied before each request:
this walk refuses each official far more than the 100 refusals and 20 distinct
logged requests an hour allow, and it measures the walls, not the flood limit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlalchemy import delete, select
from starlette.routing import BaseRoute, Mount, Route

from tests.services.voters.fixtures import load, who
from tests.web.server import csrf, login, serving
from votetrail.core.ledger.events import LogEntry
from votetrail.formats.election.yaml import write_yaml
from votetrail.services import log_view
from votetrail.services.accounts.refusals import ANONYMOUS
from votetrail.services.context import App
from votetrail.services.demo.lat import demo_definition
from votetrail.services.directory import add_user
from votetrail.services.lat.sessions import open_from_file
from votetrail.services.setup import DEMO_PASSWORD, SYSTEM_ACTOR
from votetrail.services.unit_of_work import unit_of_work
from votetrail.services.verify import verify
from votetrail.store.models import REFUSAL_COUNTS
from votetrail.web.app import create_app

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
SECTION = "## Who may do what, route by route"
ROLES = ("anonymous", "state_admin", "security_analyst", "county_admin", "audit_board")
COUNTY_ROLES = ("county_admin", "audit_board")
# What a cell may say: anyone at all, own county only, or no one of that role.
CELLS = {"yes", "own", "no"}
REFUSED = {401, 403}
# Not cookie forms, so no CSRF token: the JSON API reads only a bearer token (web/auth.py),
# and a witness's cosignature is a signed body that carries no session's authority.
CSRF_EXEMPT = ("/api/", "/checkpoint/cosignatures")


@dataclass(frozen=True)
class Official:
    username: str
    role: str
    county: str  # the county whose walls it stands behind; "state" for the state's staff


OFFICIALS = (
    Official(ANONYMOUS, "anonymous", "state"),
    Official("state-admin", "state_admin", "state"),
    Official("analyst", "security_analyst", "state"),
    Official("adams-admin", "county_admin", "adams"),
    Official("adams-board", "audit_board", "adams"),
    Official("baker-admin", "county_admin", "baker"),
    Official("baker-board", "audit_board", "baker"),
)
OTHER = {"adams": "baker", "baker": "adams", "state": "adams"}


def table() -> dict[tuple[str, str], dict[str, str]]:
    """The rows of the section: (method, route) -> role -> yes/own/no."""
    text = DOC.read_text(encoding="utf-8")
    assert SECTION in text, f"docs/security.md has no section {SECTION!r}"
    body = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for line in body.splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 + len(ROLES) or cells[0] not in {"GET", "POST", "DELETE"}:
            continue
        allowed = dict(zip(ROLES, cells[2 : 2 + len(ROLES)], strict=True))
        assert set(allowed.values()) <= CELLS, f"unknown cell in row {line!r}"
        rows[(cells[0], cells[1])] = allowed
    return rows


def routes(found: list[BaseRoute], prefix: str = "") -> Iterator[tuple[str, str]]:
    """Every (method, path) the router answers, mounted apps included."""
    for route in found:
        if isinstance(route, Mount):
            if route.routes:
                yield from routes(list(route.routes), prefix + route.path)
            else:
                yield "GET", prefix + route.path + "/{path:path}"
        elif isinstance(route, Route):
            for method in sorted((route.methods or set()) - {"HEAD"}):
                yield method, prefix + route.path


def values(county: str) -> dict[str, str]:
    """Path parameters naming things of ``county`` (``state``: those of the state)."""
    target = "adams" if county == "state" else county
    return {
        "slug": county,
        "county": target,
        "voter_id": f"{target.upper()}000000",
        "session_id": f"{target}-lat-1",
        "serial": f"{target}-scanner-1",
        "username": f"{target}-admin",
        "board_id": f"{target}-board-1",
        "review_id": "1",
        "audit_id": "audit-1",
        "publication_id": "1",
        "n": "1",
        "ref": "1",
        "token": "not-a-link",
        "index": "0",
        "old": "1",
        "new": "2",
        "size": "1",
        "name": "results.csv",
        "day": "2026-11-03",
        "fmt": "txt",
        "kind": "cvrs",
        "path": "app.css",
    }


def address(path: str, county: str) -> str:
    given = values(county)
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: given[m.group(1)], path)


@pytest.fixture
def two_counties(demo_app: App, tmp_path: Path) -> App:
    """The demo state with an audit-board account, voters and an open L&A test per county."""
    with unit_of_work(demo_app, SYSTEM_ACTOR) as uow:
        add_user(uow, "baker-board", "Baker Audit Board 1", "audit_board", "baker", DEMO_PASSWORD)
    for county in ("adams", "baker"):
        load(demo_app, county, 2, user=f"{county}-admin")
        definition = tmp_path / f"{county}.yaml"
        definition.write_text(write_yaml(demo_definition(county, county.title())), "utf-8")
        open_from_file(
            demo_app,
            who(demo_app, f"{county}-admin"),
            county,
            definition,
            "pre",
            date(2026, 10, 20),
            f"{county.title()} County Election Office",
            ["League of Women Voters: Jo Ortiz"],
        )
    return demo_app


@dataclass
class Walk:
    app: App
    clients: dict[str, httpx.Client]
    tokens: dict[str, str]  # CSRF token of each session
    bearers: dict[str, str]  # API token of each official
    checked: int = 0
    problems: list[str] | None = None
    recorded: set[str] = field(default_factory=set)  # every request a counter was kept for

    def request(self, official: Official, method: str, url: str, token: str | None) -> int:
        client = self.clients[official.username]
        headers = {}
        if url.startswith("/api/") and official.username in self.bearers:
            headers["Authorization"] = f"Bearer {self.bearers[official.username]}"
        if method == "GET":
            return client.get(url, headers=headers).status_code
        if url.startswith("/api/"):
            return client.request(method, url, json={}, headers=headers).status_code
        data = {} if token is None else {"csrf_token": token}
        return client.request(method, url, data=data, headers=headers).status_code

    def expect(
        self, official: Official, method: str, url: str, allowed: bool, token: str | None
    ) -> None:
        """One request; a refusal must be logged once, an allowed request must not be refused.

        The counters start empty, so a refusal repeating an earlier one (a form sent
        without and then with its token, both refused for want of an account) is logged.
        """
        with self.app.engine.begin() as conn:
            self.recorded.update(conn.execute(select(REFUSAL_COUNTS.c.what)).scalars())
            conn.execute(delete(REFUSAL_COUNTS))
        size = log_view.size(self.app)
        status = self.request(official, method, url, token)
        added = [v.entry for v in log_view.entries(self.app, size, log_view.size(self.app) - size)]
        self.checked += 1
        assert self.problems is not None
        self.problems.extend(judge(official, method, url, allowed, token, status, added))


def judge(
    official: Official,
    method: str,
    url: str,
    allowed: bool,
    token: str | None,
    status: int,
    added: list[LogEntry],
) -> list[str]:
    """What is wrong with one answer and the log entries it added, if anything."""
    where = f"{official.username} {method} {url} (csrf {'ok' if token else 'none'})"
    denials = [e for e in added if e.event_type == "access.denied"]
    if allowed:
        if status in REFUSED or status == 429 or denials:
            return [f"{where}: allowed by the table, answered {status}, {len(denials)} denials"]
        return []
    problems = []
    if status not in REFUSED | {404}:
        problems.append(f"{where}: refused by the table, answered {status}")
    others = [e.event_type for e in added if e.event_type != "access.denied"]
    if others:
        problems.append(f"{where}: refused, yet wrote {others}")
    strangers = sorted({e.actor for e in denials} - {official.username})
    if strangers:
        problems.append(f"{where}: refusal logged as {strangers}")
    # A 404 may be a logged guess (another board's ballot) or a plain miss; never two entries.
    expected = {1} if status in REFUSED else {0, 1}
    if len(denials) not in expected:
        problems.append(f"{where}: answered {status}, logged {len(denials)} times as access.denied")
    return problems


@contextmanager
def signed_in(app: App, base: str, officials: Sequence[Official]) -> Iterator[Walk]:
    """A client per official, signed in by form (cookie and CSRF token) and for the API."""
    clients = {o.username: httpx.Client(base_url=base, timeout=20) for o in officials}
    tokens: dict[str, str] = {}
    bearers: dict[str, str] = {}
    try:
        for official in officials:
            client = clients[official.username]
            if official.role != "anonymous":
                assert login(client, official.username, DEMO_PASSWORD).status_code == 303
                signed = client.post(
                    "/api/session",
                    json={"username": official.username, "password": DEMO_PASSWORD},
                )
                bearers[official.username] = signed.json()["token"]
                tokens[official.username] = csrf(
                    client.get("/workspace", follow_redirects=True).text
                )
            else:
                tokens[official.username] = csrf(client.get("/login").text)
        yield Walk(app, clients, tokens, bearers, problems=[])
    finally:
        for client in clients.values():
            client.close()


def walk_route(
    walk: Walk,
    method: str,
    path: str,
    row: dict[str, str],
    officials: Sequence[Official],
    to: Callable[[str, str], str] = address,
) -> None:
    """Every official at one route: a county's at the other county's ``to(path, county)``
    (and at its own where the table says ``own``), the state's staff at Adams."""
    for official in officials:
        cell = row[official.role]
        county_wall = official.role in COUNTY_ROLES
        url = to(path, OTHER[official.county] if county_wall else "adams")
        # "own" on an address naming no county's thing (a board's review page) is always
        # the official's own: the page finds the board from the account, not the address.
        own_only = county_wall and url == to(path, official.county)
        allowed = cell == "yes" or (cell == "own" and own_only)
        token = walk.tokens[official.username]
        form = method == "POST" and not url.startswith(CSRF_EXEMPT)
        if form:
            # No token: refused whoever sends it, logged, nothing else written.
            walk.expect(official, method, url, False, None)
            if allowed:
                continue  # a valid form of an allowed role would change things
            walk.expect(official, method, url, False, token)
        elif method == "GET" or not allowed:
            walk.expect(official, method, url, allowed, token)
        if method == "GET" and cell == "own" and county_wall and not own_only:
            walk.expect(official, method, to(path, official.county), True, token)


@pytest.mark.only_on(
    "sqlite"
)  # the walls are in the code, not the backend; see docs/reliability.md
def test_every_route_keeps_its_walls_for_every_role_of_two_counties(two_counties: App) -> None:
    app = two_counties
    web = create_app(app)
    found = sorted(set(routes(list(web.router.routes))))
    rows = checked_table(found)
    with serving(app) as base, signed_in(app, base, OFFICIALS) as walk:
        for method, path in found:
            if (method, path) in {("POST", "/logout"), ("DELETE", "/api/session")}:
                continue  # they end the walker's own session: tried last, below
            walk_route(walk, method, path, rows[(method, path)], OFFICIALS)
    assert not walk.problems, "\n".join(walk.problems)
    print(f"role walls: {len(found)} routes x {len(OFFICIALS)} officials: {walk.checked} requests")
    assert verify(app).ok


def checked_table(found: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, str]]:
    """The table, once it has a row for every route found and none for a route gone."""
    rows = table()
    unclassified = [f"| {m} | `{p}` |" for m, p in found if (m, p) not in rows]
    assert not unclassified, "routes missing from the table:\n" + "\n".join(unclassified)
    stale = sorted(set(rows) - set(found))
    assert not stale, f"rows of the table for routes that no longer exist: {stale}"
    return rows
