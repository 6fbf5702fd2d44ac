"""Running a round's board work through the real services, as counties and boards would."""

from __future__ import annotations

from collections.abc import Callable

from tests.services.voters.fixtures import who
from votetrail.core.access import Principal
from votetrail.services.audit import boards
from votetrail.services.audit.boards import BoardBallot, Member
from votetrail.services.audit.cvr_lookup import Place, cvr_readings
from votetrail.services.audit.setup import audit_counties
from votetrail.services.context import App

MEMBERS = (Member("Ana Ruiz", "Democratic"), Member("Bo Chen", "Republican"))

Reader = Callable[[BoardBallot, dict[str, str]], dict[str, str]]
"""Given a ballot and what its CVR shows, what the board enters (default: the same)."""


def what_the_cvr_shows(app: App, county: str, ballot: BoardBallot) -> dict[str, str]:
    """The ballot's CVR as readings (a phantom: not_found), i.e. a paper that agrees."""
    vote_for = {c.contest_id: c.vote_for for c in ballot.contests}
    if ballot.phantom:
        return dict.fromkeys(vote_for, "not_found")
    place = Place(ballot.ballot_id, ballot.tabulator, ballot.batch, ballot.position, False)
    ranked = {c.contest_id for c in ballot.contests if c.ranks is not None}
    with app.engine.connect() as conn:
        return cvr_readings(conn, county, [place], vote_for, ranked)[ballot.ballot_id]


def board_principal(app: App, county: str, board_id: str) -> Principal:
    token = boards.issue_link(app, who(app, f"{county}-admin"), board_id)
    return boards.sign_in_with_link(app, token)


def ensure_boards(app: App, audit_id: str, county: str, count: int = 1) -> list[str]:
    admin = who(app, f"{county}-admin")
    have = boards.boards_of(app, admin, audit_id, county)
    for n in range(len(have), count):
        boards.create_board(app, admin, audit_id, county, f"Audit Board {n + 1}", MEMBERS)
    return [b.id for b in boards.boards_of(app, admin, audit_id, county)]


def finish_round(app: App, audit_id: str, reader: Reader | None = None) -> None:
    """Every county assigns its ballots, every board enters them and signs off."""
    with app.engine.connect() as conn:
        counties = audit_counties(conn, audit_id)
    for county in counties:
        board_ids = ensure_boards(app, audit_id, county)
        boards.assign_ballots(app, who(app, f"{county}-admin"), audit_id, county)
        for board_id in board_ids:
            board = board_principal(app, county, board_id)
            for ballot in boards.board_ballots(app, board, board_id):
                truth = what_the_cvr_shows(app, county, ballot)
                entered = truth if reader is None else reader(ballot, truth)
                boards.record_interpretation(app, board, board_id, ballot.ballot_id, entered)
            boards.sign_off(app, board, board_id, [m.name for m in MEMBERS])
