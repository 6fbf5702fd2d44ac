"""Network monitoring: attempts per hour per incident, incidents under the log.

No table or column changes. Both needs fit the existing schema, and a new
column on the ledgered ``netmon_ingests`` would change the logged hash of
every ingest already stored:

* an incident's attempts per UTC hour are kept in its ``data`` (``hours``),
  so they are covered by the same hash as the rest of the incident;
* new ingests write ``incident_ids`` as a JSON object, incident id → SHA-256
  of the incident's ``data``, instead of a list of ids. Rows stored before
  keep their list (and their logged hash); ``verify`` reads both
  (``services/netmon/verify.py``), and ``docs/netmon.md`` says what it can
  check for incidents of those older ingests.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: see the module documentation."""


def downgrade() -> None:
    """Nothing to undo; older code reads the id object as a list of ids (its keys)."""
