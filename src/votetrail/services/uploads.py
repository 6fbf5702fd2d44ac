"""Importing a county's files: all or nothing, re-runnable, and proven by the log.

Each import is one transaction: the files are read as they are stored, and any
error (a corrupt row, the wrong vendor's file) rolls everything back, so the
database is as it was and the import can simply be run again. One log event
records the upload: every file's SHA-256 and record count, and a Merkle root
over the canonical records, so any single CVR can later be proven part of it.
Importing the very same files again is recognised and changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from votetrail.core.ledger.canonical import canonical_bytes, iso_utc
from votetrail.core.ledger.frontier import Frontier
from votetrail.core.ledger.merkle import leaf_hash
from votetrail.core.tally.records import CastVoteRecord, ContestDefinition
from votetrail.errors import InvalidInput, NotFound
from votetrail.formats.ballot_manifest import read_manifest
from votetrail.formats.cvr_files import open_cvr_file
from votetrail.formats.device_counts import CHECK_IN_COLUMNS, PAPER_COLUMNS, read_counts
from votetrail.services.context import App
from votetrail.services.unit_of_work import UnitOfWork, unit_of_work
from votetrail.store.models import CVRS, JURISDICTIONS, UPLOAD_ROWS, UPLOADS
from votetrail.store.rows import insert_many

KINDS = ("cvrs", "manifest", "paper_counts", "check_ins")
_BATCH = 20_000


@dataclass(frozen=True)
class UploadResult:
    id: str
    kind: str
    records: int
    files: list[dict[str, Any]]
    merkle_root: str
    created: bool


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise InvalidInput(f"cannot be read: {exc.strerror}", where=str(path)) from None
    return digest.hexdigest()


def cvr_record(record: CastVoteRecord) -> dict[str, Any]:
    """The canonical form of a CVR: what the upload's Merkle root commits to."""
    return {
        "id": record.id,
        "tabulator": record.tabulator,
        "batch": record.batch,
        "record": record.record,
        "precinct": record.precinct,
        "ballot_type": record.ballot_type,
        "counting_group": record.counting_group,
        "marks": {contest: list(choices) for contest, choices in record.marks.items()},
    }


def _check_jurisdiction(conn: Connection, jurisdiction: str) -> None:
    found = conn.execute(select(JURISDICTIONS.c.kind).where(JURISDICTIONS.c.id == jurisdiction))
    kind = found.scalar()
    if kind is None:
        raise NotFound(f"no jurisdiction {jurisdiction!r}")
    if kind != "county":
        raise InvalidInput("uploads belong to a county", where=f"jurisdiction {jurisdiction!r}")


def current_upload(conn: Connection, jurisdiction: str, kind: str) -> Any:
    return conn.execute(
        select(UPLOADS)
        .where(UPLOADS.c.jurisdiction_id == jurisdiction, UPLOADS.c.kind == kind)
        .order_by(UPLOADS.c.sequence.desc())
        .limit(1)
    ).first()


class _Writer:
    """Stores canonical rows in batches while folding them into the Merkle root."""

    def __init__(self, conn: Connection, upload_id: str, cvrs: bool) -> None:
        self.conn, self.upload_id, self.cvrs = conn, upload_id, cvrs
        self.tree = Frontier(0, [])
        self.pending: list[dict[str, Any]] = []

    def add(self, record: dict[str, Any]) -> None:
        encoded = canonical_bytes(record)
        position = self.tree.size
        self.tree.append(leaf_hash(encoded))
        row: dict[str, Any] = {
            "upload_id": self.upload_id,
            "position": position,
            "record": encoded.decode("utf-8"),
        }
        if self.cvrs:
            row.update(
                cvr_id=record["id"],
                tabulator=record["tabulator"],
                batch=record["batch"],
                precinct=record["precinct"],
            )
        self.pending.append(row)
        if len(self.pending) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            insert_many(self.conn, CVRS if self.cvrs else UPLOAD_ROWS, self.pending)
            self.pending = []

    def root(self) -> str:
        self.flush()
        return self.tree.root().hex()


def _upload(
    app: App,
    actor: str,
    jurisdiction: str,
    kind: str,
    paths: Sequence[Path],
    fill: Any,
) -> UploadResult:
    if not paths:
        raise InvalidInput("give at least one file", where=kind)
    hashes = [sha256_file(path) for path in paths]
    with unit_of_work(app, actor) as uow:
        conn = uow.conn
        _check_jurisdiction(conn, jurisdiction)
        previous = current_upload(conn, jurisdiction, kind)
        if previous is not None:
            earlier = json.loads(previous.files)
            if [f["sha256"] for f in earlier] == hashes:
                return UploadResult(
                    previous.id,
                    kind,
                    previous.records,
                    earlier,
                    previous.merkle_root,
                    created=False,
                )
        sequence = 1 + (
            conn.execute(
                select(func.count())
                .select_from(UPLOADS)
                .where(UPLOADS.c.jurisdiction_id == jurisdiction, UPLOADS.c.kind == kind)
            ).scalar()
            or 0
        )
        upload_id = f"{jurisdiction}-{kind}-{sequence}"
        conn.execute(
            UPLOADS.insert().values(
                id=upload_id,
                jurisdiction_id=jurisdiction,
                kind=kind,
                sequence=sequence,
                files="[]",
                records=0,
                merkle_root="",
                contests="[]",
                imported_at=iso_utc(app.clock()),
            )
        )
        writer = _Writer(conn, upload_id, cvrs=kind == "cvrs")
        files, contests = fill(writer, paths, hashes)
        root = writer.root()
        conn.execute(
            UPLOADS.update()
            .where(UPLOADS.c.id == upload_id)
            .values(
                files=canonical_bytes(files).decode(),
                records=writer.tree.size,
                merkle_root=root,
                contests=canonical_bytes(contests).decode(),
            )
        )
        uow.record(f"upload.{kind}", upload_id, jurisdiction)
        return UploadResult(upload_id, kind, writer.tree.size, files, root, created=True)


def _definitions(all_contests: Iterable[ContestDefinition]) -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for c in all_contests:
        shape = {
            "name": c.name,
            "votes_allowed": c.votes_allowed,
            "choices": list(c.choices),
            "write_ins": sorted(c.write_ins),
        }
        if out.setdefault(c.name, shape) != shape:
            raise InvalidInput("is defined differently in two files", where=f"contest {c.name!r}")
    return list(out.values())


def import_cvrs(app: App, actor: str, jurisdiction: str, paths: Sequence[Path]) -> UploadResult:
    def fill(writer: _Writer, files: Sequence[Path], hashes: list[str]) -> Any:
        described, definitions, seen = [], [], set()
        for path, digest in zip(files, hashes, strict=True):
            opened = open_cvr_file(path)
            definitions.extend(opened.contests)
            before = writer.tree.size
            for record in opened.records():
                if record.id in seen:
                    raise InvalidInput("appears in two files", where=f"{path}, CVR {record.id!r}")
                seen.add(record.id)
                writer.add(cvr_record(record))
            described.append(
                {
                    "name": path.name,
                    "sha256": digest,
                    "format": opened.format,
                    "records": writer.tree.size - before,
                }
            )
        return described, _definitions(definitions)

    return _upload(app, actor, jurisdiction, "cvrs", paths, fill)


def import_manifest(app: App, actor: str, jurisdiction: str, path: Path) -> UploadResult:
    def fill(writer: _Writer, files: Sequence[Path], hashes: list[str]) -> Any:
        for batch in read_manifest(files[0]):
            writer.add(
                {
                    "container": batch.container,
                    "tabulator": batch.tabulator,
                    "batch": batch.name,
                    "ballots": batch.ballots,
                }
            )
        return [
            {
                "name": files[0].name,
                "sha256": hashes[0],
                "format": "ballot manifest CSV",
                "records": writer.tree.size,
            }
        ], []

    return _upload(app, actor, jurisdiction, "manifest", [path], fill)


def import_counts(app: App, actor: str, jurisdiction: str, kind: str, path: Path) -> UploadResult:
    """Paper-record counts per device (``paper_counts``) or check-ins per precinct."""
    columns = {"paper_counts": PAPER_COLUMNS, "check_ins": CHECK_IN_COLUMNS}.get(kind)
    if columns is None:
        raise InvalidInput("must be paper_counts or check_ins", where=f"kind {kind!r}")

    def fill(writer: _Writer, files: Sequence[Path], hashes: list[str]) -> Any:
        for place, count in read_counts(files[0], columns).items():
            writer.add({"place": place, "count": count})
        return [
            {
                "name": files[0].name,
                "sha256": hashes[0],
                "format": f"{kind} CSV",
                "records": writer.tree.size,
            }
        ], []

    return _upload(app, actor, jurisdiction, kind, [path], fill)


def stored_records(conn: Connection, upload_id: str, cvrs: bool) -> Iterator[tuple[int, str]]:
    """An upload's canonical rows in order, read in pages so memory stays flat."""
    table = CVRS if cvrs else UPLOAD_ROWS
    after = -1
    while True:
        rows = conn.execute(
            select(table.c.position, table.c.record)
            .where(table.c.upload_id == upload_id, table.c.position > after)
            .order_by(table.c.position)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        for row in rows:
            yield int(row.position), str(row.record)
        after = int(rows[-1].position)


__all__ = [
    "KINDS",
    "UnitOfWork",
    "UploadResult",
    "import_counts",
    "import_cvrs",
    "import_manifest",
    "stored_records",
]
