"""Uploads: files accumulate per county, replacement is explicit.

Before this revision the newest upload of a kind silently replaced the
county's earlier ones. From now on an upload is current until a logged
``upload_replacements`` row names it. So that a database upgraded from the
old rule counts exactly what it counted before, every upload that the old
rule had already superseded gets a row here naming the next upload of its
kind, signed ``schema 0009``; ``votetrail init`` (which runs this upgrade)
then logs an ``upload.replaced`` event for each, so ``verify`` covers them.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from itertools import pairwise

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SCHEMA_ACTOR = "schema 0009"
"""``replaced_by`` of the rows this upgrade derives from the old newest-wins rule."""


def upgrade() -> None:
    op.create_table(
        "upload_replacements",
        sa.Column("replaced_id", sa.String(80), nullable=False),
        sa.Column("replacement_id", sa.String(80), nullable=False),
        sa.Column("replaced_by", sa.String(64), nullable=False),
        sa.Column("replaced_at", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(
            ["replaced_id"],
            ["uploads.id"],
            name="fk_upload_replacements_replaced_id_uploads",
        ),
        sa.ForeignKeyConstraint(
            ["replacement_id"],
            ["uploads.id"],
            name="fk_upload_replacements_replacement_id_uploads",
        ),
        sa.PrimaryKeyConstraint("replaced_id", name="pk_upload_replacements"),
    )
    op.create_index(
        "ix_upload_replacements_replacement_id", "upload_replacements", ["replacement_id"]
    )
    uploads = sa.table(
        "uploads",
        sa.column("id", sa.String),
        sa.column("jurisdiction_id", sa.String),
        sa.column("kind", sa.String),
        sa.column("sequence", sa.Integer),
        sa.column("imported_at", sa.String),
    )
    replacements = sa.table(
        "upload_replacements",
        sa.column("replaced_id", sa.String),
        sa.column("replacement_id", sa.String),
        sa.column("replaced_by", sa.String),
        sa.column("replaced_at", sa.String),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(uploads).order_by(uploads.c.jurisdiction_id, uploads.c.kind, uploads.c.sequence)
    ).all()
    derived = [
        {
            "replaced_id": older.id,
            "replacement_id": newer.id,
            "replaced_by": SCHEMA_ACTOR,
            "replaced_at": newer.imported_at,
        }
        for older, newer in pairwise(rows)
        if (older.jurisdiction_id, older.kind) == (newer.jurisdiction_id, newer.kind)
    ]
    if derived:
        conn.execute(replacements.insert(), derived)


def downgrade() -> None:
    op.drop_index("ix_upload_replacements_replacement_id", table_name="upload_replacements")
    op.drop_table("upload_replacements")
