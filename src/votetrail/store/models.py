"""The schema, one class per table.

Ledger tables keep text, integers and bytes only, never floats or
backend-specific types, so a record reads back identically from SQLite and
PostgreSQL and canonicalises to the same bytes.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Setting(Base):
    """Deployment facts fixed at init, such as the log's origin name."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Jurisdiction(Base):
    """The state or a county; ``id`` is a short stable slug such as ``adams``."""

    __tablename__ = "jurisdictions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("jurisdictions.id"), nullable=True)


class User(Base):
    """An official's account; the role and jurisdiction bound what they may see."""

    __tablename__ = "users"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    jurisdiction_id: Mapped[str] = mapped_column(ForeignKey("jurisdictions.id"))
    password_hash: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class LedgerHead(Base):
    """One row: the log's size and root, locked by every append."""

    __tablename__ = "ledger_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LedgerEntry(Base):
    """One event; ``seq`` is its leaf index in the Merkle tree."""

    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_entries_record", "record_type", "record_id", "seq"),)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    event_type: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(64))
    jurisdiction_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    occurred_at: Mapped[str] = mapped_column(String(32))
    record_type: Mapped[str | None] = mapped_column(String(64), nullable=True)
    record_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    payload_hash: Mapped[str] = mapped_column(String(64))


class LedgerNode(Base):
    """A perfect subtree hash; level 0 holds the leaf hashes."""

    __tablename__ = "ledger_nodes"
    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class SignedCheckpoint(Base):
    """Every checkpoint the log has signed, so ``verify`` can hold it to them all."""

    __tablename__ = "checkpoints"
    size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[str] = mapped_column(String(32))


class Upload(Base):
    """One import of a county's files (CVRs, manifest, paper counts or check-ins).

    An upload is current until an ``upload_replacements`` row names it: a
    county's CVRs are the union of its current CVR uploads (one file per
    tabulator may arrive at a time); a manifest, paper counts or check-ins
    upload is a whole-county file, one current at a time. Replaced uploads
    stay, so what was counted before can be shown and re-proven.
    ``files`` is canonical JSON: each file's name, SHA-256, format and records.
    """

    __tablename__ = "uploads"
    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    jurisdiction_id: Mapped[str] = mapped_column(ForeignKey("jurisdictions.id"))
    kind: Mapped[str] = mapped_column(String(16))
    sequence: Mapped[int] = mapped_column(Integer)
    files: Mapped[str] = mapped_column(Text)
    records: Mapped[int] = mapped_column(BigInteger)
    merkle_root: Mapped[str] = mapped_column(String(64))
    contests: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[str] = mapped_column(String(32))


class Cvr(Base):
    """One cast vote record, as canonical JSON; its upload's Merkle root covers it."""

    __tablename__ = "cvrs"
    upload_id: Mapped[str] = mapped_column(ForeignKey("uploads.id"), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    cvr_id: Mapped[str] = mapped_column(String(200))
    tabulator: Mapped[str | None] = mapped_column(String(200), nullable=True)
    batch: Mapped[str | None] = mapped_column(String(200), nullable=True)
    precinct: Mapped[str | None] = mapped_column(String(200), nullable=True)
    record: Mapped[str] = mapped_column(Text)


class CountRow(Base):
    """A counted thing from a manifest, paper-count or check-in upload, canonical JSON."""

    __tablename__ = "upload_rows"
    upload_id: Mapped[str] = mapped_column(ForeignKey("uploads.id"), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    record: Mapped[str] = mapped_column(Text)


class UploadReplacement(Base):
    """An official's confirmed replacement of one upload by a newer one of its kind.

    Its own ledgered record (``upload.replaced``), so the upload rows keep the
    hash they were logged with, and deleting this row to make a replaced file
    count again is a discrepancy ``verify`` names.
    """

    __tablename__ = "upload_replacements"
    replaced_id: Mapped[str] = mapped_column(ForeignKey("uploads.id"), primary_key=True)
    replacement_id: Mapped[str] = mapped_column(ForeignKey("uploads.id"), index=True)
    replaced_by: Mapped[str] = mapped_column(String(64))
    replaced_at: Mapped[str] = mapped_column(String(32))


class NetmonIngest(Base):
    """One network log read into the monitor: a whole file, or one batch of a watched file.

    It is the ledgered record of the read, so the log proves which file (by
    SHA-256) was looked at, how much of it could be read and which incidents
    it raised; ``incident_ids`` is canonical JSON: an object, incident id →
    SHA-256 of the ``data`` stored for it, so this one logged row covers every
    incident row it wrote (a list of ids in ingests from before migration 0010).
    """

    __tablename__ = "netmon_ingests"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    mode: Mapped[str] = mapped_column(String(8))
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    format: Mapped[str] = mapped_column(String(16))
    lines: Mapped[int] = mapped_column(BigInteger)
    events: Mapped[int] = mapped_column(BigInteger)
    ignored: Mapped[int] = mapped_column(BigInteger)
    bad: Mapped[int] = mapped_column(BigInteger)
    incidents: Mapped[int] = mapped_column(Integer)
    incident_ids: Mapped[str] = mapped_column(Text)
    ingested_at: Mapped[str] = mapped_column(String(32))
    jurisdiction_id: Mapped[str | None] = mapped_column(
        ForeignKey("jurisdictions.id"), nullable=True
    )
    # SHA-256 of the ingest's day counts as stored (services/netmon/counts.py); NULL in
    # ingests logged before migration 0015, whose logged hash leaves it out (records.py).
    counts_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)


class NetmonIncident(Base):
    """The newest known state of one scan incident; ``data`` is its canonical JSON.

    An incident seen again by a later ingest (a watched log growing) replaces
    its row, so the table holds each incident once, as last reported; the
    row answers to the hash the latest ingest naming it logged
    (``services/netmon/verify.py``). ``data`` includes the attempts per hour.
    """

    __tablename__ = "netmon_incidents"
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    ingest_id: Mapped[str] = mapped_column(ForeignKey("netmon_ingests.id"))
    kind: Mapped[str] = mapped_column(String(16))
    severity: Mapped[str] = mapped_column(String(8))
    first_seen: Mapped[str] = mapped_column(String(32), index=True)
    last_seen: Mapped[str] = mapped_column(String(32))
    data: Mapped[str] = mapped_column(Text)


class NetmonSourceDay(Base):
    """One source's unsolicited attempts on one UTC day, as one ingest counted them.

    ``network`` is the source's /24 or /64 (CIDR text), for the day's view by
    block; ``ports`` and ``hosts`` are distinct counts (an estimate past 256).
    The ingest's ledgered ``counts_sha256`` covers these rows.
    """

    __tablename__ = "netmon_source_days"
    __table_args__ = (
        Index("ix_netmon_source_days_day_source", "day", "source"),
        Index("ix_netmon_source_days_day_network", "day", "network"),
        Index("ix_netmon_source_days_source_day", "source", "day"),
    )
    ingest_id: Mapped[str] = mapped_column(ForeignKey("netmon_ingests.id"), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    source: Mapped[str] = mapped_column(String(45), primary_key=True)
    network: Mapped[str] = mapped_column(String(50))
    attempts: Mapped[int] = mapped_column(BigInteger)
    answered: Mapped[int] = mapped_column(BigInteger)
    unexpected: Mapped[int] = mapped_column(BigInteger)
    ports: Mapped[int] = mapped_column(BigInteger)
    hosts: Mapped[int] = mapped_column(BigInteger)
    first_seen: Mapped[str] = mapped_column(String(32))
    last_seen: Mapped[str] = mapped_column(String(32))


class NetmonDayTotal(Base):
    """One UTC day's unsolicited attempts as one ingest counted them (covered like the above)."""

    __tablename__ = "netmon_day_totals"
    ingest_id: Mapped[str] = mapped_column(ForeignKey("netmon_ingests.id"), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True, index=True)
    sources: Mapped[int] = mapped_column(BigInteger)
    attempts: Mapped[int] = mapped_column(BigInteger)
    answered: Mapped[int] = mapped_column(BigInteger)
    unexpected: Mapped[int] = mapped_column(BigInteger)
    ports: Mapped[int] = mapped_column(BigInteger)
    hosts: Mapped[int] = mapped_column(BigInteger)


class Voter(Base):
    """The current version of each registration (``voter_versions`` holds them all).

    Protected identifiers are kept as a keyed hash (``*_mac``, for matching)
    and AES-GCM ciphertext bound to the voter id (``*_sealed``); neither can be
    turned back into a date of birth or number without the key file.
    ``version_hash`` is the hash logged for this version and ``bucket`` its
    place in the voter map (``core/voters/voter_map.py``).
    """

    __tablename__ = "voters"
    voter_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    county: Mapped[str] = mapped_column(ForeignKey("jurisdictions.id"))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    status_reason: Mapped[str] = mapped_column(String(200))
    first_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    suffix: Mapped[str] = mapped_column(String(20))
    res_street: Mapped[str] = mapped_column(String(200))
    res_city: Mapped[str] = mapped_column(String(100))
    res_state: Mapped[str] = mapped_column(String(20))
    res_zip: Mapped[str] = mapped_column(String(20))
    mail_street: Mapped[str] = mapped_column(String(200))
    mail_city: Mapped[str] = mapped_column(String(100))
    mail_state: Mapped[str] = mapped_column(String(20))
    mail_zip: Mapped[str] = mapped_column(String(20))
    precinct: Mapped[str] = mapped_column(String(64), index=True)
    ballot_style: Mapped[str] = mapped_column(String(64))
    party: Mapped[str] = mapped_column(String(64))
    gender: Mapped[str] = mapped_column(String(16))
    registered_on: Mapped[str] = mapped_column(String(10))
    status_since: Mapped[str] = mapped_column(String(10))
    notice_sent_on: Mapped[str | None] = mapped_column(String(10), nullable=True)
    dob_mac: Mapped[str] = mapped_column(String(64), index=True)
    dob_sealed: Mapped[str] = mapped_column(String(128))
    ssn4_mac: Mapped[str] = mapped_column(String(64))
    ssn4_sealed: Mapped[str] = mapped_column(String(128))
    dl_mac: Mapped[str] = mapped_column(String(64), index=True)
    dl_sealed: Mapped[str] = mapped_column(String(200))
    version_hash: Mapped[str] = mapped_column(String(64))
    bucket: Mapped[int] = mapped_column(Integer, index=True)

    __table_args__ = (Index("ix_voters_county_name", "county", "last_name", "first_name"),)


class VoterVersion(Base):
    """Every version of every registration and the transaction that made it.

    ``record`` is the version's canonical JSON, whose SHA-256 is
    ``version_hash``; a version made by an import carries the import's id
    and its position in it, and is proven by the import's Merkle root. An
    imported version's text is the current row until the voter first
    changes, so it is written then (and checked against ``version_hash``)
    rather than stored twice for every voter on the list.
    """

    __tablename__ = "voter_versions"
    voter_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(Text)
    source_ref: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[str] = mapped_column(String(32), index=True)
    record: Mapped[str | None] = mapped_column(Text, nullable=True)
    version_hash: Mapped[str] = mapped_column(String(64))
    import_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    import_position: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class VoterBucket(Base):
    """One bucket of the voter map: its root over its voters' current versions."""

    __tablename__ = "voter_buckets"
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    root: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)


class VoterMapState(Base):
    """The ledgered root of the voter map: one row, logged at every change to the list."""

    __tablename__ = "voter_map"
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    root: Mapped[str] = mapped_column(String(64))
    voters: Mapped[int] = mapped_column(BigInteger)


class VoterImport(Base):
    """A voter file loaded in one transaction, proven by a root over the versions it made."""

    __tablename__ = "voter_imports"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    county: Mapped[str | None] = mapped_column(ForeignKey("jurisdictions.id"), nullable=True)
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    format: Mapped[str] = mapped_column(String(32))
    records: Mapped[int] = mapped_column(BigInteger)
    merkle_root: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[str] = mapped_column(String(32))


class VoterParticipation(Base):
    """Who voted in which election (from poll books and absentee logs)."""

    __tablename__ = "voter_participation"
    voter_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    election: Mapped[str] = mapped_column(String(64), primary_key=True)
    voted_on: Mapped[str] = mapped_column(String(10))
    method: Mapped[str] = mapped_column(String(16))


class VoterReview(Base):
    """A possible duplicate, death or move found by list maintenance, waiting for a person.

    Nothing here changes a registration: a reviewer confirms or rejects, and a
    confirmed finding only lets an official start the transaction the law
    allows (a notice, a cancellation) with this review as its source.
    """

    __tablename__ = "voter_reviews"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    county: Mapped[str] = mapped_column(ForeignKey("jurisdictions.id"))
    voter_id: Mapped[str] = mapped_column(String(64), index=True)
    other_id: Mapped[str] = mapped_column(String(64))
    score: Mapped[str] = mapped_column(String(16))
    details: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    found_at: Mapped[str] = mapped_column(String(32))
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decided_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    decision_note: Mapped[str | None] = mapped_column(Text, nullable=True)


class VoterAlert(Base):
    """An unusual pattern of changes, raised for the state admin (and logged)."""

    __tablename__ = "voter_alerts"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    rule: Mapped[str] = mapped_column(String(32), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    county: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[str] = mapped_column(String(32))
    last_at: Mapped[str] = mapped_column(String(32))
    voter_ids: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[str] = mapped_column(String(32), index=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class LatDefinition(Base):
    """An election definition a county tests its equipment against, kept as read.

    ``definition`` is the canonical JSON votetrail derived from the file, so the
    deck (and its expected totals) can be regenerated by anyone from the log's
    hash; ``file_sha256`` names the file the county actually loaded.
    """

    __tablename__ = "lat_definitions"
    id: Mapped[str] = mapped_column(String(96), primary_key=True)
    jurisdiction_id: Mapped[str] = mapped_column(ForeignKey("jurisdictions.id"))
    title: Mapped[str] = mapped_column(Text)
    source_format: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(Text)
    file_sha256: Mapped[str] = mapped_column(String(64))
    definition: Mapped[str] = mapped_column(Text)
    definition_sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[str] = mapped_column(String(32))


class LatSession(Base):
    """A public logic-and-accuracy test: when, where, who watched and who signed."""

    __tablename__ = "lat_sessions"
    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    jurisdiction_id: Mapped[str] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    definition_id: Mapped[str] = mapped_column(String(96), ForeignKey("lat_definitions.id"))
    phase: Mapped[str] = mapped_column(String(8))
    held_on: Mapped[str] = mapped_column(String(10))
    location: Mapped[str] = mapped_column(Text)
    observers: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8))
    opened_at: Mapped[str] = mapped_column(String(32))
    signed_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    officials: Mapped[str | None] = mapped_column(Text, nullable=True)
    statement: Mapped[str | None] = mapped_column(Text, nullable=True)


class LatDevice(Base):
    """A tabulator under test in a session, with the seals that keep it unchanged."""

    __tablename__ = "lat_devices"
    id: Mapped[str] = mapped_column(String(160), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("lat_sessions.id"), index=True)
    serial: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(64))
    precincts: Mapped[str | None] = mapped_column(Text, nullable=True)
    seal_before: Mapped[str] = mapped_column(String(64))
    seal_after: Mapped[str | None] = mapped_column(String(64), nullable=True)
    added_at: Mapped[str] = mapped_column(String(32))


class LatResult(Base):
    """One run of the deck through one device: what it reported and how that compared.

    ``reported`` keeps the totals read from the device's report (canonical
    JSON), so the post-election test can be compared with this one later.
    """

    __tablename__ = "lat_results"
    id: Mapped[str] = mapped_column(String(180), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("lat_sessions.id"), index=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("lat_devices.id"), index=True)
    run: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(Text)
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    """Indexed: a report file already recorded for another device is refused."""
    file_format: Mapped[str] = mapped_column(String(80))
    passed: Mapped[bool] = mapped_column(Boolean)
    discrepancies: Mapped[str] = mapped_column(Text)
    reported: Mapped[str] = mapped_column(Text)
    baseline_result_id: Mapped[str | None] = mapped_column(String(180), nullable=True)
    recorded_at: Mapped[str] = mapped_column(String(32))


class WebSession(Base):
    """A signed-in browser, kept on the server so signing out really ends it.

    ``id`` is the SHA-256 of the random token in the cookie, so reading this
    table does not hand anyone a live session. Operational, not ledgered: a
    session is not something the office did, and rows expire after 8 hours.
    """

    __tablename__ = "web_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("users.username"), index=True)
    created_at: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[str] = mapped_column(String(32), index=True)
    last_seen_at: Mapped[str | None] = mapped_column(String(32), nullable=True)


class AccountSecurity(Base):
    """An account's sign-in settings: a forced password change, a TOTP second factor.

    Logged (record ``account_security``): an administrator's reset and an
    enrolment are acts of the office, and a raw edit switching a second
    factor off must show in ``verify``. Accounts without a row have neither.
    """

    __tablename__ = "account_security"
    username: Mapped[str] = mapped_column(ForeignKey("users.username"), primary_key=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean)
    totp_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)


class TotpUsed(Base):
    """The last 30-second step whose code signed an account in: no code works twice.

    Operational, not ledgered: it changes at every sign-in with a second factor.
    """

    __tablename__ = "totp_used"
    username: Mapped[str] = mapped_column(ForeignKey("users.username"), primary_key=True)
    last_step: Mapped[int] = mapped_column(BigInteger)


class FailedSignIn(Base):
    """One wrong user name or password, for throttling and for the security analyst.

    ``username`` is what was typed (perhaps no account); ``known`` says whether
    it named an account. Operational, not ledgered: anyone on the internet can
    add rows, so they must not grow the permanent public log (see refusals).
    """

    __tablename__ = "failed_sign_ins"
    __table_args__ = (
        Index("ix_failed_sign_ins_user_time", "username", "attempted_at"),
        Index("ix_failed_sign_ins_client_time", "client", "attempted_at"),
        Index("ix_failed_sign_ins_time", "attempted_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64))
    known: Mapped[bool] = mapped_column(Boolean)
    client: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[str] = mapped_column(String(32))


class RefusalCount(Base):
    """How often one user was refused one thing in one hour (UTC).

    The first refusal is logged as ``access.denied``; later ones only count
    here, and the hour's total is logged as ``access.denied_repeated`` once the
    hour is over, so the log shows every distinct refusal without one entry
    per request. ``logged`` is how many of ``refusals`` the log already holds.
    Operational, not ledgered: the log entries themselves are the record.
    """

    __tablename__ = "refusal_counts"
    hour: Mapped[str] = mapped_column(String(13), primary_key=True)
    actor: Mapped[str] = mapped_column(String(64), primary_key=True)
    what: Mapped[str] = mapped_column(String(200), primary_key=True)
    jurisdiction_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    refusals: Mapped[int] = mapped_column(Integer)
    logged: Mapped[int] = mapped_column(Integer)


class LatUnsealedDevice(Base):
    """Why a tested device was not sealed after the test, as an official recorded it.

    Signing needs every device's after-test seal or this reason, which the
    certificate prints in place of a seal number. Its own ledgered record, so
    the device rows keep the hash they were logged with.
    """

    __tablename__ = "lat_unsealed_devices"
    device_id: Mapped[str] = mapped_column(ForeignKey("lat_devices.id"), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("lat_sessions.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[str] = mapped_column(String(32))


class Audit(Base):
    """A risk-limiting audit of one election, as the state administrator set it up.

    Several may exist (a practice audit and the real one). ``risk_limit`` is
    text such as ``"0.05"`` so the record hashes identically on both backends;
    ``status`` is ``set_up``, then ``seed_set``, then ``sampling``, and at the
    end ``confirmed`` or ``full_hand_count``.
    """

    __tablename__ = "audits"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    election: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(32))
    risk_limit: Mapped[str] = mapped_column(String(16))
    with_replacement: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(64))


class AuditContest(Base):
    """A contest the audit covers: ``targeted`` (must confirm) or ``opportunistic``."""

    __tablename__ = "audit_contests"
    id: Mapped[str] = mapped_column(String(300), primary_key=True)
    audit_id: Mapped[str] = mapped_column(ForeignKey("audits.id"), index=True)
    contest: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))


class AuditCounty(Base):
    """A county taking part in the audit: its ballots are in the sampling frame."""

    __tablename__ = "audit_counties"
    id: Mapped[str] = mapped_column(String(140), primary_key=True)
    audit_id: Mapped[str] = mapped_column(ForeignKey("audits.id"), index=True)
    jurisdiction_id: Mapped[str] = mapped_column(ForeignKey("jurisdictions.id"))


class AuditSeed(Base):
    """The public random seed, entered once at the ceremony with the witnesses' names."""

    __tablename__ = "audit_seeds"
    audit_id: Mapped[str] = mapped_column(ForeignKey("audits.id"), primary_key=True)
    seed: Mapped[str] = mapped_column(String(20))
    witnesses: Mapped[str] = mapped_column(Text)
    set_at: Mapped[str] = mapped_column(String(32))
    set_by: Mapped[str] = mapped_column(String(64))


class AuditRound(Base):
    """One round's draw: how many tickets, per county, and the frame they came from.

    ``frame_sha256`` is the SHA-256 of the frame's ballot ids in sampler order,
    one per line, so every round is provably drawn from the same ballots.
    """

    __tablename__ = "audit_rounds"
    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    audit_id: Mapped[str] = mapped_column(ForeignKey("audits.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    sample_size: Mapped[int] = mapped_column(Integer)
    per_county: Mapped[str] = mapped_column(Text)
    frame_size: Mapped[int] = mapped_column(BigInteger)
    frame_sha256: Mapped[str] = mapped_column(String(64))
    drawn_at: Mapped[str] = mapped_column(String(32))
    drawn_by: Mapped[str] = mapped_column(String(64))


class AuditDraw(Base):
    """One ticket of a round, in draw order, with where its ballot is kept."""

    __tablename__ = "audit_draws"
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    round_id: Mapped[str] = mapped_column(ForeignKey("audit_rounds.id"), index=True)
    draw_number: Mapped[int] = mapped_column(Integer)
    ticket_number: Mapped[str] = mapped_column(String(100))
    generation: Mapped[int] = mapped_column(Integer)
    jurisdiction_id: Mapped[str] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    ballot_id: Mapped[str] = mapped_column(String(1000))
    container: Mapped[str | None] = mapped_column(String(200), nullable=True)
    tabulator: Mapped[str | None] = mapped_column(String(200), nullable=True)
    batch: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)
    phantom: Mapped[bool] = mapped_column(Boolean)


class AuditBoard(Base):
    """A county's audit board: two members of different parties and its own account.

    ``members`` is canonical JSON, a list of ``{"name", "party"}``; ``username``
    is the board's users row (role ``audit_board``, jurisdiction the county).
    """

    __tablename__ = "audit_boards"
    id: Mapped[str] = mapped_column(String(140), primary_key=True)
    audit_id: Mapped[str] = mapped_column(ForeignKey("audits.id"), index=True)
    jurisdiction_id: Mapped[str] = mapped_column(ForeignKey("jurisdictions.id"))
    name: Mapped[str] = mapped_column(String(100))
    members: Mapped[str] = mapped_column(Text)
    username: Mapped[str] = mapped_column(ForeignKey("users.username"), index=True)
    created_at: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(64))


class AuditBoardLink(Base):
    """A one-time sign-in link of a board; only the token's SHA-256 is kept.

    ``used_at`` is set at first use; ``revoked_at`` when a newer link replaced it unused.
    """

    __tablename__ = "audit_board_links"
    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    board_id: Mapped[str] = mapped_column(ForeignKey("audit_boards.id"), index=True)
    issued_at: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[str] = mapped_column(String(32))
    used_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    revoked_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    issued_by: Mapped[str] = mapped_column(String(64))


class AuditAssignment(Base):
    """A sampled ballot of a round given to one board to examine."""

    __tablename__ = "audit_assignments"
    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    round_id: Mapped[str] = mapped_column(ForeignKey("audit_rounds.id"), index=True)
    board_id: Mapped[str] = mapped_column(ForeignKey("audit_boards.id"), index=True)
    ballot_id: Mapped[str] = mapped_column(String(1000))


class AuditInterpretation(Base):
    """What a board saw for one contest on one paper ballot (the round it was first examined).

    ``reading`` is choice ids joined by ";" (sorted), or blank, overvote, not_found.
    """

    __tablename__ = "audit_interpretations"
    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    audit_id: Mapped[str] = mapped_column(ForeignKey("audits.id"), index=True)
    round_id: Mapped[str] = mapped_column(ForeignKey("audit_rounds.id"), index=True)
    board_id: Mapped[str] = mapped_column(ForeignKey("audit_boards.id"), index=True)
    ballot_id: Mapped[str] = mapped_column(String(1000))
    contest: Mapped[str] = mapped_column(String(200))
    reading: Mapped[str] = mapped_column(Text)
    comment: Mapped[str] = mapped_column(Text)
    entered_at: Mapped[str] = mapped_column(String(32))
    entered_by: Mapped[str] = mapped_column(String(64))


class AuditSignoff(Base):
    """A board's members signed off a round: their entries for it are final."""

    __tablename__ = "audit_signoffs"
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    round_id: Mapped[str] = mapped_column(ForeignKey("audit_rounds.id"), index=True)
    board_id: Mapped[str] = mapped_column(ForeignKey("audit_boards.id"), index=True)
    members: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[str] = mapped_column(String(32))
    signed_by: Mapped[str] = mapped_column(String(64))


class AuditRoundResult(Base):
    """One contest's measured risk when a round closed, and what follows from it.

    ``risk`` is ``repr`` of the float (text, so it hashes the same on both
    backends); ``decision`` is confirmed, continue or full_hand_count.
    """

    __tablename__ = "audit_round_results"
    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    round_id: Mapped[str] = mapped_column(ForeignKey("audit_rounds.id"), index=True)
    contest: Mapped[str] = mapped_column(String(200))
    risk: Mapped[str] = mapped_column(String(40))
    decision: Mapped[str] = mapped_column(String(20))
    closed_at: Mapped[str] = mapped_column(String(32))
    closed_by: Mapped[str] = mapped_column(String(64))


class AuditBatchDraw(Base):
    """One PPEB draw of a batch-comparison round, in draw order, with the batch's error bound.

    ``batch_id`` is ``<county>:<tabulator>:<batch>`` (``%`` and ``:`` escaped);
    ``error_bound`` is ``repr`` of u_p, text so it hashes the same on both backends.
    """

    __tablename__ = "audit_batch_draws"
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    round_id: Mapped[str] = mapped_column(ForeignKey("audit_rounds.id"), index=True)
    draw_number: Mapped[int] = mapped_column(Integer)
    ticket_number: Mapped[str] = mapped_column(String(100))
    generation: Mapped[int] = mapped_column(Integer)
    jurisdiction_id: Mapped[str] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    batch_id: Mapped[str] = mapped_column(String(1000))
    tabulator: Mapped[str | None] = mapped_column(String(200), nullable=True)
    batch: Mapped[str] = mapped_column(String(200))
    error_bound: Mapped[str] = mapped_column(String(40))


class AuditBatchTally(Base):
    """A county's hand tally of one sampled batch (one per batch per audit; it stands).

    ``votes`` is canonical JSON ``{contest: {choice: votes}}``; ``found`` False
    records a batch that could not be found (worst case), with ``votes`` ``{}``.
    """

    __tablename__ = "audit_batch_tallies"
    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    audit_id: Mapped[str] = mapped_column(ForeignKey("audits.id"), index=True)
    round_id: Mapped[str] = mapped_column(ForeignKey("audit_rounds.id"), index=True)
    jurisdiction_id: Mapped[str] = mapped_column(ForeignKey("jurisdictions.id"))
    batch_id: Mapped[str] = mapped_column(String(1000))
    found: Mapped[bool] = mapped_column(Boolean)
    votes: Mapped[str] = mapped_column(Text)
    entered_at: Mapped[str] = mapped_column(String(32))
    entered_by: Mapped[str] = mapped_column(String(64))


class AuditBatchSignoff(Base):
    """A county signed off its hand tallies of a batch-comparison round: they are final."""

    __tablename__ = "audit_batch_signoffs"
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    round_id: Mapped[str] = mapped_column(ForeignKey("audit_rounds.id"), index=True)
    jurisdiction_id: Mapped[str] = mapped_column(ForeignKey("jurisdictions.id"))
    signed_at: Mapped[str] = mapped_column(String(32))
    signed_by: Mapped[str] = mapped_column(String(64))


class AuditBatchResult(Base):
    """One contest's MACRO risk when the state measured a batch-comparison round."""

    __tablename__ = "audit_batch_results"
    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    round_id: Mapped[str] = mapped_column(ForeignKey("audit_rounds.id"), index=True)
    contest: Mapped[str] = mapped_column(String(200))
    risk: Mapped[str] = mapped_column(String(40))
    decision: Mapped[str] = mapped_column(String(20))
    measured_at: Mapped[str] = mapped_column(String(32))
    measured_by: Mapped[str] = mapped_column(String(64))


class Publication(Base):
    """A document an office published (issue 18): its bytes' SHA-256 and what it is.

    Never changed once written, so its logged hash holds for good and a proof
    bundle made at any time carries exactly the row the log entry commits to.
    A correction is a new row naming the one it ``supersedes`` (at most one
    correction each); a withdrawal is a ``publication_withdrawals`` row. The
    bytes themselves are kept in the data directory under their SHA-256
    (``services/publications/files.py``).
    """

    __tablename__ = "publications"
    __table_args__ = (Index("ix_publications_supersedes", "supersedes", unique=True),)
    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    jurisdiction_id: Mapped[str] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    office: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    file_name: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    supersedes: Mapped[str | None] = mapped_column(ForeignKey("publications.id"), nullable=True)
    published_by: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[str] = mapped_column(String(32))


class PublicationWithdrawal(Base):
    """A publication withdrawn, with the reason: it stays listed, marked withdrawn."""

    __tablename__ = "publication_withdrawals"
    publication_id: Mapped[str] = mapped_column(ForeignKey("publications.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(2000))
    withdrawn_by: Mapped[str] = mapped_column(String(64))
    withdrawn_at: Mapped[str] = mapped_column(String(32))


class Witness(Base):
    """A witness the office accepts cosignatures from (``votetrail witness add``).

    Ledgered: adding or removing one is logged, so nobody can quietly swap in a
    witness of their own to vouch for a rewritten log.
    """

    __tablename__ = "witnesses"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    verifier_key: Mapped[str] = mapped_column(String(400))
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[str] = mapped_column(String(32))


class Cosignature(Base):
    """A witness's C2SP cosignature of one signed checkpoint, the newest it sent.

    Not logged: the line is itself signed evidence about the log, and logging
    it would make a new checkpoint for the witnesses to cosign, forever.
    """

    __tablename__ = "cosignatures"
    checkpoint_size: Mapped[int] = mapped_column(
        ForeignKey("checkpoints.size"), primary_key=True, autoincrement=False
    )
    witness_name: Mapped[str] = mapped_column(ForeignKey("witnesses.name"), primary_key=True)
    timestamp: Mapped[int] = mapped_column(BigInteger)
    line: Mapped[str] = mapped_column(String(600))
    received_at: Mapped[str] = mapped_column(String(32))


class LogRemark(Base):
    """An official's public remark in the log (``log.remark``), such as the start of a canvass.

    Kept as a record, not only as a hash, so the public log can show what was
    said, and ``verify`` names a remark edited or deleted behind the
    application's back. Never changed once written.
    """

    __tablename__ = "log_remarks"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    jurisdiction_id: Mapped[str | None] = mapped_column(
        ForeignKey("jurisdictions.id"), nullable=True
    )
    text: Mapped[str] = mapped_column(String(2000))
    written_by: Mapped[str] = mapped_column(String(64))
    written_at: Mapped[str] = mapped_column(String(32))


def _table(model: type[Base]) -> Table:
    """The Core table behind a model, typed as such for Core queries."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


SETTINGS = _table(Setting)
JURISDICTIONS = _table(Jurisdiction)
USERS = _table(User)
LEDGER_HEAD = _table(LedgerHead)
LEDGER_ENTRIES = _table(LedgerEntry)
LEDGER_NODES = _table(LedgerNode)
CHECKPOINTS = _table(SignedCheckpoint)
UPLOADS = _table(Upload)
CVRS = _table(Cvr)
UPLOAD_ROWS = _table(CountRow)
UPLOAD_REPLACEMENTS = _table(UploadReplacement)
NETMON_INGESTS = _table(NetmonIngest)
NETMON_INCIDENTS = _table(NetmonIncident)
NETMON_SOURCE_DAYS = _table(NetmonSourceDay)
NETMON_DAY_TOTALS = _table(NetmonDayTotal)
VOTERS = _table(Voter)
VOTER_VERSIONS = _table(VoterVersion)
VOTER_BUCKETS = _table(VoterBucket)
VOTER_MAP = _table(VoterMapState)
VOTER_IMPORTS = _table(VoterImport)
PUBLICATIONS = _table(Publication)
PUBLICATION_WITHDRAWALS = _table(PublicationWithdrawal)
WITNESSES = _table(Witness)
COSIGNATURES = _table(Cosignature)
VOTER_PARTICIPATION = _table(VoterParticipation)
VOTER_REVIEWS = _table(VoterReview)
VOTER_ALERTS = _table(VoterAlert)
LAT_DEFINITIONS = _table(LatDefinition)
LAT_SESSIONS = _table(LatSession)
LAT_DEVICES = _table(LatDevice)
LAT_RESULTS = _table(LatResult)
LAT_UNSEALED_DEVICES = _table(LatUnsealedDevice)
WEB_SESSIONS = _table(WebSession)
ACCOUNT_SECURITY = _table(AccountSecurity)
TOTP_USED = _table(TotpUsed)
FAILED_SIGN_INS = _table(FailedSignIn)
LOG_REMARKS = _table(LogRemark)
REFUSAL_COUNTS = _table(RefusalCount)
AUDITS = _table(Audit)
AUDIT_CONTESTS = _table(AuditContest)
AUDIT_COUNTIES = _table(AuditCounty)
AUDIT_SEEDS = _table(AuditSeed)
AUDIT_ROUNDS = _table(AuditRound)
AUDIT_DRAWS = _table(AuditDraw)
AUDIT_BOARDS = _table(AuditBoard)
AUDIT_BOARD_LINKS = _table(AuditBoardLink)
AUDIT_ASSIGNMENTS = _table(AuditAssignment)
AUDIT_INTERPRETATIONS = _table(AuditInterpretation)
AUDIT_SIGNOFFS = _table(AuditSignoff)
AUDIT_ROUND_RESULTS = _table(AuditRoundResult)
AUDIT_BATCH_DRAWS = _table(AuditBatchDraw)
AUDIT_BATCH_TALLIES = _table(AuditBatchTally)
AUDIT_BATCH_SIGNOFFS = _table(AuditBatchSignoff)
AUDIT_BATCH_RESULTS = _table(AuditBatchResult)
