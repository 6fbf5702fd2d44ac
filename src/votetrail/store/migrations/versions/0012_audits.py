"""Risk-limiting audits: set-up, seed ceremony, rounds and their samples.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{referred}"))


def _index(table: str, column: str) -> None:
    op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "audits",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("election", sa.String(length=200), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("risk_limit", sa.String(length=16), nullable=False),
        sa.Column("with_replacement", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audits")),
    )
    op.create_table(
        "audit_contests",
        sa.Column("id", sa.String(length=300), nullable=False),
        sa.Column("audit_id", sa.String(length=64), nullable=False),
        sa.Column("contest", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        _fk("audit_contests", "audit_id", "audits.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_contests")),
    )
    _index("audit_contests", "audit_id")
    op.create_table(
        "audit_counties",
        sa.Column("id", sa.String(length=140), nullable=False),
        sa.Column("audit_id", sa.String(length=64), nullable=False),
        sa.Column("jurisdiction_id", sa.String(length=64), nullable=False),
        _fk("audit_counties", "audit_id", "audits.id"),
        _fk("audit_counties", "jurisdiction_id", "jurisdictions.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_counties")),
    )
    _index("audit_counties", "audit_id")
    op.create_table(
        "audit_seeds",
        sa.Column("audit_id", sa.String(length=64), nullable=False),
        sa.Column("seed", sa.String(length=20), nullable=False),
        sa.Column("witnesses", sa.Text(), nullable=False),
        sa.Column("set_at", sa.String(length=32), nullable=False),
        sa.Column("set_by", sa.String(length=64), nullable=False),
        _fk("audit_seeds", "audit_id", "audits.id"),
        sa.PrimaryKeyConstraint("audit_id", name=op.f("pk_audit_seeds")),
    )
    op.create_table(
        "audit_rounds",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("audit_id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("sample_size", sa.Integer(), nullable=False),
        sa.Column("per_county", sa.Text(), nullable=False),
        sa.Column("frame_size", sa.BigInteger(), nullable=False),
        sa.Column("frame_sha256", sa.String(length=64), nullable=False),
        sa.Column("drawn_at", sa.String(length=32), nullable=False),
        sa.Column("drawn_by", sa.String(length=64), nullable=False),
        _fk("audit_rounds", "audit_id", "audits.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_rounds")),
    )
    _index("audit_rounds", "audit_id")
    op.create_table(
        "audit_draws",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("round_id", sa.String(length=80), nullable=False),
        sa.Column("draw_number", sa.Integer(), nullable=False),
        sa.Column("ticket_number", sa.String(length=100), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_id", sa.String(length=64), nullable=False),
        sa.Column("ballot_id", sa.String(length=1000), nullable=False),
        sa.Column("container", sa.String(length=200), nullable=True),
        sa.Column("tabulator", sa.String(length=200), nullable=True),
        sa.Column("batch", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("phantom", sa.Boolean(), nullable=False),
        _fk("audit_draws", "round_id", "audit_rounds.id"),
        _fk("audit_draws", "jurisdiction_id", "jurisdictions.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_draws")),
    )
    _index("audit_draws", "round_id")
    _index("audit_draws", "jurisdiction_id")


def downgrade() -> None:
    for table, indexed in (
        ("audit_draws", ("jurisdiction_id", "round_id")),
        ("audit_rounds", ("audit_id",)),
        ("audit_seeds", ()),
        ("audit_counties", ("audit_id",)),
        ("audit_contests", ("audit_id",)),
        ("audits", ()),
    ):
        for column in indexed:
            op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
        op.drop_table(table)
