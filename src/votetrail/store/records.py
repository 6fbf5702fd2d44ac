"""Which tables hold ledgered records, and how a row becomes canonical bytes.

A row's payload is every column, read back from the database after the write,
so ``verify`` hashes exactly what the application logged. New record types
register here (one line each) and are covered by ``verify`` at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, Column, Connection, Row, Select, Table, select, type_coerce
from sqlalchemy.types import NullType

from votetrail.core.ledger.canonical import canonical_hash
from votetrail.store.models import (
    ACCOUNT_SECURITY,
    AUDIT_ASSIGNMENTS,
    AUDIT_BATCH_DRAWS,
    AUDIT_BATCH_RESULTS,
    AUDIT_BATCH_SIGNOFFS,
    AUDIT_BATCH_TALLIES,
    AUDIT_BOARD_LINKS,
    AUDIT_BOARDS,
    AUDIT_CONTESTS,
    AUDIT_COUNTIES,
    AUDIT_DRAWS,
    AUDIT_INTERPRETATIONS,
    AUDIT_ROUND_RESULTS,
    AUDIT_ROUNDS,
    AUDIT_SEEDS,
    AUDIT_SIGNOFFS,
    AUDITS,
    JURISDICTIONS,
    LAT_DEFINITIONS,
    LAT_DEVICES,
    LAT_RESULTS,
    LAT_SESSIONS,
    LAT_UNSEALED_DEVICES,
    LOG_REMARKS,
    NETMON_INGESTS,
    PUBLICATION_WITHDRAWALS,
    PUBLICATIONS,
    SETTINGS,
    UPLOAD_REPLACEMENTS,
    UPLOADS,
    USERS,
    VOTER_ALERTS,
    VOTER_IMPORTS,
    VOTER_MAP,
    VOTER_REVIEWS,
    WITNESSES,
)


@dataclass(frozen=True)
class RecordType:
    """A ledgered table; ``added`` names its nullable columns added after rows were logged.

    A NULL in an ``added`` column is left out of the payload, so a row logged
    before the column existed hashes as it did; a value there is hashed like
    any column, and a row logged with one cannot lose it unnoticed (its
    payload then lacks a key the logged one had).
    """

    name: str
    table: Table
    key: str
    added: frozenset[str] = frozenset()

    @property
    def key_column(self) -> Column[Any]:
        return self.table.c[self.key]


RECORD_TYPES: dict[str, RecordType] = {
    r.name: r
    for r in (
        RecordType("setting", SETTINGS, "key"),
        RecordType("jurisdiction", JURISDICTIONS, "id"),
        RecordType("user", USERS, "username"),
        RecordType("account_security", ACCOUNT_SECURITY, "username"),
        RecordType("upload", UPLOADS, "id"),
        RecordType("upload_replacement", UPLOAD_REPLACEMENTS, "replaced_id"),
        RecordType("netmon_ingest", NETMON_INGESTS, "id", frozenset({"counts_sha256"})),
        RecordType("voter_import", VOTER_IMPORTS, "id"),
        RecordType("voter_map", VOTER_MAP, "id"),
        RecordType("voter_review", VOTER_REVIEWS, "id"),
        RecordType("voter_alert", VOTER_ALERTS, "id"),
        RecordType("lat_definition", LAT_DEFINITIONS, "id"),
        RecordType("lat_session", LAT_SESSIONS, "id"),
        RecordType("lat_device", LAT_DEVICES, "id"),
        RecordType("lat_result", LAT_RESULTS, "id"),
        RecordType("lat_unsealed_device", LAT_UNSEALED_DEVICES, "device_id"),
        RecordType("audit", AUDITS, "id"),
        RecordType("audit_contest", AUDIT_CONTESTS, "id"),
        RecordType("audit_county", AUDIT_COUNTIES, "id"),
        RecordType("audit_seed", AUDIT_SEEDS, "audit_id"),
        RecordType("audit_round", AUDIT_ROUNDS, "id"),
        RecordType("audit_draw", AUDIT_DRAWS, "id"),
        RecordType("audit_board", AUDIT_BOARDS, "id"),
        RecordType("audit_board_link", AUDIT_BOARD_LINKS, "token_sha256"),
        RecordType("audit_assignment", AUDIT_ASSIGNMENTS, "id"),
        RecordType("audit_interpretation", AUDIT_INTERPRETATIONS, "id"),
        RecordType("audit_signoff", AUDIT_SIGNOFFS, "id"),
        RecordType("audit_round_result", AUDIT_ROUND_RESULTS, "id"),
        RecordType("audit_batch_draw", AUDIT_BATCH_DRAWS, "id"),
        RecordType("audit_batch_tally", AUDIT_BATCH_TALLIES, "id"),
        RecordType("audit_batch_signoff", AUDIT_BATCH_SIGNOFFS, "id"),
        RecordType("audit_batch_result", AUDIT_BATCH_RESULTS, "id"),
        RecordType("witness", WITNESSES, "name"),
        RecordType("publication", PUBLICATIONS, "id"),
        RecordType("publication_withdrawal", PUBLICATION_WITHDRAWALS, "publication_id"),
        RecordType("log_remark", LOG_REMARKS, "id"),
    )
}


_RAW = "raw__"  # label prefix of a flag column read back without the driver's decoding


def _flags(table: Table) -> list[Column[Any]]:
    return [c for c in table.c if isinstance(c.type, Boolean)]


def _select_row(table: Table) -> Select[Any]:
    """Every column, plus each flag as stored (``_stored_flag`` says why)."""
    raw = [type_coerce(c, NullType()).label(_RAW + c.name) for c in _flags(table)]
    return select(table, *raw)


def _stored_flag(raw: Any) -> Any:
    """A flag as the hash must see it: a boolean only if the database holds exactly one.

    SQLite keeps whatever a raw ``UPDATE`` puts in a BOOLEAN column (2, 'false',
    0.5) and SQLAlchemy decodes every such value as True, so hashing the decoded
    value let ``users.active`` or ``lat_results.passed`` hold something other
    than what was logged while the hash still matched. Anything but 0, 1 or a
    real boolean is hashed as its own text, so it can never equal a logged flag.
    """
    if isinstance(raw, bool) or raw is None:
        return raw
    if type(raw) is int and raw in (0, 1):
        return bool(raw)
    return f"not a boolean: {raw!r}"


def _stored_value(value: Any) -> Any:
    """A float as its own text: no logged payload holds one (the encoding refuses them).

    SQLite keeps a raw ``UPDATE``'s 2.5 in an INTEGER column; hashing it would
    raise and stop ``verify`` before it names anything, so it is hashed as text
    that can never equal a logged value.
    """
    return f"not a whole number: {value!r}" if isinstance(value, float) else value


def row_payload(row: Row[Any], added: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Every column as stored, minus ``added`` columns that hold NULL (``RecordType``)."""
    payload = {
        k: _stored_value(v) for k, v in row._mapping.items() if not (v is None and k in added)
    }
    for name in [k for k in payload if k.startswith(_RAW)]:
        payload[name.removeprefix(_RAW)] = _stored_flag(payload.pop(name))
    return payload


def record_hash(conn: Connection, record_type: str, record_id: str) -> str | None:
    """The canonical hash of the record as stored now, or None if it is gone."""
    rtype = RECORD_TYPES[record_type]
    row = conn.execute(_select_row(rtype.table).where(rtype.key_column == record_id)).first()
    return None if row is None else canonical_hash(row_payload(row, rtype.added))


def all_record_hashes(conn: Connection, record_type: str) -> Iterator[tuple[str, str]]:
    rtype = RECORD_TYPES[record_type]
    for row in conn.execute(_select_row(rtype.table).order_by(rtype.key_column)):
        yield str(row._mapping[rtype.key]), canonical_hash(row_payload(row, rtype.added))
