"""Batch comparison over real HTTP: the state draws and measures, counties enter hand tallies.

Adams and Baker upload the demo election; the audit is set up and seeded
through the services (the state's own pages are tested elsewhere), then
everything a county and the state do in a batch-comparison round goes
through the pages, and the public evidence.zip is checked with
``votetrail audit verify``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from html import unescape
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from tests.cli.helpers import votetrail
from tests.services.voters.fixtures import who
from tests.web.server import csrf, login, serving
from votetrail.services.audit import batch_tallies
from votetrail.services.audit.seed import set_seed
from votetrail.services.audit.setup import AuditMethod, AuditSetup, create_audit
from votetrail.services.context import App
from votetrail.services.demo.election import load_demo_election
from votetrail.services.setup import DEMO_PASSWORD, SYSTEM_ACTOR
from votetrail.store.models import LEDGER_ENTRIES

SETUP = AuditSetup(
    "2026 General", AuditMethod.BATCH_COMPARISON, "0.1", ["Governor"], [], ["adams", "baker"]
)


@pytest.fixture
def audit(demo_app: App) -> str:
    load_demo_election(
        demo_app, [("adams", "Adams County"), ("baker", "Baker County")], SYSTEM_ACTOR
    )
    state = who(demo_app, "state-admin")
    audit_id = create_audit(demo_app, state, SETUP)
    set_seed(demo_app, state, audit_id, "12345678901234567890", ["Ana Ruiz"])
    return audit_id


@pytest.fixture
def base(demo_app: App, audit: str) -> Iterator[str]:
    with serving(demo_app) as url:
        yield url


@contextmanager
def _client(base: str, username: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, follow_redirects=True, timeout=20) as client:
        assert login(client, username, DEMO_PASSWORD).status_code == 200
        yield client


def _denied(app: App) -> int:
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(LEDGER_ENTRIES.c.seq).where(LEDGER_ENTRIES.c.event_type == "access.denied")
        ).all()
    return len(rows)


def _tally_county(client: httpx.Client, app: App, audit_id: str, county: str) -> None:
    """Enter every sampled batch as reported (the test reads the numbers from the service)."""
    url = f"/j/{county}/audits/{audit_id}/batches"
    page = client.get(url)
    assert page.status_code == 200
    view = batch_tallies.county_batches(app, who(app, f"{county}-admin"), audit_id, county)
    assert len(re.findall(r'data-testid="tally-form"', page.text)) == len(view.batches)
    for batch in view.batches:
        data = {"csrf_token": csrf(page.text), "batch_id": batch.batch_id, "action": "tally"}
        for ci, contest in enumerate(batch.contests):
            for hi, votes in enumerate(contest.reported.values()):
                data[f"votes-{ci}-{hi}"] = str(votes)
        page = client.post(url, data=data)
        assert page.status_code == 200
        assert f"Saved the hand tally of batch {batch.batch}." in unescape(page.text)
    page = client.post(url, data={"csrf_token": csrf(page.text), "action": "sign_off"})
    assert 'data-testid="signed-off"' in page.text


def test_a_batch_round_through_the_pages_confirms_and_its_evidence_verifies(
    demo_app: App, audit: str, base: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with _client(base, "state-admin") as state:
        page = state.get(f"/audits/{audit}/batch-round")
        assert page.status_code == 200
        assert 'data-testid="offers"' in page.text
        page = state.post(
            f"/audits/{audit}/batch-round",
            data={"csrf_token": csrf(page.text), "action": "draw", "size": "22"},
        )
        assert "Round 1 drawn: 22 batch draws." in page.text
        assert "Waiting for the hand tallies and sign-off of: adams, baker." in page.text
    with _client(base, "adams-admin") as adams:
        url = f"/j/adams/audits/{audit}/batches"
        page = adams.get(url)
        first = re.search(r'name="batch_id" value="([^"]+)"', page.text)
        assert first is not None
        wrong = adams.post(
            url,
            data={
                "csrf_token": csrf(page.text),
                "batch_id": unescape(first.group(1)),
                "action": "tally",
                "votes-0-0": "12x",
                "votes-0-1": "40",
            },
        )
        assert wrong.status_code == 400
        assert "&#39;12x&#39; is not a whole number" in wrong.text
        assert 'value="12x"' in wrong.text
        assert 'value="40"' in wrong.text
        _tally_county(adams, demo_app, audit, "adams")
    with _client(base, "baker-admin") as baker:
        _tally_county(baker, demo_app, audit, "baker")
    with _client(base, "state-admin") as state:
        page = state.get(f"/audits/{audit}/batch-round")
        page = state.post(
            f"/audits/{audit}/batch-round",
            data={"csrf_token": csrf(page.text), "action": "measure"},
        )
        assert "Round 1 measured: Governor confirmed." in page.text
        assert 'data-testid="no-offer"' in page.text
        package = state.get(f"/public/audits/{audit}/evidence.zip")
    assert package.status_code == 200
    path = tmp_path / "evidence.zip"
    path.write_bytes(package.content)
    checked = votetrail(capsys, "audit", "verify", str(path))
    assert checked.code == 0, checked.out + checked.err


def test_another_county_and_a_signed_round_are_refused_and_logged(
    demo_app: App, audit: str, base: str
) -> None:
    with _client(base, "state-admin") as state:
        page = state.get(f"/audits/{audit}/batch-round")
        state.post(
            f"/audits/{audit}/batch-round",
            data={"csrf_token": csrf(page.text), "action": "draw", "size": "22"},
        )
    before = _denied(demo_app)
    with _client(base, "baker-admin") as baker:
        assert baker.get(f"/j/adams/audits/{audit}/batches").status_code == 403
        own = baker.get(f"/j/baker/audits/{audit}/batches")
        assert own.status_code == 200
        posted = baker.post(
            f"/j/adams/audits/{audit}/batches",
            data={"csrf_token": csrf(own.text), "action": "sign_off"},
        )
        assert posted.status_code == 403
        assert baker.get(f"/audits/{audit}/batch-round").status_code == 403
    assert _denied(demo_app) == before + 3
    with _client(base, "adams-admin") as adams:
        _tally_county(adams, demo_app, audit, "adams")
        page = adams.get(f"/j/adams/audits/{audit}/batches")
        assert 'data-testid="tally-form"' not in page.text
        view = batch_tallies.county_batches(demo_app, who(demo_app, "adams-admin"), audit, "adams")
        again = adams.post(
            f"/j/adams/audits/{audit}/batches",
            data={
                "csrf_token": csrf(page.text),
                "batch_id": view.batches[0].batch_id,
                "action": "not_found",
            },
        )
        assert again.status_code == 403
    assert _denied(demo_app) == before + 4
