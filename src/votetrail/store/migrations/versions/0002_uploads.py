"""County uploads: cast vote records, manifests, paper-record counts, check-ins.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "uploads",
        sa.Column("id", sa.String(80), nullable=False),
        sa.Column("jurisdiction_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("files", sa.Text(), nullable=False),
        sa.Column("records", sa.BigInteger(), nullable=False),
        sa.Column("merkle_root", sa.String(64), nullable=False),
        sa.Column("contests", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name="fk_uploads_jurisdiction_id_jurisdictions",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_uploads"),
    )
    op.create_table(
        "cvrs",
        sa.Column("upload_id", sa.String(80), nullable=False),
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("cvr_id", sa.String(200), nullable=False),
        sa.Column("tabulator", sa.String(200), nullable=True),
        sa.Column("batch", sa.String(200), nullable=True),
        sa.Column("precinct", sa.String(200), nullable=True),
        sa.Column("record", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["upload_id"], ["uploads.id"], name="fk_cvrs_upload_id_uploads"),
        sa.PrimaryKeyConstraint("upload_id", "position", name="pk_cvrs"),
    )
    op.create_table(
        "upload_rows",
        sa.Column("upload_id", sa.String(80), nullable=False),
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("record", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["upload_id"], ["uploads.id"], name="fk_upload_rows_upload_id_uploads"
        ),
        sa.PrimaryKeyConstraint("upload_id", "position", name="pk_upload_rows"),
    )


def downgrade() -> None:
    op.drop_table("upload_rows")
    op.drop_table("cvrs")
    op.drop_table("uploads")
