"""Network monitoring: ledgered log ingests and the scan incidents they found.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "netmon_ingests",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("mode", sa.String(8), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("lines", sa.BigInteger(), nullable=False),
        sa.Column("events", sa.BigInteger(), nullable=False),
        sa.Column("ignored", sa.BigInteger(), nullable=False),
        sa.Column("bad", sa.BigInteger(), nullable=False),
        sa.Column("incidents", sa.Integer(), nullable=False),
        sa.Column("incident_ids", sa.Text(), nullable=False),
        sa.Column("ingested_at", sa.String(32), nullable=False),
        sa.Column("jurisdiction_id", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name="fk_netmon_ingests_jurisdiction_id_jurisdictions",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_netmon_ingests"),
    )
    op.create_index("ix_netmon_ingests_sha256", "netmon_ingests", ["sha256"])
    op.create_table(
        "netmon_incidents",
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("ingest_id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("severity", sa.String(8), nullable=False),
        sa.Column("first_seen", sa.String(32), nullable=False),
        sa.Column("last_seen", sa.String(32), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ingest_id"],
            ["netmon_ingests.id"],
            name="fk_netmon_incidents_ingest_id_netmon_ingests",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_netmon_incidents"),
    )
    op.create_index("ix_netmon_incidents_first_seen", "netmon_incidents", ["first_seen"])


def downgrade() -> None:
    op.drop_index("ix_netmon_incidents_first_seen", table_name="netmon_incidents")
    op.drop_table("netmon_incidents")
    op.drop_index("ix_netmon_ingests_sha256", table_name="netmon_ingests")
    op.drop_table("netmon_ingests")
