"""Batch-comparison rounds: the batches drawn, their hand tallies, sign-offs and measured risk.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{referred}"))


def _index(table: str, column: str) -> None:
    op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def _text(name: str, length: int | None = 32, nullable: bool = False) -> sa.Column[str]:
    kind: sa.types.TypeEngine[str] = sa.String(length=length) if length else sa.Text()
    return sa.Column(name, kind, nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "audit_batch_draws",
        _text("id", 100),
        _text("round_id", 80),
        sa.Column("draw_number", sa.Integer(), nullable=False),
        _text("ticket_number", 100),
        sa.Column("generation", sa.Integer(), nullable=False),
        _text("jurisdiction_id", 64),
        _text("batch_id", 1000),
        _text("tabulator", 200, nullable=True),
        _text("batch", 200),
        _text("error_bound", 40),
        _fk("audit_batch_draws", "round_id", "audit_rounds.id"),
        _fk("audit_batch_draws", "jurisdiction_id", "jurisdictions.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_batch_draws")),
    )
    _index("audit_batch_draws", "round_id")
    _index("audit_batch_draws", "jurisdiction_id")
    op.create_table(
        "audit_batch_tallies",
        _text("id", 120),
        _text("audit_id", 64),
        _text("round_id", 80),
        _text("jurisdiction_id", 64),
        _text("batch_id", 1000),
        sa.Column("found", sa.Boolean(), nullable=False),
        _text("votes", None),
        _text("entered_at"),
        _text("entered_by", 64),
        _fk("audit_batch_tallies", "audit_id", "audits.id"),
        _fk("audit_batch_tallies", "round_id", "audit_rounds.id"),
        _fk("audit_batch_tallies", "jurisdiction_id", "jurisdictions.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_batch_tallies")),
    )
    _index("audit_batch_tallies", "audit_id")
    _index("audit_batch_tallies", "round_id")
    op.create_table(
        "audit_batch_signoffs",
        _text("id", 200),
        _text("round_id", 80),
        _text("jurisdiction_id", 64),
        _text("signed_at"),
        _text("signed_by", 64),
        _fk("audit_batch_signoffs", "round_id", "audit_rounds.id"),
        _fk("audit_batch_signoffs", "jurisdiction_id", "jurisdictions.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_batch_signoffs")),
    )
    _index("audit_batch_signoffs", "round_id")
    op.create_table(
        "audit_batch_results",
        _text("id", 120),
        _text("round_id", 80),
        _text("contest", 200),
        _text("risk", 40),
        _text("decision", 20),
        _text("measured_at"),
        _text("measured_by", 64),
        _fk("audit_batch_results", "round_id", "audit_rounds.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_batch_results")),
    )
    _index("audit_batch_results", "round_id")


def downgrade() -> None:
    for table, indexed in (
        ("audit_batch_results", ("round_id",)),
        ("audit_batch_signoffs", ("round_id",)),
        ("audit_batch_tallies", ("round_id", "audit_id")),
        ("audit_batch_draws", ("jurisdiction_id", "round_id")),
    ):
        for column in indexed:
            op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
        op.drop_table(table)
