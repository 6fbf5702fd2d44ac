"""Importing a county's files: all or nothing, re-runnable, and proven by the log.

Each import is one transaction: the files are read as they are stored, and any
error (a corrupt row, the wrong vendor's file) rolls everything back, so the
database is as it was and the import can simply be run again. One log event
records the upload: every file's SHA-256 and record count, and a Merkle root
over the canonical records, so any single CVR can later be proven part of it.
Importing the very same files again is recognised and changes nothing.

CVR uploads accumulate (a county may send one tabulator's file at a time), and
a ballot already in a current upload is refused, both files named. Replacing an
upload is explicit: the caller names it (``replace``) and the replacement is
logged in the same transaction (``services/counting/current_uploads.py``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from hashlib import sha256
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, insert, select

from votetrail.core.ledger.canonical import canonical_bytes, iso_utc
from votetrail.core.ledger.frontier import Frontier
from votetrail.core.ledger.merkle import LEAF_PREFIX, NODE_PREFIX
from votetrail.core.tally.records import CastVoteRecord, ContestDefinition
from votetrail.errors import InvalidInput, NotFound
from votetrail.services.context import App
from votetrail.services.counting.current_uploads import (
    current_uploads,
    describe,
    file_holding,
    record_replacement,
    replaced_upload,
)
from votetrail.services.digests import sha256_file
from votetrail.services.unit_of_work import UnitOfWork, unit_of_work
from votetrail.store.models import CVRS, JURISDICTIONS, UPLOAD_ROWS, UPLOADS
from votetrail.store.rows import insert_many
from votetrail.store.upload_rows import stored_records

# The file readers are imported by the import functions that use them: every vendor's CVR
# reader costs a fifth of a second to import, and ``votetrail verify`` and the results
# pages read only the stored rows (``stored_records``).

KINDS = ("cvrs", "manifest", "paper_counts", "check_ins", "reported_results")
_BATCH = 20_000
_CVR_COLUMNS = ("upload_id", "position", "cvr_id", "tabulator", "batch", "precinct", "record")


@dataclass(frozen=True)
class UploadResult:
    id: str
    kind: str
    records: int
    files: list[dict[str, Any]]
    merkle_root: str
    created: bool
    replaced: str | None = None
    """The upload this one replaced (logged as ``upload.replaced``), if any."""


def cvr_record(record: CastVoteRecord) -> dict[str, Any]:
    """The canonical form of a CVR: what the upload's Merkle root commits to.

    ``ranks`` (ranked-choice contests, rank by rank) is there only when the
    card has a ranked contest, so a plurality CVR's form, and every Merkle root
    logged before ranked contests were read, stay as they were.
    """
    ranked = {contest: [list(rank) for rank in ranks] for contest, ranks in record.ranks.items()}
    return {
        "id": record.id,
        "tabulator": record.tabulator,
        "batch": record.batch,
        "record": record.record,
        "precinct": record.precinct,
        "ballot_type": record.ballot_type,
        "counting_group": record.counting_group,
        "marks": {contest: list(choices) for contest, choices in record.marks.items()},
    } | ({"ranks": ranked} if ranked else {})


_MARKS_CACHE: dict[tuple[tuple[str, tuple[str, ...]], ...], str] = {}
_MARKS_CACHE_SIZE = 4096  # distinct ballots' marks repeat: a few contests, few choices


def _marks_text(marks: Mapping[str, tuple[str, ...]]) -> str:
    """The canonical ``marks`` object without its braces; cached, as cards repeat them."""
    key = tuple(marks.items())
    try:
        text = _MARKS_CACHE.get(key)
    except TypeError:  # a reader gave lists, not tuples: encode without the cache
        return _encode_marks(marks)
    if text is None:
        text = _encode_marks(marks)
        if len(_MARKS_CACHE) >= _MARKS_CACHE_SIZE:
            _MARKS_CACHE.clear()
        _MARKS_CACHE[key] = text
    return text


def _encode_marks(marks: Mapping[str, Sequence[str]]) -> str:
    q = encode_basestring
    return ",".join(
        [q(contest) + ":[" + ",".join(map(q, marks[contest])) + "]" for contest in sorted(marks)]
    )


def _ranks_text(ranks: Mapping[str, Sequence[Sequence[str]]]) -> str:
    """The canonical ``ranks`` object without its braces: per contest, a list per rank."""
    q = encode_basestring
    return ",".join(
        [
            q(contest)
            + ":["
            + ",".join(["[" + ",".join(map(q, rank)) + "]" for rank in ranks[contest]])
            + "]"
            for contest in sorted(ranks)
        ]
    )


def cvr_text(record: CastVoteRecord) -> str:
    """``canonical_bytes(cvr_record(record))`` as text, written out for speed.

    The same bytes: keys in code-point order, no white space, strings through
    the encoder ``json.dumps(..., ensure_ascii=False)`` uses; a CVR's fields are
    only text, None and tuples of text, which the canonical form keeps as they are.
    """
    q = encode_basestring
    r = record
    return (
        '{"ballot_type":'
        + ("null" if r.ballot_type is None else q(r.ballot_type))
        + ',"batch":'
        + ("null" if r.batch is None else q(r.batch))
        + ',"counting_group":'
        + ("null" if r.counting_group is None else q(r.counting_group))
        + ',"id":'
        + q(r.id)
        + ',"marks":{'
        + _marks_text(r.marks)
        + '},"precinct":'
        + ("null" if r.precinct is None else q(r.precinct))
        + (',"ranks":{' + _ranks_text(r.ranks) + "}" if r.ranks else "")
        + ',"record":'
        + ("null" if r.record is None else q(r.record))
        + ',"tabulator":'
        + ("null" if r.tabulator is None else q(r.tabulator))
        + "}"
    )


def _check_jurisdiction(conn: Connection, jurisdiction: str) -> None:
    """The county must exist; its row is locked so two uploads of one county take turns.

    (Each checks its records against the county's current ones, so they must
    not both pass that check unseen by the other; SQLite's write transaction
    already serialises them. PostgreSQL's FOR NO KEY UPDATE still lets other
    work insert rows that refer to the county meanwhile.)
    """
    found = conn.execute(
        select(JURISDICTIONS.c.kind)
        .where(JURISDICTIONS.c.id == jurisdiction)
        .with_for_update(key_share=True)
    )
    kind = found.scalar()
    if kind is None:
        raise NotFound(f"no jurisdiction {jurisdiction!r}")
    if kind != "county":
        raise InvalidInput("uploads belong to a county", where=f"jurisdiction {jurisdiction!r}")


class _Writer:
    """Stores canonical rows in batches while folding them into the Merkle root."""

    def __init__(self, conn: Connection, upload_id: str, cvrs: bool) -> None:
        self.conn, self.upload_id, self.cvrs = conn, upload_id, cvrs
        self.size = 0
        # The frontier as Frontier keeps it: (level, hash) per perfect subtree, largest first.
        self._stack: list[tuple[int, bytes]] = []
        self.pending: list[dict[str, Any]] = []
        self.cvr_rows: list[tuple[Any, ...]] = []  # add_cvr's rows, in _CVR_COLUMNS order
        compiled = insert(CVRS).compile(dialect=conn.dialect) if cvrs else None
        self._cvr_insert = (
            compiled.string
            if compiled is not None
            and compiled.positional
            and tuple(compiled.positiontup or ()) == _CVR_COLUMNS
            else None
        )

    @property
    def tree(self) -> Frontier:
        return Frontier(self.size, [h for _, h in self._stack])

    def _leaf(self, encoded: bytes) -> int:
        """Fold one record in as ``Frontier.append`` does, without listing the nodes it stores."""
        position = self.size
        stack = self._stack
        stack.append((0, sha256(LEAF_PREFIX + encoded).digest()))  # merkle.leaf_hash, inlined
        while len(stack) > 1 and stack[-1][0] == stack[-2][0]:
            level, right = stack.pop()
            stack.append((level + 1, sha256(NODE_PREFIX + stack.pop()[1] + right).digest()))
        self.size = position + 1
        return position

    def add(self, record: dict[str, Any]) -> None:
        encoded = canonical_bytes(record)
        position = self._leaf(encoded)
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

    def add_cvr(self, record: CastVoteRecord) -> None:
        """``add(cvr_record(record))``, without building and re-walking the dict."""
        text = cvr_text(record)
        position = self._leaf(text.encode("utf-8"))
        rows = self.cvr_rows
        rows.append(
            (
                self.upload_id,
                position,
                record.id,
                record.tabulator,
                record.batch,
                record.precinct,
                text,
            )
        )
        if len(rows) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        if self.cvr_rows:
            if self._cvr_insert is not None:  # the driver takes the tuples as they are
                self.conn.exec_driver_sql(self._cvr_insert, self.cvr_rows)
            else:
                named = [dict(zip(_CVR_COLUMNS, row, strict=True)) for row in self.cvr_rows]
                insert_many(self.conn, CVRS, named)
            self.cvr_rows = []
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
    replace: str | None,
) -> UploadResult:
    if not paths:
        raise InvalidInput("give at least one file", where=kind)
    hashes = [sha256_file(path) for path in paths]
    with unit_of_work(app, actor) as uow:
        conn = uow.conn
        _check_jurisdiction(conn, jurisdiction)
        current = current_uploads(conn, jurisdiction, kind)
        for previous in current:
            earlier = json.loads(previous.files)
            if [f["sha256"] for f in earlier] == hashes and replace in (None, previous.id):
                return UploadResult(
                    previous.id,
                    kind,
                    previous.records,
                    earlier,
                    previous.merkle_root,
                    created=False,
                )
        replaced = replaced_upload(conn, jurisdiction, kind, current, replace)
        others = [u for u in current if replaced is None or u.id != replaced.id]
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
        files, contests = fill(writer, paths, hashes, others)
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
        if replaced is not None:
            record_replacement(uow, replaced.id, upload_id, jurisdiction)
        return UploadResult(
            upload_id,
            kind,
            writer.tree.size,
            files,
            root,
            created=True,
            replaced=None if replaced is None else replaced.id,
        )


def _definitions(all_contests: Iterable[ContestDefinition]) -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for c in all_contests:
        shape = {
            "name": c.name,
            "votes_allowed": c.votes_allowed,
            "choices": list(c.choices),
            "write_ins": sorted(c.write_ins),
        } | ({"ranks": c.ranks} if c.ranked else {})  # plurality contests stored as before
        if out.setdefault(c.name, shape) != shape:
            raise InvalidInput("is defined differently in two files", where=f"contest {c.name!r}")
    return list(out.values())


_HELD = "\x00"
"""Marks a value of ``_held_ids`` as an upload id (a file name cannot hold a NUL)."""


def _held_ids(conn: Connection, uploads: Sequence[Any]) -> dict[str, str]:
    """CVR id -> NUL + id of the current upload holding it, for every CVR the county has."""
    held: dict[str, str] = {}
    for upload in uploads:
        upload_id = _HELD + str(upload.id)  # one string shared by every id of the upload
        rows = conn.execute(select(CVRS.c.cvr_id).where(CVRS.c.upload_id == upload.id))
        held.update(dict.fromkeys(rows.scalars(), upload_id))
    return held


def _check_limits(contests: list[dict[str, Any]], names: str, others: Sequence[Any]) -> None:
    """A contest must allow the same number of votes in every file the county counts."""
    allowed = {c["name"]: c["votes_allowed"] for c in contests}
    for upload in others:
        for c in json.loads(upload.contests):
            mine = allowed.get(c["name"])
            if mine is not None and mine != c["votes_allowed"]:
                raise InvalidInput(
                    f"allows {mine} votes in {names} "
                    f"but {c['votes_allowed']} in {describe(upload)}",
                    where=f"contest {c['name']!r}",
                )


def import_cvrs(
    app: App,
    actor: str,
    jurisdiction: str,
    paths: Sequence[Path],
    replace: str | None = None,
) -> UploadResult:
    """Add the files to the county's CVRs, or with ``replace`` put them in that upload's place.

    A CVR id (the county-wide ballot id every reader builds, see docs/cvr.md)
    already in another file of this upload or in a current upload is refused,
    naming both files, and nothing is written.
    """
    from votetrail.formats.cvr.read import open_cvr_file

    def fill(
        writer: _Writer, files: Sequence[Path], hashes: list[str], others: Sequence[Any]
    ) -> Any:
        described, definitions = [], []
        by_id = {str(u.id): u for u in others}
        seen = _held_ids(writer.conn, others)
        for path, digest in zip(files, hashes, strict=True):
            opened = open_cvr_file(path)
            definitions.extend(opened.contests)
            before = writer.tree.size
            name = path.name
            for record in opened.records():
                holder = seen.get(record.id)
                if holder is not None:
                    first = holder
                    if holder.startswith(_HELD):
                        earlier = by_id[holder[1:]]
                        found = file_holding(writer.conn, earlier, record.id)
                        first = f"{found} (upload {earlier.id})"
                    raise InvalidInput(
                        f"appears in both {first} and {name}; a ballot may be counted once: "
                        "if this file corrects an earlier one, replace that upload instead",
                        where=f"{path}, CVR {record.id!r}",
                    )
                seen[record.id] = name
                writer.add_cvr(record)
            described.append(
                {
                    "name": path.name,
                    "sha256": digest,
                    "format": opened.format,
                    "records": writer.tree.size - before,
                }
            )
        contests = _definitions(definitions)
        _check_limits(contests, ", ".join(p.name for p in files), others)
        return described, contests

    return _upload(app, actor, jurisdiction, "cvrs", paths, fill, replace)


def _one_file(path: Path, digest: str, fmt: str, writer: _Writer) -> list[dict[str, Any]]:
    """The description of a one-file upload: its name, SHA-256, format and record count."""
    return [{"name": path.name, "sha256": digest, "format": fmt, "records": writer.tree.size}]


def import_manifest(
    app: App, actor: str, jurisdiction: str, path: Path, replace: str | None = None
) -> UploadResult:
    """The county's ballot manifest; a second one must name the current one in ``replace``."""
    from votetrail.formats.cvr.manifest import read_manifest

    def fill(writer: _Writer, files: Sequence[Path], hashes: list[str], _: object) -> Any:
        for batch in read_manifest(files[0]):
            writer.add(
                {
                    "container": batch.container,
                    "tabulator": batch.tabulator,
                    "batch": batch.name,
                    "ballots": batch.ballots,
                }
            )
        return _one_file(files[0], hashes[0], "ballot manifest CSV", writer), []

    return _upload(app, actor, jurisdiction, "manifest", [path], fill, replace)


def import_counts(
    app: App,
    actor: str,
    jurisdiction: str,
    kind: str,
    path: Path,
    replace: str | None = None,
) -> UploadResult:
    """Paper-record counts per device (``paper_counts``) or check-ins per precinct.

    Each is the county's whole list, so a second one must name the current one
    in ``replace``.
    """
    from votetrail.formats.accounting.device_counts import (
        CHECK_IN_COLUMNS,
        PAPER_COLUMNS,
        read_counts,
    )

    columns = {"paper_counts": PAPER_COLUMNS, "check_ins": CHECK_IN_COLUMNS}.get(kind)
    if columns is None:
        raise InvalidInput("must be paper_counts or check_ins", where=f"kind {kind!r}")

    def fill(writer: _Writer, files: Sequence[Path], hashes: list[str], _: object) -> Any:
        for place, count in read_counts(files[0], columns).items():
            writer.add({"place": place, "count": count})
        return _one_file(files[0], hashes[0], f"{kind} CSV", writer), []

    return _upload(app, actor, jurisdiction, kind, [path], fill, replace)


def import_reported_results(
    app: App, actor: str, jurisdiction: str, path: Path, replace: str | None = None
) -> UploadResult:
    """The totals the county reported (``contest,choice,votes``), which its CVRs must equal.

    The county's whole published result, so a second one must name the
    current one in ``replace``. One stored row per contest and choice.
    """
    from votetrail.formats.tally.reported import read_reported_results

    def fill(writer: _Writer, files: Sequence[Path], hashes: list[str], _: object) -> Any:
        for contest, choices in read_reported_results(files[0]).items():
            for choice, votes in choices.items():
                writer.add({"contest": contest, "choice": choice, "votes": votes})
        return _one_file(files[0], hashes[0], "reported results CSV", writer), []

    return _upload(app, actor, jurisdiction, "reported_results", [path], fill, replace)


__all__ = [
    "KINDS",
    "UnitOfWork",
    "UploadResult",
    "import_counts",
    "import_cvrs",
    "import_manifest",
    "import_reported_results",
    "stored_records",
]
