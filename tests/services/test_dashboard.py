"""The state dashboard's numbers against what was loaded, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event

from tests.services.dashboard_scenario import load_two_counties
from tests.services.voters.fixtures import who
from votetrail.core.accounting.findings import FindingKind
from votetrail.services.audit.setup import create_audit
from votetrail.services.context import App
from votetrail.services.counting import results as counting
from votetrail.services.counting.accounting_totals import accounting_of, current_uploads
from votetrail.services.dashboard import dashboard
from votetrail.services.demo.audit import POLLING, load_demo_audits


def test_two_counties_in_different_states_of_work(
    demo_app: App, shared_data: Path, tmp_path: Path
) -> None:
    loaded = load_two_counties(demo_app, shared_data, tmp_path)
    board = dashboard(demo_app)
    rows = {r.id: r for r in board.counties}
    assert list(rows) == ["adams", "baker", "clark"]
    adams, baker, clark = rows["adams"], rows["baker"], rows["clark"]

    assert adams.uploads == {"cvrs": 2, "manifest": 1}  # the replaced upload no longer counts
    assert adams.kinds_in == ["cvrs", "manifest"]
    assert adams.ballots == loaded.adams_ballots
    report = counting.accounting(demo_app, "adams")  # the county report, record by record
    assert report.reconciliation.summary.cvrs == adams.ballots
    kinds = sorted(f.kind for f in report.reconciliation.findings)
    # Tabulator C's ballots went with the replaced file; batch 1 of A is two ballots short.
    assert FindingKind.MANIFEST_SHORT in kinds
    assert FindingKind.DEVICE_COUNT_CHANGED in kinds
    assert (adams.errors, adams.warnings) == (
        report.reconciliation.summary.errors,
        report.reconciliation.summary.warnings,
    )
    assert adams.errors >= 2
    assert (adams.lat_open, adams.lat_signed, adams.lat_failed) == (1, 0, 1)
    assert adams.failed_sessions == (loaded.adams_session,)
    assert (adams.alerts, adams.reviews) == (1, 0)
    assert not adams.results_published

    assert baker.uploads == {}
    assert baker.ballots == 0
    assert not baker.accounted
    assert (baker.errors, baker.warnings) == (0, 0)
    assert (baker.lat_open, baker.lat_signed, baker.lat_failed) == (0, 1, 0)  # fixed, re-run
    assert baker.reviews == loaded.baker_reviews >= 1
    assert baker.alerts == 0
    assert baker.kinds_missing == [
        "cvrs",
        "manifest",
        "paper_counts",
        "check_ins",
        "reported_results",
    ]

    assert (clark.ballots, clark.lat_open, clark.lat_signed, clark.reviews, clark.alerts) == (
        0,
        0,
        0,
        0,
        0,
    )
    totals = board.totals
    assert (totals.ballots, totals.lat_failed, totals.alerts) == (loaded.adams_ballots, 1, 1)

    todo = {a.href: a for a in board.actions}
    assert todo["/voters/alerts"].text == "1 voter alert waits for acknowledgement"
    assert todo["/voters/alerts"].rule == "alerts"
    assert f"/j/adams/lat/{loaded.adams_session}" in todo
    assert "failed its last run" in todo[f"/j/adams/lat/{loaded.adams_session}"].text
    assert todo["/j/adams/accounting"].text.startswith(f"Adams County: {adams.errors} ballot")
    assert todo["/j/baker/voters/review"].rule == "voters"
    assert "/j/adams/publications" in todo  # counted, not published
    assert not any(a.county == "clark" for a in board.actions)
    assert "/j/baker/lat" not in todo  # Baker's test is signed: nothing to do


def test_the_aggregate_accounting_is_the_county_reports(election_app: App) -> None:
    """Adams's jammed tape, and every demo county, reconciled from GROUP BY counts."""
    counties = ["adams", "baker", "clark"]
    with election_app.engine.connect() as conn:
        found = accounting_of(conn, current_uploads(conn, counties))
    for county in counties:
        expected = counting.accounting(election_app, county).reconciliation
        got = found[county].reconciliation
        assert got is not None
        assert got.findings == expected.findings
        assert got.devices == expected.devices
        assert got.summary == expected.summary
    assert any(f.kind is FindingKind.MISSING_PAPER for f in found["adams"].reconciliation.findings)  # type: ignore[union-attr]


def test_the_dashboard_reads_in_a_fixed_number_of_queries(election_app: App) -> None:
    """A GROUP BY per number, not a query per county: more counties, same count."""
    statements: list[str] = []

    def seen(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(election_app.engine, "before_cursor_execute", seen)
    try:
        dashboard(election_app, [("adams", "Adams County")])
        one = list(statements)
        statements.clear()
        dashboard(election_app, [("adams", "A"), ("baker", "B"), ("clark", "C")])
        three = list(statements)
    finally:
        event.remove(election_app.engine, "before_cursor_execute", seen)
    assert len(three) == len(one), [s.split()[:8] for s in three]


def test_audits_waiting_for_the_state_are_on_its_list(election_app: App) -> None:
    """A finished audit and one whose boards are still at work wait for no one; a new one
    waits for the state's seed ceremony."""
    load_demo_audits(election_app)
    before = [a for a in dashboard(election_app).actions if a.rule == "audits"]
    assert before == []  # audit-1 is confirmed; audit-2's counties are still examining
    new = create_audit(election_app, who(election_app, "state-admin"), POLLING)
    after = [a for a in dashboard(election_app).actions if a.rule == "audits"]
    assert [(a.text, a.href) for a in after] == [
        (f"Audit {new}: hold the seed ceremony", f"/audits/{new}")
    ]
