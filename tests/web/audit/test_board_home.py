"""What an audit board's account sees first: its work, or words saying there is none.

Over real HTTP. The demo's ``adams-board`` is on no audit's board, and a board
created for an audit has nothing until its county assigns ballots; both are
told so in a sentence instead of being sent to a county page they cannot use.
Once ballots are assigned, the next ballot to enter is the first thing under
the heading.
"""

from __future__ import annotations

import html
import re

import httpx

from tests.services.voters.fixtures import who
from tests.web.audit.test_board_pages import start_audit
from tests.web.server import login, serving
from votetrail.services.audit import boards
from votetrail.services.audit.boards import Member
from votetrail.services.context import App
from votetrail.services.directory import set_password
from votetrail.services.setup import DEMO_PASSWORD
from votetrail.services.unit_of_work import unit_of_work

IDLE = (
    "No audit is asking for your board now. "
    "When the county assigns ballots to your board, they appear here."
)


def first_after_heading(page: str) -> str:
    """The first element under the page's h1: what the board reads before anything else."""
    found = re.search(r"</h1>\s*(<[^>]+>)", page)
    assert found, "the page has no h1 followed by content"
    return found.group(1)


def words(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_a_board_account_on_no_board_is_told_there_is_no_work(demo_app: App) -> None:
    with serving(demo_app) as url, httpx.Client(base_url=url, follow_redirects=True) as http:
        page = login(http, "adams-board", DEMO_PASSWORD)
        assert page.status_code == 200
        assert page.url.path == "/audit-board"  # not the county's page, where it can do nothing
        assert 'data-testid="no-work"' in first_after_heading(page.text)
        assert IDLE in words(page.text)
        assert 'data-testid="board-ballots"' not in page.text


def test_a_board_sees_no_work_in_words_then_its_next_ballot_first(election_app: App) -> None:
    audit_id = start_audit(election_app)
    admin = who(election_app, "adams-admin")
    made = boards.create_board(
        election_app,
        admin,
        audit_id,
        "adams",
        "Audit Board 1",
        [Member("Ana Ruiz", "Democratic"), Member("Bo Chen", "Republican")],
    )
    with unit_of_work(election_app, "state-admin") as uow:
        set_password(uow, made.board.username, DEMO_PASSWORD)
    with (
        serving(election_app) as url,
        httpx.Client(base_url=url, follow_redirects=True) as http,
    ):
        idle = login(http, made.board.username, DEMO_PASSWORD)
        assert idle.url.path == "/audit-board"
        assert 'data-testid="no-ballots"' in first_after_heading(idle.text)
        assert IDLE in words(idle.text)
        assert 'data-testid="next-ballot"' not in idle.text

        assigned = boards.assign_ballots(election_app, admin, audit_id, "adams")
        assert assigned > 0
        busy = http.get("/audit-board")
        assert 'data-testid="board-work"' in first_after_heading(busy.text)
        assert IDLE not in words(busy.text)
        assert f"Round 1: 0 of {assigned} ballots entered." in words(busy.text)
        link = re.search(r'<a href="([^"]+)" data-testid="next-ballot">([^<]+)</a>', busy.text)
        assert link, "no link to the next ballot"
        assert (link.group(1), link.group(2)) == (
            "/audit-board/ballots/1",
            f"Enter ballot 1 of {assigned}",
        )
        # The work block comes before the members' names and the full list.
        text = busy.text
        assert text.index('data-testid="board-work"') < text.index("Ana Ruiz")
        assert text.index("Ana Ruiz") < text.index('data-testid="board-ballots"')
        ballot = http.get(link.group(1))
        assert ballot.status_code == 200
