"""``votetrail verify``: recompute the log and every ledgered record from the database.

The application is not trusted here. Each entry is re-encoded and re-hashed
from its columns, the tree is rebuilt, every signed checkpoint is checked
against the rebuilt tree, and every ledgered row is re-hashed and compared with
the last event that logged it. Anything changed in SQL behind the
application's back shows up as a named discrepancy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, select

from votetrail.core.ledger.canonical import iso_utc
from votetrail.core.ledger.checkpoint import Checkpoint
from votetrail.core.ledger.events import EVENT_TYPES
from votetrail.core.ledger.frontier import Frontier
from votetrail.core.ledger.merkle import empty_root, fold_subtrees, leaf_hash, node_hash, subtrees
from votetrail.core.ledger.note import NoteVerifier, open_note
from votetrail.core.ledger.rotation import open_rotation
from votetrail.errors import VerificationFailed
from votetrail.services.context import App
from votetrail.services.counting.uploads import stored_records
from votetrail.services.keys import rotation_notes
from votetrail.services.netmon.verify import check_netmon
from votetrail.services.publications.verify import check_publication_files
from votetrail.services.verify_columns import check_checkpoint_rows, check_cvr_columns
from votetrail.services.voters.verify import check_voters
from votetrail.store import ledger
from votetrail.store.models import UPLOADS
from votetrail.store.records import RECORD_TYPES, all_record_hashes

Progress = Callable[[str, int, int], None]


@dataclass
class VerifyReport:
    size: int = 0
    checkpoints: int = 0
    records: int = 0
    problems: list[str] = field(default_factory=list)

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


class _Verifier:
    def __init__(self, app: App, conn: Connection, progress: Progress | None) -> None:
        self.app = app
        self.conn = conn
        self.progress = progress
        self.report = VerifyReport()
        self.last_events: dict[tuple[str, str], _LastEvent] = {}
        self.keys: list[tuple[int, NoteVerifier]] = [(0, app.signer.verifier)]
        """(first checkpoint size it signs, key), oldest first; more than one after rotations."""

    def problem(self, text: str) -> None:
        self.report.problems.append(text)

    def run(self, published: Sequence[str]) -> VerifyReport:
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
        self._check_nodes(stored, inner)
        levels = _levels(recomputed)
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
            iso_utc(self.app.clock()),
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
        self._check_uploads()
        check_cvr_columns(self.conn, self.problem)
        self.report.records += check_voters(self.conn, self.problem)
        self.report.records += check_netmon(self.conn, self.problem)
        check_publication_files(self.conn, self.app.data_dir, self.problem)
        return self.report

    def _check_uploads(self) -> None:
        """Every stored CVR and count row still folds into its upload's logged Merkle root."""
        for upload_id, kind, records, root in self.conn.execute(
            select(UPLOADS.c.id, UPLOADS.c.kind, UPLOADS.c.records, UPLOADS.c.merkle_root)
        ):
            tree = Frontier(0, [])
            expected = 0
            for position, record in stored_records(self.conn, upload_id, kind == "cvrs"):
                if position != expected:
                    self.problem(f"upload {upload_id!r}: row {expected} is missing")
                    expected = position
                tree.append(leaf_hash(record.encode("utf-8")))
                expected += 1
            if tree.size != records:
                self.problem(
                    f"upload {upload_id!r} logged {records} records but {tree.size} are stored"
                )
            elif tree.root().hex() != root:
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

    def _check_nodes(self, stored: dict[int, bytes], inner: list[tuple[int, int, bytes]]) -> None:
        """Stored inner hashes must follow from the stored leaf hashes."""
        size = (max(stored) + 1) if stored else 0
        levels = _levels([stored.get(i, b"") for i in range(size)])
        for level, idx, hash_ in inner:
            if level >= len(levels) or idx >= len(levels[level]):
                self.problem(f"stored tree node ({level}, {idx}) covers entries that do not exist")
            elif levels[level][idx] != hash_:
                self.problem(f"stored tree node ({level}, {idx}) was altered")

    def _check_checkpoint(
        self, note: str, levels: list[list[bytes]], label: str
    ) -> Checkpoint | None:
        """Check one signed note against the rebuilt tree; the parsed checkpoint if it opens."""
        self.report.checkpoints += 1
        try:
            body = open_note(note, [key for _, key in self.keys])
            checkpoint = Checkpoint.parse(body)
            open_note(note, [self._key_at(checkpoint.size)])
        except VerificationFailed as exc:
            self.problem(f"{label}: signature or format invalid ({exc})")
            return None
        if checkpoint.origin != self.app.origin:
            self.problem(f"{label} is for log {checkpoint.origin!r}, not {self.app.origin!r}")
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
        self.keys = [(0, self.app.signer.verifier)]
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
        if chain and chain[-1][1] != self.app.signer.verifier:
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


def verify(
    app: App, published: Sequence[str] = (), progress: Progress | None = None
) -> VerifyReport:
    """Check everything in one consistent snapshot of the database."""
    engine = app.engine
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    with engine.connect() as conn, conn.begin():
        return verify_on(app, conn, published, progress)


def verify_on(
    app: App, conn: Connection, published: Sequence[str] = (), progress: Progress | None = None
) -> VerifyReport:
    """Check the database as ``conn`` sees it (tests: inside a transaction they roll back)."""
    return _Verifier(app, conn, progress).run(published)
