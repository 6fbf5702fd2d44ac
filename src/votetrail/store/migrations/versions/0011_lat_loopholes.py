"""L&A: what a report says about itself, seal reasons.

A report file already recorded for one device is refused for another, so the
results are looked up by the file's SHA-256 (an index). A device left
unsealed after its test needs a recorded reason before the test is signed:
its own ledgered table, so the device rows keep the hash they were logged with.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        op.f("ix_lat_results_file_sha256"), "lat_results", ["file_sha256"], unique=False
    )
    op.create_table(
        "lat_unsealed_devices",
        sa.Column("device_id", sa.String(length=160), nullable=False),
        sa.Column("session_id", sa.String(length=80), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["lat_devices.id"],
            name=op.f("fk_lat_unsealed_devices_device_id_lat_devices"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["lat_sessions.id"],
            name=op.f("fk_lat_unsealed_devices_session_id_lat_sessions"),
        ),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_lat_unsealed_devices")),
    )
    op.create_index(
        op.f("ix_lat_unsealed_devices_session_id"),
        "lat_unsealed_devices",
        ["session_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_lat_unsealed_devices_session_id"), table_name="lat_unsealed_devices")
    op.drop_table("lat_unsealed_devices")
    op.drop_index(op.f("ix_lat_results_file_sha256"), table_name="lat_results")
