"""Logic and accuracy testing: definitions, public test sessions, devices and results.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lat_definitions",
        sa.Column("id", sa.String(length=96), nullable=False),
        sa.Column("jurisdiction_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("source_format", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("definition_sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name=op.f("fk_lat_definitions_jurisdiction_id_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lat_definitions")),
    )
    op.create_table(
        "lat_sessions",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("jurisdiction_id", sa.String(length=64), nullable=False),
        sa.Column("definition_id", sa.String(length=96), nullable=False),
        sa.Column("phase", sa.String(length=8), nullable=False),
        sa.Column("held_on", sa.String(length=10), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("observers", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("opened_at", sa.String(length=32), nullable=False),
        sa.Column("signed_at", sa.String(length=32), nullable=True),
        sa.Column("officials", sa.Text(), nullable=True),
        sa.Column("statement", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["lat_definitions.id"],
            name=op.f("fk_lat_sessions_definition_id_lat_definitions"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name=op.f("fk_lat_sessions_jurisdiction_id_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lat_sessions")),
    )
    op.create_index(
        op.f("ix_lat_sessions_jurisdiction_id"), "lat_sessions", ["jurisdiction_id"], unique=False
    )
    op.create_table(
        "lat_devices",
        sa.Column("id", sa.String(length=160), nullable=False),
        sa.Column("session_id", sa.String(length=80), nullable=False),
        sa.Column("serial", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("precincts", sa.Text(), nullable=True),
        sa.Column("seal_before", sa.String(length=64), nullable=False),
        sa.Column("seal_after", sa.String(length=64), nullable=True),
        sa.Column("added_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"], ["lat_sessions.id"], name=op.f("fk_lat_devices_session_id_lat_sessions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lat_devices")),
    )
    op.create_index(op.f("ix_lat_devices_session_id"), "lat_devices", ["session_id"], unique=False)
    op.create_table(
        "lat_results",
        sa.Column("id", sa.String(length=180), nullable=False),
        sa.Column("session_id", sa.String(length=80), nullable=False),
        sa.Column("device_id", sa.String(length=160), nullable=False),
        sa.Column("run", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("file_format", sa.String(length=80), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("discrepancies", sa.Text(), nullable=False),
        sa.Column("reported", sa.Text(), nullable=False),
        sa.Column("baseline_result_id", sa.String(length=180), nullable=True),
        sa.Column("recorded_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["lat_devices.id"], name=op.f("fk_lat_results_device_id_lat_devices")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["lat_sessions.id"], name=op.f("fk_lat_results_session_id_lat_sessions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lat_results")),
    )
    op.create_index(op.f("ix_lat_results_device_id"), "lat_results", ["device_id"], unique=False)
    op.create_index(op.f("ix_lat_results_session_id"), "lat_results", ["session_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_lat_results_session_id"), table_name="lat_results")
    op.drop_index(op.f("ix_lat_results_device_id"), table_name="lat_results")
    op.drop_table("lat_results")
    op.drop_index(op.f("ix_lat_devices_session_id"), table_name="lat_devices")
    op.drop_table("lat_devices")
    op.drop_index(op.f("ix_lat_sessions_jurisdiction_id"), table_name="lat_sessions")
    op.drop_table("lat_sessions")
    op.drop_table("lat_definitions")
