"""Which tables hold ledgered records, and how a row becomes canonical bytes.

A row's payload is every column, read back from the database after the write,
so ``verify`` hashes exactly what the application logged. New record types
register here (one line each) and are covered by ``verify`` at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Connection, Row, Table, select

from votetrail.core.ledger.canonical import canonical_hash
from votetrail.store.models import (
    JURISDICTIONS,
    LAT_DEFINITIONS,
    LAT_DEVICES,
    LAT_RESULTS,
    LAT_SESSIONS,
    NETMON_INGESTS,
    SETTINGS,
    UPLOADS,
    USERS,
    VOTER_IMPORTS,
    VOTER_MAP,
)


@dataclass(frozen=True)
class RecordType:
    name: str
    table: Table
    key: str

    @property
    def key_column(self) -> Column[Any]:
        return self.table.c[self.key]


RECORD_TYPES: dict[str, RecordType] = {
    r.name: r
    for r in (
        RecordType("setting", SETTINGS, "key"),
        RecordType("jurisdiction", JURISDICTIONS, "id"),
        RecordType("user", USERS, "username"),
        RecordType("upload", UPLOADS, "id"),
        RecordType("netmon_ingest", NETMON_INGESTS, "id"),
        RecordType("voter_import", VOTER_IMPORTS, "id"),
        RecordType("voter_map", VOTER_MAP, "id"),
        RecordType("lat_definition", LAT_DEFINITIONS, "id"),
        RecordType("lat_session", LAT_SESSIONS, "id"),
        RecordType("lat_device", LAT_DEVICES, "id"),
        RecordType("lat_result", LAT_RESULTS, "id"),
    )
}


def row_payload(row: Row[Any]) -> dict[str, Any]:
    return dict(row._mapping)


def record_hash(conn: Connection, record_type: str, record_id: str) -> str | None:
    """The canonical hash of the record as stored now, or None if it is gone."""
    rtype = RECORD_TYPES[record_type]
    row = conn.execute(select(rtype.table).where(rtype.key_column == record_id)).first()
    return None if row is None else canonical_hash(row_payload(row))


def all_record_hashes(conn: Connection, record_type: str) -> Iterator[tuple[str, str]]:
    rtype = RECORD_TYPES[record_type]
    for row in conn.execute(select(rtype.table).order_by(rtype.key_column)):
        yield str(row._mapping[rtype.key]), canonical_hash(row_payload(row))
