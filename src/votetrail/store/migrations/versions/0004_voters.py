"""Voter registration: current records, every version, the voter map, imports, reviews, alerts.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "voter_alerts",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("county", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_at", sa.String(length=32), nullable=False),
        sa.Column("last_at", sa.String(length=32), nullable=False),
        sa.Column("voter_ids", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.String(length=32), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voter_alerts")),
    )
    op.create_index(op.f("ix_voter_alerts_raised_at"), "voter_alerts", ["raised_at"], unique=False)
    op.create_index(op.f("ix_voter_alerts_rule"), "voter_alerts", ["rule"], unique=False)
    op.create_table(
        "voter_buckets",
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("root", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", name=op.f("pk_voter_buckets")),
    )
    op.create_table(
        "voter_map",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("root", sa.String(length=64), nullable=False),
        sa.Column("voters", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voter_map")),
    )
    op.create_table(
        "voter_participation",
        sa.Column("voter_id", sa.String(length=64), nullable=False),
        sa.Column("election", sa.String(length=64), nullable=False),
        sa.Column("voted_on", sa.String(length=10), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("voter_id", "election", name=op.f("pk_voter_participation")),
    )
    op.create_table(
        "voter_versions",
        sa.Column("voter_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("source_ref", sa.String(length=200), nullable=False),
        sa.Column("occurred_at", sa.String(length=32), nullable=False),
        sa.Column("record", sa.Text(), nullable=True),
        sa.Column("version_hash", sa.String(length=64), nullable=False),
        sa.Column("import_id", sa.String(length=40), nullable=True),
        sa.Column("import_position", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("voter_id", "version", name=op.f("pk_voter_versions")),
    )
    op.create_index(op.f("ix_voter_versions_actor"), "voter_versions", ["actor"], unique=False)
    op.create_index(
        op.f("ix_voter_versions_import_id"), "voter_versions", ["import_id"], unique=False
    )
    op.create_index(
        op.f("ix_voter_versions_occurred_at"), "voter_versions", ["occurred_at"], unique=False
    )
    op.create_table(
        "voter_imports",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("county", sa.String(length=64), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("records", sa.BigInteger(), nullable=False),
        sa.Column("merkle_root", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["county"], ["jurisdictions.id"], name=op.f("fk_voter_imports_county_jurisdictions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voter_imports")),
    )
    op.create_index(op.f("ix_voter_imports_sha256"), "voter_imports", ["sha256"], unique=False)
    op.create_table(
        "voter_reviews",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("county", sa.String(length=64), nullable=False),
        sa.Column("voter_id", sa.String(length=64), nullable=False),
        sa.Column("other_id", sa.String(length=64), nullable=False),
        sa.Column("score", sa.String(length=16), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("found_at", sa.String(length=32), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.String(length=32), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["county"], ["jurisdictions.id"], name=op.f("fk_voter_reviews_county_jurisdictions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voter_reviews")),
    )
    op.create_index(op.f("ix_voter_reviews_kind"), "voter_reviews", ["kind"], unique=False)
    op.create_index(op.f("ix_voter_reviews_status"), "voter_reviews", ["status"], unique=False)
    op.create_index(op.f("ix_voter_reviews_voter_id"), "voter_reviews", ["voter_id"], unique=False)
    op.create_table(
        "voters",
        sa.Column("voter_id", sa.String(length=64), nullable=False),
        sa.Column("county", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_reason", sa.String(length=200), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("middle_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("suffix", sa.String(length=20), nullable=False),
        sa.Column("res_street", sa.String(length=200), nullable=False),
        sa.Column("res_city", sa.String(length=100), nullable=False),
        sa.Column("res_state", sa.String(length=20), nullable=False),
        sa.Column("res_zip", sa.String(length=20), nullable=False),
        sa.Column("mail_street", sa.String(length=200), nullable=False),
        sa.Column("mail_city", sa.String(length=100), nullable=False),
        sa.Column("mail_state", sa.String(length=20), nullable=False),
        sa.Column("mail_zip", sa.String(length=20), nullable=False),
        sa.Column("precinct", sa.String(length=64), nullable=False),
        sa.Column("ballot_style", sa.String(length=64), nullable=False),
        sa.Column("party", sa.String(length=64), nullable=False),
        sa.Column("gender", sa.String(length=16), nullable=False),
        sa.Column("registered_on", sa.String(length=10), nullable=False),
        sa.Column("status_since", sa.String(length=10), nullable=False),
        sa.Column("notice_sent_on", sa.String(length=10), nullable=True),
        sa.Column("dob_mac", sa.String(length=64), nullable=False),
        sa.Column("dob_sealed", sa.String(length=128), nullable=False),
        sa.Column("ssn4_mac", sa.String(length=64), nullable=False),
        sa.Column("ssn4_sealed", sa.String(length=128), nullable=False),
        sa.Column("dl_mac", sa.String(length=64), nullable=False),
        sa.Column("dl_sealed", sa.String(length=200), nullable=False),
        sa.Column("version_hash", sa.String(length=64), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["county"], ["jurisdictions.id"], name=op.f("fk_voters_county_jurisdictions")
        ),
        sa.PrimaryKeyConstraint("voter_id", name=op.f("pk_voters")),
    )
    op.create_index(op.f("ix_voters_bucket"), "voters", ["bucket"], unique=False)
    op.create_index(
        "ix_voters_county_name", "voters", ["county", "last_name", "first_name"], unique=False
    )
    op.create_index(op.f("ix_voters_dl_mac"), "voters", ["dl_mac"], unique=False)
    op.create_index(op.f("ix_voters_dob_mac"), "voters", ["dob_mac"], unique=False)
    op.create_index(op.f("ix_voters_precinct"), "voters", ["precinct"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_voters_precinct"), table_name="voters")
    op.drop_index(op.f("ix_voters_dob_mac"), table_name="voters")
    op.drop_index(op.f("ix_voters_dl_mac"), table_name="voters")
    op.drop_index("ix_voters_county_name", table_name="voters")
    op.drop_index(op.f("ix_voters_bucket"), table_name="voters")
    op.drop_table("voters")
    op.drop_index(op.f("ix_voter_reviews_voter_id"), table_name="voter_reviews")
    op.drop_index(op.f("ix_voter_reviews_status"), table_name="voter_reviews")
    op.drop_index(op.f("ix_voter_reviews_kind"), table_name="voter_reviews")
    op.drop_table("voter_reviews")
    op.drop_index(op.f("ix_voter_imports_sha256"), table_name="voter_imports")
    op.drop_table("voter_imports")
    op.drop_index(op.f("ix_voter_versions_occurred_at"), table_name="voter_versions")
    op.drop_index(op.f("ix_voter_versions_import_id"), table_name="voter_versions")
    op.drop_index(op.f("ix_voter_versions_actor"), table_name="voter_versions")
    op.drop_table("voter_versions")
    op.drop_table("voter_participation")
    op.drop_table("voter_map")
    op.drop_table("voter_buckets")
    op.drop_index(op.f("ix_voter_alerts_rule"), table_name="voter_alerts")
    op.drop_index(op.f("ix_voter_alerts_raised_at"), table_name="voter_alerts")
    op.drop_table("voter_alerts")
