"""``votetrail verify`` names any raw SQL edit or deletion in the voter tables (issue 12, item 1).

Each voter table's columns come from the schema. For chosen rows that matter
(a changed voter's versions, an imported version, a single registration, a
decided review, an acknowledged alert, a vote) every column is edited in turn
and the row deleted, inside a transaction on one connection that is rolled
back after ``verify`` has looked; verify must report a problem naming the row.
On SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    Connection,
    Executable,
    Table,
    and_,
    delete,
    event,
    select,
    text,
    update,
)

from tests.services.voters.fixtures import load, who
from votetrail.core.voters import voter_map
from votetrail.core.voters.record import Address, VoterInput
from votetrail.core.voters.transactions import Change, Kind
from votetrail.errors import InvalidInput
from votetrail.services.context import App
from votetrail.services.verify import verify, verify_on
from votetrail.services.voters import alerts as voter_alerts
from votetrail.services.voters import files as voter_files
from votetrail.services.voters import records as voters
from votetrail.services.voters import review as voter_review
from votetrail.store.models import (
    LEDGER_ENTRIES,
    VOTER_ALERTS,
    VOTER_BUCKETS,
    VOTER_IMPORTS,
    VOTER_MAP,
    VOTER_PARTICIPATION,
    VOTER_REVIEWS,
    VOTER_VERSIONS,
    VOTERS,
)

ELECTION = "2026-general"
NEWCOMER = "ADAMS000100"


def _night(app: App) -> None:
    """02:30 in Denver, ticking a second per reading: changes raise the off-hours alert.

    Days ahead of now: checkpoint times only go forward, and verify refuses any
    stored before the previous one.
    """
    start = (datetime.now(UTC) + timedelta(days=2)).replace(
        hour=9, minute=30, second=0, microsecond=0
    )
    ticks = iter(start + timedelta(seconds=n) for n in range(10**6))
    app.clock = lambda: next(ticks)


@pytest.fixture
def state(demo_app: App, tmp_path: Path) -> App:
    """Imported voters, one changed, one registered, votes, a review decided, an alert seen."""
    app = demo_app
    load(app, "adams", 12)
    _night(app)
    admin = who(app, "adams-admin")
    voted = tmp_path / "voted.csv"
    voted.write_text("voter_id,method\nADAMS000001,in-person\nADAMS000002,mail\n")
    voter_files.load_participation(
        app, admin, voted, election=ELECTION, voted_on=date(2026, 11, 3), county="adams"
    )
    voters.change(
        app,
        admin,
        "ADAMS000004",
        Change(
            Kind.ADDRESS,
            "voter reported a move",
            "DMV-2026-7",
            {"residence": Address("9 Elm St", "Springfield", "CO", "80002")},
        ),
    )
    voters.register(
        app,
        admin,
        VoterInput(NEWCOMER, "adams", "Noor", "Haddad", line=0, precinct="P-1"),
        reason="new registration form",
        source_ref="VR-2026-0100",
    )
    state_admin = who(app, "state-admin")
    secret = bytes(range(32))
    ours = voter_review.export_exchange(app, state_admin, secret).splitlines()
    theirs = tmp_path / "theirs.csv"
    theirs.write_text(ours[0] + "\nNV-77," + ours[2].split(",", 1)[1] + "\n")
    voter_review.match_exchange(app, state_admin, theirs, secret)
    (review,) = voter_review.reviews(app, state_admin, "adams")
    voter_review.decide(app, state_admin, review.id, "confirmed", "same licence")
    alert = voter_alerts.alerts(app, state_admin)[-1]
    voter_alerts.acknowledge(app, state_admin, alert.id)
    assert verify(app).problems == []
    return app


def _rows(conn: Connection) -> Iterator[tuple[Table, Any, list[str]]]:
    """(table, row, strings any of which a problem must contain to name the row)."""
    bucket = voter_map.bucket_of("ADAMS000004")
    picks: list[tuple[Table, Any, Callable[[Any], list[str]]]] = [
        (VOTERS, VOTERS.c.voter_id == "ADAMS000004", lambda m: [m["voter_id"]]),
        (VOTERS, VOTERS.c.voter_id == NEWCOMER, lambda m: [m["voter_id"]]),
        (
            VOTER_VERSIONS,
            and_(VOTER_VERSIONS.c.voter_id == "ADAMS000004", VOTER_VERSIONS.c.version == 1),
            lambda m: [m["voter_id"], m["import_id"]],
        ),
        (
            VOTER_VERSIONS,
            and_(VOTER_VERSIONS.c.voter_id == "ADAMS000004", VOTER_VERSIONS.c.version == 2),
            lambda m: [m["voter_id"]],
        ),
        (
            VOTER_VERSIONS,
            VOTER_VERSIONS.c.voter_id == "ADAMS000007",
            lambda m: [m["voter_id"], m["import_id"]],
        ),
        (VOTER_VERSIONS, VOTER_VERSIONS.c.voter_id == NEWCOMER, lambda m: [m["voter_id"]]),
        (VOTER_BUCKETS, VOTER_BUCKETS.c.bucket == bucket, lambda m: [f"bucket {m['bucket']}"]),
        (VOTER_MAP, VOTER_MAP.c.id == "voters", lambda m: ["voter_map"]),
        (VOTER_IMPORTS, VOTER_IMPORTS.c.id.is_not(None), lambda m: [m["id"]]),
        (
            VOTER_PARTICIPATION,
            VOTER_PARTICIPATION.c.voter_id == "ADAMS000002",
            lambda m: [repr(m["election"])],
        ),
        (VOTER_REVIEWS, VOTER_REVIEWS.c.id.is_not(None), lambda m: [m["id"]]),
        (
            VOTER_ALERTS,
            VOTER_ALERTS.c.acknowledged_by.is_not(None),
            lambda m: [m["id"]],
        ),
    ]
    for table, where, names in picks:
        row = conn.execute(select(table).where(where).limit(1)).one()
        conn.rollback()
        yield table, row, names(row._mapping)


def _key(table: Table, row: Any) -> Any:
    return and_(*(k == row._mapping[k.name] for k in table.primary_key.columns))


def _other(column: Column[Any], value: Any) -> Any:
    """A different value of the same kind, the edit an insider would make."""
    if column.foreign_keys:
        return "baker" if value != "baker" else "adams"
    if value is None:
        return 1 if column.type.python_type is int else "tampered"
    if isinstance(value, int):
        return value + 100_003
    if not value:
        return "x"
    return value[:-1] + ("x" if value[-1] != "x" else "y")


def _problems(app: App, conn: Connection, change: Executable) -> list[str]:
    with conn.begin() as transaction:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            conn.execute(text("PRAGMA defer_foreign_keys = ON"))
        conn.execute(change)
        problems = verify_on(app, conn).problems
        transaction.rollback()
    return problems


def test_every_voter_column_and_deletion_is_named(state: App) -> None:
    """Fails on the old code for the version's actor/reason/source_ref/kind/occurred_at,
    every review and alert column and their deletion, participation rows,
    ``voters.version_hash``, ``voters.bucket`` and ``voter_buckets.size``."""
    missed: list[str] = []
    with state.engine.connect() as conn:
        for table, row, names in _rows(conn):
            where = _key(table, row)
            changes: list[tuple[str, Executable]] = [
                (
                    c.name,
                    update(table).where(where).values({c.name: _other(c, row._mapping[c.name])}),
                )
                for c in table.columns
            ]
            changes.append(("<delete>", delete(table).where(where)))
            for column, change in changes:
                problems = _problems(state, conn, change)
                if not any(n in p for p in problems for n in names):
                    missed.append(f"{table.name}.{column} of {names[0]}: {problems[:2]}")
    assert missed == []


def test_version_facts_name_the_voter_and_the_field(state: App) -> None:
    """The who/why/which-document of a change cannot be rewritten unseen."""
    with state.engine.connect() as conn:
        for column, value in (
            ("actor", "state-admin"),
            ("reason", "no reason"),
            ("source_ref", "DMV-2026-8"),
            ("kind", "name"),
            ("occurred_at", "2026-11-19T09:30:00.000000Z"),
        ):
            change = (
                update(VOTER_VERSIONS)
                .where(VOTER_VERSIONS.c.voter_id == "ADAMS000004", VOTER_VERSIONS.c.version == 2)
                .values({column: value})
            )
            problems = _problems(state, conn, change)
            assert any(
                "voter ADAMS000004 version 2 does not match what the log recorded" in p
                for p in problems
            ), (column, problems)
            imported = (
                update(VOTER_VERSIONS)
                .where(VOTER_VERSIONS.c.voter_id == "ADAMS000007")
                .values({column: value})
            )
            problems = _problems(state, conn, imported)
            assert any("logged Merkle root" in p for p in problems), (column, problems)


def test_derived_values_are_recomputed(state: App) -> None:
    bucket = voter_map.bucket_of("ADAMS000004")
    with state.engine.connect() as conn:
        problems = _problems(
            state,
            conn,
            update(VOTERS).where(VOTERS.c.voter_id == "ADAMS000004").values(version_hash="0" * 64),
        )
        assert any("ADAMS000004: the stored version_hash" in p for p in problems), problems
        problems = _problems(
            state,
            conn,
            update(VOTERS).where(VOTERS.c.voter_id == "ADAMS000004").values(bucket=bucket + 1),
        )
        assert any("ADAMS000004: the stored bucket" in p for p in problems), problems
        problems = _problems(
            state,
            conn,
            update(VOTER_BUCKETS).where(VOTER_BUCKETS.c.bucket == bucket).values(size=99),
        )
        assert any(f"bucket {bucket} says it holds 99 voters" in p for p in problems), problems


def test_reviews_alerts_and_votes_are_ledgered(state: App) -> None:
    """A decision, an acknowledgement and who voted are each logged records."""
    with state.engine.connect() as conn:
        kinds = {
            t: n
            for t, n in conn.execute(
                select(LEDGER_ENTRIES.c.event_type, LEDGER_ENTRIES.c.record_type).where(
                    LEDGER_ENTRIES.c.event_type.like("voters.%")
                )
            )
        }
        assert kinds["voters.review_opened"] == "voter_review"
        assert kinds["voters.review_decided"] == "voter_review"
        assert kinds["voters.alert"] == "voter_alert"
        assert kinds["voters.alert_acknowledged"] == "voter_alert"
        assert kinds["voters.participation_updated"] == "voter_participation"
        conn.rollback()
        problems = _problems(
            state,
            conn,
            update(VOTER_REVIEWS).values(status="open", decided_by=None, decided_at=None),
        )
        assert any("was changed without an event" in p for p in problems), problems
        problems = _problems(state, conn, update(VOTER_ALERTS).values(acknowledged_by=None))
        assert any("voter_alert" in p for p in problems), problems
        problems = _problems(
            state,
            conn,
            VOTER_PARTICIPATION.insert().values(
                voter_id="ADAMS000009", election=ELECTION, voted_on="2026-11-03", method="mail"
            ),
        )
        assert any(f"election {ELECTION!r} no longer matches" in p for p in problems), problems
    state_admin = who(state, "state-admin")
    alert = voter_alerts.alerts(state, state_admin)[-1]
    assert alert.acknowledged_by == "state-admin"
    with pytest.raises(InvalidInput, match="already acknowledged"):
        voter_alerts.acknowledge(state, state_admin, alert.id)
    assert verify(state).problems == []


@pytest.mark.only_on("postgresql")  # SQLite serialises writers: no race to stage
def test_two_administrators_acknowledging_at_once_cannot_both_succeed(state: App) -> None:
    """The row was read as unacknowledged, then another administrator acknowledged it.

    Only PostgreSQL lets the second writer in between (SQLite's writers queue
    behind BEGIN IMMEDIATE), so the race is staged there: just before this
    acknowledgement's UPDATE runs, another connection commits its own.
    """
    state_admin = who(state, "state-admin")
    alert = next(a for a in voter_alerts.alerts(state, state_admin) if a.acknowledged_by is None)
    fired: list[bool] = []

    def other_admin_first(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("UPDATE voter_alerts") and not fired:
            fired.append(True)
            with state.engine.begin() as other:
                other.execute(
                    update(VOTER_ALERTS)
                    .where(VOTER_ALERTS.c.id == alert.id)
                    .values(acknowledged_by="analyst")
                )

    event.listen(state.engine, "before_cursor_execute", other_admin_first)
    try:
        with pytest.raises(InvalidInput, match="acknowledged meanwhile"):
            voter_alerts.acknowledge(state, state_admin, alert.id)
    finally:
        event.remove(state.engine, "before_cursor_execute", other_admin_first)
    assert fired
    kept = next(a for a in voter_alerts.alerts(state, state_admin) if a.id == alert.id)
    assert kept.acknowledged_by == "analyst"
