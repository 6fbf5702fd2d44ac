"""The voter list through the real services, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from tests.services.voters.fixtures import SECRET_DL, SECRET_DOB, SECRET_SSN4, load, people, who
from votetrail.core.voters.record import Address, Status
from votetrail.core.voters.transactions import Change, Kind
from votetrail.errors import InvalidInput, NotFound, PermissionDenied
from votetrail.services.context import App
from votetrail.services.verify import verify
from votetrail.services.voters import alerts as voter_alerts
from votetrail.services.voters import imports as voter_import
from votetrail.services.voters import records as voters
from votetrail.services.voters.proofs import check_bundle, check_registration, prove
from votetrail.store.models import LEDGER_ENTRIES, VOTERS


def _move(app: App, user: str, voter_id: str, n: int = 1) -> None:
    voters.change(
        app,
        who(app, user),
        voter_id,
        Change(
            Kind.ADDRESS,
            reason="voter reported a move",
            source_ref=f"DMV-{n}",
            values={"residence": Address(f"{n} Oak Ave", "Springfield", "CO", "80002")},
        ),
    )


def test_import_is_logged_once_and_verifies(demo_app: App) -> None:
    first = load(demo_app)
    assert first.created
    assert first.records == 40
    again = load(demo_app)
    assert not again.created
    assert again.id == first.id
    with demo_app.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(VOTERS)).scalar() == 40
        types = [
            r[0]
            for r in conn.execute(
                select(LEDGER_ENTRIES.c.event_type).where(
                    LEDGER_ENTRIES.c.event_type.like("voters.%")
                )
            )
        ]
    assert types == ["voters.imported", "voters.map_updated"]
    report = verify(demo_app)
    assert report.ok, report.problems


def test_a_failed_import_leaves_nothing(demo_app: App) -> None:
    items = people("adams", 5)
    bad = [*items, items[1]]
    with pytest.raises(InvalidInput, match=r"adams-voters.csv:3: voter id ADAMS000001 appears"):
        voter_import.import_voters(
            demo_app,
            who(demo_app, "adams-admin"),
            bad,
            file_name="adams-voters.csv",
            sha256="f" * 64,
            fmt="votetrail",
            county="adams",
        )
    with demo_app.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(VOTERS)).scalar() == 0


def test_a_county_cannot_load_or_change_another_countys_voters(demo_app: App) -> None:
    load(demo_app)
    with pytest.raises(PermissionDenied):
        _move(demo_app, "baker-admin", "ADAMS000003")
    with pytest.raises(PermissionDenied):
        load(demo_app, "adams", 5, user="baker-admin")
    with pytest.raises(PermissionDenied):
        voters.history(demo_app, who(demo_app, "adams-board"), "ADAMS000003")
    _move(demo_app, "state-admin", "ADAMS000003")
    with demo_app.engine.connect() as conn:
        denied = conn.execute(
            select(func.count()).where(LEDGER_ENTRIES.c.event_type == "access.denied")
        ).scalar()
    assert denied == 3


def test_changes_follow_the_rules_and_build_a_history(demo_app: App) -> None:
    load(demo_app)
    admin = who(demo_app, "adams-admin")
    _move(demo_app, "adams-admin", "ADAMS000002")
    voters.change(
        demo_app,
        admin,
        "ADAMS000002",
        Change(Kind.PARTY, reason="form", source_ref="PC-7", values={"party": "LIB"}),
    )
    with pytest.raises(InvalidInput, match="written confirmation"):
        voters.change(
            demo_app,
            admin,
            "ADAMS000002",
            Change(
                Kind.CANCEL,
                reason="mail returned",
                source_ref="R-1",
                values={"status_reason": "moved"},
            ),
        )
    voters.change(
        demo_app,
        admin,
        "ADAMS000002",
        Change(
            Kind.CANCEL,
            reason="death record",
            source_ref="VS-2026-118",
            values={"status_reason": "deceased"},
        ),
    )
    with pytest.raises(InvalidInput, match="cancelled"):
        voters.change(
            demo_app,
            admin,
            "ADAMS000002",
            Change(Kind.PARTY, reason="x", source_ref="y", values={"party": "DEM"}),
        )
    steps = voters.history(demo_app, admin, "ADAMS000002")
    assert [s.kind for s in steps] == ["registration", "address", "party", "cancel"]
    assert steps[1].changed == ("residence",)
    assert steps[3].record["status"] == "cancelled"
    assert steps[3].source_ref == "VS-2026-118"
    assert verify(demo_app).ok


def test_out_of_band_edit_is_caught(demo_app: App) -> None:
    load(demo_app)
    _move(demo_app, "adams-admin", "ADAMS000004")
    assert verify(demo_app).ok
    with demo_app.engine.begin() as conn:
        conn.execute(text("UPDATE voters SET party = 'GRN' WHERE voter_id = 'ADAMS000007'"))
    problems = verify(demo_app).problems
    assert any("voter ADAMS000007 was changed outside the application" in p for p in problems)
    assert any("voter-map root" in p for p in problems)


def test_careful_out_of_band_edit_is_still_caught(demo_app: App) -> None:
    """An insider who also rewrites the history row and the buckets still meets the log."""
    load(demo_app)
    original = prove(demo_app, "ADAMS000004")
    with demo_app.engine.begin() as conn:
        conn.execute(text("DELETE FROM voters WHERE voter_id = 'ADAMS000005'"))
        conn.execute(text("DELETE FROM voter_versions WHERE voter_id = 'ADAMS000005'"))
    problems = verify(demo_app).problems
    assert any("import" in p and "Merkle root" in p for p in problems)
    assert any("voter-map root" in p for p in problems)
    assert original["voter_id"] == "ADAMS000004"


def test_proof_bundle_checks_and_breaks(demo_app: App) -> None:
    load(demo_app)
    _move(demo_app, "adams-admin", "ADAMS000009")
    key = demo_app.signer.verifier.encode()
    for voter_id in ("ADAMS000009", "ADAMS000010"):
        bundle = prove(demo_app, voter_id)
        assert check_bundle(bundle, key) == []
    bundle = prove(demo_app, "ADAMS000009")
    bundle["record"]["party"] = "REP"
    assert "the record does not hash to the version hash" in check_bundle(bundle, key)
    stale = prove(demo_app, "ADAMS000010")
    _move(demo_app, "adams-admin", "ADAMS000010", 2)
    fresh = prove(demo_app, "ADAMS000010")
    assert fresh["version_hash"] != stale["version_hash"]
    stale["map"] = fresh["map"]
    assert check_bundle(stale, key)
    with pytest.raises(NotFound):
        prove(demo_app, "NOBODY")


def test_voter_can_check_their_own_registration(demo_app: App) -> None:
    load(demo_app)
    found = check_registration(demo_app, "ADAMS000000", "garcia", SECRET_DOB)
    assert found is not None
    assert found.problems == []
    assert found.record.first_name == "Maria"
    assert check_registration(demo_app, "ADAMS000000", "Garcia", SECRET_DOB.replace(day=24)) is None
    assert check_registration(demo_app, "ADAMS000000", "Smith", SECRET_DOB) is None
    assert check_registration(demo_app, "ADAMS999999", "Garcia", SECRET_DOB) is None


def test_identifiers_are_stored_only_protected(demo_app: App) -> None:
    load(demo_app)
    values: list[str] = []
    with demo_app.engine.connect() as conn:
        for table in ("voters", "voter_versions", "ledger_entries"):
            for row in conn.execute(text(f"SELECT * FROM {table}")):
                values.extend(str(v) for v in row)
    dump = json.dumps(values)
    for secret in (SECRET_DOB.isoformat(), "07/23/1961", "19610723", SECRET_DL):
        assert secret not in dump
    # Four digits turn up inside random hex by chance; an SSN4 would stand alone or quoted.
    assert SECRET_SSN4 not in values
    assert f'"{SECRET_SSN4}"' not in "".join(values)


def test_an_address_burst_raises_one_alert(demo_app: App) -> None:
    load(demo_app, count=60)
    moment = datetime(2026, 11, 18, 17, 0, tzinfo=UTC)  # 10:00 in Denver, a Wednesday
    clock = iter(moment + timedelta(seconds=i) for i in range(100_000))
    demo_app.clock = lambda: next(clock)
    limit = voter_alerts.RULES.address_changes_per_hour
    for n in range(limit - 1):
        _move(demo_app, "adams-admin", f"ADAMS{n:06d}", n)
    assert voter_alerts.alerts(demo_app, who(demo_app, "state-admin")) == []
    for n in range(limit - 1, limit + 5):
        _move(demo_app, "adams-admin", f"ADAMS{n:06d}", n)
    found = voter_alerts.alerts(demo_app, who(demo_app, "state-admin"))
    assert [a.rule for a in found] == ["address-burst"]
    assert found[0].actor == "adams-admin"
    assert found[0].count == limit
    with demo_app.engine.connect() as conn:
        logged = conn.execute(
            select(func.count()).where(LEDGER_ENTRIES.c.event_type == "voters.alert")
        ).scalar()
    assert logged == 1


def test_night_work_is_flagged(demo_app: App) -> None:
    load(demo_app)
    demo_app.clock = lambda: datetime(2026, 11, 19, 9, 30, tzinfo=UTC)  # 02:30 in Denver
    _move(demo_app, "adams-admin", "ADAMS000001")
    assert [a.rule for a in voter_alerts.alerts(demo_app, who(demo_app, "state-admin"))] == [
        "off-hours"
    ]


def test_status_counts(demo_app: App) -> None:
    load(demo_app)
    assert voters.counts(demo_app) == {Status.ACTIVE.value: 40}


def test_parallel_preparation_keeps_file_order(
    demo_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large file is prepared in a second process; the result must not depend on it."""
    monkeypatch.setattr(voter_import, "PARALLEL_FROM", 0)
    monkeypatch.setattr(voter_import, "CHUNK", 7)
    items = people("adams", 40)
    result = voter_import.import_voters(
        demo_app, who(demo_app, "adams-admin"), items, file_name="big.csv",
        sha256="b" * 64, fmt="votetrail", county="adams", expected=10**6,
    )  # fmt: skip
    assert result.records == 40
    with demo_app.engine.connect() as conn:
        order = conn.execute(
            text("SELECT voter_id FROM voter_versions ORDER BY import_position")
        ).scalars()
        assert list(order) == [i.voter_id for i in items]
    assert verify(demo_app).ok
