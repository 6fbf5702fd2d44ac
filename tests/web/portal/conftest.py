"""A demo-like state for the portal tests: every public page has something on it.

The demo's election (three counties' CVRs, manifests, counts), its L&A tests,
its two audits, a Clark file with a ranked-choice contest (so the results
pages show their round-by-round tables), twelve Adams voters (so the
registration self-check finds Maria Garcia, ``ADAMS000000``) and publications
(:data:`RUMOR`, a rumor response later corrected, one withdrawn, a county's
PDF notice), on SQLite, loaded once per module and served over real HTTP: the
pages are the same on PostgreSQL, and loading this state takes seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.formats.cvr.test_ranked_contests import RANKED_SESSIONS, dominion_zip
from tests.services.voters.fixtures import load, who
from tests.web.server import serving
from votetrail.services.context import App
from votetrail.services.counting.uploads import import_cvrs
from votetrail.services.demo.audit import load_demo_audits
from votetrail.services.demo.lat import load_demo_lat
from votetrail.services.publications.publish import Document, publish, withdraw
from votetrail.services.setup import DEMO_COUNTIES, load_demo

RUMOR = (
    "No polling place in Adams County has moved.\n"
    "Messages saying yours changed did not come from this office.\n"
    "Find your polling place on your voter card."
)
"""The current rumor response's statement, as published."""


def publish_some(app: App, folder: Path) -> None:
    """Rumor responses (current, corrected, withdrawn) and a county's PDF notice."""
    state, adams = who(app, "state-admin"), who(app, "adams-admin")
    first = publish(
        app,
        state,
        "state",
        Document("s.txt", text="Polling places are unchanged."),
        "Polling places did not move",
        "rumor_response",
    )
    publish(
        app,
        state,
        "state",
        Document("s.txt", text=RUMOR),
        "Polling places did not move",
        "rumor_response",
        supersedes=first,
    )
    gone = publish(
        app,
        state,
        "state",
        Document("s.txt", text="Results will be <b>late</b>."),
        "Results timing",
        "rumor_response",
    )
    withdraw(app, state, gone, "Published by mistake; results came on time.")
    pdf = folder / "hours.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% Adams County: early voting hours 8-6 daily\n%%EOF\n")
    publish(app, adams, "adams", Document(pdf.name, path=pdf), "Early voting hours", "notice")


@pytest.fixture(scope="module")
def portal_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    folder = tmp_path_factory.mktemp("portal")
    app = load_demo(folder / "data", None)
    load(app, "adams", 12)
    load_demo_lat(app, list(DEMO_COUNTIES))
    load_demo_audits(app)
    publish_some(app, folder)
    ranked = dominion_zip(folder / "clark-ranked.zip", {2: 3}, RANKED_SESSIONS)
    import_cvrs(app, "clark-admin", "clark", [ranked])
    yield app
    app.engine.dispose()


@pytest.fixture(scope="module")
def portal_url(portal_app: App) -> Iterator[str]:
    with serving(portal_app) as url:
        yield url
