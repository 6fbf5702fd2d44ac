"""A two-county batch-comparison audit through the services, on SQLite and PostgreSQL.

Adams and Baker upload the demo election (Clark does not, so the two
counties' batches are the whole reported result). Each county's CVRs give
four batches (two tabulators, two batches each); the draws are PPEB from the
seed, the counties enter hand tallies, the state measures MACRO's risk, and
the published evidence.zip is checked by ``votetrail audit verify``.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select, text

from tests.cli.helpers import votetrail
from tests.services.voters.fixtures import who
from votetrail.core.audit.batch import macro_p_value
from votetrail.core.audit.evidence_check import check_evidence
from votetrail.core.audit.ppeb import ppeb_sample
from votetrail.errors import InvalidInput, PermissionDenied
from votetrail.services.audit import batch_rounds, batch_tallies
from votetrail.services.audit.batch_frame import batch_frame
from votetrail.services.audit.draw import draw_round, offered_sizes
from votetrail.services.audit.public import evidence_of, evidence_zip
from votetrail.services.audit.seed import set_seed
from votetrail.services.audit.setup import AuditMethod, AuditSetup, create_audit
from votetrail.services.context import App
from votetrail.services.demo.election import load_demo_election
from votetrail.services.setup import SYSTEM_ACTOR
from votetrail.services.verify import verify
from votetrail.store.models import AUDITS, LEDGER_ENTRIES

SEED = "12345678901234567890"
SETUP = AuditSetup(
    "2026 General", AuditMethod.BATCH_COMPARISON, "0.1", ["Governor"], [], ["adams", "baker"]
)


@pytest.fixture
def app(demo_app: App) -> App:
    load_demo_election(
        demo_app, [("adams", "Adams County"), ("baker", "Baker County")], SYSTEM_ACTOR
    )
    return demo_app


def _events(app: App, name: str) -> int:
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(LEDGER_ENTRIES.c.seq).where(LEDGER_ENTRIES.c.event_type == name)
        ).all()
    return len(rows)


def _drawn(app: App, size: int = 22) -> str:
    state = who(app, "state-admin")
    audit_id = create_audit(app, state, SETUP)
    set_seed(app, state, audit_id, SEED, ["Ana Ruiz", "Bo Chen"])
    draw_round(app, state, audit_id, size)
    return audit_id


def _tally_all(app: App, audit_id: str, shift: int = 0) -> None:
    """Every county enters its sampled batches as reported, but for ``shift`` votes moved
    from the winner to the loser in Adams's first sampled batch; then signs off."""
    for county in ("adams", "baker"):
        official = who(app, f"{county}-admin")
        view = batch_tallies.county_batches(app, official, audit_id, county)
        for index, batch in enumerate(view.batches):
            votes = {c.contest: dict(c.reported) for c in batch.contests}
            if county == "adams" and index == 0 and shift:
                votes["Governor"]["Avery Quinn"] -= shift
                votes["Governor"]["Blake Rivera"] += shift
            batch_tallies.enter_tally(app, official, audit_id, county, batch.batch_id, votes)
        batch_tallies.sign_off(app, official, audit_id, county)


def test_the_draw_is_ppeb_over_the_cvr_batches_and_sizes_are_offered(app: App) -> None:
    state = who(app, "state-admin")
    audit_id = create_audit(app, state, SETUP)
    set_seed(app, state, audit_id, SEED, ["Ana Ruiz"])
    (offer,) = offered_sizes(app, audit_id)
    frame = batch_frame(app, audit_id)
    assert len(frame.order) == 8
    assert frame.order[0] == "adams:ICP-1:Batch 101"
    totals = frame.election.contests[0].totals
    assert dict(totals) == {"Avery Quinn": 609, "Blake Rivera": 478, "Write-In": 16}
    assert offer.size == 22
    assert "MACRO" in offer.basis
    drawn = draw_round(app, state, audit_id, offer.size)
    expected = ppeb_sample(frame.election, frame.order, SEED, offer.size)
    assert [(t.ticket, t.id, t.generation) for t in drawn.tickets] == [
        (d.ticket, d.batch_id, d.generation) for d in expected
    ]
    assert _events(app, "audit.batch_drawn") == offer.size
    with pytest.raises(InvalidInput, match="round 1 has not been measured yet"):
        draw_round(app, state, audit_id, 5)
    with pytest.raises(InvalidInput, match="not signed off by adams, baker"):
        batch_rounds.measure_round(app, state, audit_id)
    assert verify(app).problems == []


def test_tallies_equal_to_reported_confirm_and_the_evidence_verifies(
    app: App, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    audit_id = _drawn(app)
    _tally_all(app, audit_id)
    measured = batch_rounds.measure_round(app, who(app, "state-admin"), audit_id)
    frame = batch_frame(app, audit_id)
    ids = [d.batch_id for d in measured.draws]
    as_reported = {b: {c: dict(t.votes) for c, t in frame.election.batches[b].items()} for b in ids}
    clean = macro_p_value(frame.election, ids, as_reported, contest_name="Governor")
    assert measured.risk == {"Governor": clean}
    assert clean <= 0.1
    assert measured.decision == {"Governor": "confirmed"}
    with app.engine.connect() as conn:
        status = conn.execute(select(AUDITS.c.status).where(AUDITS.c.id == audit_id)).scalar()
    assert status == "confirmed"
    assert offered_sizes(app, audit_id) == []
    package = tmp_path / "evidence.zip"
    package.write_bytes(evidence_zip(app, audit_id))
    checked = votetrail(capsys, "audit", "verify", str(package))
    assert checked.code == 0, checked.out + checked.err
    altered = tmp_path / "altered.zip"
    _alter_one_tally(package, altered)
    failed = votetrail(capsys, "audit", "verify", str(altered))
    assert failed.code == 1
    assert "round 1, contest 'Governor': audit.json gives risk" in failed.out + failed.err
    evidence = evidence_of(app, audit_id)
    first = evidence.sample[0]
    other = next(b for b in evidence.frame if b != first.ballot_id)
    moved = (dataclasses.replace(first, ballot_id=other), *evidence.sample[1:])
    differences = check_evidence(dataclasses.replace(evidence, sample=moved)).differences
    assert differences == [
        f"draw 1: sample.csv has batch {other!r} (ticket {first.ticket_number}), but the seed "
        f"draws batch {first.ballot_id!r} (ticket {first.ticket_number})"
    ]
    assert verify(app).problems == []


def _alter_one_tally(source: Path, target: Path) -> None:
    """Copy the package with one audited vote for the winner taken away."""
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    rows = list(csv.reader(io.StringIO(members["batches.csv"].decode("utf-8"))))
    row = next(r for r in rows[1:] if r[4] not in ("", "not_found") and r[2] == "Avery Quinn")
    row[4] = str(int(row[4]) - 1)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    members["batches.csv"] = out.getvalue().encode("utf-8")
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_an_overstatement_raises_the_risk(app: App) -> None:
    """Two audits with the same seed draw the same batches; one finds 5 votes overstated."""
    clean_id = _drawn(app)
    tainted_id = _drawn(app)
    _tally_all(app, clean_id)
    _tally_all(app, tainted_id, shift=5)
    state = who(app, "state-admin")
    clean = batch_rounds.measure_round(app, state, clean_id)
    tainted = batch_rounds.measure_round(app, state, tainted_id)
    assert [d.batch_id for d in clean.draws] == [d.batch_id for d in tainted.draws]
    assert tainted.risk["Governor"] > clean.risk["Governor"]
    assert tainted.decision == {"Governor": "continue"}
    assert offered_sizes(app, tainted_id)[0].size > 0
    second = draw_round(app, state, tainted_id, 10)
    assert second.number == 2


def test_only_the_countys_own_officials_tally_and_a_signed_round_is_final(app: App) -> None:
    audit_id = _drawn(app)
    adams = who(app, "adams-admin")
    view = batch_tallies.county_batches(app, adams, audit_id, "adams")
    batch = view.batches[0]
    votes = {c.contest: dict(c.reported) for c in batch.contests}
    denied = _events(app, "access.denied")
    baker = who(app, "baker-admin")
    with pytest.raises(PermissionDenied, match="baker-admin may not enter hand tallies of adams"):
        batch_tallies.enter_tally(app, baker, audit_id, "adams", batch.batch_id, votes)
    with pytest.raises(PermissionDenied, match="may not read the sampled batches of adams"):
        batch_tallies.county_batches(app, baker, audit_id, "adams")
    with pytest.raises(PermissionDenied):
        batch_tallies.enter_tally(
            app, who(app, "state-admin"), audit_id, "adams", batch.batch_id, votes
        )
    assert _events(app, "access.denied") == denied + 3
    assert _events(app, "audit.batch_tallied") == 0
    board = who(app, "adams-board")
    batch_tallies.enter_tally(app, board, audit_id, "adams", batch.batch_id, None)
    batch_tallies.enter_tally(app, adams, audit_id, "adams", batch.batch_id, votes)
    with pytest.raises(InvalidInput, match="has no hand tally yet"):
        batch_tallies.sign_off(app, adams, audit_id, "adams")
    with pytest.raises(PermissionDenied):
        batch_tallies.sign_off(app, board, audit_id, "adams")
    for other in view.batches[1:]:
        counted = {c.contest: dict(c.reported) for c in other.contests}
        batch_tallies.enter_tally(app, adams, audit_id, "adams", other.batch_id, counted)
    batch_tallies.sign_off(app, adams, audit_id, "adams")
    with pytest.raises(PermissionDenied, match="signed off by adams"):
        batch_tallies.enter_tally(app, adams, audit_id, "adams", batch.batch_id, None)
    assert _events(app, "access.denied") == denied + 5
    after = batch_tallies.county_batches(app, adams, audit_id, "adams")
    assert after.signed_off
    assert not any(b.editable for b in after.batches)
    bad = {"Governor": {"Avery Quinn": -1}}
    bakers = batch_tallies.county_batches(app, baker, audit_id, "baker").batches
    with pytest.raises(InvalidInput, match="Avery Quinn"):
        batch_tallies.enter_tally(app, baker, audit_id, "baker", bakers[0].batch_id, bad)


def test_verify_names_a_raw_edit_of_a_hand_tally(app: App) -> None:
    audit_id = _drawn(app, 4)
    _tally_all(app, audit_id)
    assert verify(app).problems == []
    with app.engine.begin() as conn:
        first = conn.execute(text("SELECT min(id) FROM audit_batch_tallies")).scalar()
        conn.execute(
            text("UPDATE audit_batch_tallies SET votes = '{}' WHERE id = :t"), {"t": first}
        )
    problems = verify(app).problems
    assert any(
        f"audit_batch_tally '{first}' was changed without an event" in p for p in problems
    ), problems
