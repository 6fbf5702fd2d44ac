"""``verify`` for network incidents: every stored incident row answers to a logged hash.

Incidents are many and change often (a watched log re-stores a growing scan
every few seconds), so they are not ledgered records one by one. Instead the
ingest that stores them – itself a ledgered ``netmon_ingest`` row, re-hashed by
``verify`` like every record – lists each incident it wrote with the SHA-256
of the incident's ``data``. From the ingests in log order this module derives,
for every incident id, the latest ingest that stored it and the hash it
logged, and then holds each row to it:

* ``data`` must hash to the logged SHA-256 (the per-hour counts are in it);
* ``kind``, ``severity``, ``first_seen``, ``last_seen`` are copies of fields of
  ``data`` kept for queries, so each must equal its field;
* ``ingest_id`` must name that latest ingest (an older ingest's version of a
  replaced incident cannot be put back);
* a row no ingest stored, or an id an ingest stored with no row, is named.

Ingests written before migration 0010 listed ids without hashes: their
incidents' rows are checked for presence, ``ingest_id`` and consistency with
``data``, but ``data`` itself cannot be compared with anything.

Each ingest's day counts (since migration 0015) answer to its logged
``counts_sha256`` the same way (:func:`~votetrail.services.netmon.counts.check_counts`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, select

from votetrail.services.netmon.counts import check_counts
from votetrail.store.models import LEDGER_ENTRIES, NETMON_INCIDENTS, NETMON_INGESTS

COPIED_COLUMNS = ("kind", "severity", "first_seen", "last_seen")
"""Columns that repeat a field of ``data`` under the same name."""
_SHOWN = 60
"""Longest stored value quoted in a problem (a raw edit may put anything there)."""


def check_netmon(conn: Connection, problem: Callable[[str], None]) -> int:
    """Report every incident and count row that differs from what its ingest logged.

    Returns the rows checked.
    """
    logged = _logged_incidents(conn)
    checked = 0
    for row in conn.execute(select(NETMON_INCIDENTS).order_by(NETMON_INCIDENTS.c.id)):
        checked += 1
        incident_id = str(row.id)
        entry = logged.pop(incident_id, None)
        if entry is None:
            problem(f"netmon incident {_quoted(incident_id)} exists but no logged ingest stored it")
            continue
        ingest_id, digest = entry
        name = f"netmon incident {incident_id!r}"
        if row.ingest_id != ingest_id:
            problem(
                f"{name}: column ingest_id was changed: it says {_quoted(row.ingest_id)} "
                f"but the latest ingest that stored it is {ingest_id!r}"
            )
        _check_data(row, name, ingest_id, digest, problem)
    for incident_id, (ingest_id, _) in sorted(logged.items()):
        problem(
            f"netmon incident {incident_id!r} was deleted "
            f"(ingest {ingest_id!r} stored it and no later ingest replaced it)"
        )
    return checked + check_counts(conn, problem)


def _logged_incidents(conn: Connection) -> dict[str, tuple[str, str | None]]:
    """Incident id → (latest ingest that stored it, the data hash it logged or None)."""
    order: dict[str, int] = {}
    for record_id, seq in conn.execute(
        select(LEDGER_ENTRIES.c.record_id, LEDGER_ENTRIES.c.seq).where(
            LEDGER_ENTRIES.c.record_type == "netmon_ingest"
        )
    ):
        order.setdefault(str(record_id), int(seq))
    ingests = sorted(
        conn.execute(select(NETMON_INGESTS.c.id, NETMON_INGESTS.c.incident_ids)),
        key=lambda r: (r.id not in order, order.get(r.id, 0), r.id),
    )
    latest: dict[str, tuple[str, str | None]] = {}
    for ingest_id, text in ingests:
        for incident_id, digest in _listed(text):
            latest[incident_id] = (ingest_id, digest)
    return latest


def _listed(text: str) -> list[tuple[str, str | None]]:
    """An ingest's ``incident_ids``: {id: data SHA-256}, or before 0010 a list of ids.

    Anything else cannot have been written by the application; the ingest's own
    logged hash already reports the edit, so it lists nothing here.
    """
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return []
    if isinstance(value, dict):
        return [(str(k), str(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [(str(k), None) for k in value]
    return []


def _check_data(
    row: Any, name: str, ingest_id: str, digest: str | None, problem: Callable[[str], None]
) -> None:
    """``data`` against the logged hash, and the copied columns against ``data``."""
    data = row.data
    if not isinstance(data, str):
        problem(f"{name}: column data was changed: it no longer holds the incident's JSON")
        return
    if digest is not None and hashlib.sha256(data.encode("utf-8")).hexdigest() != digest:
        problem(
            f"{name}: column data was changed after ingest {ingest_id!r} logged it "
            "(its SHA-256 no longer matches)"
        )
    try:
        fields = json.loads(data)
    except ValueError:
        fields = None
    if not isinstance(fields, dict):
        problem(f"{name}: column data was changed: it no longer holds the incident's JSON")
        return
    for column in COPIED_COLUMNS:
        stored = row._mapping[column]
        if stored != fields.get(column):
            problem(
                f"{name}: column {column} was changed: it says {_quoted(stored)} "
                f"but the logged data says {_quoted(fields.get(column))}"
            )


def _quoted(value: object) -> str:
    """A stored value for a message, cut short: raw edits can put anything in a column."""
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."
