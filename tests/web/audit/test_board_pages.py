"""An audit board's pages over real HTTP, on SQLite and PostgreSQL.

The audit is a ballot-comparison audit of Adams County in the demo election
(its jammed tape gives it phantoms), drawn through the real services; two
boards are set up and the round's ballots shared between them. Each board
signs in by its one-time link, as a board would on a tablet, and may reach
only its own ballots; each refusal is logged as ``access.denied``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from tests.services.voters.fixtures import who
from tests.web.server import csrf, login, serving
from votetrail.services.audit import boards
from votetrail.services.audit.boards import BoardBallot, Member
from votetrail.services.audit.draw import draw_round
from votetrail.services.audit.seed import set_seed
from votetrail.services.audit.setup import AuditMethod, AuditSetup, create_audit
from votetrail.services.context import App, utc_now
from votetrail.services.directory import set_password
from votetrail.services.setup import DEMO_PASSWORD
from votetrail.services.unit_of_work import unit_of_work
from votetrail.store.models import AUDIT_INTERPRETATIONS, REFUSAL_COUNTS

SEED = "12345678901234567890"
SIZE = 40
COUNTIES = ["adams", "baker", "clark"]


@dataclass(frozen=True)
class Audit:
    id: str
    tokens: dict[str, str]  # board id -> its first one-time link token
    boards: list[str]  # board ids, board 1 first


def start_audit(app: App, counties: list[str] = COUNTIES, size: int = SIZE) -> str:
    """A seeded ballot-comparison audit of ``counties`` with its first round drawn.

    The governor's race is counted in all three demo counties, so an audit of it
    must take in all three (fewer could not confirm the statewide outcome).
    """
    state = who(app, "state-admin")
    setup = AuditSetup(
        "2026 General", AuditMethod.BALLOT_COMPARISON, "0.05", ["Governor"], [], counties
    )
    audit_id = create_audit(app, state, setup)
    set_seed(app, state, audit_id, SEED, ["Ana Ruiz", "Bo Chen"])
    draw_round(app, state, audit_id, size)
    return audit_id


def with_two_boards(app: App, audit_id: str) -> Audit:
    admin = who(app, "adams-admin")
    tokens: dict[str, str] = {}
    for name, first, second in (
        ("Audit Board 1", ("Ana Ruiz", "Democratic"), ("Bo Chen", "Republican")),
        ("Audit Board 2", ("Cy Diaz", "Green"), ("Dee Evans", "Libertarian")),
    ):
        made = boards.create_board(
            app, admin, audit_id, "adams", name, [Member(*first), Member(*second)]
        )
        tokens[made.board.id] = made.link_token
    assert boards.assign_ballots(app, admin, audit_id, "adams") > 0
    return Audit(audit_id, tokens, sorted(tokens))


@pytest.fixture
def audit(election_app: App) -> Audit:
    return with_two_boards(election_app, start_audit(election_app))


@pytest.fixture
def site(election_app: App, audit: Audit) -> Iterator[str]:
    with serving(election_app) as url:
        yield url


def client(base: str) -> httpx.Client:
    return httpx.Client(base_url=base, follow_redirects=True, timeout=60)


def sign_in_by_link(http: httpx.Client, token: str) -> httpx.Response:
    page = http.get(f"/board-link/{token}")
    assert page.status_code == 200
    return http.post(f"/board-link/{token}", data={"csrf_token": csrf(page.text)})


def denied(app: App, actor: str) -> list[str]:
    """What ``actor`` was refused this hour, as the log counts it."""
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(REFUSAL_COUNTS.c.what).where(REFUSAL_COUNTS.c.actor == actor)
        ).scalars()
        return sorted(str(r) for r in rows)


def ballots_of(app: App, board_id: str) -> list[BoardBallot]:
    return boards.board_ballots(app, who(app, "adams-admin"), board_id)


def _username(app: App, board_id: str) -> str:
    [board] = [
        b
        for b in boards.boards_of(app, who(app, "adams-admin"), board_id.split("/")[0], "adams")
        if b.id == board_id
    ]
    return board.username


def form_for(ballot: BoardBallot, token: str, *, comment: str = "") -> dict[str, object]:
    """What a board ticks for a ballot: the first choice of every contest (phantom: not found)."""
    data: dict[str, object] = {"csrf_token": token, "ballot_id": ballot.ballot_id}
    if ballot.phantom:
        data["not_found"] = "yes"
    else:
        for i, contest in enumerate(ballot.contests):
            data[f"c{i}"] = [contest.choices[0]]
            data[f"kind{i}"] = "marked"
    if comment:
        data["comment"] = comment
    return data


def stored(app: App, ballot_id: str) -> dict[str, str]:
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(AUDIT_INTERPRETATIONS.c.contest, AUDIT_INTERPRETATIONS.c.reading).where(
                AUDIT_INTERPRETATIONS.c.ballot_id == ballot_id
            )
        ).all()
    return {str(c): str(r) for c, r in rows}


# ---------------------------------------------------------------- the one-time link


def test_a_link_previewer_uses_nothing_and_the_button_signs_the_board_in(
    site: str, audit: Audit, election_app: App
) -> None:
    first = audit.boards[0]
    token = audit.tokens[first]
    with client(site) as previewer:
        for _ in range(2):  # a chat program fetching the link twice
            page = previewer.get(f"/board-link/{token}")
            assert page.status_code == 200
            assert 'data-testid="link-sign-in"' in page.text
            assert page.headers["Cache-Control"] == "no-store"
            assert page.headers["Referrer-Policy"] == "no-referrer"
    with client(site) as tablet:
        page = tablet.get(f"/board-link/{token}")
        forged = tablet.post(f"/board-link/{token}", data={"csrf_token": "forged"})
        assert forged.status_code == 403  # CSRF-checked like the sign-in form
        signed_in = tablet.post(f"/board-link/{token}", data={"csrf_token": csrf(page.text)})
        assert signed_in.status_code == 200
        assert signed_in.url.path == "/audit-board"
        assert "Audit Board 1" in signed_in.text
        assert 'data-testid="board-ballots"' in signed_in.text
        assert len(re.findall(r"<tr data-ballot=", signed_in.text)) == len(
            ballots_of(election_app, first)
        )
    with client(site) as again:
        used = sign_in_by_link(again, token)
        assert used.status_code == 401
        assert 'data-testid="link-refused"' in used.text
        assert "used, replaced or expired" in used.text
        assert again.get("/audit-board", follow_redirects=False).status_code == 401


def test_an_expired_link_refuses(site: str, audit: Audit, election_app: App) -> None:
    later = utc_now() + timedelta(hours=boards.LINK_LIFETIME_HOURS, minutes=5)
    election_app.clock = lambda: later
    with client(site) as tablet:
        refused = sign_in_by_link(tablet, audit.tokens[audit.boards[1]])
        assert refused.status_code == 401
        assert "used, replaced or expired" in refused.text
        assert tablet.get("/audit-board", follow_redirects=False).status_code == 401


def test_a_board_signing_in_with_its_password_lands_on_its_ballots(
    site: str, audit: Audit, election_app: App
) -> None:
    username = _username(election_app, audit.boards[1])
    with unit_of_work(election_app, "state-admin") as uow:
        set_password(uow, username, DEMO_PASSWORD)
    with client(site) as http:
        page = login(http, username, DEMO_PASSWORD)
        assert page.url.path == "/audit-board"  # old code: the county page
        assert "Audit Board 2" in page.text


# ---------------------------------------------------------------- only its own ballots


def test_a_board_cannot_read_or_enter_another_boards_ballot(
    site: str, audit: Audit, election_app: App
) -> None:
    mine, theirs = audit.boards
    own = ballots_of(election_app, mine)
    other = ballots_of(election_app, theirs)
    assert own
    assert other
    actor = _username(election_app, mine)
    with client(site) as http:
        home = sign_in_by_link(http, audit.tokens[mine])
        token = csrf(home.text)
        for ballot in other:
            assert ballot.ballot_id not in home.text
        target = other[0]
        by_id = http.get(f"/audit-board/ballots/{target.ballot_id}")
        assert by_id.status_code == 403
        past_end = http.get(f"/audit-board/ballots/{len(own) + 1}")
        assert past_end.status_code == 404
        posted = http.post(f"/audit-board/ballots/{target.ballot_id}", data=form_for(target, token))
        assert posted.status_code == 403
        # The form's hidden ballot id swapped for the other board's: refused, nothing saved.
        swapped = form_for(own[0], token) | {"ballot_id": target.ballot_id}
        assert http.post("/audit-board/ballots/1", data=swapped).status_code == 403
    assert stored(election_app, target.ballot_id) == {}
    assert stored(election_app, own[0].ballot_id) == {}
    refused = denied(election_app, actor)
    assert any(target.ballot_id in what for what in refused), refused
    assert f"GET /audit-board/ballots/{len(own) + 1}" in refused


def test_an_entry_posted_by_the_form_is_stored_and_shown(
    site: str, audit: Audit, election_app: App
) -> None:
    board = audit.boards[0]
    own = ballots_of(election_app, board)
    with client(site) as http:
        home = sign_in_by_link(http, audit.tokens[board])
        token = csrf(home.text)
        form = http.get("/audit-board/ballots/1")
        assert form.status_code == 200
        assert form.text.count('<fieldset class="contest"') == len(own[0].contests)
        empty = {"csrf_token": token, "ballot_id": own[0].ballot_id, "comment": "torn corner"}
        if not own[0].phantom:
            refused = http.post("/audit-board/ballots/1", data=empty)
            assert refused.status_code == 400
            assert 'data-testid="form-error"' in refused.text
            assert "torn corner" in refused.text  # the typed input is kept
            assert stored(election_app, own[0].ballot_id) == {}
        sent = http.post(
            "/audit-board/ballots/1",
            data=form_for(own[0], token, comment="torn corner"),
            follow_redirects=False,
        )
        assert sent.status_code == 303
        assert sent.headers["location"] == (
            "/audit-board/ballots/2" if len(own) > 1 else "/audit-board/review"
        )
        expected = {
            c.contest_id: "not_found" if own[0].phantom else c.choices[0] for c in own[0].contests
        }
        assert stored(election_app, own[0].ballot_id) == expected
        again = http.get("/audit-board/ballots/1")
        assert "torn corner" in again.text
        review = http.get("/audit-board/review")
        assert review.status_code == 200
        assert 'href="/audit-board/ballots/1">Edit' in review.text


def test_after_sign_off_the_entry_form_refuses_edits(
    site: str, audit: Audit, election_app: App
) -> None:
    board = audit.boards[0]
    own = ballots_of(election_app, board)
    actor = _username(election_app, board)
    with client(site) as http:
        home = sign_in_by_link(http, audit.tokens[board])
        token = csrf(home.text)
        for n, ballot in enumerate(own, start=1):
            saved = http.post(f"/audit-board/ballots/{n}", data=form_for(ballot, token))
            assert saved.status_code == 200, saved.text
        wrong = http.post(
            "/audit-board/sign-off",
            data={"csrf_token": token, "member1": "Ana Ruiz", "member2": ""},
        )
        assert wrong.status_code in (400, 403)
        signed = http.post(
            "/audit-board/sign-off",
            data={"csrf_token": token, "member1": "Ana Ruiz", "member2": "Bo Chen"},
        )
        assert signed.status_code == 200, signed.text
        assert signed.url.path == "/audit-board"
        assert 'data-testid="signed-off"' in signed.text
        page = http.get("/audit-board/ballots/1")
        assert 'data-testid="read-only"' in page.text
        assert 'id="entry-form"' not in page.text
        before = stored(election_app, own[0].ballot_id)
        edit = form_for(own[0], token, comment="changed my mind")
        refused = http.post("/audit-board/ballots/1", data=edit)
        assert refused.status_code == 403
        assert stored(election_app, own[0].ballot_id) == before
    assert "POST /audit-board/ballots/1" in denied(election_app, actor)
