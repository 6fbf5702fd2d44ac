"""Alembic environment: always handed a live connection by ``votetrail.store.migrate``."""

from __future__ import annotations

from alembic import context

from votetrail.store.models import METADATA

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=METADATA, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
