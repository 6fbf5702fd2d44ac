"""Sign-in (issue 19): idle session expiry, and each account's sign-in settings.

* ``web_sessions.last_seen_at``: when the session last made a request, so a
  session left idle ends before its absolute expiry. Old rows have none and
  count as seen when they were created.
* ``account_security``: one row per account that has sign-in settings: it
  must change its password at the next sign-in (after an administrator's
  reset), and the base32 secret of its TOTP second factor when enrolled.
  A logged record (``account_security``), so ``verify`` names a raw edit
  that, say, switches a second factor off.
* ``totp_used``: the last 30-second step whose code signed each account in,
  so a code seen over a shoulder cannot be used again (RFC 6238, 5.2).
  Operational, like ``web_sessions``: written at every such sign-in.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("web_sessions") as batch:
        batch.add_column(sa.Column("last_seen_at", sa.String(32), nullable=True))
    op.create_table(
        "account_security",
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("totp_secret", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(
            ["username"], ["users.username"], name=op.f("fk_account_security_username_users")
        ),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_account_security")),
    )
    op.create_table(
        "totp_used",
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("last_step", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["username"], ["users.username"], name=op.f("fk_totp_used_username_users")
        ),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_totp_used")),
    )


def downgrade() -> None:
    op.drop_table("totp_used")
    op.drop_table("account_security")
    with op.batch_alter_table("web_sessions") as batch:
        batch.drop_column("last_seen_at")
