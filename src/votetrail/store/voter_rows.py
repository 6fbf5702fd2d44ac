"""Voter records to rows and back, and the stored buckets of the voter map.

The row is a flat copy of the record (addresses split into columns, dates as
ISO text) so both backends return exactly what was written and ``verify`` can
rebuild the record, hash it and compare with the log.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from sqlalchemy import Connection, delete, func, select

from votetrail.core.voters import voter_map
from votetrail.core.voters.record import Address, Protected, Status, VoterRecord
from votetrail.store.models import VOTER_BUCKETS, VOTER_MAP, VOTERS
from votetrail.store.rows import insert_many

MAP_ID = "voters"


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def record_to_row(record: VoterRecord, version_hash: str | None = None) -> dict[str, Any]:
    """The row for ``record``; pass ``version_hash`` when the caller has it already."""
    return {
        "voter_id": record.voter_id,
        "county": record.county,
        "version": record.version,
        "status": record.status.value,
        "status_reason": record.status_reason,
        "first_name": record.first_name,
        "middle_name": record.middle_name,
        "last_name": record.last_name,
        "suffix": record.suffix,
        "res_street": record.residence.street,
        "res_city": record.residence.city,
        "res_state": record.residence.state,
        "res_zip": record.residence.zip,
        "mail_street": record.mailing.street,
        "mail_city": record.mailing.city,
        "mail_state": record.mailing.state,
        "mail_zip": record.mailing.zip,
        "precinct": record.precinct,
        "ballot_style": record.ballot_style,
        "party": record.party,
        "gender": record.gender,
        "registered_on": record.registered_on.isoformat(),
        "status_since": record.status_since.isoformat(),
        "notice_sent_on": _day(record.notice_sent_on),
        "dob_mac": record.dob.mac,
        "dob_sealed": record.dob.sealed,
        "ssn4_mac": record.ssn4.mac,
        "ssn4_sealed": record.ssn4.sealed,
        "dl_mac": record.drivers_license.mac,
        "dl_sealed": record.drivers_license.sealed,
        "version_hash": version_hash or record.version_hash(),
        "bucket": voter_map.bucket_of(record.voter_id),
    }


def row_to_record(row: Any) -> VoterRecord:
    m = row._mapping if hasattr(row, "_mapping") else row
    notice = m["notice_sent_on"]
    return VoterRecord(
        voter_id=m["voter_id"],
        county=m["county"],
        version=m["version"],
        status=Status(m["status"]),
        status_reason=m["status_reason"],
        first_name=m["first_name"],
        middle_name=m["middle_name"],
        last_name=m["last_name"],
        suffix=m["suffix"],
        residence=Address(m["res_street"], m["res_city"], m["res_state"], m["res_zip"]),
        mailing=Address(m["mail_street"], m["mail_city"], m["mail_state"], m["mail_zip"]),
        precinct=m["precinct"],
        ballot_style=m["ballot_style"],
        party=m["party"],
        gender=m["gender"],
        registered_on=date.fromisoformat(m["registered_on"]),
        status_since=date.fromisoformat(m["status_since"]),
        notice_sent_on=None if notice is None else date.fromisoformat(notice),
        dob=Protected(m["dob_mac"], m["dob_sealed"]),
        ssn4=Protected(m["ssn4_mac"], m["ssn4_sealed"]),
        drivers_license=Protected(m["dl_mac"], m["dl_sealed"]),
    )


def get(conn: Connection, voter_id: str) -> VoterRecord | None:
    row = conn.execute(select(VOTERS).where(VOTERS.c.voter_id == voter_id)).first()
    return None if row is None else row_to_record(row)


def stream(conn: Connection, *, county: str | None = None) -> Iterator[VoterRecord]:
    query = select(VOTERS).order_by(VOTERS.c.voter_id)
    if county is not None:
        query = query.where(VOTERS.c.county == county)
    for row in conn.execution_options(yield_per=10_000).execute(query):
        yield row_to_record(row)


def bucket_entries(conn: Connection, bucket: int) -> list[tuple[str, str]]:
    """The sorted ``(voter_id, version_hash)`` pairs of one bucket, as stored."""
    rows = conn.execute(
        select(VOTERS.c.voter_id, VOTERS.c.version_hash)
        .where(VOTERS.c.bucket == bucket)
        .order_by(VOTERS.c.voter_id)
    )
    return [(str(v), str(h)) for v, h in rows]


def bucket_roots(conn: Connection) -> list[bytes]:
    """All stored bucket roots; a bucket with no row is an empty tree."""
    empty = voter_map.bucket_root([])
    roots = [empty] * voter_map.BUCKETS
    for bucket, root in conn.execute(select(VOTER_BUCKETS.c.bucket, VOTER_BUCKETS.c.root)):
        roots[bucket] = bytes.fromhex(root)
    return roots


def refresh_buckets(conn: Connection, buckets: Iterable[int]) -> tuple[bytes, int]:
    """Recompute the given buckets from the voters table; store them and the new map root.

    Returns the map root and the number of voters. The ``voter_map`` row is
    the ledgered one: the caller logs ``voters.map_updated`` right after.
    """
    wanted = sorted(set(buckets))
    if len(wanted) > voter_map.BUCKETS // 4:
        # Cheaper to stream the whole table once than to query bucket by bucket.
        grouped: dict[int, list[tuple[str, str]]] = {b: [] for b in wanted}
        for bucket, voter_id, version_hash in conn.execute(
            select(VOTERS.c.bucket, VOTERS.c.voter_id, VOTERS.c.version_hash).order_by(
                VOTERS.c.voter_id
            )
        ):
            if bucket in grouped:
                grouped[bucket].append((voter_id, version_hash))
    else:
        grouped = {b: bucket_entries(conn, b) for b in wanted}
    conn.execute(delete(VOTER_BUCKETS).where(VOTER_BUCKETS.c.bucket.in_(wanted)))
    insert_many(
        conn,
        VOTER_BUCKETS,
        [
            {"bucket": b, "root": voter_map.bucket_root(entries).hex(), "size": len(entries)}
            for b, entries in grouped.items()
            if entries
        ],
    )
    root = voter_map.map_root(bucket_roots(conn))
    count = int(conn.execute(select(func.count()).select_from(VOTERS)).scalar_one())
    conn.execute(delete(VOTER_MAP))
    conn.execute(VOTER_MAP.insert().values(id=MAP_ID, root=root.hex(), voters=count))
    return root, count


def map_state(conn: Connection) -> tuple[str, int] | None:
    row = conn.execute(select(VOTER_MAP.c.root, VOTER_MAP.c.voters)).first()
    return None if row is None else (str(row[0]), int(row[1]))
