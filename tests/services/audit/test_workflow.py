"""Setting up an audit, its seed ceremony and its draws, on SQLite and PostgreSQL.

Everything runs on the demo election (three counties with uploads; Adams's
jammed tape gives it 12 phantoms) through the real services and commands.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select, text

from tests.cli.helpers import votetrail, votetrail_on
from tests.services.audit.board_work import finish_round
from tests.services.test_verify_coverage import _cvr_file
from tests.services.voters.fixtures import who
from votetrail.core.audit.sampler import sample
from votetrail.errors import PermissionDenied
from votetrail.services.audit.boards import BoardBallot
from votetrail.services.audit.draw import audit_frame, draw_round, offered_sizes
from votetrail.services.audit.measure import close_round
from votetrail.services.audit.retrieval import retrieval_list, write_retrieval_list
from votetrail.services.audit.seed import set_seed, stored_seed
from votetrail.services.audit.setup import AuditMethod, AuditSetup, create_audit
from votetrail.services.context import App
from votetrail.services.counting.uploads import import_cvrs
from votetrail.services.setup import DEMO_COUNTIES, DEMO_PASSWORD
from votetrail.services.verify import verify
from votetrail.store.models import AUDIT_DRAWS, LEDGER_ENTRIES

SEED = "12345678901234567890"
SETUP = AuditSetup(
    "2026 General",
    AuditMethod.BALLOT_COMPARISON,
    "0.05",
    ["Governor"],
    ["County Measure A"],
    ["adams"],
)


def _events(app: App, name: str) -> int:
    with app.engine.connect() as conn:
        return len(
            conn.execute(
                select(LEDGER_ENTRIES.c.seq).where(LEDGER_ENTRIES.c.event_type == name)
            ).all()
        )


def _draws(app: App) -> list[tuple[str, str]]:
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(AUDIT_DRAWS.c.ticket_number, AUDIT_DRAWS.c.ballot_id).order_by(
                AUDIT_DRAWS.c.draw_number
            )
        )
        return [(str(t), str(b)) for t, b in rows]


def _all_blank(ballot: BoardBallot) -> dict[str, str]:
    """What a board enters for a ballot showing no vote (or, for a phantom, not found)."""
    return {c.contest_id: "not_found" if ballot.phantom else "blank" for c in ballot.contests}


def _seeded(app: App) -> str:
    state = who(app, "state-admin")
    audit_id = create_audit(app, state, SETUP)
    set_seed(app, state, audit_id, SEED, ["Ana Ruiz"])
    return audit_id


def test_the_commands_draw_what_audit_sample_draws_round_after_round(
    capsys: pytest.CaptureFixture[str], election_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """create → seed → two rounds by CLI; the 30 draws are ``audit sample --size 30``'s."""
    monkeypatch.setenv("VOTETRAIL_PASSWORD", DEMO_PASSWORD)
    created = votetrail_on(
        capsys, election_app, "audit", "create", "--election", "2026 General",
        "--method", "ballot_polling", "--risk-limit", "0.1", "--targeted", "Governor",
        "--county", "clark", "--county", "baker", "--user", "state-admin",
    )  # fmt: skip
    assert created.code == 0, created.err
    audit_id = created.out.strip()
    assert audit_id == "audit-1"
    seeded = votetrail_on(
        capsys, election_app, "audit", "seed", "--audit", audit_id, "--seed", SEED,
        "--witness", "Ana Ruiz", "--witness", "Bo Chen", "--user", "state-admin",
    )  # fmt: skip
    assert seeded.code == 0, seeded.err
    offered = votetrail_on(
        capsys, election_app, "audit", "draw", "--audit", audit_id, "--user", "state-admin"
    )
    assert offered.code == 0, offered.err
    assert offered.out.splitlines()[0] == "size,chance_of_finishing,basis"
    assert "90%" in offered.out
    for size in ("20", "10"):
        if size == "10":  # round 1 must be closed before round 2 is drawn
            finish_round(election_app, audit_id, lambda ballot, _: _all_blank(ballot))
            close_round(election_app, who(election_app, "state-admin"), audit_id)
        drawn = votetrail_on(
            capsys, election_app, "audit", "draw", "--audit", audit_id, "--size", size,
            "--user", "state-admin",
        )  # fmt: skip
        assert drawn.code == 0, drawn.err
    assert "Round 2 of audit-1: drew 10 tickets" in drawn.out
    folder = election_app.data_dir / "demo-files"
    names = dict(DEMO_COUNTIES)
    reference = votetrail(
        capsys, "audit", "sample",
        "--manifest", str(folder / f"{names['baker']} - ballot manifest.csv"),
        "--manifest", str(folder / f"{names['clark']} - ballot manifest.csv"),
        "--jurisdiction", "baker", "--jurisdiction", "clark",
        "--seed", SEED, "--size", "30", "--format", "json",
    )  # fmt: skip
    assert reference.code == 0, reference.err
    expected = [(d["ticket_number"], d["ballot_id"]) for d in json.loads(reference.out)]
    assert _draws(election_app) == expected
    assert _events(election_app, "audit.ballot_drawn") == 30
    assert _events(election_app, "audit.round_drawn") == 2
    assert verify(election_app).problems == []


def test_phantoms_are_in_the_frame_and_the_retrieval_list_is_in_shelf_order(
    election_app: App,
) -> None:
    audit_id = _seeded(election_app)
    frame = audit_frame(election_app, audit_id).ballot_ids
    phantoms = [b for b in frame if b.startswith("adams:phantom:")]
    assert len(phantoms) == 12
    assert next(s.size for s in offered_sizes(election_app, audit_id)) > 0
    drawn = draw_round(election_app, who(election_app, "state-admin"), audit_id, 300)
    assert drawn.tickets == sample(frame, SEED, 300)
    rows = retrieval_list(election_app, who(election_app, "adams-admin"), audit_id, "adams")
    assert len(rows) == 300
    paper = [r for r in rows if not r.phantom]
    assert paper == sorted(paper, key=lambda r: (r.tabulator or "", r.batch, r.position))
    drawn_phantoms = [r for r in rows if r.phantom]
    assert drawn_phantoms, "300 of 664 draws should include some of the 12 phantoms"
    assert rows[-len(drawn_phantoms) :] == drawn_phantoms
    assert all(r.tabulator == "ICP-2" and r.batch == "phantom" for r in drawn_phantoms)
    out = io.StringIO()
    write_retrieval_list(rows, out)
    table = list(csv.DictReader(io.StringIO(out.getvalue())))
    tickets = {" ".join(r.ticket_numbers) for r in rows}
    assert {row["ticket_numbers"] for row in table} == tickets
    assert table[-1]["phantom"].startswith("yes")


def test_the_seed_is_set_once_and_a_draw_needs_it(election_app: App) -> None:
    state = who(election_app, "state-admin")
    audit_id = create_audit(election_app, state, SETUP)
    with pytest.raises(PermissionDenied, match="the seed has not been set"):
        draw_round(election_app, state, audit_id, 5)
    assert _events(election_app, "access.denied") == 1
    set_seed(election_app, state, audit_id, SEED, ["Ana Ruiz"])
    with pytest.raises(PermissionDenied, match="the seed cannot be changed"):
        set_seed(election_app, state, audit_id, "99999999999999999999", ["Mallory"])
    assert stored_seed(election_app, audit_id) == SEED
    assert _events(election_app, "access.denied") == 2
    assert _events(election_app, "audit.seed_set") == 1
    assert _events(election_app, "audit.round_drawn") == 0


def test_a_county_cannot_create_an_audit_or_read_another_countys_list(
    election_app: App,
) -> None:
    adams = who(election_app, "adams-admin")
    with pytest.raises(PermissionDenied, match="only the state administrator"):
        create_audit(election_app, adams, SETUP)
    assert _events(election_app, "audit.created") == 0
    assert _events(election_app, "access.denied") == 1
    state = who(election_app, "state-admin")
    audit_id = create_audit(election_app, state, replace(SETUP, counties=["adams", "baker"]))
    with pytest.raises(PermissionDenied):
        set_seed(election_app, adams, audit_id, SEED, ["Ana Ruiz"])
    set_seed(election_app, state, audit_id, SEED, ["Ana Ruiz"])
    with pytest.raises(PermissionDenied):
        draw_round(election_app, adams, audit_id, 5)
    draw_round(election_app, state, audit_id, 40)
    assert retrieval_list(election_app, adams, audit_id, "adams")
    with pytest.raises(PermissionDenied, match="may not read baker's retrieval list"):
        retrieval_list(election_app, adams, audit_id, "baker")
    assert _events(election_app, "access.denied") == 4
    assert retrieval_list(election_app, who(election_app, "baker-admin"), audit_id, "baker")


def test_verify_names_a_raw_edit_of_a_draw_or_the_seed(election_app: App) -> None:
    audit_id = _seeded(election_app)
    draw_round(election_app, who(election_app, "state-admin"), audit_id, 10)
    assert verify(election_app).problems == []
    with election_app.engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_draws SET ballot_id = 'adams::ICP-1:Batch 101:1' WHERE id = :d"),
            {"d": f"{audit_id}-draw-3"},
        )
        conn.execute(
            text("UPDATE audit_seeds SET seed = '11111111111111111111' WHERE audit_id = :a"),
            {"a": audit_id},
        )
    problems = verify(election_app).problems
    assert any(
        f"audit_draw '{audit_id}-draw-3' was changed without an event" in p for p in problems
    )
    assert any(f"audit_seed '{audit_id}' was changed without an event" in p for p in problems)


def test_the_seed_waits_for_every_countys_manifest(demo_app: App, tmp_path: Path) -> None:
    """Set-up is complete only when every county's ballots can be listed: no seed before."""
    cvrs = tmp_path / "adams-cvrs.csv"
    _cvr_file(cvrs)
    import_cvrs(demo_app, "adams-admin", "adams", [cvrs])
    state = who(demo_app, "state-admin")
    audit_id = create_audit(demo_app, state, replace(SETUP, opportunistic=[]))
    with pytest.raises(PermissionDenied, match="adams has not uploaded its ballot manifest"):
        set_seed(demo_app, state, audit_id, SEED, ["Ana Ruiz"])
    assert stored_seed(demo_app, audit_id) is None
    assert _events(demo_app, "access.denied") == 1
