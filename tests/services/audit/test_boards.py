"""Audit boards and rounds through the services, on SQLite and PostgreSQL.

A whole two-county ballot-comparison audit of the demo election (one
discrepancy in round 1 forces round 2, then the outcome is confirmed), a
ballot-polling round, and every role boundary: board against board, county
against county, a signed-off round, one-time links, closing a round early.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from tests.services.audit.board_work import (
    MEMBERS,
    board_principal,
    ensure_boards,
    finish_round,
    what_the_cvr_shows,
)
from tests.services.test_verify_coverage import _table_file
from tests.services.voters.fixtures import who
from votetrail.core.audit.evidence_check import check_evidence
from votetrail.errors import AuthenticationFailed, InvalidInput, PermissionDenied
from votetrail.services.audit import boards, progress
from votetrail.services.audit.boards import BoardBallot, Member
from votetrail.services.audit.draw import draw_round, offered_sizes
from votetrail.services.audit.measure import close_round
from votetrail.services.audit.public import evidence_of
from votetrail.services.audit.reads import ContestShape
from votetrail.services.audit.seed import set_seed
from votetrail.services.audit.setup import AuditMethod, AuditSetup, create_audit
from votetrail.services.context import App
from votetrail.services.counting.uploads import (
    import_cvrs,
    import_manifest,
    import_reported_results,
)
from votetrail.services.verify import verify
from votetrail.store.models import AUDIT_INTERPRETATIONS, AUDITS, LEDGER_ENTRIES

SEED = "98765432109876543210"
WINNER, LOSER = "Avery Quinn", "Blake Rivera"
COMPARISON = AuditSetup(
    "2026 General",
    AuditMethod.BALLOT_COMPARISON,
    "0.05",
    ["Governor"],
    ["County Measure A"],
    ["adams", "baker"],
)


def _denied(app: App) -> int:
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(LEDGER_ENTRIES.c.seq).where(LEDGER_ENTRIES.c.event_type == "access.denied")
        )
        return len(rows.all())


def _started(app: App, setup: AuditSetup = COMPARISON, size: int | None = None) -> str:
    state = who(app, "state-admin")
    audit_id = create_audit(app, state, setup)
    set_seed(app, state, audit_id, SEED, ["Ana Ruiz", "Bo Chen"])
    draw_round(app, state, audit_id, size or offered_sizes(app, audit_id)[0].size)
    return audit_id


def _status(app: App, audit_id: str) -> str:
    with app.engine.connect() as conn:
        return str(conn.execute(select(AUDITS.c.status).where(AUDITS.c.id == audit_id)).scalar())


class _OneDiscrepancy:
    """Reads every ballot as its CVR, except one vote for the winner read as one for the loser."""

    def __init__(self) -> None:
        self.changed: str | None = None

    def __call__(self, ballot: BoardBallot, truth: dict[str, str]) -> dict[str, str]:
        if self.changed is None and truth.get("Governor") == WINNER:
            self.changed = ballot.ballot_id
            return {**truth, "Governor": LOSER}
        return truth


def test_a_comparison_audit_with_one_discrepancy_takes_a_second_round_then_confirms(
    election_app: App,
) -> None:
    app = election_app
    state = who(app, "state-admin")
    audit_id = _started(app)
    reader = _OneDiscrepancy()
    finish_round(app, audit_id, reader)
    assert reader.changed is not None
    first = close_round(app, state, audit_id)
    assert first.closed
    assert first.risk["Governor"] > 0.05
    assert first.decision["Governor"] == "continue"
    assert "County Measure A" in first.risk  # opportunistic: measured, decides nothing
    assert _status(app, audit_id) == "sampling"
    again = offered_sizes(app, audit_id)[0].size
    assert again > 0
    rounds = 1
    while _status(app, audit_id) == "sampling" and rounds < 4:
        rounds += 1
        draw_round(app, state, audit_id, offered_sizes(app, audit_id)[0].size)
        finish_round(app, audit_id)
        close_round(app, state, audit_id)
    assert _status(app, audit_id) == "confirmed"
    seen = progress.overview(app, audit_id)
    assert [r.number for r in seen.rounds] == list(range(1, rounds + 1))
    assert seen.rounds[-1].decision["Governor"] == "confirmed"
    assert seen.rounds[-1].risk["Governor"] <= 0.05
    assert all(c.rounds_done == rounds for c in seen.counties)
    assert all(c.manifest and c.cvrs and c.ballots_in_manifest > 0 for c in seen.counties)
    assert {c.county: c.phantoms for c in seen.counties} == {"adams": 12, "baker": 0}
    # The stored risk is what an observer recomputes from the published evidence.
    evidence = evidence_of(app, audit_id)
    assert check_evidence(evidence).differences == []
    published = {r.round: r.risk["Governor"] for r in evidence.rounds}
    assert published == {r.number: r.risk["Governor"] for r in seen.rounds}
    discrepant = [i for i in evidence.interpretations if i.ballot_id == reader.changed]
    assert {str(i.cvr) for i in discrepant if i.contest_id == "Governor"} == {WINNER}
    # A ballot examined in round 1 is never examined again.
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(AUDIT_INTERPRETATIONS.c.ballot_id, AUDIT_INTERPRETATIONS.c.contest)
        ).all()
    assert len(rows) == len(set(rows))
    with pytest.raises(PermissionDenied, match="is over"):
        draw_round(app, state, audit_id, 5)
    assert verify(app).problems == []
    # An insider's edit of one interpretation is named by verify.
    with app.engine.begin() as conn:
        target = conn.execute(
            select(AUDIT_INTERPRETATIONS.c.id).where(
                AUDIT_INTERPRETATIONS.c.ballot_id == reader.changed,
                AUDIT_INTERPRETATIONS.c.contest == "Governor",
            )
        ).scalar_one()
        conn.execute(
            update(AUDIT_INTERPRETATIONS)
            .where(AUDIT_INTERPRETATIONS.c.id == target)
            .values(reading=WINNER)
        )
    problems = verify(app).problems
    assert any(target in p for p in problems), problems


def test_a_polling_round_is_measured_from_the_boards_entries(election_app: App) -> None:
    app = election_app
    setup = AuditSetup(
        "2026 General", AuditMethod.BALLOT_POLLING, "0.1", ["Governor"], [], ["baker", "clark"]
    )
    audit_id = _started(app, setup)
    assert not progress.overview(app, audit_id).round_complete
    finish_round(app, audit_id)
    assert progress.overview(app, audit_id).round_complete
    measured = close_round(app, who(app, "state-admin"), audit_id)
    assert 0 <= measured.risk["Governor"] <= 1
    expected = "confirmed" if measured.decision["Governor"] == "confirmed" else "sampling"
    assert _status(app, audit_id) == expected
    evidence = evidence_of(app, audit_id)
    assert all(i.cvr is None for i in evidence.interpretations)
    assert check_evidence(evidence).differences == []
    assert verify(app).problems == []


def test_boards_need_two_named_members_of_different_parties(election_app: App) -> None:
    app = election_app
    audit_id = _started(app, size=10)
    admin = who(app, "adams-admin")
    cases = [
        ([Member("Ana Ruiz", "Democratic")], "two members"),
        ([Member("Ana Ruiz", "Green"), Member("Bo Chen", " green ")], "same party"),
        ([Member("Ana Ruiz", "Green"), Member("  ", "Libertarian")], "blank"),
    ]
    for members, why in cases:
        with pytest.raises(InvalidInput, match=why):
            boards.create_board(app, admin, audit_id, "adams", "Board", members)
    made = boards.create_board(app, admin, audit_id, "adams", "", MEMBERS)
    assert made.board.username == f"{audit_id}-adams-board-1"
    assert made.board.name == "Audit Board 1"
    assert made.link_token not in verify(app).problems  # and the token is nowhere stored:
    with app.engine.connect() as conn:
        dumped = "\n".join(str(r) for r in conn.execute(text("SELECT * FROM audit_board_links")))
    assert made.link_token not in dumped
    denied = _denied(app)
    with pytest.raises(PermissionDenied):
        boards.create_board(app, who(app, "baker-admin"), audit_id, "adams", "B", MEMBERS)
    with pytest.raises(PermissionDenied):
        boards.boards_of(app, who(app, "baker-admin"), audit_id, "adams")
    with pytest.raises(PermissionDenied):
        boards.issue_link(app, who(app, "baker-admin"), made.board.id)
    assert _denied(app) == denied + 3


def test_a_one_time_link_works_once_expires_and_is_replaced_by_a_new_one(
    election_app: App,
) -> None:
    app = election_app
    audit_id = _started(app, size=10)
    admin = who(app, "adams-admin")
    made = boards.create_board(app, admin, audit_id, "adams", "Board", MEMBERS)
    board = boards.sign_in_with_link(app, made.link_token)
    assert (board.username, board.role.value, board.jurisdiction) == (
        made.board.username,
        "audit_board",
        "adams",
    )
    with pytest.raises(AuthenticationFailed):
        boards.sign_in_with_link(app, made.link_token)  # used up
    older = boards.issue_link(app, admin, made.board.id)
    newer = boards.issue_link(app, admin, made.board.id)
    with pytest.raises(AuthenticationFailed):
        boards.sign_in_with_link(app, older)  # replaced before use
    with pytest.raises(AuthenticationFailed):
        boards.sign_in_with_link(app, "not-a-token")
    clock = app.clock
    later = clock() + timedelta(hours=boards.LINK_LIFETIME_HOURS, minutes=1)
    app.clock = lambda: later
    with pytest.raises(AuthenticationFailed):
        boards.sign_in_with_link(app, newer)  # expired
    fresh = boards.issue_link(app, admin, made.board.id)
    assert boards.sign_in_with_link(app, fresh).username == made.board.username
    assert verify(app).problems == []


def test_a_board_sees_and_enters_only_its_own_ballots_until_it_signs_off(
    election_app: App,
) -> None:
    app = election_app
    audit_id = _started(app, size=40)
    first, second = ensure_boards(app, audit_id, "adams", 2)
    assigned = boards.assign_ballots(app, who(app, "adams-admin"), audit_id, "adams")
    a, b = board_principal(app, "adams", first), board_principal(app, "adams", second)
    mine, theirs = boards.board_ballots(app, a, first), boards.board_ballots(app, b, second)
    assert len(mine) + len(theirs) == assigned
    assert mine
    assert theirs
    # Whole batches stay with one board.
    batches_a = {(x.tabulator, x.batch) for x in mine}
    assert not batches_a & {(x.tabulator, x.batch) for x in theirs}
    denied = _denied(app)
    with pytest.raises(PermissionDenied):
        boards.board_ballots(app, a, second)
    with pytest.raises(PermissionDenied):
        boards.board_ballots(app, who(app, "baker-admin"), first)
    other = theirs[0]
    with pytest.raises(PermissionDenied):
        boards.record_interpretation(
            app, a, second, other.ballot_id, what_the_cvr_shows(app, "adams", other)
        )
    with pytest.raises(PermissionDenied):  # its own board id, another board's ballot
        boards.record_interpretation(
            app, a, first, other.ballot_id, what_the_cvr_shows(app, "adams", other)
        )
    with pytest.raises(PermissionDenied):  # the county administrator does not enter ballots
        boards.record_interpretation(
            app, who(app, "adams-admin"), first, mine[0].ballot_id, {"Governor": "blank"}
        )
    assert _denied(app) == denied + 5
    assert boards.board_ballots(app, who(app, "adams-admin"), first) == mine
    paper = next(x for x in mine if not x.phantom)
    bad = [
        ({"Governor": "Nobody"}, "not one of its choices"),
        ({"Governor": f"{WINNER};{LOSER}"}, "enter overvote"),
        ({"Senate": "blank"}, "not a contest"),
        ({"Governor": ""}, "enter the choices"),
    ]
    for readings, why in bad:
        with pytest.raises(InvalidInput, match=why):
            boards.record_interpretation(app, a, first, paper.ballot_id, readings)
    boards.record_interpretation(app, a, first, paper.ballot_id, {"Governor": "overvote"})
    with pytest.raises(InvalidInput, match="not fully entered"):
        boards.sign_off(app, a, first, [m.name for m in MEMBERS])
    for ballot in mine:
        boards.record_interpretation(
            app, a, first, ballot.ballot_id, what_the_cvr_shows(app, "adams", ballot)
        )
    assert all(x.done for x in boards.board_ballots(app, a, first))
    with pytest.raises(InvalidInput, match="Bo Chen has not signed"):
        boards.sign_off(app, a, first, ["Ana Ruiz"])
    boards.sign_off(app, a, first, ["ana ruiz", "Bo  Chen"])
    assert boards.board_of_user(app, a).signed_off_rounds == (1,)
    denied = _denied(app)
    with pytest.raises(PermissionDenied, match="signed off"):
        boards.record_interpretation(app, a, first, paper.ballot_id, {"Governor": "blank"})
    with pytest.raises(PermissionDenied, match="not done"):
        close_round(app, who(app, "state-admin"), audit_id)
    with pytest.raises(PermissionDenied):
        close_round(app, who(app, "adams-admin"), audit_id)
    with pytest.raises(PermissionDenied, match="still open"):
        draw_round(app, who(app, "state-admin"), audit_id, 5)
    assert _denied(app) == denied + 4
    status = progress.county_overview(app, who(app, "adams-admin"), audit_id, "adams")
    assert status.boards == 2
    assert status.boards_signed_off == 1
    with pytest.raises(PermissionDenied):
        progress.county_overview(app, who(app, "baker-admin"), audit_id, "adams")
    assert verify(app).problems == []


def test_a_phantom_can_only_be_not_found() -> None:
    contest = ContestShape("Governor", 1, (WINNER, LOSER), "targeted")
    assert boards.reading_text("not_found", contest, phantom=True) == "not_found"
    with pytest.raises(InvalidInput, match="phantom"):
        boards.reading_text(WINNER, contest, phantom=True)
    assert boards.reading_text(f" {WINNER} ", contest) == WINNER


def test_an_audit_is_not_launched_while_a_targeted_contest_has_no_reported_outcome(
    demo_app: App, tmp_path: Path
) -> None:
    """Adams's CVRs tie Governor 1-1: the page says why, and the seed is refused."""
    app = demo_app
    cvrs = tmp_path / "adams-cvrs.csv"
    lines = [
        "Tie Election,5.10.50.85,,,,,,,,",
        ",,,,,,,,Governor (Vote For=1),Governor (Vote For=1)",
        f",,,,,,,,{WINNER},{LOSER}",
        "CvrNumber,TabulatorNum,BatchId,RecordId,ImprintedId,CountingGroup,PrecinctPortion,"
        "BallotType,,",
        "1,ICP-1,Batch 101,1,ICP-1-Batch 101-1,Election Day,Adams P-1,Ballot 1,1,0",
        "2,ICP-1,Batch 101,2,ICP-1-Batch 101-2,Election Day,Adams P-1,Ballot 1,0,1",
    ]
    cvrs.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_cvrs(app, "adams-admin", "adams", [cvrs])
    state = who(app, "state-admin")
    setup = AuditSetup("Tie", AuditMethod.BALLOT_COMPARISON, "0.05", ["Governor"], [], ["adams"])
    audit_id = create_audit(app, state, setup)
    problems = progress.launch_problems(app, audit_id)
    assert any("adams has not uploaded its ballot manifest" in p for p in problems)
    manifest = tmp_path / "adams-manifest.csv"
    _table_file(
        manifest, ("Tabulator", "Batch Name", "Number of Ballots"), [("ICP-1", "Batch 101", 2)]
    )
    import_manifest(app, "adams-admin", "adams", manifest)
    reported = tmp_path / "adams-reported.csv"
    rows: list[tuple[object, ...]] = [("Governor", WINNER, 1), ("Governor", LOSER, 1)]
    _table_file(reported, ("contest", "choice", "votes"), rows)
    import_reported_results(app, "adams-admin", "adams", reported)
    problems = progress.launch_problems(app, audit_id)
    assert len(problems) == 1
    assert "'Governor'" in problems[0]
    assert "reported outcome" in problems[0]
    assert progress.overview(app, audit_id).launch_problems == problems
    with pytest.raises(PermissionDenied, match="reported outcome"):
        set_seed(app, state, audit_id, SEED, ["Ana Ruiz"])
