"""One service call, one transaction, and the events that describe it.

Records are written on ``uow.conn``; ``uow.record`` then hashes the row as
stored and queues an event. On leaving the block the events are appended to
the log, a new checkpoint is signed, and everything commits together; an
exception rolls all of it back, so the database never holds a change the log
does not, or the reverse.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from votetrail.core.ledger.canonical import canonical_hash, iso_utc
from votetrail.core.ledger.checkpoint import Checkpoint
from votetrail.core.ledger.events import LogEntry, event_type
from votetrail.core.ledger.note import sign_note
from votetrail.errors import StorageFailed, TooManyAttempts
from votetrail.services.accounts import refusals
from votetrail.services.context import App
from votetrail.store import ledger
from votetrail.store.db import WRITE_OPTION, storage_failure
from votetrail.store.records import record_hash


class UnitOfWork:
    def __init__(self, app: App, conn: Connection, actor: str) -> None:
        self.app = app
        self.conn = conn
        self.actor = actor
        self.pending: list[LogEntry] = []

    def _entry(
        self,
        name: str,
        jurisdiction: str | None,
        record_type: str | None,
        record_id: str | None,
        payload_hash: str,
        actor: str | None = None,
    ) -> LogEntry:
        return LogEntry(
            event_type=name,
            actor=actor or self.actor,
            jurisdiction=jurisdiction,
            occurred_at=iso_utc(self.app.clock()),
            record_type=record_type,
            record_id=record_id,
            payload_hash=payload_hash,
        )

    def record(self, name: str, record_id: str, jurisdiction: str | None) -> None:
        """Log a change to a ledgered record, hashing the row as it now stands."""
        declared = event_type(name)
        if declared.record_type is None:
            raise ValueError(f"event {name} does not concern a record")
        current = record_hash(self.conn, declared.record_type, record_id)
        if current is None:
            if not declared.removes_record:
                raise ValueError(f"{declared.record_type} {record_id!r} was not written")
            current = canonical_hash(None)
        self.pending.append(
            self._entry(name, jurisdiction, declared.record_type, record_id, current)
        )

    def record_hashed(
        self, name: str, record_type: str, record_id: str, jurisdiction: str | None, hash_: str
    ) -> None:
        """Log a change to a record whose hash the caller computed (voters: the version hash)."""
        declared = event_type(name)
        if declared.record_type != record_type:
            raise ValueError(f"event {name} does not concern a {record_type}")
        self.pending.append(self._entry(name, jurisdiction, record_type, record_id, hash_))

    def note(
        self,
        name: str,
        details: Mapping[str, Any],
        jurisdiction: str | None,
        *,
        actor: str | None = None,
    ) -> None:
        """Log an event that changes no record (a denial, an annotation).

        ``actor`` names someone other than the transaction's actor: a count of
        another user's refusals, closed by whichever request comes next.
        """
        declared = event_type(name)
        if declared.record_type is not None:
            raise ValueError(f"event {name} concerns a record; use record()")
        digest = canonical_hash(details)
        self.pending.append(self._entry(name, jurisdiction, None, None, digest, actor))

    def extend(self, entries: list[LogEntry]) -> None:
        """The bulk path: entries already built by the caller."""
        for entry in entries:
            event_type(entry.event_type)
        self.pending.extend(entries)

    def flush(self) -> None:
        if not self.pending:
            return
        _, size, root = ledger.append(self.conn, self.pending)
        self.pending = []
        body = Checkpoint(self.app.origin, size, root).body()
        note = sign_note(body, [self.app.signer])
        ledger.save_checkpoint(self.conn, size, root, note, iso_utc(self.app.clock()))


@contextmanager
def unit_of_work(app: App, actor: str) -> Iterator[UnitOfWork]:
    """Open a write transaction; commit records, events and checkpoint together.

    A disk that fills up (or a file size limit) mid-transaction rolls it all
    back; it is reported as :class:`StorageFailed` in one sentence.
    """
    engine = app.engine.execution_options(**{WRITE_OPTION: True})
    try:
        with engine.begin() as conn:
            uow = UnitOfWork(app, conn, actor)
            yield uow
            uow.flush()
    except DBAPIError as exc:
        reason = storage_failure(exc)
        if reason is None:
            raise
        raise StorageFailed(
            f"the database could not be written ({reason}): the disk may be full, a file "
            "size limit reached or the disk failing; nothing of this change was saved"
        ) from None


def deny(app: App, actor: str, jurisdiction: str | None, what: str) -> None:
    """Record a refused request, in its own transaction, without flooding the log.

    The first refusal of a (user, request, hour) is logged as ``access.denied``;
    repeats are only counted and logged as one ``access.denied_repeated`` with
    the hour's total once the hour is over (``services/accounts/refusals.py``). A user
    refused more than ``refusals.LIMIT_PER_HOUR`` times in an hour is answered
    "too many refused requests" until the hour ends; ``refusals.ANONYMOUS``
    never is, since every visitor not signed in shares that counter.
    """
    with unit_of_work(app, actor) as uow:
        refused = refusals.count(uow, jurisdiction, what)
    if refused > refusals.LIMIT_PER_HOUR and actor != refusals.ANONYMOUS:
        raise TooManyAttempts(refusals.seconds_left_in_hour(app.clock()), "refused requests")


__all__ = ["UnitOfWork", "deny", "unit_of_work"]
