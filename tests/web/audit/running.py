"""A ballot-comparison audit run through the real services, for the public-page and API tests.

Every county of the demo election is in it (Governor is counted in all three,
so the launch check passes); each county has one board of two members of
different parties, which reads what each ballot's CVR says, except one
ballot whose Governor vote the Adams board reads as blank: one discrepancy.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.services.voters.fixtures import who
from votetrail.core.audit.evidence import BLANK
from votetrail.services.audit import boards, measure
from votetrail.services.audit.boards import Member
from votetrail.services.audit.draw import draw_round, offered_sizes
from votetrail.services.audit.seed import set_seed
from votetrail.services.audit.setup import AuditMethod, AuditSetup, create_audit
from votetrail.services.context import App
from votetrail.services.demo.audit import paper_readings

SEED = "12345678901234567890"
WITNESSES = ("Ana Ruiz, League of Women Voters", "Bo Chen, Green Party")
COUNTIES = ("adams", "baker", "clark")
SETUP = AuditSetup(
    "2026 General", AuditMethod.BALLOT_COMPARISON, "0.05", ["Governor"], [], COUNTIES
)
MEMBERS = (Member("Dana Whitfield", "Democratic"), Member("Eli Romero", "Republican"))


@dataclass(frozen=True)
class Ran:
    audit_id: str
    misread: str  # the ballot whose Governor vote the Adams board read as blank
    link_tokens: tuple[str, ...]  # every one-time link issued while running it


def run_audit(app: App) -> Ran:
    """Set up, seed, draw the offered size, enter every ballot (one misread), sign off, close."""
    state = who(app, "state-admin")
    audit_id = create_audit(app, state, SETUP)
    set_seed(app, state, audit_id, SEED, WITNESSES)
    tokens = []
    for county in COUNTIES:
        created = boards.create_board(
            app, who(app, f"{county}-admin"), audit_id, county, "Audit Board 1", MEMBERS
        )
        tokens.append(created.link_token)
    draw_round(app, state, audit_id, offered_sizes(app, audit_id)[0].size)
    misread = ""
    for county in COUNTIES:
        admin = who(app, f"{county}-admin")
        boards.assign_ballots(app, admin, audit_id, county)
        for board in boards.boards_of(app, admin, audit_id, county):
            member = who(app, board.username)
            ballots = boards.board_ballots(app, member, board.id)
            shown = paper_readings(app, county, ballots)
            for ballot in ballots:
                readings = dict(shown[ballot.ballot_id])
                if not misread and not ballot.phantom and readings["Governor"] == "Avery Quinn":
                    readings["Governor"] = BLANK
                    misread = ballot.ballot_id
                boards.record_interpretation(app, member, board.id, ballot.ballot_id, readings)
            boards.sign_off(app, member, board.id, [m.name for m in board.members])
    assert misread
    measure.close_round(app, state, audit_id)
    return Ran(audit_id, misread, tuple(tokens))
