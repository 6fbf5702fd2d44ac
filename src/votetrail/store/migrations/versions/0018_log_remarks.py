"""Public remarks in the log (issue 20).

* ``log_remarks``: an official's remark (``log.remark``), kept as a logged
  record so the public log shows its text and ``verify`` names an edit.

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "log_remarks",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("jurisdiction_id", sa.String(64), nullable=True),
        sa.Column("text", sa.String(2000), nullable=False),
        sa.Column("written_by", sa.String(64), nullable=False),
        sa.Column("written_at", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name=op.f("fk_log_remarks_jurisdiction_id_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_remarks")),
    )


def downgrade() -> None:
    op.drop_table("log_remarks")
