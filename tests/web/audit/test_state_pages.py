"""The state administrator's audit pages over real HTTP, on SQLite and PostgreSQL.

The audit runs on the demo election (three counties with uploads; Adams's
jammed tape gives it phantoms) served by a real uvicorn server. Everyone but
the state administrator is refused every page and form, and each refusal is
in the log as ``access.denied``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from tests.services.test_verify_coverage import _cvr_file
from tests.services.voters.fixtures import who
from tests.web.audit.running import MEMBERS, SEED, SETUP
from tests.web.server import csrf, login, serving
from votetrail.services import log_view
from votetrail.services.audit import boards, progress
from votetrail.services.audit.draw import draw_round
from votetrail.services.audit.seed import set_seed, stored_seed
from votetrail.services.audit.setup import AuditMethod, create_audit
from votetrail.services.context import App
from votetrail.services.counting.uploads import import_cvrs
from votetrail.services.demo.audit import paper_readings
from votetrail.services.setup import DEMO_PASSWORD
from votetrail.store.models import AUDIT_ROUNDS, REFUSAL_COUNTS
from votetrail.web.audit.labels import DECISIONS


@pytest.fixture
def election_url(election_app: App) -> Iterator[str]:
    with serving(election_app) as url:
        yield url


@pytest.fixture
def http(election_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=election_url, follow_redirects=True, timeout=60) as client:
        yield client


def _denied(app: App, actor: str) -> list[tuple[str, str | None]]:
    """The requests of ``actor`` refused this hour, as logged: (what, jurisdiction)."""
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(REFUSAL_COUNTS.c.what, REFUSAL_COUNTS.c.jurisdiction_id)
            .where(REFUSAL_COUNTS.c.actor == actor)
            .order_by(REFUSAL_COUNTS.c.what)
        ).all()
    return [(str(r.what), r.jurisdiction_id) for r in rows]


def _events(app: App, since: int) -> list[tuple[str, str]]:
    return [(v.entry.event_type, v.entry.actor) for v in log_view.entries(app, since, 1000)]


def _cells(html: str, testid: str) -> dict[str, int]:
    """Each county's number in the status board's column ``testid``."""
    found: dict[str, int] = {}
    for county, row in re.findall(r'<tr data-county="([^"]+)">(.*?)</tr>', html, re.S):
        cell = re.search(rf'data-testid="{testid}">\s*(\d+)', row)
        assert cell is not None, row
        found[county] = int(cell.group(1))
    return found


def test_the_state_administrator_sets_up_seeds_and_draws_an_audit(
    http: httpx.Client, election_app: App
) -> None:
    home = login(http, "state-admin", DEMO_PASSWORD)
    links = home.text.split('data-testid="state-links"', 1)[1].split("</ul>", 1)[0]
    assert '<a href="/audits">Risk-limiting audits</a>' in links
    listing = http.get("/audits")
    assert listing.status_code == 200
    assert 'data-testid="no-audits"' in listing.text
    assert 'name="targeted" value="Governor"' in listing.text
    assert 'name="opportunistic" value="County Measure A"' in listing.text
    assert 'name="counties" value="clark"' in listing.text
    token = csrf(listing.text)

    # A form the service refuses comes back with the words and what was typed.
    form = {
        "csrf_token": token,
        "election": "2026 General (practice)",
        "method": "ballot_comparison",
        "risk_limit": "0.05",
        "opportunistic": "County Measure A",
        "counties": ["adams", "baker"],
    }
    refused = http.post("/audits", data=form)
    assert refused.status_code == 400
    assert "name at least one contest to target" in refused.text
    assert 'value="2026 General (practice)"' in refused.text
    assert 'name="counties" value="baker" checked' in refused.text
    assert 'name="opportunistic" value="County Measure A" checked' in refused.text

    # Several audits may exist side by side: a practice audit of two counties first.
    practice = http.post("/audits", data={**form, "targeted": "Governor"})
    assert practice.status_code == 200
    assert 'id="seed-form"' in practice.text

    form["election"] = "2026 General"
    form["counties"] = ["adams", "baker", "clark"]
    created = http.post("/audits", data={**form, "targeted": "Governor"}, follow_redirects=False)
    assert created.status_code == 303
    audit_url = created.headers["location"]
    audit_id = audit_url.rsplit("/", 1)[-1]
    page = http.get(audit_url)
    assert page.status_code == 200
    assert f"Set up {audit_id}" in page.text
    assert 'data-testid="launch-problems"' not in page.text
    assert set(_cells(page.text, "drawn")) == {"adams", "baker", "clark"}
    assert f'href="/j/adams/audits/{audit_id}"' in page.text
    assert f'href="/public/audits/{audit_id}/evidence.zip"' in page.text
    assert 'id="seed-form"' in page.text
    assert 'id="draw-form"' not in page.text
    listing = http.get("/audits")
    assert len(re.findall(r'<tr data-audit="audit-\d+">', listing.text)) == 2
    assert f'<tr data-audit="{audit_id}">' in listing.text

    seeded = http.post(
        f"{audit_url}/seed",
        data={
            "csrf_token": token,
            "seed": "12345 67890 12345 67890",
            "witnesses": "Ana Ruiz\n\nBo Chen\n",
        },
    )
    assert seeded.status_code == 200
    assert stored_seed(election_app, audit_id) == SEED
    assert 'id="seed-form"' not in seeded.text
    assert f'data-testid="seed">{SEED}<' in seeded.text
    assert "<li>Ana Ruiz</li><li>Bo Chen</li>" in seeded.text
    assert "can never be changed" in seeded.text

    # A second seed is refused in words, logged, and the first one stands.
    before = log_view.size(election_app)
    again = http.post(
        f"{audit_url}/seed",
        data={"csrf_token": token, "seed": "9" * 20, "witnesses": "Mallory"},
    )
    assert again.status_code == 403
    assert "the seed cannot be changed" in again.text
    assert _events(election_app, before) == [("access.denied", "state-admin")]
    assert stored_seed(election_app, audit_id) == SEED

    # The sizes the engine offers, each with its chance of finishing.
    offered = re.findall(r'name="size" value="(\d+)"', again.text)
    assert offered, again.text
    assert "if no discrepancy is found" in again.text
    assert re.search(r"\d+% chance of finishing in this round", again.text)

    bad = http.post(
        f"{audit_url}/draw", data={"csrf_token": token, "size": "custom", "custom_size": "lots"}
    )
    assert bad.status_code == 400
    assert "must be a whole number" in bad.text
    assert 'name="custom_size" inputmode="numeric" maxlength="9" value="lots"' in bad.text

    size = int(offered[0])
    drawn = http.post(f"{audit_url}/draw", data={"csrf_token": token, "size": str(size)})
    assert drawn.status_code == 200
    per_county = _cells(drawn.text, "drawn")
    assert sum(per_county.values()) == size
    shown = ", ".join(f"{county} {n}" for county, n in sorted(per_county.items()))
    assert f"Round 1 drawn: {size} tickets ({shown})" in drawn.text
    assert '<tr data-round="1">' in drawn.text
    assert 'id="draw-form"' not in drawn.text  # round 1 is open
    assert 'id="close"' not in drawn.text  # and no board has signed it off

    # The same form sent again (a double click) does not draw a second round.
    twice = http.post(
        f"{audit_url}/draw", data={"csrf_token": token, "size": "custom", "custom_size": "40"}
    )
    assert twice.status_code == 403
    assert "round 1 is still open" in twice.text
    assert _rounds(election_app, audit_id) == [(1, size)]


def _rounds(app: App, audit_id: str) -> list[tuple[int, int]]:
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(AUDIT_ROUNDS.c.number, AUDIT_ROUNDS.c.sample_size)
            .where(AUDIT_ROUNDS.c.audit_id == audit_id)
            .order_by(AUDIT_ROUNDS.c.number)
        ).all()
    return [(int(r.number), int(r.sample_size)) for r in rows]


def test_nobody_but_the_state_administrator_may_use_the_audit_pages(
    http: httpx.Client, election_app: App
) -> None:
    audit_id = create_audit(election_app, who(election_app, "state-admin"), SETUP)
    base = f"/audits/{audit_id}"
    assert http.get("/audits").status_code == 401
    for user in ("adams-admin", "analyst", "adams-board"):
        home = login(http, user, DEMO_PASSWORD)
        assert 'href="/audits"' not in home.text
        before = log_view.size(election_app)
        listing = http.get("/audits")
        token = csrf(listing.text)
        answers = [
            listing,
            http.get(base),
            http.post("/audits", data={"csrf_token": token, **_form()}),
            http.post(f"{base}/seed", data={"csrf_token": token, "seed": SEED, "witnesses": "X"}),
            http.post(f"{base}/draw", data={"csrf_token": token, "size": "5"}),
            http.post(f"{base}/close", data={"csrf_token": token}),
        ]
        assert [a.status_code for a in answers] == [403] * 6, user
        assert all("only the state administrator runs audits" in a.text for a in answers)
        assert _events(election_app, before) == [("access.denied", user)] * 6
        assert _denied(election_app, user) == sorted(
            (f"{method} {path}", "state")
            for method, path in [
                ("GET", "/audits"),
                ("GET", base),
                ("POST", "/audits"),
                ("POST", f"{base}/seed"),
                ("POST", f"{base}/draw"),
                ("POST", f"{base}/close"),
            ]
        )
        http.post("/logout", data={"csrf_token": token})
    assert stored_seed(election_app, audit_id) is None
    assert http.get("/audits").status_code == 401


def _form() -> dict[str, object]:
    return {
        "election": "Forged",
        "method": "ballot_polling",
        "risk_limit": "0.1",
        "targeted": "Governor",
        "counties": ["adams"],
    }


def test_a_form_without_its_token_is_refused_before_anything_else(
    http: httpx.Client, election_app: App
) -> None:
    audit_id = create_audit(election_app, who(election_app, "state-admin"), SETUP)
    base = f"/audits/{audit_id}"
    login(http, "adams-admin", DEMO_PASSWORD)
    before = log_view.size(election_app)
    forged = http.post(
        f"{base}/seed", data={"csrf_token": "forged", "seed": SEED, "witnesses": "X"}
    )
    assert forged.status_code == 403
    assert "this form has expired" in forged.text
    # Refused (and logged, once) as a form without its token, before anyone asks who it is.
    assert _events(election_app, before) == [("access.denied", "adams-admin")]
    login(http, "state-admin", DEMO_PASSWORD)
    before = log_view.size(election_app)
    for path, data in (
        ("/audits", _form()),
        (f"{base}/seed", {"seed": SEED, "witnesses": "X"}),
        (f"{base}/draw", {"size": "5"}),
        (f"{base}/close", {}),
    ):
        answer = http.post(path, data=data)
        assert answer.status_code == 403, path
        assert "this form has expired" in answer.text
        assert http.post(path, data={**data, "csrf_token": "forged"}).status_code == 403
    # One refusal logged per form; the second attempt at the same form is only counted.
    assert _events(election_app, before) == [("access.denied", "state-admin")] * 4
    assert stored_seed(election_app, audit_id) is None
    assert _rounds(election_app, audit_id) == []


def test_the_page_says_why_an_audit_cannot_be_launched(
    client: httpx.Client, demo_app: App, tmp_path: Path
) -> None:
    """Adams sent its CVRs but no ballot manifest: no seed form, and the page says why."""
    cvrs = tmp_path / "adams-cvrs.csv"
    _cvr_file(cvrs)
    import_cvrs(demo_app, "adams-admin", "adams", [cvrs])
    state = who(demo_app, "state-admin")
    audit_id = create_audit(demo_app, state, replace(SETUP, counties=["adams"]))
    login(client, "state-admin", DEMO_PASSWORD)
    page = client.get(f"/audits/{audit_id}")
    assert page.status_code == 200
    problems = page.text[page.text.index('data-testid="launch-problems"') :]
    problems = problems[: problems.index("</section>")]
    assert "The audit cannot be launched yet" in problems
    assert "adams" in problems
    assert "manifest" in problems
    assert 'id="seed-form"' not in page.text
    assert 'id="draw-form"' not in page.text
    assert 'data-testid="seed-waits"' in page.text
    assert re.search(r'<tr data-county="adams">.*?manifest missing', page.text, re.S)
    # Posting the seed anyway is refused by the service, in words, and nothing is stored.
    refused = client.post(
        f"/audits/{audit_id}/seed",
        data={"csrf_token": csrf(page.text), "seed": SEED, "witnesses": "Ana Ruiz"},
    )
    assert refused.status_code == 403
    assert "adams has not uploaded its ballot manifest" in refused.text
    assert stored_seed(demo_app, audit_id) is None


def test_an_unknown_audit_is_not_found(http: httpx.Client) -> None:
    login(http, "state-admin", DEMO_PASSWORD)
    token = csrf(http.get("/audits").text)
    assert http.get("/audits/audit-99").status_code == 404
    assert (
        http.post("/audits/audit-99/draw", data={"csrf_token": token, "size": "5"}).status_code
        == 404
    )


def _examine_round(app: App, audit_id: str, *, sign: bool) -> None:
    """Every county's board enters what its CVRs say for each ballot; then signs off."""
    for county in SETUP.counties:
        admin = who(app, f"{county}-admin")
        if not boards.boards_of(app, admin, audit_id, county):
            boards.create_board(app, admin, audit_id, county, "Audit Board 1", MEMBERS)
        (board,) = boards.boards_of(app, admin, audit_id, county)
        drawn = {c.county: c.drawn_this_round for c in progress.overview(app, audit_id).counties}
        if drawn[county]:
            boards.assign_ballots(app, admin, audit_id, county)
        member = who(app, board.username)
        ballots = boards.board_ballots(app, member, board.id)
        shown = paper_readings(app, county, ballots)
        for ballot in ballots:
            boards.record_interpretation(
                app, member, board.id, ballot.ballot_id, shown[ballot.ballot_id]
            )
        if sign and ballots:
            boards.sign_off(app, member, board.id, [m.name for m in MEMBERS])


def test_the_round_is_measured_once_every_county_signed_off(
    http: httpx.Client, election_app: App
) -> None:
    state = who(election_app, "state-admin")
    audit_id = create_audit(election_app, state, SETUP)
    set_seed(election_app, state, audit_id, SEED, ["Ana Ruiz"])
    draw_round(election_app, state, audit_id, 12)
    _examine_round(election_app, audit_id, sign=False)
    base = f"/audits/{audit_id}"
    login(http, "state-admin", DEMO_PASSWORD)
    page = http.get(base)
    assert 'id="close"' not in page.text
    assert sum(_cells(page.text, "drawn").values()) == 12
    # Closing before every board signed off is refused in words, and nothing is measured.
    early = http.post(f"{base}/close", data={"csrf_token": csrf(page.text)})
    assert early.status_code == 403
    assert 'data-testid="form-error"' in early.text
    assert "has not signed off" in early.text
    assert not progress.overview(election_app, audit_id).rounds[0].closed

    _examine_round(election_app, audit_id, sign=True)
    page = http.get(base)
    assert "Measure the risk / close round 1" in page.text
    closed = http.post(f"{base}/close", data={"csrf_token": csrf(page.text)})
    assert closed.status_code == 200
    (measured,) = progress.overview(election_app, audit_id).rounds
    assert measured.closed
    risk = measured.risk["Governor"]
    decision = measured.decision["Governor"]
    assert f"Round 1 measured: Governor {DECISIONS[decision]} (risk {risk:.4g})." in closed.text
    row = re.search(r'<tr data-round="1" data-contest="Governor">(.*?)</tr>', closed.text, re.S)
    assert row is not None
    assert f">{risk:.4g}<" in row.group(1)
    assert f'data-decision="{decision}"' in row.group(1)
    assert "Measure the risk" not in closed.text
    # Twelve ballots are too few to confirm at 5%: another round is offered.
    assert decision == "continue"
    assert 'id="draw-form"' in closed.text
    assert "Draw round 2" in closed.text


def test_a_batch_comparison_is_drawn_on_its_own_page(http: httpx.Client, election_app: App) -> None:
    state = who(election_app, "state-admin")
    audit_id = create_audit(
        election_app, state, replace(SETUP, method=AuditMethod.BATCH_COMPARISON)
    )
    set_seed(election_app, state, audit_id, SEED, ["Ana Ruiz"])
    login(http, "state-admin", DEMO_PASSWORD)
    page = http.get(f"/audits/{audit_id}")
    assert page.status_code == 200
    assert f'data-testid="seed">{SEED}<' in page.text
    assert 'data-testid="batch-rounds"' in page.text
    assert f'href="/audits/{audit_id}/batch-round"' in page.text
    assert 'id="draw-form"' not in page.text
    assert http.get(f"/audits/{audit_id}/batch-round").status_code == 200
