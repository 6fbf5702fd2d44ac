"""Network monitoring: every unsolicited attempt counted, per source and per UTC day.

Two tables of counts, written by the ingest that read them:

* ``netmon_source_days``: one row per ingest, day and source (attempts, how
  many were answered, how many of those on a port that should be closed,
  distinct ports and hosts, first and last attempt), with the source's /24 or
  /64 in ``network`` so a day can be grouped by block;
* ``netmon_day_totals``: the same for the whole day, per ingest.

The ledgered ``netmon_ingests`` row commits to them through a new nullable
column, ``counts_sha256``: SHA-256 of the canonical bytes of the ingest's
count rows as stored. Rows of ingests logged before this migration have it
NULL, and the record hash leaves a NULL column that is listed as added later
out of the payload (``store/records.py``), so their logged hashes still match.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def _count(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), nullable=False)


def _ingest_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["ingest_id"], ["netmon_ingests.id"], name=op.f(f"fk_{table}_ingest_id_netmon_ingests")
    )


def upgrade() -> None:
    with op.batch_alter_table("netmon_ingests") as batch:
        batch.add_column(sa.Column("counts_sha256", sa.String(64), nullable=True))
    op.create_table(
        "netmon_source_days",
        sa.Column("ingest_id", sa.String(40), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("source", sa.String(45), nullable=False),
        sa.Column("network", sa.String(50), nullable=False),
        _count("attempts"),
        _count("answered"),
        _count("unexpected"),
        _count("ports"),
        _count("hosts"),
        sa.Column("first_seen", sa.String(32), nullable=False),
        sa.Column("last_seen", sa.String(32), nullable=False),
        _ingest_fk("netmon_source_days"),
        sa.PrimaryKeyConstraint("ingest_id", "day", "source", name=op.f("pk_netmon_source_days")),
    )
    op.create_index("ix_netmon_source_days_day_source", "netmon_source_days", ["day", "source"])
    op.create_index("ix_netmon_source_days_day_network", "netmon_source_days", ["day", "network"])
    op.create_index("ix_netmon_source_days_source_day", "netmon_source_days", ["source", "day"])
    op.create_table(
        "netmon_day_totals",
        sa.Column("ingest_id", sa.String(40), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        _count("sources"),
        _count("attempts"),
        _count("answered"),
        _count("unexpected"),
        _count("ports"),
        _count("hosts"),
        _ingest_fk("netmon_day_totals"),
        sa.PrimaryKeyConstraint("ingest_id", "day", name=op.f("pk_netmon_day_totals")),
    )
    op.create_index("ix_netmon_day_totals_day", "netmon_day_totals", ["day"])


def downgrade() -> None:
    op.drop_index("ix_netmon_day_totals_day", table_name="netmon_day_totals")
    op.drop_table("netmon_day_totals")
    for name in ("source_day", "day_network", "day_source"):
        op.drop_index(f"ix_netmon_source_days_{name}", table_name="netmon_source_days")
    op.drop_table("netmon_source_days")
    with op.batch_alter_table("netmon_ingests") as batch:
        batch.drop_column("counts_sha256")
