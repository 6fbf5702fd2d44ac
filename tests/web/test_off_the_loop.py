"""No database call on the event loop: every page's and every form's queries run in a worker thread.

One uvicorn process answers every request on one event-loop thread; a query
made there (an ``async def`` handler calling a service directly) stops every
other request for as long as the database takes, which is how a loaded site
turns a 20 ms page into a 2 s one. Starlette runs a plain ``def`` handler, and
whatever ``run_in_threadpool`` is handed, in a worker thread.

The check is on the engine itself: each time a connection is taken from the
pool, the test notes whether that thread is running an event loop, with the
stack that asked. Then a real server is walked over HTTP: every GET route the
router has (pages and downloads, the demo's county Adams in every path), as a
visitor and as Adams's county administrator, with the sign-in between; and
every POST route, with a valid form token (a bearer token for the JSON API)
and an empty body, as a visitor, Adams's administrator and the state
administrator. An empty form is what a hurried clerk or a crawler sends: it
reaches the handler's checks (who is asking, which county, which audit),
which are the small lookups most easily left on the loop. Any connection
taken on the loop fails the test naming the code that took it.
"""

from __future__ import annotations

import asyncio
import re
import traceback
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import event, text
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from tests.web.server import csrf, login, serving
from tests.web.test_role_walls import routes, values
from votetrail.services.context import App
from votetrail.services.demo.lat import load_demo_lat
from votetrail.services.demo.netmon import DAY, load_demo_netmon
from votetrail.services.demo.publications import load_demo_publications
from votetrail.services.lat import records as lat_records
from votetrail.services.publications import views as publications
from votetrail.services.setup import DEMO_COUNTIES, DEMO_PASSWORD, load_demo
from votetrail.web.app import create_app

COUNTY = "adams"
_PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")
_SOURCE = str(Path(__file__).resolve().parents[2] / "src" / "votetrail")


@pytest.fixture
def light_demo(data_dir: Path, database_url: str | None) -> Iterator[App]:
    """The demo state with its election, L&A tests, publications and network day."""
    app = load_demo(data_dir, database_url)
    load_demo_lat(app, list(DEMO_COUNTIES))
    load_demo_publications(app)
    load_demo_netmon(app)
    yield app
    app.engine.dispose()


def _on_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _where() -> str:
    """The votetrail frames of the stack that took the connection, innermost last."""
    frames = [f for f in traceback.extract_stack() if f.filename.startswith(_SOURCE)]
    return " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames))


def addresses(app: App, method: str = "GET") -> list[str]:
    """Every route of ``method``, its parameters filled with the demo's things of Adams."""
    given = values(COUNTY)
    sessions = lat_records.sessions(app, COUNTY)
    if sessions:
        given["session_id"] = sessions[0].id
    ours = [p for p in publications.publications(app) if p.jurisdiction == COUNTY]
    if ours:
        given["publication_id"] = ours[0].id
    given["day"] = DAY.date().isoformat()
    given["path"] = "site.css"
    given["username"] = f"{COUNTY}-board"  # a POST to the walker's own account would end it
    found = sorted({p for m, p in routes(list(create_app(app).router.routes)) if m == method})
    return [_PARAMETER.sub(lambda m: given[m.group(1)], path) for path in found]


class LoopWatch:
    """Counts the engine's connection checkouts and notes any made on the event loop.

    ``current`` names the request being sent, so a checkout on the loop is
    reported with the request that caused it and the code that made it.
    """

    def __init__(self, app: App) -> None:
        self.current = ""
        self.taken = 0
        self.on_loop: dict[str, str] = {}
        event.listen(app.engine, "checkout", self._checked_out)

    def _checked_out(self, *_: object) -> None:
        self.taken += 1
        if _on_loop():
            self.on_loop.setdefault(_where(), self.current)

    def report(self) -> str:
        return "\n".join(f"{what}: {where}" for where, what in self.on_loop.items())


def test_no_query_runs_on_the_event_loop(light_demo: App) -> None:
    watch = LoopWatch(light_demo)
    pages = addresses(light_demo)
    statuses: dict[int, int] = {}
    with serving(light_demo) as base:
        for who in (None, f"{COUNTY}-admin"):
            with httpx.Client(base_url=base, timeout=60) as client:
                if who is not None:
                    watch.current = "POST /login"
                    signed = login(client, who, DEMO_PASSWORD)
                    assert signed.status_code == 303, signed.text
                for url in pages:
                    watch.current = f"GET {url} as {who or 'a visitor'}"
                    answer = client.get(url)
                    statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
                    assert answer.status_code < 500, f"{watch.current}: {answer.status_code}"

    assert len(pages) > 60
    assert statuses.get(200, 0) > 60, statuses  # most pages really rendered, not refused
    assert watch.taken > len(pages)  # the listener saw the queries: it is not checking nothing
    assert not watch.on_loop, watch.report()


# They end the walker's own session; the same handlers' lookups are walked by sign-in.
ENDING = {"/logout"}


def test_no_form_query_runs_on_the_event_loop(light_demo: App) -> None:
    watch = LoopWatch(light_demo)
    forms = [url for url in addresses(light_demo, "POST") if url not in ENDING]
    statuses: dict[int, int] = {}
    with serving(light_demo) as base:
        for who in (None, f"{COUNTY}-admin", "state-admin"):
            with httpx.Client(base_url=base, timeout=60) as client:
                headers: dict[str, str] = {}
                if who is None:
                    token = csrf(client.get("/login").text)
                else:
                    watch.current = "POST /login"
                    assert login(client, who, DEMO_PASSWORD).status_code == 303
                    token = csrf(client.get("/workspace", follow_redirects=True).text)
                    signed = client.post(
                        "/api/session", json={"username": who, "password": DEMO_PASSWORD}
                    )
                    headers["Authorization"] = f"Bearer {signed.json()['token']}"
                for url in forms:
                    watch.current = f"POST {url} as {who or 'a visitor'}"
                    if url.startswith("/api/"):
                        answer = client.post(url, json={}, headers=headers)
                    else:
                        answer = client.post(url, data={"csrf_token": token})
                    statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
                    assert answer.status_code < 500, f"{watch.current}: {answer.status_code}"

    assert len(forms) > 30
    assert watch.taken > len(forms)
    # Most forms got past the token to the handler's own checks: not all refused at the door.
    past_the_door = sum(n for status, n in statuses.items() if status not in (401, 403))
    assert past_the_door > len(forms), statuses
    assert not watch.on_loop, watch.report()


def test_the_check_sees_a_query_on_the_loop(demo_app: App) -> None:
    """An ``async def`` handler querying directly is caught: the check can fail."""
    seen: list[bool] = []
    event.listen(demo_app.engine, "checkout", lambda *_: seen.append(_on_loop()))

    async def blocking(request: Request) -> Response:
        with demo_app.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return PlainTextResponse("done")

    with serving(demo_app, extra_routes=[Route("/blocking", blocking)]) as base:
        seen.clear()
        assert httpx.get(base + "/", timeout=60).status_code == 200
        assert seen
        assert not any(seen)
        seen.clear()
        assert httpx.get(base + "/blocking", timeout=60).status_code == 200

    assert any(seen)
