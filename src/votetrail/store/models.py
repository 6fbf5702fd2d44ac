"""The schema: one SQLAlchemy Core ``Table`` per database table.

Core tables, not ORM classes: nothing maps rows to objects, and declaring
fifty mapped classes (importing the ORM to do it) cost every command a quarter
of a second at start-up.

Ledger tables keep text, integers and bytes only, never floats or
backend-specific types, so a record reads back identically from SQLite and
PostgreSQL and canonicalises to the same bytes.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
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

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

METADATA = MetaData(naming_convention=NAMING)


# Deployment facts fixed at init, such as the log's origin name.
SETTINGS = Table(
    "settings",
    METADATA,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)


# The state or a county; ``id`` is a short stable slug such as ``adams``.
JURISDICTIONS = Table(
    "jurisdictions",
    METADATA,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("parent_id", ForeignKey("jurisdictions.id")),
)


# An official's account; the role and jurisdiction bound what they may see.
USERS = Table(
    "users",
    METADATA,
    Column("username", String(64), primary_key=True),
    Column("display_name", String(200), nullable=False),
    Column("role", String(32), nullable=False),
    Column("jurisdiction_id", ForeignKey("jurisdictions.id"), nullable=False),
    Column("password_hash", String(300), nullable=False),
    Column("active", Boolean, default=True, nullable=False),
)


# One row: the log's size and root, locked by every append.
LEDGER_HEAD = Table(
    "ledger_head",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("root_hash", LargeBinary(32), nullable=False),
)


# One event; ``seq`` is its leaf index in the Merkle tree.
LEDGER_ENTRIES = Table(
    "ledger_entries",
    METADATA,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("event_type", String(64), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("jurisdiction_id", String(64)),
    Column("occurred_at", String(32), nullable=False),
    Column("record_type", String(64)),
    Column("record_id", String(200)),
    Column("payload_hash", String(64), nullable=False),
    Index("ix_ledger_entries_record", "record_type", "record_id", "seq"),
)


# A perfect subtree hash; level 0 holds the leaf hashes.
LEDGER_NODES = Table(
    "ledger_nodes",
    METADATA,
    Column("level", SmallInteger, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)


# Every checkpoint the log has signed, so ``verify`` can hold it to them all.
CHECKPOINTS = Table(
    "checkpoints",
    METADATA,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("root_hash", LargeBinary(32), nullable=False),
    Column("note", Text, nullable=False),
    Column("signed_at", String(32), nullable=False),
)


# One import of a county's files (CVRs, manifest, paper counts or check-ins).
#
# An upload is current until an ``upload_replacements`` row names it: a
# county's CVRs are the union of its current CVR uploads (one file per
# tabulator may arrive at a time); a manifest, paper counts or check-ins
# upload is a whole-county file, one current at a time. Replaced uploads
# stay, so what was counted before can be shown and re-proven.
# ``files`` is canonical JSON: each file's name, SHA-256, format and records.
UPLOADS = Table(
    "uploads",
    METADATA,
    Column("id", String(80), primary_key=True),
    Column("jurisdiction_id", ForeignKey("jurisdictions.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("files", Text, nullable=False),
    Column("records", BigInteger, nullable=False),
    Column("merkle_root", String(64), nullable=False),
    Column("contests", Text, nullable=False),
    Column("imported_at", String(32), nullable=False),
)


# One cast vote record, as canonical JSON; its upload's Merkle root covers it.
CVRS = Table(
    "cvrs",
    METADATA,
    Column("upload_id", ForeignKey("uploads.id"), primary_key=True),
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("cvr_id", String(200), nullable=False),
    Column("tabulator", String(200)),
    Column("batch", String(200)),
    Column("precinct", String(200)),
    Column("record", Text, nullable=False),
)


# A counted thing from a manifest, paper-count or check-in upload, canonical JSON.
UPLOAD_ROWS = Table(
    "upload_rows",
    METADATA,
    Column("upload_id", ForeignKey("uploads.id"), primary_key=True),
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("record", Text, nullable=False),
)


# An official's confirmed replacement of one upload by a newer one of its kind.
#
# Its own ledgered record (``upload.replaced``), so the upload rows keep the
# hash they were logged with, and deleting this row to make a replaced file
# count again is a discrepancy ``verify`` names.
UPLOAD_REPLACEMENTS = Table(
    "upload_replacements",
    METADATA,
    Column("replaced_id", ForeignKey("uploads.id"), primary_key=True),
    Column("replacement_id", ForeignKey("uploads.id"), index=True, nullable=False),
    Column("replaced_by", String(64), nullable=False),
    Column("replaced_at", String(32), nullable=False),
)


# One network log read into the monitor: a whole file, or one batch of a watched file.
#
# It is the ledgered record of the read, so the log proves which file (by
# SHA-256) was looked at, how much of it could be read and which incidents
# it raised; ``incident_ids`` is canonical JSON: an object, incident id →
# SHA-256 of the ``data`` stored for it, so this one logged row covers every
# incident row it wrote (a list of ids in ingests from before migration 0010).
NETMON_INGESTS = Table(
    "netmon_ingests",
    METADATA,
    Column("id", String(40), primary_key=True),
    Column("mode", String(8), nullable=False),
    Column("file_name", String(255), nullable=False),
    Column("sha256", String(64), index=True, nullable=False),
    Column("format", String(16), nullable=False),
    Column("lines", BigInteger, nullable=False),
    Column("events", BigInteger, nullable=False),
    Column("ignored", BigInteger, nullable=False),
    Column("bad", BigInteger, nullable=False),
    Column("incidents", Integer, nullable=False),
    Column("incident_ids", Text, nullable=False),
    Column("ingested_at", String(32), nullable=False),
    Column("jurisdiction_id", ForeignKey("jurisdictions.id")),
    # SHA-256 of the ingest's day counts as stored (services/netmon/counts.py); NULL in
    # ingests logged before migration 0015, whose logged hash leaves it out (records.py).
    Column("counts_sha256", String(64)),
)


# The newest known state of one scan incident; ``data`` is its canonical JSON.
#
# An incident seen again by a later ingest (a watched log growing) replaces
# its row, so the table holds each incident once, as last reported; the
# row answers to the hash the latest ingest naming it logged
# (``services/netmon/verify.py``). ``data`` includes the attempts per hour.
NETMON_INCIDENTS = Table(
    "netmon_incidents",
    METADATA,
    Column("id", String(16), primary_key=True),
    Column("ingest_id", ForeignKey("netmon_ingests.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("severity", String(8), nullable=False),
    Column("first_seen", String(32), index=True, nullable=False),
    Column("last_seen", String(32), nullable=False),
    Column("data", Text, nullable=False),
)


# One source's unsolicited attempts on one UTC day, as one ingest counted them.
#
# ``network`` is the source's /24 or /64 (CIDR text), for the day's view by
# block; ``ports`` and ``hosts`` are distinct counts (an estimate past 256).
# The ingest's ledgered ``counts_sha256`` covers these rows.
NETMON_SOURCE_DAYS = Table(
    "netmon_source_days",
    METADATA,
    Column("ingest_id", ForeignKey("netmon_ingests.id"), primary_key=True),
    Column("day", String(10), primary_key=True),
    Column("source", String(45), primary_key=True),
    Column("network", String(50), nullable=False),
    Column("attempts", BigInteger, nullable=False),
    Column("answered", BigInteger, nullable=False),
    Column("unexpected", BigInteger, nullable=False),
    Column("ports", BigInteger, nullable=False),
    Column("hosts", BigInteger, nullable=False),
    Column("first_seen", String(32), nullable=False),
    Column("last_seen", String(32), nullable=False),
    Index("ix_netmon_source_days_day_source", "day", "source"),
    Index("ix_netmon_source_days_day_network", "day", "network"),
    Index("ix_netmon_source_days_source_day", "source", "day"),
)


# One UTC day's unsolicited attempts as one ingest counted them (covered like the above).
NETMON_DAY_TOTALS = Table(
    "netmon_day_totals",
    METADATA,
    Column("ingest_id", ForeignKey("netmon_ingests.id"), primary_key=True),
    Column("day", String(10), primary_key=True, index=True),
    Column("sources", BigInteger, nullable=False),
    Column("attempts", BigInteger, nullable=False),
    Column("answered", BigInteger, nullable=False),
    Column("unexpected", BigInteger, nullable=False),
    Column("ports", BigInteger, nullable=False),
    Column("hosts", BigInteger, nullable=False),
)


# The current version of each registration (``voter_versions`` holds them all).
#
# Protected identifiers are kept as a keyed hash (``*_mac``, for matching)
# and AES-GCM ciphertext bound to the voter id (``*_sealed``); neither can be
# turned back into a date of birth or number without the key file.
# ``version_hash`` is the hash logged for this version and ``bucket`` its
# place in the voter map (``core/voters/voter_map.py``).
VOTERS = Table(
    "voters",
    METADATA,
    Column("voter_id", String(64), primary_key=True),
    Column("county", ForeignKey("jurisdictions.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("status_reason", String(200), nullable=False),
    Column("first_name", String(100), nullable=False),
    Column("middle_name", String(100), nullable=False),
    Column("last_name", String(100), nullable=False),
    Column("suffix", String(20), nullable=False),
    Column("res_street", String(200), nullable=False),
    Column("res_city", String(100), nullable=False),
    Column("res_state", String(20), nullable=False),
    Column("res_zip", String(20), nullable=False),
    Column("mail_street", String(200), nullable=False),
    Column("mail_city", String(100), nullable=False),
    Column("mail_state", String(20), nullable=False),
    Column("mail_zip", String(20), nullable=False),
    Column("precinct", String(64), index=True, nullable=False),
    Column("ballot_style", String(64), nullable=False),
    Column("party", String(64), nullable=False),
    Column("gender", String(16), nullable=False),
    Column("registered_on", String(10), nullable=False),
    Column("status_since", String(10), nullable=False),
    Column("notice_sent_on", String(10)),
    Column("dob_mac", String(64), index=True, nullable=False),
    Column("dob_sealed", String(128), nullable=False),
    Column("ssn4_mac", String(64), nullable=False),
    Column("ssn4_sealed", String(128), nullable=False),
    Column("dl_mac", String(64), index=True, nullable=False),
    Column("dl_sealed", String(200), nullable=False),
    Column("version_hash", String(64), nullable=False),
    Column("bucket", Integer, index=True, nullable=False),
    Index("ix_voters_county_name", "county", "last_name", "first_name"),
)


# Every version of every registration and the transaction that made it.
#
# ``record`` is the version's canonical JSON, whose SHA-256 is
# ``version_hash``; a version made by an import carries the import's id
# and its position in it, and is proven by the import's Merkle root. An
# imported version's text is the current row until the voter first
# changes, so it is written then (and checked against ``version_hash``)
# rather than stored twice for every voter on the list.
VOTER_VERSIONS = Table(
    "voter_versions",
    METADATA,
    Column("voter_id", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("actor", String(64), index=True, nullable=False),
    Column("reason", Text, nullable=False),
    Column("source_ref", String(200), nullable=False),
    Column("occurred_at", String(32), index=True, nullable=False),
    Column("record", Text),
    Column("version_hash", String(64), nullable=False),
    Column("import_id", String(40), index=True),
    Column("import_position", BigInteger),
)


# One bucket of the voter map: its root over its voters' current versions.
VOTER_BUCKETS = Table(
    "voter_buckets",
    METADATA,
    Column("bucket", Integer, primary_key=True),
    Column("root", String(64), nullable=False),
    Column("size", Integer, nullable=False),
)


# The ledgered root of the voter map: one row, logged at every change to the list.
VOTER_MAP = Table(
    "voter_map",
    METADATA,
    Column("id", String(16), primary_key=True),
    Column("root", String(64), nullable=False),
    Column("voters", BigInteger, nullable=False),
)


# A voter file loaded in one transaction, proven by a root over the versions it made.
VOTER_IMPORTS = Table(
    "voter_imports",
    METADATA,
    Column("id", String(40), primary_key=True),
    Column("county", ForeignKey("jurisdictions.id")),
    Column("file_name", String(255), nullable=False),
    Column("sha256", String(64), index=True, nullable=False),
    Column("format", String(32), nullable=False),
    Column("records", BigInteger, nullable=False),
    Column("merkle_root", String(64), nullable=False),
    Column("imported_at", String(32), nullable=False),
)


# Who voted in which election (from poll books and absentee logs).
VOTER_PARTICIPATION = Table(
    "voter_participation",
    METADATA,
    Column("voter_id", String(64), primary_key=True),
    Column("election", String(64), primary_key=True),
    Column("voted_on", String(10), nullable=False),
    Column("method", String(16), nullable=False),
)


# A possible duplicate, death or move found by list maintenance, waiting for a person.
#
# Nothing here changes a registration: a reviewer confirms or rejects, and a
# confirmed finding only lets an official start the transaction the law
# allows (a notice, a cancellation) with this review as its source.
VOTER_REVIEWS = Table(
    "voter_reviews",
    METADATA,
    Column("id", String(40), primary_key=True),
    Column("kind", String(16), index=True, nullable=False),
    Column("county", ForeignKey("jurisdictions.id"), nullable=False),
    Column("voter_id", String(64), index=True, nullable=False),
    Column("other_id", String(64), nullable=False),
    Column("score", String(16), nullable=False),
    Column("details", Text, nullable=False),
    Column("status", String(16), index=True, nullable=False),
    Column("found_at", String(32), nullable=False),
    Column("decided_by", String(64)),
    Column("decided_at", String(32)),
    Column("decision_note", Text),
)


# An unusual pattern of changes, raised for the state admin (and logged).
VOTER_ALERTS = Table(
    "voter_alerts",
    METADATA,
    Column("id", String(40), primary_key=True),
    Column("rule", String(32), index=True, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("county", String(64), nullable=False),
    Column("count", Integer, nullable=False),
    Column("first_at", String(32), nullable=False),
    Column("last_at", String(32), nullable=False),
    Column("voter_ids", Text, nullable=False),
    Column("summary", Text, nullable=False),
    Column("raised_at", String(32), index=True, nullable=False),
    Column("acknowledged_by", String(64)),
)


# An election definition a county tests its equipment against, kept as read.
#
# ``definition`` is the canonical JSON votetrail derived from the file, so the
# deck (and its expected totals) can be regenerated by anyone from the log's
# hash; ``file_sha256`` names the file the county actually loaded.
LAT_DEFINITIONS = Table(
    "lat_definitions",
    METADATA,
    Column("id", String(96), primary_key=True),
    Column("jurisdiction_id", ForeignKey("jurisdictions.id"), nullable=False),
    Column("title", Text, nullable=False),
    Column("source_format", String(64), nullable=False),
    Column("file_name", Text, nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("definition", Text, nullable=False),
    Column("definition_sha256", String(64), nullable=False),
    Column("imported_at", String(32), nullable=False),
)


# A public logic-and-accuracy test: when, where, who watched and who signed.
LAT_SESSIONS = Table(
    "lat_sessions",
    METADATA,
    Column("id", String(80), primary_key=True),
    Column("jurisdiction_id", ForeignKey("jurisdictions.id"), index=True, nullable=False),
    Column("definition_id", String(96), ForeignKey("lat_definitions.id"), nullable=False),
    Column("phase", String(8), nullable=False),
    Column("held_on", String(10), nullable=False),
    Column("location", Text, nullable=False),
    Column("observers", Text, nullable=False),
    Column("status", String(8), nullable=False),
    Column("opened_at", String(32), nullable=False),
    Column("signed_at", String(32)),
    Column("officials", Text),
    Column("statement", Text),
)


# A tabulator under test in a session, with the seals that keep it unchanged.
LAT_DEVICES = Table(
    "lat_devices",
    METADATA,
    Column("id", String(160), primary_key=True),
    Column("session_id", ForeignKey("lat_sessions.id"), index=True, nullable=False),
    Column("serial", String(64), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("precincts", Text),
    Column("seal_before", String(64), nullable=False),
    Column("seal_after", String(64)),
    Column("added_at", String(32), nullable=False),
)


# One run of the deck through one device: what it reported and how that compared.
#
# ``reported`` keeps the totals read from the device's report (canonical
# JSON), so the post-election test can be compared with this one later.
LAT_RESULTS = Table(
    "lat_results",
    METADATA,
    Column("id", String(180), primary_key=True),
    Column("session_id", ForeignKey("lat_sessions.id"), index=True, nullable=False),
    Column("device_id", ForeignKey("lat_devices.id"), index=True, nullable=False),
    Column("run", Integer, nullable=False),
    Column("file_name", Text, nullable=False),
    Column("file_sha256", String(64), index=True, nullable=False),
    # Indexed: a report file already recorded for another device is refused.
    Column("file_format", String(80), nullable=False),
    Column("passed", Boolean, nullable=False),
    Column("discrepancies", Text, nullable=False),
    Column("reported", Text, nullable=False),
    Column("baseline_result_id", String(180)),
    Column("recorded_at", String(32), nullable=False),
)


# A signed-in browser, kept on the server so signing out really ends it.
#
# ``id`` is the SHA-256 of the random token in the cookie, so reading this
# table does not hand anyone a live session. Operational, not ledgered: a
# session is not something the office did, and rows expire after 8 hours.
WEB_SESSIONS = Table(
    "web_sessions",
    METADATA,
    Column("id", String(64), primary_key=True),
    Column("username", ForeignKey("users.username"), index=True, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("expires_at", String(32), index=True, nullable=False),
    Column("last_seen_at", String(32)),
)


# An account's sign-in settings: a forced password change, a TOTP second factor.
#
# Logged (record ``account_security``): an administrator's reset and an
# enrolment are acts of the office, and a raw edit switching a second
# factor off must show in ``verify``. Accounts without a row have neither.
ACCOUNT_SECURITY = Table(
    "account_security",
    METADATA,
    Column("username", ForeignKey("users.username"), primary_key=True),
    Column("must_change_password", Boolean, nullable=False),
    Column("totp_secret", String(64)),
)


# The last 30-second step whose code signed an account in: no code works twice.
#
# Operational, not ledgered: it changes at every sign-in with a second factor.
TOTP_USED = Table(
    "totp_used",
    METADATA,
    Column("username", ForeignKey("users.username"), primary_key=True),
    Column("last_step", BigInteger, nullable=False),
)


# One wrong user name or password, for throttling and for the security analyst.
#
# ``username`` is what was typed (perhaps no account); ``known`` says whether
# it named an account. Operational, not ledgered: anyone on the internet can
# add rows, so they must not grow the permanent public log (see refusals).
FAILED_SIGN_INS = Table(
    "failed_sign_ins",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    Column("known", Boolean, nullable=False),
    Column("client", String(64), nullable=False),
    Column("attempted_at", String(32), nullable=False),
    Index("ix_failed_sign_ins_user_time", "username", "attempted_at"),
    Index("ix_failed_sign_ins_client_time", "client", "attempted_at"),
    Index("ix_failed_sign_ins_time", "attempted_at"),
)


# How often one user was refused one thing in one hour (UTC).
#
# The first refusal is logged as ``access.denied``; later ones only count
# here, and the hour's total is logged as ``access.denied_repeated`` once the
# hour is over, so the log shows every distinct refusal without one entry
# per request. ``logged`` is how many of ``refusals`` the log already holds.
# Operational, not ledgered: the log entries themselves are the record.
REFUSAL_COUNTS = Table(
    "refusal_counts",
    METADATA,
    Column("hour", String(13), primary_key=True),
    Column("actor", String(64), primary_key=True),
    Column("what", String(200), primary_key=True),
    Column("jurisdiction_id", String(64)),
    Column("refusals", Integer, nullable=False),
    Column("logged", Integer, nullable=False),
)


# Why a tested device was not sealed after the test, as an official recorded it.
#
# Signing needs every device's after-test seal or this reason, which the
# certificate prints in place of a seal number. Its own ledgered record, so
# the device rows keep the hash they were logged with.
LAT_UNSEALED_DEVICES = Table(
    "lat_unsealed_devices",
    METADATA,
    Column("device_id", ForeignKey("lat_devices.id"), primary_key=True),
    Column("session_id", ForeignKey("lat_sessions.id"), index=True, nullable=False),
    Column("reason", Text, nullable=False),
    Column("recorded_by", String(64), nullable=False),
    Column("recorded_at", String(32), nullable=False),
)


# A risk-limiting audit of one election, as the state administrator set it up.
#
# Several may exist (a practice audit and the real one). ``risk_limit`` is
# text such as ``"0.05"`` so the record hashes identically on both backends;
# ``status`` is ``set_up``, then ``seed_set``, then ``sampling``, and at the
# end ``confirmed`` or ``full_hand_count``.
AUDITS = Table(
    "audits",
    METADATA,
    Column("id", String(64), primary_key=True),
    Column("election", String(200), nullable=False),
    Column("method", String(32), nullable=False),
    Column("risk_limit", String(16), nullable=False),
    Column("with_replacement", Boolean, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("created_by", String(64), nullable=False),
)


# A contest the audit covers: ``targeted`` (must confirm) or ``opportunistic``.
AUDIT_CONTESTS = Table(
    "audit_contests",
    METADATA,
    Column("id", String(300), primary_key=True),
    Column("audit_id", ForeignKey("audits.id"), index=True, nullable=False),
    Column("contest", String(200), nullable=False),
    Column("role", String(16), nullable=False),
)


# A county taking part in the audit: its ballots are in the sampling frame.
AUDIT_COUNTIES = Table(
    "audit_counties",
    METADATA,
    Column("id", String(140), primary_key=True),
    Column("audit_id", ForeignKey("audits.id"), index=True, nullable=False),
    Column("jurisdiction_id", ForeignKey("jurisdictions.id"), nullable=False),
)


# The public random seed, entered once at the ceremony with the witnesses' names.
AUDIT_SEEDS = Table(
    "audit_seeds",
    METADATA,
    Column("audit_id", ForeignKey("audits.id"), primary_key=True),
    Column("seed", String(20), nullable=False),
    Column("witnesses", Text, nullable=False),
    Column("set_at", String(32), nullable=False),
    Column("set_by", String(64), nullable=False),
)


# One round's draw: how many tickets, per county, and the frame they came from.
#
# ``frame_sha256`` is the SHA-256 of the frame's ballot ids in sampler order,
# one per line, so every round is provably drawn from the same ballots.
AUDIT_ROUNDS = Table(
    "audit_rounds",
    METADATA,
    Column("id", String(80), primary_key=True),
    Column("audit_id", ForeignKey("audits.id"), index=True, nullable=False),
    Column("number", Integer, nullable=False),
    Column("sample_size", Integer, nullable=False),
    Column("per_county", Text, nullable=False),
    Column("frame_size", BigInteger, nullable=False),
    Column("frame_sha256", String(64), nullable=False),
    Column("drawn_at", String(32), nullable=False),
    Column("drawn_by", String(64), nullable=False),
)


# One ticket of a round, in draw order, with where its ballot is kept.
AUDIT_DRAWS = Table(
    "audit_draws",
    METADATA,
    Column("id", String(100), primary_key=True),
    Column("round_id", ForeignKey("audit_rounds.id"), index=True, nullable=False),
    Column("draw_number", Integer, nullable=False),
    Column("ticket_number", String(100), nullable=False),
    Column("generation", Integer, nullable=False),
    Column("jurisdiction_id", ForeignKey("jurisdictions.id"), index=True, nullable=False),
    Column("ballot_id", String(1000), nullable=False),
    Column("container", String(200)),
    Column("tabulator", String(200)),
    Column("batch", String(200), nullable=False),
    Column("position", Integer, nullable=False),
    Column("phantom", Boolean, nullable=False),
)


# A county's audit board: two members of different parties and its own account.
#
# ``members`` is canonical JSON, a list of ``{"name", "party"}``; ``username``
# is the board's users row (role ``audit_board``, jurisdiction the county).
AUDIT_BOARDS = Table(
    "audit_boards",
    METADATA,
    Column("id", String(140), primary_key=True),
    Column("audit_id", ForeignKey("audits.id"), index=True, nullable=False),
    Column("jurisdiction_id", ForeignKey("jurisdictions.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("members", Text, nullable=False),
    Column("username", ForeignKey("users.username"), index=True, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("created_by", String(64), nullable=False),
)


# A one-time sign-in link of a board; only the token's SHA-256 is kept.
#
# ``used_at`` is set at first use; ``revoked_at`` when a newer link replaced it unused.
AUDIT_BOARD_LINKS = Table(
    "audit_board_links",
    METADATA,
    Column("token_sha256", String(64), primary_key=True),
    Column("board_id", ForeignKey("audit_boards.id"), index=True, nullable=False),
    Column("issued_at", String(32), nullable=False),
    Column("expires_at", String(32), nullable=False),
    Column("used_at", String(32)),
    Column("revoked_at", String(32)),
    Column("issued_by", String(64), nullable=False),
)


# A sampled ballot of a round given to one board to examine.
AUDIT_ASSIGNMENTS = Table(
    "audit_assignments",
    METADATA,
    Column("id", String(120), primary_key=True),
    Column("round_id", ForeignKey("audit_rounds.id"), index=True, nullable=False),
    Column("board_id", ForeignKey("audit_boards.id"), index=True, nullable=False),
    Column("ballot_id", String(1000), nullable=False),
)


# What a board saw for one contest on one paper ballot (the round it was first examined).
#
# ``reading`` is choice ids joined by ";" (sorted), or blank, overvote, not_found.
AUDIT_INTERPRETATIONS = Table(
    "audit_interpretations",
    METADATA,
    Column("id", String(120), primary_key=True),
    Column("audit_id", ForeignKey("audits.id"), index=True, nullable=False),
    Column("round_id", ForeignKey("audit_rounds.id"), index=True, nullable=False),
    Column("board_id", ForeignKey("audit_boards.id"), index=True, nullable=False),
    Column("ballot_id", String(1000), nullable=False),
    Column("contest", String(200), nullable=False),
    Column("reading", Text, nullable=False),
    Column("comment", Text, nullable=False),
    Column("entered_at", String(32), nullable=False),
    Column("entered_by", String(64), nullable=False),
)


# A board's members signed off a round: their entries for it are final.
AUDIT_SIGNOFFS = Table(
    "audit_signoffs",
    METADATA,
    Column("id", String(200), primary_key=True),
    Column("round_id", ForeignKey("audit_rounds.id"), index=True, nullable=False),
    Column("board_id", ForeignKey("audit_boards.id"), index=True, nullable=False),
    Column("members", Text, nullable=False),
    Column("signed_at", String(32), nullable=False),
    Column("signed_by", String(64), nullable=False),
)


# One contest's measured risk when a round closed, and what follows from it.
#
# ``risk`` is ``repr`` of the float (text, so it hashes the same on both
# backends); ``decision`` is confirmed, continue or full_hand_count.
AUDIT_ROUND_RESULTS = Table(
    "audit_round_results",
    METADATA,
    Column("id", String(120), primary_key=True),
    Column("round_id", ForeignKey("audit_rounds.id"), index=True, nullable=False),
    Column("contest", String(200), nullable=False),
    Column("risk", String(40), nullable=False),
    Column("decision", String(20), nullable=False),
    Column("closed_at", String(32), nullable=False),
    Column("closed_by", String(64), nullable=False),
)


# One PPEB draw of a batch-comparison round, in draw order, with the batch's error bound.
#
# ``batch_id`` is ``<county>:<tabulator>:<batch>`` (``%`` and ``:`` escaped);
# ``error_bound`` is ``repr`` of u_p, text so it hashes the same on both backends.
AUDIT_BATCH_DRAWS = Table(
    "audit_batch_draws",
    METADATA,
    Column("id", String(100), primary_key=True),
    Column("round_id", ForeignKey("audit_rounds.id"), index=True, nullable=False),
    Column("draw_number", Integer, nullable=False),
    Column("ticket_number", String(100), nullable=False),
    Column("generation", Integer, nullable=False),
    Column("jurisdiction_id", ForeignKey("jurisdictions.id"), index=True, nullable=False),
    Column("batch_id", String(1000), nullable=False),
    Column("tabulator", String(200)),
    Column("batch", String(200), nullable=False),
    Column("error_bound", String(40), nullable=False),
)


# A county's hand tally of one sampled batch (one per batch per audit; it stands).
#
# ``votes`` is canonical JSON ``{contest: {choice: votes}}``; ``found`` False
# records a batch that could not be found (worst case), with ``votes`` ``{}``.
AUDIT_BATCH_TALLIES = Table(
    "audit_batch_tallies",
    METADATA,
    Column("id", String(120), primary_key=True),
    Column("audit_id", ForeignKey("audits.id"), index=True, nullable=False),
    Column("round_id", ForeignKey("audit_rounds.id"), index=True, nullable=False),
    Column("jurisdiction_id", ForeignKey("jurisdictions.id"), nullable=False),
    Column("batch_id", String(1000), nullable=False),
    Column("found", Boolean, nullable=False),
    Column("votes", Text, nullable=False),
    Column("entered_at", String(32), nullable=False),
    Column("entered_by", String(64), nullable=False),
)


# A county signed off its hand tallies of a batch-comparison round: they are final.
AUDIT_BATCH_SIGNOFFS = Table(
    "audit_batch_signoffs",
    METADATA,
    Column("id", String(200), primary_key=True),
    Column("round_id", ForeignKey("audit_rounds.id"), index=True, nullable=False),
    Column("jurisdiction_id", ForeignKey("jurisdictions.id"), nullable=False),
    Column("signed_at", String(32), nullable=False),
    Column("signed_by", String(64), nullable=False),
)


# One contest's MACRO risk when the state measured a batch-comparison round.
AUDIT_BATCH_RESULTS = Table(
    "audit_batch_results",
    METADATA,
    Column("id", String(120), primary_key=True),
    Column("round_id", ForeignKey("audit_rounds.id"), index=True, nullable=False),
    Column("contest", String(200), nullable=False),
    Column("risk", String(40), nullable=False),
    Column("decision", String(20), nullable=False),
    Column("measured_at", String(32), nullable=False),
    Column("measured_by", String(64), nullable=False),
)


# A document an office published (issue 18): its bytes' SHA-256 and what it is.
#
# Never changed once written, so its logged hash holds for good and a proof
# bundle made at any time carries exactly the row the log entry commits to.
# A correction is a new row naming the one it ``supersedes`` (at most one
# correction each); a withdrawal is a ``publication_withdrawals`` row. The
# bytes themselves are kept in the data directory under their SHA-256
# (``services/publications/files.py``).
PUBLICATIONS = Table(
    "publications",
    METADATA,
    Column("id", String(80), primary_key=True),
    Column("jurisdiction_id", ForeignKey("jurisdictions.id"), index=True, nullable=False),
    Column("office", String(200), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("title", String(300), nullable=False),
    Column("file_name", String(200), nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("sha256", String(64), index=True, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("supersedes", ForeignKey("publications.id")),
    Column("published_by", String(64), nullable=False),
    Column("published_at", String(32), nullable=False),
    Index("ix_publications_supersedes", "supersedes", unique=True),
)


# A publication withdrawn, with the reason: it stays listed, marked withdrawn.
PUBLICATION_WITHDRAWALS = Table(
    "publication_withdrawals",
    METADATA,
    Column("publication_id", ForeignKey("publications.id"), primary_key=True),
    Column("reason", String(2000), nullable=False),
    Column("withdrawn_by", String(64), nullable=False),
    Column("withdrawn_at", String(32), nullable=False),
)


# A witness the office accepts cosignatures from (``votetrail witness add``).
#
# Ledgered: adding or removing one is logged, so nobody can quietly swap in a
# witness of their own to vouch for a rewritten log.
WITNESSES = Table(
    "witnesses",
    METADATA,
    Column("name", String(200), primary_key=True),
    Column("verifier_key", String(400), nullable=False),
    Column("added_by", String(64), nullable=False),
    Column("added_at", String(32), nullable=False),
)


# A witness's C2SP cosignature of one signed checkpoint, the newest it sent.
#
# Not logged: the line is itself signed evidence about the log, and logging
# it would make a new checkpoint for the witnesses to cosign, forever.
COSIGNATURES = Table(
    "cosignatures",
    METADATA,
    Column(
        "checkpoint_size", ForeignKey("checkpoints.size"), primary_key=True, autoincrement=False
    ),
    Column("witness_name", ForeignKey("witnesses.name"), primary_key=True),
    Column("timestamp", BigInteger, nullable=False),
    Column("line", String(600), nullable=False),
    Column("received_at", String(32), nullable=False),
)


# An official's public remark in the log (``log.remark``), such as the start of a canvass.
#
# Kept as a record, not only as a hash, so the public log can show what was
# said, and ``verify`` names a remark edited or deleted behind the
# application's back. Never changed once written.
LOG_REMARKS = Table(
    "log_remarks",
    METADATA,
    Column("id", String(40), primary_key=True),
    Column("jurisdiction_id", ForeignKey("jurisdictions.id")),
    Column("text", String(2000), nullable=False),
    Column("written_by", String(64), nullable=False),
    Column("written_at", String(32), nullable=False),
)
