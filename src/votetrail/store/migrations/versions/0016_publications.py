"""Authenticated publications (issue 18), one function per table.

* ``publications``: a document an office published, by the SHA-256 of its
  bytes (the bytes themselves are kept in the data directory), never changed
  once written; a correction is a new row naming the one it ``supersedes``.
* ``publication_withdrawals``: a publication withdrawn, with the reason.

Other tables of issue 18 are added here by a function of their own, called
from ``upgrade`` and (in reverse order) ``downgrade``.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def _publications() -> None:
    op.create_table(
        "publications",
        sa.Column("id", sa.String(80), nullable=False),
        sa.Column("jurisdiction_id", sa.String(64), nullable=False),
        sa.Column("office", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("supersedes", sa.String(80), nullable=True),
        sa.Column("published_by", sa.String(64), nullable=False),
        sa.Column("published_at", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name=op.f("fk_publications_jurisdiction_id_jurisdictions"),
        ),
        sa.ForeignKeyConstraint(
            ["supersedes"],
            ["publications.id"],
            name=op.f("fk_publications_supersedes_publications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publications")),
    )
    op.create_index("ix_publications_jurisdiction_id", "publications", ["jurisdiction_id"])
    op.create_index("ix_publications_sha256", "publications", ["sha256"])
    op.create_index("ix_publications_supersedes", "publications", ["supersedes"], unique=True)
    op.create_table(
        "publication_withdrawals",
        sa.Column("publication_id", sa.String(80), nullable=False),
        sa.Column("reason", sa.String(2000), nullable=False),
        sa.Column("withdrawn_by", sa.String(64), nullable=False),
        sa.Column("withdrawn_at", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name=op.f("fk_publication_withdrawals_publication_id_publications"),
        ),
        sa.PrimaryKeyConstraint("publication_id", name=op.f("pk_publication_withdrawals")),
    )


def _drop_publications() -> None:
    op.drop_table("publication_withdrawals")
    for name in ("supersedes", "sha256", "jurisdiction_id"):
        op.drop_index(f"ix_publications_{name}", table_name="publications")
    op.drop_table("publications")


def _witnesses() -> None:
    """Witnesses the office accepts, and their cosignatures of its checkpoints."""
    op.create_table(
        "witnesses",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("verifier_key", sa.String(400), nullable=False),
        sa.Column("added_by", sa.String(64), nullable=False),
        sa.Column("added_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_witnesses")),
    )
    op.create_table(
        "cosignatures",
        sa.Column("checkpoint_size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("witness_name", sa.String(200), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.Column("line", sa.String(600), nullable=False),
        sa.Column("received_at", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(
            ["checkpoint_size"],
            ["checkpoints.size"],
            name=op.f("fk_cosignatures_checkpoint_size_checkpoints"),
        ),
        sa.ForeignKeyConstraint(
            ["witness_name"],
            ["witnesses.name"],
            name=op.f("fk_cosignatures_witness_name_witnesses"),
        ),
        sa.PrimaryKeyConstraint("checkpoint_size", "witness_name", name=op.f("pk_cosignatures")),
    )


def _drop_witnesses() -> None:
    op.drop_table("cosignatures")
    op.drop_table("witnesses")


def upgrade() -> None:
    _publications()
    _witnesses()


def downgrade() -> None:
    _drop_witnesses()
    _drop_publications()
