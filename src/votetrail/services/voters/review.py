"""List maintenance: finding possible duplicates, deaths and moves, for a person to decide.

Every finder only writes review items. A confirmed item changes nothing by
itself: the official then starts the transaction the law allows (a
confirmation notice, a cancellation as deceased or duplicate) with the review
as its source document, so no voter is ever removed by a program. Each run
and each decision is logged (method, threshold, how many found; who decided
what and why), and every review item is a ledgered record: the event of its
finding and of its decision hashes the stored row, so ``verify`` names any
item edited or deleted behind the application's back.

Identifiers are opened (decrypted) only in memory for matching, and only
keyed hashes ever leave the system in a cross-state exchange file.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, or_, select, update

from votetrail import linkage
from votetrail.core.access import Principal, Role, may_manage_voters
from votetrail.core.ledger.canonical import iso_utc
from votetrail.core.voters.exchange import IdentityTokens, match_tokens, tokens_for
from votetrail.core.voters.record import Status, VoterRecord
from votetrail.core.voters.version_facts import VersionFacts
from votetrail.errors import InvalidInput, NotFound, PermissionDenied
from votetrail.formats.csv_out import CsvWriter
from votetrail.services.context import App
from votetrail.services.directory import state_id
from votetrail.services.unit_of_work import UnitOfWork, deny, unit_of_work
from votetrail.services.voters.pii import PiiKeys, load_keys
from votetrail.store import voter_rows
from votetrail.store.models import LEDGER_ENTRIES, VOTER_REVIEWS, VOTER_VERSIONS

if TYPE_CHECKING:
    from votetrail.linkage.spark import SparkEngine

DECISIONS = ("confirmed", "rejected")
CLOSED = "closed"
"""A confirmed finding once the change it called for (a cancellation citing it) was made."""
IDENTIFIERS = ("dob", "ssn4", "drivers_license")
EXCHANGE_COLUMNS = ("voter_id", "name_dob", "dl", "ssn4_dob")


@dataclass(frozen=True)
class ReviewView:
    id: str
    kind: str
    county: str
    voter_id: str
    other_id: str
    score: str
    details: dict[str, Any]
    status: str
    found_at: str
    decided_by: str | None
    decided_at: str | None
    decision_note: str | None


@dataclass(frozen=True)
class RunResult:
    kind: str
    compared: int
    found: int
    new: int


def _view(row: Any) -> ReviewView:
    m = row._mapping
    return ReviewView(
        id=m["id"],
        kind=m["kind"],
        county=m["county"],
        voter_id=m["voter_id"],
        other_id=m["other_id"],
        score=m["score"],
        details=json.loads(m["details"]),
        status=m["status"],
        found_at=m["found_at"],
        decided_by=m["decided_by"],
        decided_at=m["decided_at"],
        decision_note=m["decision_note"],
    )


@contextmanager
def _allowed(app: App, principal: Principal, county: str | None, what: str) -> Iterator[str]:
    """Statewide runs are the state administrator's; a county may run its own list."""
    with app.engine.connect() as conn:
        state = state_id(conn) or ""
    target = county or state
    ok = (
        principal.role is Role.STATE_ADMIN and principal.jurisdiction == state
        if county is None
        else may_manage_voters(principal, county, state)
    )
    if not ok:
        deny(app, principal.username, target, what)
        raise PermissionDenied(f"{principal.username} may not {what} for {target}")
    yield state


def _person(keys: PiiKeys, record: VoterRecord) -> dict[str, str | None]:
    dob = keys.reveal("dob", record.voter_id, record.dob) or None
    return {
        "id": record.voter_id,
        "first_name": record.first_name,
        "middle_name": record.middle_name,
        "last_name": record.last_name,
        "suffix": record.suffix,
        "dob": dob,
        "gender": record.gender,
        "street": record.residence.street,
        "city": record.residence.city,
        "zip": record.residence.zip,
        "state": record.residence.state,
    }


def _live_records(conn: Connection, county: str | None) -> list[VoterRecord]:
    return [r for r in voter_rows.stream(conn, county=county) if r.status is not Status.CANCELLED]


def _store(
    app: App,
    principal: Principal,
    kind: str,
    found: list[tuple[str, str, str, str, dict[str, Any]]],
    summary: dict[str, Any],
    jurisdiction: str,
) -> int:
    """Insert new review items (county, voter, other, score, details); skip known pairs."""
    at = iso_utc(app.clock())
    new = 0
    with unit_of_work(app, principal.username) as uow:
        for county, voter_id, other_id, score, details in found:
            review_id = (
                "vr-" + hashlib.sha256(f"{kind}|{voter_id}|{other_id}".encode()).hexdigest()[:20]
            )
            exists = uow.conn.execute(
                select(VOTER_REVIEWS.c.id).where(VOTER_REVIEWS.c.id == review_id)
            ).first()
            # A finding the log already holds is never opened again, even if its row
            # is gone: re-opening would undo a decision deleted in SQL unseen by verify.
            logged = uow.conn.execute(
                select(LEDGER_ENTRIES.c.seq)
                .where(LEDGER_ENTRIES.c.record_type == "voter_review")
                .where(LEDGER_ENTRIES.c.record_id == review_id)
                .limit(1)
            ).first()
            if exists is not None or logged is not None:
                continue
            uow.conn.execute(
                VOTER_REVIEWS.insert().values(
                    id=review_id,
                    kind=kind,
                    county=county,
                    voter_id=voter_id,
                    other_id=other_id,
                    score=score,
                    details=json.dumps(details, sort_keys=True),
                    status="open",
                    found_at=at,
                )
            )
            # Each finding is a ledgered record: editing or deleting it later is seen by verify.
            uow.record("voters.review_opened", review_id, county)
            new += 1
        uow.note("voters.review_found", {**summary, "found": len(found), "new": new}, jurisdiction)
    return new


def find_duplicates(
    app: App,
    principal: Principal,
    *,
    county: str | None = None,
    threshold: float = linkage.DEFAULT_THRESHOLD,
    engine: SparkEngine | None = None,
) -> RunResult:
    """Possible duplicate registrations in one county (or statewide) by probabilistic linkage.

    ``engine`` scores the pairs on Spark; the model and the pairs are the DuckDB run's.
    """
    with _allowed(app, principal, county, "look for duplicate voters") as state:
        keys = load_keys(app.data_dir, create_if_missing=False)
        with app.engine.connect() as conn:
            records = {r.voter_id: r for r in _live_records(conn, county)}
        people = linkage.people_from_rows([_person(keys, r) for r in records.values()])
        matches = (
            linkage.dedupe(people, threshold=threshold, engine=engine) if len(records) > 1 else []
        )
        found = []
        for m in matches:
            left, right = sorted((m.left_id, m.right_id))
            found.append(
                (
                    records[left].county,
                    left,
                    right,
                    f"{m.match_probability:.4f}",
                    {"other_county": records[right].county},
                )
            )
        summary = {
            "kind": "duplicate",
            "method": "Fellegi-Sunter (Splink on DuckDB)"
            if engine is None
            else "Fellegi-Sunter (Splink on DuckDB, scored on Spark)",
            "threshold": f"{threshold:.4f}",
            "scope": county or "statewide",
            "compared": len(records),
        }
        new = _store(app, principal, "duplicate", found, summary, county or state)
    return RunResult("duplicate", len(records), len(found), new)


def match_deceased(
    app: App,
    principal: Principal,
    path: Path,
    *,
    county: str | None = None,
    id_column: str = "id",
    mapping: dict[str, str] | None = None,
    threshold: float = linkage.DEFAULT_THRESHOLD,
) -> RunResult:
    """Registrations that may belong to people on a death list (vital records, SSA)."""
    with _allowed(app, principal, county, "match voters against a death list") as state:
        deaths = linkage.read_people(path, id_column=id_column, mapping=mapping or {})
        keys = load_keys(app.data_dir, create_if_missing=False)
        with app.engine.connect() as conn:
            records = {r.voter_id: r for r in _live_records(conn, county)}
        ours = linkage.people_from_rows([_person(keys, r) for r in records.values()])
        matches = linkage.link(ours, deaths, threshold=threshold) if records else []
        found = [
            (
                records[m.left_id].county,
                m.left_id,
                m.right_id,
                f"{m.match_probability:.4f}",
                {"list": path.name},
            )
            for m in matches
        ]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        summary = {
            "kind": "deceased",
            "method": "Fellegi-Sunter (Splink on DuckDB)",
            "threshold": f"{threshold:.4f}",
            "file_sha256": digest,
            "scope": county or "statewide",
            "compared": len(records),
        }
        new = _store(app, principal, "deceased", found, summary, county or state)
    return RunResult("deceased", len(records), len(found), new)


def _tokens(keys: PiiKeys, secret: bytes, record: VoterRecord) -> IdentityTokens:
    dob_text = keys.reveal("dob", record.voter_id, record.dob)
    return tokens_for(
        secret,
        record.voter_id,
        first_name=record.first_name,
        last_name=record.last_name,
        dob=date.fromisoformat(dob_text) if dob_text else None,
        drivers_license=keys.reveal("drivers_license", record.voter_id, record.drivers_license),
        ssn4=keys.reveal("ssn4", record.voter_id, record.ssn4),
        license_state=record.residence.state,
    )


def read_exchange_key(path: Path) -> bytes:
    """The key the member states share, as hex in a file (never on the command line)."""
    try:
        secret = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError, UnicodeDecodeError):
        raise InvalidInput("cannot be read as a hex key", where=str(path)) from None
    if len(secret) < 16:
        raise InvalidInput("the shared key must be at least 16 bytes", where=str(path))
    return secret


def export_exchange(app: App, principal: Principal, secret: bytes) -> str:
    """The state's side of a cross-state exchange: voter ids and keyed hashes only."""
    with _allowed(app, principal, None, "export a cross-state exchange file") as state:
        keys = load_keys(app.data_dir, create_if_missing=False)
        out = io.StringIO()
        writer = CsvWriter(out)
        writer.writerow(EXCHANGE_COLUMNS)
        count = 0
        with app.engine.connect() as conn:
            for record in _live_records(conn, None):
                tokens = _tokens(keys, secret, record).tokens
                writer.writerow(
                    [record.voter_id, *(tokens.get(k, "") for k in EXCHANGE_COLUMNS[1:])]
                )
                count += 1
        text = out.getvalue()
        with unit_of_work(app, principal.username) as uow:
            uow.note(
                "voters.exported",
                {
                    "what": "cross-state exchange tokens",
                    "records": count,
                    "sha256": hashlib.sha256(text.encode()).hexdigest(),
                },
                state,
            )
    return text


def read_exchange_file(path: Path) -> list[IdentityTokens]:
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise InvalidInput(f"cannot be read: {exc.strerror}", where=str(path)) from None
    with handle:
        reader = csv.DictReader(handle)
        try:
            return _exchange_rows(reader, path)
        except UnicodeDecodeError:
            # Found by fuzzing: bytes that are not UTF-8 escaped as a crash.
            line = reader.line_num + 1
            raise InvalidInput("is not UTF-8 text", where=f"{path}:{line}") from None
        except csv.Error as exc:
            raise InvalidInput(
                f"is not readable CSV ({exc})", where=f"{path}:{reader.line_num}"
            ) from None


def _exchange_rows(reader: csv.DictReader[str], path: Path) -> list[IdentityTokens]:
    missing = [c for c in EXCHANGE_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput(f"missing column(s): {', '.join(missing)}", where=str(path))
    items = []
    for row in reader:
        if not row["voter_id"]:
            raise InvalidInput("voter_id is empty", where=f"{path}:{reader.line_num}")
        tokens = {k: row[k] for k in EXCHANGE_COLUMNS[1:] if row[k]}
        items.append(IdentityTokens(row["voter_id"], tokens))
    return items


def match_exchange(
    app: App, principal: Principal, path: Path, secret: bytes, *, min_strength: int = 2
) -> RunResult:
    """Our voters who also appear on another state's token file: possible movers."""
    with _allowed(app, principal, None, "match a cross-state exchange file") as state:
        theirs = read_exchange_file(path)
        keys = load_keys(app.data_dir, create_if_missing=False)
        with app.engine.connect() as conn:
            records = {r.voter_id: r for r in _live_records(conn, None)}
        ours = [_tokens(keys, secret, r) for r in records.values()]
        matches = match_tokens(ours, theirs, min_strength=min_strength)
        found = [
            (
                records[m.ours].county,
                m.ours,
                m.theirs,
                str(m.strength),
                {"agreeing": list(m.agreeing), "file": path.name},
            )
            for m in matches
        ]
        summary = {
            "kind": "cross-state",
            "method": "keyed-hash tokens (name+DOB, licence, SSN4+DOB)",
            "threshold": str(min_strength),
            "file_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "compared": len(records),
        }
        new = _store(app, principal, "cross-state", found, summary, state)
    return RunResult("cross-state", len(records), len(found), new)


def reviews(
    app: App, principal: Principal, county: str, *, status: str = "open"
) -> list[ReviewView]:
    with _allowed(app, principal, county, "read the review queue"), app.engine.connect() as conn:
        query = select(VOTER_REVIEWS).where(VOTER_REVIEWS.c.county == county)
        if status != "all":
            query = query.where(VOTER_REVIEWS.c.status == status)
        rows = conn.execute(query.order_by(VOTER_REVIEWS.c.found_at, VOTER_REVIEWS.c.id)).all()
    return [_view(r) for r in rows]


def decide(app: App, principal: Principal, review_id: str, decision: str, note: str) -> ReviewView:
    """Record a person's decision; the voter's registration is not touched."""
    if decision not in DECISIONS:
        raise InvalidInput(f"decision must be one of {', '.join(DECISIONS)}")
    if not note.strip():
        raise InvalidInput("a decision needs a note saying why")
    with app.engine.connect() as conn:
        row = conn.execute(select(VOTER_REVIEWS).where(VOTER_REVIEWS.c.id == review_id)).first()
    if row is None:
        raise NotFound(f"no review item {review_id}")
    item = _view(row)
    with _allowed(app, principal, item.county, "decide review items"):
        if item.status != "open":
            raise InvalidInput(f"review item {review_id} was already {item.status}")
        at = iso_utc(app.clock())
        with unit_of_work(app, principal.username) as uow:
            # Still open in this transaction: two officials deciding at once must not
            # both succeed, the second silently overwriting the first decision.
            decided = uow.conn.execute(
                update(VOTER_REVIEWS)
                .where(VOTER_REVIEWS.c.id == review_id)
                .where(VOTER_REVIEWS.c.status == "open")
                .values(
                    status=decision,
                    decided_by=principal.username,
                    decided_at=at,
                    decision_note=note,
                )
            )
            if decided.rowcount != 1:
                raise InvalidInput(f"review item {review_id} was decided meanwhile")
            uow.record("voters.review_decided", review_id, item.county)
    with app.engine.connect() as conn:
        return _view(
            conn.execute(select(VOTER_REVIEWS).where(VOTER_REVIEWS.c.id == review_id)).one()
        )


def compare_identifiers(first: VoterRecord, second: VoterRecord) -> dict[str, str]:
    """Whether two registrations' protected identifiers agree: "match", "differ" or "missing".

    Compared by their keyed hashes (equal values hash equally under the one
    key), so no identifier is opened, and only the verdict leaves this
    function: a clerk deciding a duplicate learns that the birth dates agree,
    never what they are.
    """
    verdicts: dict[str, str] = {}
    for kind in IDENTIFIERS:
        mine, theirs = getattr(first, kind), getattr(second, kind)
        if not (mine.present and theirs.present):
            verdicts[kind] = "missing"
        else:
            verdicts[kind] = "match" if hmac.compare_digest(mine.mac, theirs.mac) else "differ"
    return verdicts


def _cites(source_ref: str, review_id: str) -> bool:
    """Whether a source document reference names this review (as a word, not inside another id)."""
    return re.search(rf"(?<![\w-]){re.escape(review_id)}(?![\w-])", source_ref) is not None


def close_cited(uow: UnitOfWork, record: VoterRecord, source_ref: str) -> list[str]:
    """Close the confirmed findings about ``record`` that its cancellation cites.

    Called in the cancellation's own transaction, so the finding is closed
    exactly when the change it asked for is made (and never if that change
    is refused). Only a confirmed finding naming this voter closes: citing an
    open one (not yet decided) or another voter's leaves it as it is. Each
    closing is logged as an event hashing the stored row.
    """
    rows = uow.conn.execute(
        select(VOTER_REVIEWS.c.id, VOTER_REVIEWS.c.county)
        .where(VOTER_REVIEWS.c.status == "confirmed")
        .where(
            or_(
                VOTER_REVIEWS.c.voter_id == record.voter_id,
                VOTER_REVIEWS.c.other_id == record.voter_id,
            )
        )
    ).all()
    closed = []
    for review_id, county in rows:
        if not _cites(source_ref, str(review_id)):
            continue
        uow.conn.execute(
            update(VOTER_REVIEWS).where(VOTER_REVIEWS.c.id == review_id).values(status=CLOSED)
        )
        uow.record("voters.review_closed", review_id, county)
        closed.append(str(review_id))
    return closed


@dataclass(frozen=True)
class ClosingChange:
    """The change that closed a finding: which voter, which version, which log entry."""

    voter_id: str
    version: int
    occurred_at: str
    log_index: int | None


def closing_change(app: App, review: ReviewView) -> ClosingChange | None:
    """The cancellation that cites ``review``, and the log entry that vouches for it.

    Found from the stored version (its source document names the review) and
    the entry whose hash covers exactly that version's facts, so the link is
    the one the log itself proves.
    """
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(VOTER_VERSIONS)
            .where(VOTER_VERSIONS.c.voter_id.in_([review.voter_id, review.other_id]))
            .where(VOTER_VERSIONS.c.kind == "cancel")
            .where(VOTER_VERSIONS.c.source_ref.contains(review.id, autoescape=True))
            .order_by(VOTER_VERSIONS.c.occurred_at.desc())
        ).all()
        row = next((r for r in rows if _cites(r.source_ref, review.id)), None)
        if row is None:
            return None
        m = row._mapping
        facts = VersionFacts(
            voter_id=m["voter_id"],
            version=m["version"],
            kind=m["kind"],
            actor=m["actor"],
            reason=m["reason"],
            source_ref=m["source_ref"],
            occurred_at=m["occurred_at"],
            version_hash=m["version_hash"],
            import_id=m["import_id"],
            import_position=m["import_position"],
        )
        seq = conn.execute(
            select(LEDGER_ENTRIES.c.seq)
            .where(LEDGER_ENTRIES.c.record_type == "voter")
            .where(LEDGER_ENTRIES.c.record_id == facts.voter_id)
            .where(LEDGER_ENTRIES.c.payload_hash == facts.hash())
            .limit(1)
        ).scalar()
    return ClosingChange(
        facts.voter_id, facts.version, facts.occurred_at, None if seq is None else int(seq)
    )


def open_reviews_for(app: App, voter_id: str) -> list[ReviewView]:
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(VOTER_REVIEWS)
            .where(or_(VOTER_REVIEWS.c.voter_id == voter_id, VOTER_REVIEWS.c.other_id == voter_id))
            .where(VOTER_REVIEWS.c.status == "open")
        ).all()
    return [_view(r) for r in rows]


__all__ = [
    "ClosingChange",
    "ReviewView",
    "RunResult",
    "close_cited",
    "closing_change",
    "compare_identifiers",
    "decide",
    "export_exchange",
    "find_duplicates",
    "match_deceased",
    "match_exchange",
    "read_exchange_key",
    "reviews",
]
