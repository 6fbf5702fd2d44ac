"""Demo audits: a finished ballot-comparison audit and a ballot-polling audit under way.

A newcomer should be able to click through an audit as officials run it, so
the demo runs one through the same services the pages call. ``audit-1``
compares paper with CVRs for Governor (targeted) and County Measure A
(opportunistic). Round 1 draws the size the engine offers (Kaplan-Markov:
enough if the paper agrees with every CVR); each county's one board of two
members of different parties enters what every ballot shows, which is what
its CVR says, except one Adams ballot whose Governor vote for the reported
winner the board reads as blank. That one-vote overstatement leaves the risk
above the limit, so round 2 draws the size offered then, the paper agrees
everywhere, and Governor is confirmed. ``audit-2`` is a ballot-polling audit
of County Measure A: seed set, round 1 drawn, a few ballots entered in each
county, so the board pages have work left to show.

Both audits take in Adams and Baker only. Clark counts the same contests,
but an audit of some counties is legitimate (``services/audit/launch.py``
compares each audited county's CVRs with its own reported results); the
outcome confirmed is then the two counties' reported outcome.

The sizes are not typed in: each round draws what ``offered_sizes`` offers,
and ``tests/services/demo/test_audit.py`` recomputes that round 1 confirms
without a discrepancy and not with one, and that round 2 then does. The seed
is fixed so the demo is the same every time; it was chosen so that neither
round draws one of Adams's twelve phantoms (a phantom counts as a two-vote
overstatement and would add a second discrepancy).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from votetrail.core.audit.evidence import BLANK
from votetrail.errors import NotFound
from votetrail.services.audit import boards, measure, progress
from votetrail.services.audit.boards import BoardBallot, Member
from votetrail.services.audit.cvr_lookup import Place, cvr_readings
from votetrail.services.audit.draw import draw_round, offered_sizes
from votetrail.services.audit.seed import set_seed
from votetrail.services.audit.setup import AuditMethod, AuditSetup, create_audit
from votetrail.services.context import App
from votetrail.services.demo.accounts import officer
from votetrail.services.directory import set_password
from votetrail.services.setup import DEMO_PASSWORD
from votetrail.services.unit_of_work import unit_of_work

ELECTION = "Demo General Election"
COUNTIES = ("adams", "baker")
COMPARISON = AuditSetup(
    ELECTION,
    AuditMethod.BALLOT_COMPARISON,
    "0.05",
    ["Governor"],
    ["County Measure A"],
    COUNTIES,
)
POLLING = AuditSetup(
    ELECTION, AuditMethod.BALLOT_POLLING, "0.1", ["County Measure A"], [], COUNTIES
)
SEEDS = {"comparison": "11777741215472803852", "polling": "90412377845120963318"}
"""Twenty ten-sided dice each; the comparison seed draws no phantom in either round."""
WITNESSES = (
    "Jo Ortiz, League of Women Voters",
    "Kim Lee, Democratic Party",
    "Mark Novak, Republican Party",
)
BOARD_MEMBERS: Mapping[str, tuple[Member, Member]] = {
    "adams": (Member("Dana Whitfield", "Democratic"), Member("Eli Romero", "Republican")),
    "baker": (Member("Frances Oyelaran", "Republican"), Member("Gus Lindqvist", "Libertarian")),
}
DISCREPANCY = ("adams", "Governor", "Avery Quinn")
"""The one ballot that disagrees: the first Adams ballot of round 1 whose CVR votes for
the reported winner for Governor, which the board reads as blank (a faint mark)."""
DISCREPANCY_COMMENT = "Faint mark in the Governor oval; the board agreed it is not a vote."
POLLING_ENTERED = 5
"""Ballots each county's board has entered so far in the polling audit."""


@dataclass(frozen=True)
class DemoAudits:
    comparison: str
    polling: str
    round_sizes: tuple[int, ...]
    board_account: str  # audit-2's Adams board, signed in with the demo password


def paper_readings(
    app: App, county: str, ballots: Sequence[BoardBallot]
) -> dict[str, dict[str, str]]:
    """Ballot id -> contest -> what the paper shows if it agrees with the ballot's CVR.

    A phantom has no paper and reads ``not_found``, as a board enters it.
    """
    if not ballots:
        return {}
    places = [Place(b.ballot_id, b.tabulator, b.batch, b.position, b.phantom) for b in ballots]
    vote_for = {c.contest_id: c.vote_for for b in ballots for c in b.contests}
    with app.engine.connect() as conn:
        return cvr_readings(conn, county, places, vote_for)


def _create_boards(app: App, audit_id: str) -> None:
    for county in COUNTIES:
        admin = officer(app, f"{county}-admin")
        boards.create_board(app, admin, audit_id, county, "Audit Board 1", BOARD_MEMBERS[county])


def _examine(app: App, audit_id: str, *, discrepancy: bool, limit: int | None = None) -> None:
    """Every county assigns its round's ballots; each board enters them (up to ``limit``)."""
    wanted = discrepancy
    for county in COUNTIES:
        admin = officer(app, f"{county}-admin")
        boards.assign_ballots(app, admin, audit_id, county)
        for board in boards.boards_of(app, admin, audit_id, county):
            member = officer(app, board.username)
            ballots = boards.board_ballots(app, member, board.id)
            todo = [b for b in ballots if not b.done][:limit]
            shown = paper_readings(app, county, todo)
            for ballot in todo:
                readings = dict(shown[ballot.ballot_id])
                comment = ""
                county_of, contest, choice = DISCREPANCY
                if wanted and county == county_of and readings.get(contest) == choice:
                    readings[contest] = BLANK
                    comment = DISCREPANCY_COMMENT
                    wanted = False
                boards.record_interpretation(
                    app, member, board.id, ballot.ballot_id, readings, comment
                )
            if limit is None:
                boards.sign_off(app, member, board.id, [m.name for m in board.members])
    if wanted:
        raise NotFound("the demo found no Adams ballot voting for the winner to misread")


def _open_board_account(app: App, audit_id: str) -> str:
    """Give the polling audit's Adams board the published demo password; its user name.

    A real board signs in with one-time links and nobody knows its password;
    a newcomer trying the demo needs an account that works more than once.
    """
    admin = officer(app, "adams-admin")
    board = boards.boards_of(app, admin, audit_id, "adams")[0]
    with unit_of_work(app, "state-admin") as uow:
        set_password(uow, board.username, DEMO_PASSWORD)
    return board.username


def load_demo_audits(app: App) -> DemoAudits | None:
    """Run both demo audits once (a second call finds audits and does nothing)."""
    if progress.audits(app):
        return None
    state = officer(app, "state-admin")
    comparison = create_audit(app, state, COMPARISON)
    set_seed(app, state, comparison, SEEDS["comparison"], WITNESSES)
    _create_boards(app, comparison)
    sizes = []
    for number in (1, 2):
        sizes.append(offered_sizes(app, comparison)[0].size)
        draw_round(app, state, comparison, sizes[-1])
        _examine(app, comparison, discrepancy=number == 1)
        measure.close_round(app, state, comparison)
    polling = create_audit(app, state, POLLING)
    set_seed(app, state, polling, SEEDS["polling"], WITNESSES)
    _create_boards(app, polling)
    draw_round(app, state, polling, offered_sizes(app, polling)[0].size)
    _examine(app, polling, discrepancy=False, limit=POLLING_ENTERED)
    account = _open_board_account(app, polling)
    return DemoAudits(comparison, polling, tuple(sizes), account)
