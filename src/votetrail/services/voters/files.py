"""Voter data in and out as files: voter-file and VRI imports, poll books, VRI exports, who voted.

Imports hand the reader's records to ``imports.import_voters`` (one
transaction, re-runnable). Every export is logged with its SHA-256, because
a poll book or an exported list is voter data leaving the system, and the
office should be able to say exactly what left and when. Who voted is a
ledgered record per election (``voters.participation_updated``), so no vote
can be added to or taken from it in SQL unseen.
"""

from __future__ import annotations

import csv
import hashlib
from datetime import date
from pathlib import Path

from sqlalchemy import Connection, select

from votetrail.core.access import Principal
from votetrail.core.voters.participation import participation_digest
from votetrail.core.voters.record import Status, VoterRecord
from votetrail.errors import InvalidInput
from votetrail.formats.voters.delimited import (
    PRESETS,
    ColumnMap,
    file_parts,
    read_voter_file,
)
from votetrail.formats.voters.poll_book import poll_books_zip
from votetrail.formats.voters.vri import read_vri, write_vri_json
from votetrail.services.context import App
from votetrail.services.digests import sha256_file
from votetrail.services.unit_of_work import unit_of_work
from votetrail.services.voters import imports as voter_imports
from votetrail.services.voters import records as voters
from votetrail.services.voters.imports import FileParts, ImportResult, import_voters
from votetrail.store import voter_rows
from votetrail.store.models import VOTER_PARTICIPATION, VOTERS


def column_map(spec: str) -> ColumnMap:
    """A preset's name (votetrail, nc, ohio, florida) or a TOML column-map file."""
    if spec in PRESETS:
        return PRESETS[spec]
    path = Path(spec)
    if not path.exists():
        raise InvalidInput(
            f"is neither a preset ({', '.join(sorted(PRESETS))}) nor a column-map file",
            where=spec,
        )
    return ColumnMap.from_toml(path)


def import_file(
    app: App,
    principal: Principal,
    path: Path,
    *,
    fmt: str = "csv",
    columns: str = "votetrail",
    county: str | None = None,
    in_parts: bool = True,
) -> ImportResult:
    """Load a voter file; ``in_parts=False`` reads it in one stream even when it is large.

    The stream is how every file was read before issue 21; it stays for files
    that cannot be cut at line ends, and for tests and the benchmark to compare
    the two ways.
    """
    digest = sha256_file(path)
    expected = path.stat().st_size // 80  # a record takes at least ~80 bytes
    parts = None
    if fmt == "csv":
        layout = column_map(columns)
        items = read_voter_file(path, layout, county=county)
        label = f"csv:{columns if columns in PRESETS else Path(columns).name}"
        large = expected >= voter_imports.PARALLEL_FROM  # a small file is not worth a pass
        found = file_parts(path, layout) if in_parts and large else None
        parts = FileParts(path, layout, found) if found is not None else None
    elif fmt == "vri":
        if county is None:
            raise InvalidInput("a VRI file is loaded for one county: give --county")
        items = iter(read_vri(path, county=county))
        label = "vri"
    else:
        raise InvalidInput(f"unknown format {fmt!r}; use csv or vri")
    return import_voters(
        app,
        principal,
        items,
        file_name=str(path),
        sha256=digest,
        fmt=label,
        county=county,
        expected=expected,
        parts=parts,
    )


def _records(app: App, principal: Principal, county: str) -> list[VoterRecord]:
    voters.require_voters(app, principal, county, "export voters")
    with app.engine.connect() as conn:
        return list(voter_rows.stream(conn, county=county))


def poll_books(app: App, principal: Principal, county: str, election: str) -> bytes:
    """The county's check-in lists for one election, one CSV per precinct, in a ZIP."""
    records = [r for r in _records(app, principal, county) if r.status is not Status.CANCELLED]
    data = poll_books_zip(records, election=election)
    with unit_of_work(app, principal.username) as uow:
        uow.note(
            "voters.exported",
            {
                "what": "poll books",
                "election": election,
                "records": len(records),
                "sha256": hashlib.sha256(data).hexdigest(),
            },
            county,
        )
    return data


def vri_export(app: App, principal: Principal, county: str, issuer: str) -> str:
    """The county's records as NIST SP 1500-102 VoterRecordResults (public fields only)."""
    records = _records(app, principal, county)
    text = write_vri_json(records, issuer=issuer, generated=voters.today(app))
    with unit_of_work(app, principal.username) as uow:
        uow.note(
            "voters.exported",
            {
                "what": "VRI voter records",
                "records": len(records),
                "sha256": hashlib.sha256(text.encode()).hexdigest(),
            },
            county,
        )
    return text


def load_participation(
    app: App, principal: Principal, path: Path, *, election: str, voted_on: date, county: str
) -> int:
    """Who voted (CSV: ``voter_id``, optional ``method``), so later changes are flagged."""
    voters.require_voters(app, principal, county, "load who voted")
    rows: list[dict[str, str]] = []
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InvalidInput(f"cannot be read: {exc.strerror}", where=str(path)) from None
    with handle:
        reader = csv.DictReader(handle)
        if "voter_id" not in (reader.fieldnames or []):
            raise InvalidInput("needs a voter_id column", where=str(path))
        for row in reader:
            voter_id = (row.get("voter_id") or "").strip()
            if not voter_id:
                raise InvalidInput("voter_id is empty", where=f"{path}:{reader.line_num}")
            rows.append(
                {
                    "voter_id": voter_id,
                    "election": election,
                    "voted_on": voted_on.isoformat(),
                    "method": (row.get("method") or "in-person").strip()[:16],
                }
            )
    with unit_of_work(app, principal.username) as uow:
        ids = [r["voter_id"] for r in rows]
        known: set[str] = set()
        for start in range(0, len(ids), 900):
            known.update(
                v
                for (v,) in uow.conn.execute(
                    select(VOTERS.c.voter_id)
                    .where(VOTERS.c.voter_id.in_(ids[start : start + 900]))
                    .where(VOTERS.c.county == county)
                )
            )
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise InvalidInput(
                f"{len(unknown)} voter id(s) are not {county} voters, e.g. {unknown[0]}",
                where=str(path),
            )
        for start in range(0, len(rows), 900):
            chunk = rows[start : start + 900]
            uow.conn.execute(
                VOTER_PARTICIPATION.delete()
                .where(VOTER_PARTICIPATION.c.election == election)
                .where(VOTER_PARTICIPATION.c.voter_id.in_([r["voter_id"] for r in chunk]))
            )
            uow.conn.execute(VOTER_PARTICIPATION.insert(), chunk)
        uow.note(
            "voters.participation_loaded",
            {"election": election, "records": len(rows), "sha256": sha256_file(path)},
            county,
        )
        uow.record_hashed(
            "voters.participation_updated",
            "voter_participation",
            election,
            county,
            participation_hash(uow.conn, election),
        )
    return len(rows)


def participation_hash(conn: Connection, election: str) -> str:
    """The digest of who voted in ``election`` as stored now (``verify`` recomputes it)."""
    rows = conn.execute(
        select(
            VOTER_PARTICIPATION.c.voter_id,
            VOTER_PARTICIPATION.c.voted_on,
            VOTER_PARTICIPATION.c.method,
        )
        .where(VOTER_PARTICIPATION.c.election == election)
        .order_by(VOTER_PARTICIPATION.c.voter_id)
        .execution_options(yield_per=20_000)  # per statement: the transaction goes on
    )
    return participation_digest(election, ((v, d, m) for v, d, m in rows))
