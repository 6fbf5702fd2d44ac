"""``votetrail verify``: recompute the log and every ledgered record from the database.

The application is not trusted here. Each entry is re-encoded and re-hashed
from its columns, the tree is rebuilt, every signed checkpoint is checked
against the rebuilt tree, and every ledgered row is re-hashed and compared with
the last event that logged it. Anything changed in SQL behind the
application's back shows up as a named discrepancy.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from votetrail.core.ledger.canonical import iso_utc
from votetrail.core.ledger.checkpoint import Checkpoint
from votetrail.core.ledger.events import EVENT_TYPES
from votetrail.core.ledger.merkle import empty_root, fold_subtrees, leaf_hash, node_hash, subtrees
from votetrail.core.ledger.note import NoteVerifier, open_note
from votetrail.core.ledger.rotation import open_rotation
from votetrail.errors import VerificationFailed
from votetrail.services.context import App
from votetrail.services.keys import rotation_notes
from votetrail.services.netmon.verify import check_netmon
from votetrail.services.publications.verify import check_publication_files
from votetrail.services.verify_columns import check_checkpoint_rows, check_cvr_columns
from votetrail.services.voters.verify import check_voters
from votetrail.store import ledger
from votetrail.store.models import UPLOADS
from votetrail.store.records import RECORD_TYPES, all_record_hashes
from votetrail.store.upload_rows import stored_records

Progress = Callable[[str, int, int], None]


@dataclass
class VerifyReport:
    size: int = 0
    checkpoints: int = 0
    records: int = 0
    problems: list[str] = field(default_factory=list)
    parts: dict[str, float] = field(default_factory=dict, compare=False)
    """Seconds each part of the check took (summed over its pieces when they ran in
    helper processes), so a slow verify says where its time went."""
    cpu: dict[str, float] = field(default_factory=dict, compare=False)
    """The CPU seconds of each part: unlike ``parts``, not stretched by other work."""
    workers: int = field(default=1, compare=False)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _LastEvent:
    seq: int
    event_type: str
    payload_hash: str


def _levels(leaves: list[bytes]) -> list[list[bytes]]:
    levels = [leaves]
    level = leaves
    while len(level) > 1:
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        levels.append(level)
    return levels


def _root(levels: list[list[bytes]], size: int) -> bytes:
    if size == 0:
        return empty_root()
    return fold_subtrees([levels[s.level][s.index] for s in subtrees(0, size)])


@dataclass(frozen=True)
class Trust:
    """What the checks take from the application besides the database: plain values, so a
    helper process can be handed them (the signing key itself never leaves this process)."""

    verifier: NoteVerifier
    origin: str
    data_dir: Path
    now: str

    @classmethod
    def of(cls, app: App) -> Trust:
        return cls(app.signer.verifier, app.origin, app.data_dir, iso_utc(app.clock()))


class _Verifier:
    def __init__(self, trust: Trust, conn: Connection, progress: Progress | None) -> None:
        self.trust = trust
        self.conn = conn
        self.progress = progress
        self.report = VerifyReport()
        self.last_events: dict[tuple[str, str], _LastEvent] = {}
        self.keys: list[tuple[int, NoteVerifier]] = [(0, trust.verifier)]
        """(first checkpoint size it signs, key), oldest first; more than one after rotations."""

    def problem(self, text: str) -> None:
        self.report.problems.append(text)

    def timed(self, part: str, check: Callable[[], Any]) -> Any:
        start, start_cpu = time.perf_counter(), time.process_time()
        result = check()
        self.report.parts[part] = self.report.parts.get(part, 0.0) + time.perf_counter() - start
        spent = time.process_time() - start_cpu
        self.report.cpu[part] = self.report.cpu.get(part, 0.0) + spent
        return result

    def run(self, published: Sequence[str]) -> VerifyReport:
        """Every part in order, in this process: the order the report lists problems in."""
        self.timed("log", lambda: self.check_log(published))
        self.timed("uploads", self._check_uploads)
        self.timed("cvr columns", lambda: check_cvr_columns(self.conn, self.problem))
        self.report.records += self.timed("voters", lambda: check_voters(self.conn, self.problem))
        self.report.records += self.timed("netmon", lambda: check_netmon(self.conn, self.problem))
        self.timed(
            "publications",
            lambda: check_publication_files(self.conn, self.trust.data_dir, self.problem),
        )
        return self.report

    def check_log(self, published: Sequence[str]) -> None:
        """The log, its tree, checkpoints and key rotations, and every ledgered record.

        One part because the records are held to the last event the entries name.
        """
        try:
            head_size, head_root = ledger.head(self.conn)
        except VerificationFailed as exc:
            self.problem(str(exc))
            head_size, head_root = -1, b""
        stored, inner = self._read_nodes()
        recomputed = self._check_entries(stored, head_size)
        if head_size < 0:
            head_size = len(recomputed)
        self.report.size = len(recomputed)
        from_stored = self._check_nodes(stored, inner)
        # Untouched, the stored leaves are the recomputed ones: one tree, not two.
        levels = from_stored if from_stored[0] == recomputed else _levels(recomputed)
        self._check_rotations(levels)
        if len(recomputed) == head_size and _root(levels, head_size) != head_root:
            self.problem("the log head (ledger_head) does not match the recomputed log")
        elif len(recomputed) != head_size:
            self.problem(
                f"the log head says {head_size} entries but the table holds {len(recomputed)}"
            )
        signed = check_checkpoint_rows(
            self.conn,
            lambda note, label: self._check_checkpoint(note, levels, label),
            self.trust.now,
            self.problem,
        )
        if head_size and head_size not in signed:
            self.problem(
                f"no stored checkpoint signs the log head (size {head_size}): "
                "the newest checkpoint row was deleted"
            )
        for index, note in enumerate(published, start=1):
            self._check_checkpoint(note, levels, f"published checkpoint #{index}")
        self._check_records()

    def _check_uploads(self) -> None:
        for upload in uploads(self.conn):
            self.check_upload(*upload)

    def check_upload(self, upload_id: Any, kind: Any, records: Any, root: Any) -> None:
        """Every stored CVR and count row still folds into its upload's logged Merkle root."""
        # The leaf hashes, then the tree level by level: fewer Python steps per leaf
        # than a Frontier's appends, for a few dozen MB at a million records.
        hashes: list[bytes] = []
        expected = 0
        for position, record in stored_records(self.conn, upload_id, kind == "cvrs"):
            if position != expected:
                self.problem(f"upload {upload_id!r}: row {expected} is missing")
                expected = position
            hashes.append(leaf_hash(record.encode("utf-8")))
            expected += 1
        if len(hashes) != records:
            self.problem(
                f"upload {upload_id!r} logged {records} records but {len(hashes)} are stored"
            )
        elif _root(_levels(hashes), len(hashes)).hex() != root:
            self.problem(
                f"upload {upload_id!r}: its stored records were changed after import "
                "(they no longer match the logged Merkle root)"
            )

    def _read_nodes(self) -> tuple[dict[int, bytes], list[tuple[int, int, bytes]]]:
        leaves: dict[int, bytes] = {}
        inner: list[tuple[int, int, bytes]] = []
        for level, idx, hash_ in ledger.stream_nodes(self.conn):
            if level == 0:
                leaves[idx] = hash_
            else:
                inner.append((level, idx, hash_))
        return leaves, inner

    def _check_entries(self, stored: dict[int, bytes], head_size: int) -> list[bytes]:
        recomputed: list[bytes] = []
        moved_from: dict[bytes, int] | None = None
        for seq, entry in ledger.stream_entries(self.conn):
            while len(recomputed) < seq:
                missing = len(recomputed)
                self.problem(f"entry #{missing} is missing: it was deleted from ledger_entries")
                recomputed.append(stored.get(missing, b""))
            actual = leaf_hash(entry.leaf())
            recomputed.append(actual)
            expected = stored.get(seq)
            if seq >= head_size:
                self.problem(
                    f"entry #{seq} ({entry.event_type}) lies beyond the log head: "
                    "it was inserted behind the application's back"
                )
            elif expected != actual:
                if moved_from is None:
                    moved_from = {h: i for i, h in stored.items()}
                origin = moved_from.get(actual)
                if origin is not None and origin != seq:
                    self.problem(
                        f"entry #{seq} ({entry.event_type}) was reordered: "
                        f"it was logged as entry #{origin}"
                    )
                else:
                    self.problem(
                        f"entry #{seq} ({entry.event_type}) was edited: its content no "
                        "longer matches the hash logged for it"
                    )
            if entry.event_type not in EVENT_TYPES:
                self.problem(f"entry #{seq} has an undeclared event type {entry.event_type!r}")
            if entry.record_type is not None and entry.record_id is not None:
                self.last_events[(entry.record_type, entry.record_id)] = _LastEvent(
                    seq, entry.event_type, entry.payload_hash
                )
            if self.progress and seq % 50_000 == 0:
                self.progress("entries", seq, head_size)
        for missing in range(len(recomputed), head_size):
            self.problem(f"entry #{missing} is missing: it was deleted from ledger_entries")
            recomputed.append(stored.get(missing, b""))
        return recomputed

    def _check_nodes(
        self, stored: dict[int, bytes], inner: list[tuple[int, int, bytes]]
    ) -> list[list[bytes]]:
        """Stored inner hashes must follow from the stored leaf hashes; the tree they make."""
        size = (max(stored) + 1) if stored else 0
        levels = _levels([stored.get(i, b"") for i in range(size)])
        for level, idx, hash_ in inner:
            if level >= len(levels) or idx >= len(levels[level]):
                self.problem(f"stored tree node ({level}, {idx}) covers entries that do not exist")
            elif levels[level][idx] != hash_:
                self.problem(f"stored tree node ({level}, {idx}) was altered")
        return levels

    def _check_checkpoint(
        self, note: str, levels: list[list[bytes]], label: str
    ) -> Checkpoint | None:
        """Check one signed note against the rebuilt tree; the parsed checkpoint if it opens."""
        self.report.checkpoints += 1
        try:
            body = open_note(note, [key for _, key in self.keys])
            checkpoint = Checkpoint.parse(body)
            if len(self.keys) > 1:  # with one key, the check above was already this one
                open_note(note, [self._key_at(checkpoint.size)])
        except VerificationFailed as exc:
            self.problem(f"{label}: signature or format invalid ({exc})")
            return None
        if checkpoint.origin != self.trust.origin:
            self.problem(f"{label} is for log {checkpoint.origin!r}, not {self.trust.origin!r}")
            return None
        have = len(levels[0]) if levels else 0
        if checkpoint.size > have and label.startswith("published"):
            self.problem(
                f"ROLLBACK: the {label} covers {checkpoint.size} entries but this log has only "
                f"{have}: the log is behind what was published (restored from an older backup, "
                "or entries were removed); do not take it back into service as it is"
            )
        elif checkpoint.size > have:
            self.problem(
                f"{label} covers {checkpoint.size} entries but the log now has {have}: "
                "entries were removed"
            )
        elif _root(levels, checkpoint.size) != checkpoint.root_hash:
            self.problem(
                f"the log is not consistent with the {label}: its first {checkpoint.size} "
                "entries were rewritten"
                + (" (a fork or rollback of what was published)" if label[0] == "p" else "")
            )
        return checkpoint

    def _key_at(self, size: int) -> NoteVerifier:
        """The key in force for a checkpoint of ``size``: the newest handed over before it."""
        current = self.keys[0][1]
        for since, key in self.keys:
            if size >= since:
                current = key
        return current

    def _check_rotations(self, levels: list[list[bytes]]) -> None:
        """Each rotation is signed by the key before it and names a checkpoint of this log."""
        self.keys = [(0, self.trust.verifier)]
        notes = rotation_notes(self.conn)
        chain: list[tuple[int, NoteVerifier]] = []
        for setting, note in notes:
            try:
                rotation = open_rotation(note)
            except VerificationFailed as exc:
                self.problem(f"key rotation {setting}: {exc}")
                continue
            if chain and chain[-1][1] != rotation.old:
                self.problem(f"key rotation {setting} is not signed by the key then in force")
            last = self.last_events.get(("setting", setting))
            # The checkpoint that first includes the key.rotated entry is the new key's.
            since = last.seq + 1 if last is not None else 0
            if not chain:
                chain.append((0, rotation.old))
            chain.append((since, rotation.new))
            cut = rotation.checkpoint
            have = len(levels[0]) if levels else 0
            if cut.size > have or _root(levels, cut.size) != cut.root_hash:
                self.problem(
                    f"key rotation {setting} names a checkpoint of size {cut.size} that this "
                    "log does not contain"
                )
        if chain and chain[-1][1] != self.trust.verifier:
            self.problem("the signing key in use is not the one the last key rotation handed to")
        if chain:
            self.keys = chain

    def _check_records(self) -> None:
        seen: set[tuple[str, str]] = set()
        for record_type in RECORD_TYPES:
            for record_id, current in all_record_hashes(self.conn, record_type):
                self.report.records += 1
                key = (record_type, record_id)
                seen.add(key)
                last = self.last_events.get(key)
                if last is None:
                    self.problem(
                        f"{record_type} {record_id!r} exists but no logged event created it"
                    )
                elif last.payload_hash != current:
                    self.problem(
                        f"{record_type} {record_id!r} was changed without an event "
                        f"(last logged in entry #{last.seq}, {last.event_type})"
                    )
        for (record_type, record_id), last in self.last_events.items():
            if (record_type, record_id) in seen or record_type not in RECORD_TYPES:
                continue
            declared = EVENT_TYPES.get(last.event_type)
            if declared is None or not declared.removes_record:
                self.problem(
                    f"{record_type} {record_id!r} was deleted without an event "
                    f"(last logged in entry #{last.seq}, {last.event_type})"
                )


def uploads(conn: Connection) -> list[tuple[Any, Any, Any, Any]]:
    """Each upload's id, kind, logged record count and Merkle root, in the order checked."""
    return [
        tuple(row)
        for row in conn.execute(
            select(UPLOADS.c.id, UPLOADS.c.kind, UPLOADS.c.records, UPLOADS.c.merkle_root)
        )
    ]


def verify(
    app: App,
    published: Sequence[str] = (),
    progress: Progress | None = None,
    workers: int | None = None,
) -> VerifyReport:
    """Check everything in one consistent snapshot of the database.

    ``workers`` > 1 spreads independent parts over that many helper processes
    (``services/verify_workers.py``), each reading the same snapshot; None
    takes the cores when the state is large enough to repay starting them.
    The report is the same either way.
    """
    engine = app.engine
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    with engine.connect() as conn, conn.begin():
        if workers == 1:
            return verify_on(app, conn, published, progress)
        from votetrail.services.verify_workers import verify_in_parallel

        return verify_in_parallel(app, conn, published, progress, workers)


def verify_on(
    app: App, conn: Connection, published: Sequence[str] = (), progress: Progress | None = None
) -> VerifyReport:
    """Check the database as ``conn`` sees it (tests: inside a transaction they roll back)."""
    return _Verifier(Trust.of(app), conn, progress).run(published)
