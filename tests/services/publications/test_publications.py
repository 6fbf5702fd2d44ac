"""Publications through the real services, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select, text

from tests.services.voters.fixtures import who
from votetrail.core.publications import Digests
from votetrail.errors import InvalidInput, PermissionDenied, VerificationFailed
from votetrail.services.context import App
from votetrail.services.publications import files, views
from votetrail.services.publications.publish import Document, publish, withdraw
from votetrail.services.verify import verify
from votetrail.store.models import LEDGER_ENTRIES

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _pdf(tmp_path: Path, body: bytes = PDF) -> Path:
    path = tmp_path / "results.pdf"
    path.write_bytes(body)
    return path


def _digests(data: bytes) -> Digests:
    return views.digests(io.BytesIO(data))


def test_publish_find_and_prove(demo_app: App, tmp_path: Path) -> None:
    admin = who(demo_app, "adams-admin")
    pub = publish(
        demo_app, admin, "adams", Document("results.pdf", _pdf(tmp_path)), "Results", "results"
    )
    (match,) = views.find(demo_app, _digests(PDF))
    assert match.publication.id == pub
    assert match.publication.office == "Adams County"
    with demo_app.engine.connect() as conn:
        seq = conn.execute(
            select(LEDGER_ENTRIES.c.seq).where(LEDGER_ENTRIES.c.record_id == pub)
        ).scalar_one()
    assert match.proof.index == seq == match.publication.entry
    assert files.path_of(demo_app.data_dir, match.publication.sha256).read_bytes() == PDF
    assert views.find(demo_app, _digests(PDF[:-2] + b"X\n")) == []
    assert verify(demo_app).ok


def test_statement_matches_after_normalisation(demo_app: App) -> None:
    admin = who(demo_app, "adams-admin")
    pub = publish(
        demo_app,
        admin,
        "adams",
        Document("statement.txt", text="Polling places are unchanged.\nVote as usual."),
        "No change",
        "rumor_response",
    )
    pasted = b"Polling places are unchanged.   \r\nVote as usual.\t\r\n\r\n"
    assert [m.publication.id for m in views.find(demo_app, _digests(pasted))] == [pub]
    assert views.find(demo_app, _digests(b"Polling places are changed.\nVote as usual.")) == []


def test_results_csv_is_compared_byte_for_byte(demo_app: App, tmp_path: Path) -> None:
    admin = who(demo_app, "adams-admin")
    csv_file = tmp_path / "results.csv"
    csv_file.write_bytes(b"contest,choice,votes\nGovernor,A,3")
    publish(demo_app, admin, "adams", Document("results.csv", csv_file), "Results", "results")
    assert views.find(demo_app, _digests(b"contest,choice,votes\r\nGovernor,A,3\r\n")) == []


def test_correction_and_withdrawal_stay_listed(demo_app: App) -> None:
    admin = who(demo_app, "adams-admin")
    first = publish(demo_app, admin, "adams", Document("s.txt", text="Open 7-7"), "Hours", "notice")
    second = publish(
        demo_app, admin, "adams", Document("s.txt", text="Open 7-8"), "Hours", "notice", first
    )
    with pytest.raises(InvalidInput, match="already corrected"):
        publish(demo_app, admin, "adams", Document("s.txt", text="x"), "Hours", "notice", first)
    withdraw(demo_app, admin, second, "posted in error")
    listed = {v.id: v for v in views.publications(demo_app, "adams")}
    assert listed[first].superseded_by == second
    assert listed[first].status == "corrected"
    assert listed[second].supersedes == first
    assert listed[second].status == "withdrawn"
    withdrawal = listed[second].withdrawal
    assert withdrawal is not None
    assert withdrawal.reason == "posted in error"
    (match,) = views.find(demo_app, _digests(b"Open 7-8"))
    assert match.publication.withdrawal is not None
    assert verify(demo_app).ok


def test_other_county_and_audit_board_are_refused_and_logged(demo_app: App) -> None:
    other = who(demo_app, "baker-admin")
    before = len(views.publications(demo_app))
    with pytest.raises(PermissionDenied):
        publish(demo_app, other, "adams", Document("s.txt", text="fake"), "Fake", "notice")
    with demo_app.engine.connect() as conn:
        denied = conn.execute(
            select(LEDGER_ENTRIES.c.actor).where(LEDGER_ENTRIES.c.event_type == "access.denied")
        ).scalars()
        assert "baker-admin" in list(denied)
    assert len(views.publications(demo_app)) == before


def test_refuses_html_and_renamed_files(demo_app: App, tmp_path: Path) -> None:
    admin = who(demo_app, "adams-admin")
    page = tmp_path / "results.html"
    page.write_text("<script>alert(1)</script>")
    with pytest.raises(InvalidInput, match="publish a PDF"):
        publish(demo_app, admin, "adams", Document("results.html", page), "R", "results")
    fake = _pdf(tmp_path, b"<html>not a pdf</html>")
    with pytest.raises(InvalidInput, match=r"results\.pdf: is not really a PDF file"):
        publish(demo_app, admin, "adams", Document("results.pdf", fake), "R", "results")


def test_verify_names_changed_row_and_changed_file(demo_app: App, tmp_path: Path) -> None:
    admin = who(demo_app, "adams-admin")
    pub = publish(
        demo_app, admin, "adams", Document("results.pdf", _pdf(tmp_path)), "Results", "results"
    )
    with demo_app.engine.begin() as conn:
        conn.execute(text("UPDATE publications SET title = 'Forged' WHERE id = :id"), {"id": pub})
    assert any(f"publication {pub!r} was changed" in p for p in verify(demo_app).problems)
    with demo_app.engine.begin() as conn:
        conn.execute(text("UPDATE publications SET title = 'Results' WHERE id = :id"), {"id": pub})
    assert verify(demo_app).ok
    (view,) = views.publications(demo_app, "adams")
    files.path_of(demo_app.data_dir, view.sha256).write_bytes(PDF + b"%extra\n")
    problems = verify(demo_app).problems
    assert any("its stored file was changed" in p for p in problems), problems
    files.path_of(demo_app.data_dir, view.sha256).unlink()
    assert any("its stored file is missing" in p for p in verify(demo_app).problems)


def test_bundle_check_refuses_altered_proof(demo_app: App, tmp_path: Path) -> None:
    from votetrail.core.publications import check_bundle

    admin = who(demo_app, "adams-admin")
    pub = publish(
        demo_app, admin, "adams", Document("results.pdf", _pdf(tmp_path)), "Results", "results"
    )
    publish(demo_app, admin, "adams", Document("s.txt", text="later"), "Later", "notice")
    bundle = views.bundle(demo_app, pub)
    verifier = demo_app.signer.verifier
    assert check_bundle(bundle, verifier, _digests(PDF)).index == bundle["log_entry"]["index"]
    bundle["publication"]["title"] = "Forged"
    with pytest.raises(VerificationFailed, match="record was altered"):
        check_bundle(bundle, verifier, _digests(PDF))
