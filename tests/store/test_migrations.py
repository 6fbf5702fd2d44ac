"""Migrations run up, down and up again on both backends, and match the models."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from votetrail.services.context import resolve_url
from votetrail.store import db, migrate
from votetrail.store.models import METADATA

TABLES = {
    "settings",
    "jurisdictions",
    "users",
    "ledger_head",
    "ledger_entries",
    "ledger_nodes",
    "checkpoints",
    "alembic_version",
    "uploads",
    "cvrs",
    "upload_rows",
    "upload_replacements",
    "netmon_ingests",
    "netmon_incidents",
    "netmon_source_days",
    "netmon_day_totals",
    "voters",
    "voter_versions",
    "voter_buckets",
    "voter_map",
    "voter_imports",
    "voter_participation",
    "voter_reviews",
    "voter_alerts",
    "lat_definitions",
    "log_remarks",
    "lat_sessions",
    "lat_devices",
    "lat_results",
    "lat_unsealed_devices",
    "web_sessions",
    "failed_sign_ins",
    "refusal_counts",
    "audits",
    "audit_contests",
    "audit_counties",
    "audit_seeds",
    "audit_rounds",
    "audit_draws",
    "audit_boards",
    "audit_board_links",
    "audit_assignments",
    "audit_interpretations",
    "audit_signoffs",
    "audit_round_results",
    "audit_batch_draws",
    "audit_batch_tallies",
    "audit_batch_signoffs",
    "audit_batch_results",
    "publications",
    "publication_withdrawals",
    "witnesses",
    "cosignatures",
    "account_security",
    "totp_used",
}


def test_up_down_up(data_dir: Path, database_url: str | None) -> None:
    data_dir.mkdir()
    engine = db.create(resolve_url(data_dir, database_url))
    try:
        migrate.upgrade(engine)
        assert set(inspect(engine).get_table_names()) == TABLES
        assert migrate.current_revision(engine) == migrate.head_revision()
        migrate.downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(engine)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), METADATA)
        assert diff == [], f"models and migrations disagree: {diff}"
    finally:
        engine.dispose()


def test_sqlite_runs_in_wal_mode(data_dir: Path) -> None:
    data_dir.mkdir()
    engine = db.create(db.sqlite_url(data_dir))
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        engine.dispose()
