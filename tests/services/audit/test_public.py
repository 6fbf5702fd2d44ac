"""The audit's public record, built from the store after a whole audit run through the services.

The audit is the demo's two-county ballot comparison (``finished.py``): one
Adams ballot's Governor vote for the winner is read as blank in round 1, so
round 2 is drawn and Governor is confirmed. ``votetrail audit verify`` must
pass on the downloaded ``evidence.zip`` with no database, and fail on a copy
with one interpretation altered.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from tests.cli.helpers import votetrail
from tests.formats.lat.test_pdf import shown
from tests.formats.pdf_check import assert_valid_pdf
from tests.services.audit.finished import run_demo_audits
from tests.services.audit.test_batch_rounds import _drawn as drawn_batch_audit
from tests.services.audit.test_batch_rounds import _tally_all as tally_every_batch
from tests.services.voters.fixtures import who
from votetrail.core.audit.evidence import NOT_FOUND, AuditMethod
from votetrail.errors import NotFound
from votetrail.formats.audit.evidence import read_evidence
from votetrail.services.audit import public
from votetrail.services.audit.batch_rounds import measure_round
from votetrail.services.audit.setup import create_audit
from votetrail.services.context import App
from votetrail.services.demo.audit import COMPARISON
from votetrail.services.demo.election import load_demo_election
from votetrail.services.setup import SYSTEM_ACTOR


def _rewrite(source: bytes, member: str, old: str, new: str) -> bytes:
    """A copy of the package with one line of one member changed (the rest byte for byte)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as original, zipfile.ZipFile(out, "w") as copy:
        for info in original.infolist():
            data = original.read(info)
            if info.filename == member:
                text = data.decode("utf-8")
                assert old in text
                data = text.replace(old, new).encode("utf-8")
            copy.writestr(info, data)
    return out.getvalue()


def _verify(capsys: pytest.CaptureFixture[str], path: Path, data: bytes) -> tuple[int, str]:
    path.write_bytes(data)
    result = votetrail(capsys, "audit", "verify", str(path))
    return result.code, result.out


def test_evidence_zip_passes_verify_and_an_altered_interpretation_fails(
    election_app: App, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    audit_id = run_demo_audits(election_app).comparison
    package = public.evidence_zip(election_app, audit_id)
    assert public.evidence_zip(election_app, audit_id) == package  # same bytes every time

    code, out = _verify(capsys, tmp_path / "evidence.zip", package)
    assert code == 0, out
    assert out.startswith(f"OK: audit {audit_id}")
    assert "in 2 rounds" in out
    assert "Governor: confirmed" in out

    evidence = read_evidence(tmp_path / "evidence.zip")
    assert evidence.method is AuditMethod.BALLOT_COMPARISON
    assert [r.sample_size for r in evidence.rounds] == [
        len([d for d in evidence.sample if d.round <= n]) for n in (1, 2)
    ]  # cumulative
    assert [r.decision["Governor"] for r in evidence.rounds] == ["continue", "confirmed"]
    (found,) = public.discrepancies(election_app, audit_id)
    assert (found.round, found.contest_id, found.audited, found.overstatement) == (
        1,
        "Governor",
        "blank",
        1,
    )
    row = f"{found.ballot_id},Governor,{found.cvr},blank"
    assert row in zipfile.ZipFile(io.BytesIO(package)).read("interpretations.csv").decode()

    # The board's reading changed to agree with the CVR: the risk no longer recomputes.
    honest = _rewrite(package, "interpretations.csv", row, f"{row[: -len('blank')]}{found.cvr}")
    code, out = _verify(capsys, tmp_path / "forged.zip", honest)
    assert code == 1
    assert "round 1, contest 'Governor': audit.json gives risk" in out
    # The reading moved to another ballot: the checker names both ballots.
    moved = _rewrite(
        package, "interpretations.csv", f"{found.ballot_id},Governor,", "elsewhere:1,Governor,"
    )
    code, out = _verify(capsys, tmp_path / "moved.zip", moved)
    assert code == 1
    assert f"ballot {found.ballot_id!r} was sampled but interpretations.csv has no reading" in out
    assert "reads ballot 'elsewhere:1', which sample.csv never draws" in out


def test_report_lists_every_ballot_the_discrepancy_and_each_rounds_risk(
    election_app: App,
) -> None:
    audits = run_demo_audits(election_app)
    audit_id = audits.comparison
    text = public.report_csv(election_app, audit_id)
    assert public.report_csv(election_app, audit_id) == text
    rows = list(csv.DictReader(io.StringIO(text)))
    evidence = public.evidence_of(election_app, audit_id)
    sampled = {d.ballot_id for d in evidence.sample}
    assert {r["ballot_id"] for r in rows if r["section"] == "ballot"} == sampled
    (found,) = [r for r in rows if r["section"] == "discrepancy"]
    assert (found["round"], found["contest"], found["audited"], found["overstatement"]) == (
        "1",
        "Governor",
        "blank",
        "1",
    )
    assert found["county"] == "adams"
    assert found["ticket_numbers"]
    risks = {(r["round"], r["contest"]): r for r in rows if r["section"] == "risk"}
    for published in evidence.rounds:
        for contest, risk in published.risk.items():
            row = risks[(str(published.round), contest)]
            assert float(row["risk"]) == risk
            assert row["decision"] == published.decision[contest]
            assert row["sample_size"] == str(published.sample_size)
    assert risks[("1", "Governor")]["decision"] == "continue"
    assert risks[("2", "Governor")]["decision"] == "confirmed"

    pdf = public.report_pdf(election_app, audit_id)
    assert_valid_pdf(pdf)
    assert public.report_pdf(election_app, audit_id) == pdf
    shown_text = shown(pdf)
    assert f"Risk-limiting audit report: {audit_id}" in shown_text
    assert found["ballot_id"] in shown_text
    assert "Risk over rounds" in shown_text

    # The polling audit is under way: its open round is in the report, not yet in the evidence.
    polling = public.evidence_of(election_app, audits.polling)
    assert polling.rounds == ()
    assert polling.sample == ()
    assert polling.interpretations == ()
    assert public.discrepancies(election_app, audits.polling) == []
    open_rows = list(csv.DictReader(io.StringIO(public.report_csv(election_app, audits.polling))))
    ballots = [r for r in open_rows if r["section"] == "ballot"]
    assert ballots
    assert all(r["cvr"] == "" for r in ballots)
    assert any(r["audited"] for r in ballots)
    assert any(not r["audited"] for r in ballots)
    assert [r["decision"] for r in open_rows if r["section"] == "risk"] == ["round open"]
    assert NOT_FOUND not in {r["cvr"] for r in ballots}


def test_no_evidence_before_the_seed(election_app: App) -> None:
    audit_id = create_audit(election_app, who(election_app, "state-admin"), COMPARISON)
    with pytest.raises(NotFound, match="seed has not been set"):
        public.evidence_zip(election_app, audit_id)
    assert "The seed has not been set yet." in shown(public.report_pdf(election_app, audit_id))


def test_a_batch_comparison_report_lists_each_drawn_batch_and_its_hand_count(
    demo_app: App,
) -> None:
    app = demo_app
    load_demo_election(app, [("adams", "Adams County"), ("baker", "Baker County")], SYSTEM_ACTOR)
    audit_id = drawn_batch_audit(app)
    before = list(csv.DictReader(io.StringIO(public.report_csv(app, audit_id))))
    assert {r["audited"] for r in before if r["section"] == "ballot"} == {""}  # not counted yet
    tally_every_batch(app, audit_id)
    measure_round(app, who(app, "state-admin"), audit_id)
    rows = list(csv.DictReader(io.StringIO(public.report_csv(app, audit_id))))
    batches = [r for r in rows if r["section"] == "ballot"]
    drawn = {d.ballot_id for d in public.evidence_of(app, audit_id).sample}
    assert {r["ballot_id"] for r in batches} == drawn
    for row in batches:
        assert row["cvr"].startswith("Avery Quinn: ")
        assert row["audited"] == row["cvr"]  # tallied as reported
    (risk,) = [r for r in rows if r["section"] == "risk"]
    assert (risk["round"], risk["contest"], risk["decision"]) == ("1", "Governor", "confirmed")
    pdf = public.report_pdf(app, audit_id)
    assert_valid_pdf(pdf)
    text = shown(pdf)
    assert f"Every sampled batch ({len(drawn)})" in text
    assert "Hand count" in text
