"""The walls inside the demo's audits: every audit route, over real HTTP, with real ids.

``test_role_walls.py`` walks the audit routes with an audit nobody holds, so
most of them stop at "no such audit" before any wall is reached. Here the
demo's audits are loaded as ``make demo`` loads them (``audit-1`` finished
in two rounds, ``audit-2`` under way), so every audit id, board id, ballot id
and one-time link in an address is real. For each audit, each county's
administrator and that audit's board accounts are sent to the *other*
county's boards, ballots and links (and to their own where the table says
``own``); the state's staff go to Adams. The routes come from the router by
path prefix and are judged against the same table, by the same rules, as the
first walk: a refusal is logged once as ``access.denied`` naming the user (or
``anonymous``), and an allowed request is not refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial

import pytest

from tests.web.server import serving
from tests.web.test_role_walls import (
    OFFICIALS,
    Official,
    checked_table,
    routes,
    signed_in,
    values,
    walk_route,
)
from votetrail.services.audit import boards, progress
from votetrail.services.context import App
from votetrail.services.demo.accounts import officer
from votetrail.services.demo.audit import COUNTIES, load_demo_audits
from votetrail.services.directory import set_password
from votetrail.services.setup import DEMO_PASSWORD, SYSTEM_ACTOR
from votetrail.services.unit_of_work import unit_of_work
from votetrail.services.verify import verify
from votetrail.web.app import create_app

FAMILY = (
    "/audits",
    "/api/audits",
    "/public/audits",
    "/api/boards/",
    "/api/board-session",
    "/audit-board",
    "/board-link/",
    "/j/{slug}/audits",
)
"""Where the audit's routes live: set-up, counties' pages, boards' pages, API, evidence."""


@dataclass(frozen=True)
class Board:
    """One county's board in one audit, as the demo made it."""

    id: str
    username: str
    ballot: str  # the first ballot of its list this round
    link: str  # a one-time sign-in link token, unused


def demo_boards(app: App, audit_id: str) -> dict[str, Board]:
    """Each county's first board of the audit, with a ballot of its own and a fresh link.

    The board accounts get the demo password, as the demo gives ``audit-2``'s
    Adams board, so the walk can sign each of them in.
    """
    state = officer(app, "state-admin")
    found: dict[str, Board] = {}
    for county in COUNTIES:
        admin = officer(app, f"{county}-admin")
        board = boards.boards_of(app, admin, audit_id, county)[0]
        ballots = boards.board_ballots(app, state, board.id)
        assert ballots, f"{board.id} has no ballots this round"
        link = boards.issue_link(app, admin, board.id)
        with unit_of_work(app, SYSTEM_ACTOR) as uow:
            set_password(uow, board.username, DEMO_PASSWORD)
        found[county] = Board(board.id, board.username, ballots[0].ballot_id, link)
    return found


def officials_of(held: dict[str, Board]) -> tuple[Official, ...]:
    """The first walk's officials, with the audit's own board accounts as the audit boards."""
    return tuple(
        Official(held[o.county].username, o.role, o.county) if o.role == "audit_board" else o
        for o in OFFICIALS
    )


def in_audit(audit_id: str, held: dict[str, Board], path: str, county: str) -> str:
    """``path`` with the real ids of ``county``'s part of the audit (Adams for the state)."""
    target = "adams" if county == "state" else county
    board = held[target]
    given = {
        **values(county),
        "audit_id": audit_id,
        "board_id": board.id,
        "ref": board.ballot,
        "token": board.link,
        "n": board.id.rsplit("-", 1)[1],
    }
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: given[m.group(1)], path)


@pytest.fixture
def demo_audits(election_app: App) -> App:
    """``make demo``'s state: the election, then its finished and its running audit."""
    assert load_demo_audits(election_app) is not None
    return election_app


@pytest.mark.only_on("sqlite")  # the walls are in the code, not the backend
def test_every_audit_route_keeps_its_walls_with_the_demo_audits_ids(demo_audits: App) -> None:
    app = demo_audits
    audits = [row[0] for row in progress.audits(app)]
    assert sorted(audits) == ["audit-1", "audit-2"]
    assert progress.overview(app, "audit-2").status == "sampling", "one audit must be running"
    found = sorted(set(routes(list(create_app(app).router.routes))))
    rows = checked_table(found)
    family = [(m, p) for m, p in found if p.startswith(FAMILY)]
    assert len(family) >= 45, f"only {len(family)} audit routes found: {family}"
    checked = 0
    problems: list[str] = []
    with serving(app) as base:
        for audit_id in audits:
            held = demo_boards(app, audit_id)
            links = [board.link for board in held.values()]
            officials = officials_of(held)
            with signed_in(app, base, officials) as walk:
                for method, path in family:
                    if (method, path) == ("DELETE", "/api/session"):
                        continue  # it would end the walker's own token
                    walk_route(
                        walk,
                        method,
                        path,
                        rows[(method, path)],
                        officials,
                        partial(in_audit, audit_id, held),
                    )
            leaked = [w for w in walk.recorded if any(link in w for link in links)]
            assert not leaked, f"a one-time link was recorded in a refusal: {leaked}"
            checked += walk.checked
            assert walk.problems is not None
            problems.extend(walk.problems)
    assert not problems, "\n".join(problems)
    print(
        f"audit role walls: {len(family)} routes x {len(OFFICIALS)} officials "
        f"x {len(audits)} audits: {checked} requests"
    )
    assert verify(app).ok
