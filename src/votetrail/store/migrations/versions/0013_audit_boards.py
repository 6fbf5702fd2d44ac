"""Audit boards, their one-time links, assignments, interpretations, sign-offs and round results.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
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
        "audit_boards",
        _text("id", 140),
        _text("audit_id", 64),
        _text("jurisdiction_id", 64),
        _text("name", 100),
        _text("members", None),
        _text("username", 64),
        _text("created_at"),
        _text("created_by", 64),
        _fk("audit_boards", "audit_id", "audits.id"),
        _fk("audit_boards", "jurisdiction_id", "jurisdictions.id"),
        _fk("audit_boards", "username", "users.username"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_boards")),
    )
    _index("audit_boards", "audit_id")
    _index("audit_boards", "username")
    op.create_table(
        "audit_board_links",
        _text("token_sha256", 64),
        _text("board_id", 140),
        _text("issued_at"),
        _text("expires_at"),
        _text("used_at", nullable=True),
        _text("revoked_at", nullable=True),
        _text("issued_by", 64),
        _fk("audit_board_links", "board_id", "audit_boards.id"),
        sa.PrimaryKeyConstraint("token_sha256", name=op.f("pk_audit_board_links")),
    )
    _index("audit_board_links", "board_id")
    op.create_table(
        "audit_assignments",
        _text("id", 120),
        _text("round_id", 80),
        _text("board_id", 140),
        _text("ballot_id", 1000),
        _fk("audit_assignments", "round_id", "audit_rounds.id"),
        _fk("audit_assignments", "board_id", "audit_boards.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_assignments")),
    )
    _index("audit_assignments", "round_id")
    _index("audit_assignments", "board_id")
    op.create_table(
        "audit_interpretations",
        _text("id", 120),
        _text("audit_id", 64),
        _text("round_id", 80),
        _text("board_id", 140),
        _text("ballot_id", 1000),
        _text("contest", 200),
        _text("reading", None),
        _text("comment", None),
        _text("entered_at"),
        _text("entered_by", 64),
        _fk("audit_interpretations", "audit_id", "audits.id"),
        _fk("audit_interpretations", "round_id", "audit_rounds.id"),
        _fk("audit_interpretations", "board_id", "audit_boards.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_interpretations")),
    )
    _index("audit_interpretations", "audit_id")
    _index("audit_interpretations", "round_id")
    _index("audit_interpretations", "board_id")
    op.create_table(
        "audit_signoffs",
        _text("id", 200),
        _text("round_id", 80),
        _text("board_id", 140),
        _text("members", None),
        _text("signed_at"),
        _text("signed_by", 64),
        _fk("audit_signoffs", "round_id", "audit_rounds.id"),
        _fk("audit_signoffs", "board_id", "audit_boards.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_signoffs")),
    )
    _index("audit_signoffs", "round_id")
    _index("audit_signoffs", "board_id")
    op.create_table(
        "audit_round_results",
        _text("id", 120),
        _text("round_id", 80),
        _text("contest", 200),
        _text("risk", 40),
        _text("decision", 20),
        _text("closed_at"),
        _text("closed_by", 64),
        _fk("audit_round_results", "round_id", "audit_rounds.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_round_results")),
    )
    _index("audit_round_results", "round_id")


def downgrade() -> None:
    for table, indexed in (
        ("audit_round_results", ("round_id",)),
        ("audit_signoffs", ("board_id", "round_id")),
        ("audit_interpretations", ("board_id", "round_id", "audit_id")),
        ("audit_assignments", ("board_id", "round_id")),
        ("audit_board_links", ("board_id",)),
        ("audit_boards", ("username", "audit_id")),
    ):
        for column in indexed:
            op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
        op.drop_table(table)
