"""Every column of every table, changed behind the application's back, is named by verify.

The tables and columns come from the schema (``METADATA``), not from a
list kept by hand, so a new table or column is covered the day it is added,
or this test fails and says which one to cover. A small state with at least
one row in every table is made through the real services; then, for one row
of each table, each column in turn is changed with raw SQL (and, separately,
the row is deleted) inside a transaction on one connection, ``verify`` runs on
that connection, and the transaction is rolled back, which restores the value
exactly. Foreign keys are switched off for the edit (deferred on SQLite,
``session_replication_role`` on PostgreSQL), as an insider with the database
password could.

The few exceptions are explicit, each with its reason, and are stated in
docs/architecture.md ("What votetrail verify checks").
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    LargeBinary,
    Table,
    and_,
    delete,
    literal_column,
    select,
    text,
)
from sqlalchemy import update as sql_update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.expression import Executable

from tests.cli.helpers import votetrail_on
from tests.services.voters.fixtures import load as load_voters
from tests.services.voters.fixtures import who
from votetrail.core.lat.deck import generate_deck
from votetrail.core.ledger.cosignature import CosignerKey
from votetrail.core.ledger.note import parse_signed_note
from votetrail.core.voters.record import Address
from votetrail.core.voters.transactions import Change, Kind
from votetrail.formats.election.yaml import write_yaml
from votetrail.formats.lat.deck_files import write_deck_cvrs
from votetrail.services import directory, log_view, witnesses
from votetrail.services.accounts import security as account_security
from votetrail.services.audit import batch_rounds, batch_tallies
from votetrail.services.audit import boards as audit_boards
from votetrail.services.audit.boards import Member
from votetrail.services.audit.draw import draw_round
from votetrail.services.audit.measure import close_round
from votetrail.services.audit.seed import set_seed
from votetrail.services.audit.setup import AuditMethod, AuditSetup, create_audit
from votetrail.services.context import App
from votetrail.services.counting.uploads import (
    import_counts,
    import_cvrs,
    import_manifest,
    import_reported_results,
)
from votetrail.services.demo.lat import demo_definition
from votetrail.services.lat import definitions as lat_definitions
from votetrail.services.lat import sessions as lat_sessions
from votetrail.services.netmon import ingest as netmon
from votetrail.services.publications.publish import Document, publish, withdraw
from votetrail.services.setup import load_demo
from votetrail.services.unit_of_work import unit_of_work
from votetrail.services.verify import verify, verify_on
from votetrail.services.voters import files as voter_files
from votetrail.services.voters import records as voters
from votetrail.services.voters import review as voter_review
from votetrail.store.models import METADATA

NOT_RECORDS: dict[str, str] = {
    # Operational tables: they record nothing the office did or found, so no
    # logged hash covers them. Add such a table here with its reason.
    "web_sessions": "a signed-in browser, kept only to end it on sign-out; expires in hours",
    "failed_sign_ins": "throttling input anyone on the internet can add; the log must not grow "
    "with it",
    "refusal_counts": "a counter of repeated refusals; the refusals themselves are logged "
    "(access.denied, access.denied_repeated)",
    "totp_used": "the last second-factor step used per account, only to refuse a code twice; "
    "it changes at every such sign-in",
    "cosignatures": "witnesses' signed lines, checked by whoever reads them against the witness "
    "keys; logging them would sign a new checkpoint to cosign, forever (docs/monitor.md)",
}
"""Tables verify does not cover at all (``alembic_version`` is not in the models either)."""

EXCEPTIONS: dict[tuple[str, str], str] = {}
"""(table, column or "<delete>") cases verify cannot notice by design, with the reason.

A deleted checkpoint row other than the newest is one: nothing in the database
says it existed, and only ``verify --against`` a checkpoint kept elsewhere
notices. This test deletes the newest row, which verify does notice (every
commit signs one, so the log head must have a checkpoint).
"""

PENDING: dict[tuple[str, str], str] = {}
"""Cases other work in issue 12 is closing; each entry must go once it passes.

The test fails both when a case outside this list is missed and when a case
in it has started to pass, so the list only ever shrinks to empty.
"""

DELETE = "<delete>"
SAME_READING = " (same reading)"  # a flag stored as another value that reads the same
NAMED_BY = {"voter_versions": ("import_id",)}
"""Columns besides the key that name a row (an imported version is proven by its import)."""


def _cvr_file(path: Path) -> None:
    """A tiny Dominion CSV export: three ballots from one tabulator."""
    details = ["CvrNumber", "TabulatorNum", "BatchId", "RecordId", "ImprintedId"]
    details += ["CountingGroup", "PrecinctPortion", "BallotType"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["Coverage Election", "5.10.50.85"] + [""] * 8)
        out.writerow([""] * 8 + ["Governor (Vote For=1)"] * 2)
        out.writerow([""] * 8 + ["Avery Quinn", "Blake Rivera"])
        out.writerow([*details, "", ""])
        for n in (1, 2, 3):
            row = [str(n), "ICP-1", "Batch 101", str(n), f"ICP-1-Batch 101-{n}"]
            out.writerow([*row, "Election Day", "Adams P-1", "Ballot 1", "1", "0"])


def _table_file(path: Path, header: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        out.writerows(rows)


def _night_clock(app: App) -> None:
    """From now on, one second per reading from 02:30 Denver time two days ahead.

    Later than everything already logged (checkpoint times only go forward),
    and at night, so a voter change raises an off-hours alert.
    """
    start = (datetime.now(UTC) + timedelta(days=2)).replace(
        hour=9, minute=30, second=0, microsecond=0
    )
    ticks = iter(start + timedelta(seconds=n) for n in range(10**6))
    app.clock = lambda: next(ticks)


def _lat_test(app: App, folder: Path) -> None:
    """A signed pre-election test of two devices: one sealed after, one left unsealed."""
    definition = demo_definition("adams", "Adams County")
    source = folder / "adams-definition.yaml"
    source.write_text(write_yaml(definition), encoding="utf-8")
    officer = who(app, "adams-admin")
    loaded = lat_definitions.load_definition_file(app, officer, "adams", source)
    test_id = lat_sessions.open_session(
        app, officer, "adams", loaded.id, "pre", date(2026, 10, 20), "Office", ["Jo Ortiz"]
    )
    deck = generate_deck(definition)
    for n in (1, 2):
        serial, precinct = f"ICP-{n}", f"Adams P-{n}"
        lat_sessions.add_device(
            app, officer, test_id, serial, "precinct scanner", f"S{n}", [precinct]
        )
        report = folder / f"{serial}-cvrs.json"
        write_deck_cvrs(deck, report, serial, [precinct])
        lat_sessions.record_result(app, officer, test_id, serial, report)
    lat_sessions.seal_device(app, officer, test_id, "ICP-1", "S1-after")
    lat_sessions.leave_unsealed(app, officer, test_id, "ICP-2", "seal supply ran out; caged")
    lat_sessions.sign_session(app, officer, test_id, ["Clerk"], "We certify the test.")


def _audit(app: App) -> None:
    """A ballot-comparison audit of Adams, seeded, with one round drawn."""
    state = who(app, "state-admin")
    setup = AuditSetup(
        "2026 General", AuditMethod.BALLOT_COMPARISON, "0.05", ["Governor"], [], ["adams"]
    )
    audit_id = create_audit(app, state, setup)
    set_seed(app, state, audit_id, "12345678901234567890", ["Ana Ruiz"])
    draw_round(app, state, audit_id, 2)
    admin = who(app, "adams-admin")
    members = [Member("Ana Ruiz", "Democratic"), Member("Bo Chen", "Republican")]
    board_id = audit_boards.create_board(app, admin, audit_id, "adams", "", members).board.id
    audit_boards.issue_link(app, admin, board_id)  # the first link is revoked, unused
    board = audit_boards.sign_in_with_link(app, audit_boards.issue_link(app, admin, board_id))
    audit_boards.assign_ballots(app, admin, audit_id, "adams")
    for ballot in audit_boards.board_ballots(app, board, board_id):
        reading = "not_found" if ballot.phantom else "Avery Quinn"
        audit_boards.record_interpretation(
            app, board, board_id, ballot.ballot_id, {"Governor": reading}, "seen"
        )
    audit_boards.sign_off(app, board, board_id, [m.name for m in members])
    close_round(app, state, audit_id)


def _batch_audit(app: App) -> None:
    """A batch-comparison audit of Adams: one batch drawn, tallied, signed off and measured."""
    state = who(app, "state-admin")
    setup = AuditSetup(
        "2026 General", AuditMethod.BATCH_COMPARISON, "0.05", ["Governor"], [], ["adams"]
    )
    audit_id = create_audit(app, state, setup)
    set_seed(app, state, audit_id, "12345678901234567890", ["Ana Ruiz"])
    draw_round(app, state, audit_id, 1)
    clerk = who(app, "adams-admin")
    (batch,) = batch_tallies.county_batches(app, clerk, audit_id, "adams").batches
    counted = {c.contest: dict(c.reported) for c in batch.contests}
    batch_tallies.enter_tally(app, clerk, audit_id, "adams", batch.batch_id, counted)
    batch_tallies.sign_off(app, clerk, audit_id, "adams")
    batch_rounds.measure_round(app, state, audit_id)


def _publications(app: App) -> None:
    """A statement published, then corrected, and the correction withdrawn."""
    admin = who(app, "adams-admin")
    text = Document("statement.txt", text="Polls open at 7.")
    first = publish(app, admin, "adams", text, "Polling hours", "notice")
    fixed = Document("statement.txt", text="Polls open at 7 a.m.")
    second = publish(app, admin, "adams", fixed, "Polling hours", "notice", supersedes=first)
    withdraw(app, admin, second, "posted in error")


def _witness(app: App) -> None:
    """A witness configured (logged) and its cosignature of the current checkpoint."""
    key = CosignerKey("witness.example.org/w1", bytes([9]) * 32)
    witnesses.add_witness(app, "state-admin", key.verifier.encode())
    note = log_view.checkpoint(app)
    body = parse_signed_note(note)[0]
    witnesses.accept_cosignature(app, note + key.cosign(body, int(app.clock().timestamp())))


def _build_state(app: App, folder: Path) -> None:
    """At least one row in every table, each made by the service an official would use."""
    cvrs = folder / "adams-cvrs.csv"
    _cvr_file(cvrs)
    import_cvrs(app, "adams-admin", "adams", [cvrs])
    manifest = folder / "adams-manifest.csv"
    _table_file(manifest, ("Tabulator", "Batch Name", "Number of Ballots"), [("ICP-1", "101", 3)])
    first = import_manifest(app, "adams-admin", "adams", manifest)
    corrected = folder / "adams-manifest-2.csv"
    _table_file(corrected, ("Tabulator", "Batch Name", "Number of Ballots"), [("ICP-1", "B", 3)])
    import_manifest(app, "adams-admin", "adams", corrected, replace=first.id)
    paper = folder / "adams-paper.csv"
    _table_file(paper, ("Tabulator", "Paper Records"), [("ICP-1", 3)])
    import_counts(app, "adams-admin", "adams", "paper_counts", paper)
    reported = folder / "adams-reported.csv"
    _table_file(reported, ("contest", "choice", "votes"), [("Governor", "Avery Quinn", 3)])
    import_reported_results(app, "adams-admin", "adams", reported)
    _audit(app)
    _batch_audit(app)
    log = folder / "firewall.log"
    line = (
        "2026-11-03T10:00:{s:02d}.000000+00:00 fw kernel: DROP IN=eth0 OUT= SRC=203.0.113.9 "
        "DST=198.51.100.7 LEN=60 PROTO=TCP SPT=40000 DPT={port} SYN\n"
    )
    log.write_text("".join(line.format(s=n, port=1000 + n) for n in range(30)))
    netmon.ingest(app, "analyst", [log])
    _lat_test(app, folder)
    _publications(app)
    with unit_of_work(app, "state-admin") as uow:  # an account_security row
        state_id = directory.the_state(app)
        account_security.reset_password(uow, who(app, "state-admin"), "baker-admin", state_id)
    _witness(app)
    load_voters(app, "adams", 6)
    voted = folder / "voted.csv"
    voted.write_text("voter_id,method\nADAMS000001,in-person\n", encoding="utf-8")
    _night_clock(app)
    admin = who(app, "adams-admin")
    voter_files.load_participation(
        app,
        admin,
        voted,
        election="2026-general",
        voted_on=app.clock().date() - timedelta(days=1),
        county="adams",
    )
    moved = Address("9 Elm St", "Springfield", "CO", "80001")
    voters.change(
        app,
        admin,
        "ADAMS000001",
        Change(Kind.ADDRESS, "voter moved", "VR-2026-0001", {"residence": moved}),
    )
    state = who(app, "state-admin")
    secret = bytes(range(32))
    ours = voter_review.export_exchange(app, state, secret).splitlines()
    theirs = folder / "theirs.csv"
    theirs.write_text(ours[0] + "\nNV-77," + ours[1].split(",", 1)[1] + "\n", encoding="utf-8")
    voter_review.match_exchange(app, state, theirs, secret)
    (review,) = voter_review.reviews(app, state, "adams")
    voter_review.decide(app, state, review.id, "rejected", "a different person")


def _tables() -> list[Table]:
    return [t for t in METADATA.sorted_tables if t.name not in NOT_RECORDS]


def _pick(conn: Connection, table: Table) -> Any:
    """The row to change: the newest checkpoint (see EXCEPTIONS), else the first by key."""
    keys = list(table.primary_key.columns)
    order = [k.desc() for k in keys] if table.name == "checkpoints" else keys
    return conn.execute(select(table).order_by(*order).limit(1)).first()


def _where(table: Table, row: Any) -> Any:
    return and_(*(k == row._mapping[k.name] for k in table.primary_key.columns))


def _first_digit_changed(value: str) -> str | None:
    for i, ch in enumerate(value):
        if ch.isdigit():
            return value[:i] + str((int(ch) + 1) % 10) + value[i + 1 :]
    return None


def _first_letter_changed(value: str) -> str | None:
    for i, ch in enumerate(value):
        if ch.isascii() and ch.isalpha():
            return value[:i] + ("b" if ch.lower() == "a" else "a") + value[i + 1 :]
    return None


def _changed_values(column: Column[Any], value: Any) -> Iterator[Any]:
    """Values to try instead of ``value``: small, well-formed edits first."""
    if value is None:
        if isinstance(column.type, Boolean):
            yield True
        elif isinstance(column.type, LargeBinary):
            yield b"\x01" * 32
        elif column.type.python_type is int:
            yield 1
        else:
            yield "2026-11-03T00:00:00.000000Z"
            yield "tampered"
        return
    if isinstance(value, bool):
        yield not value
    elif isinstance(value, int):
        yield from (value + 1, value + 1000, -1 - value)
    elif isinstance(value, bytes):
        yield bytes([value[0] ^ 1]) + value[1:] if value else b"\x01"
    else:
        for candidate in (_first_digit_changed(value), _first_letter_changed(value)):
            if candidate is not None:
                yield candidate
        yield value + "x"


def _names(table: Table, row: Any, problems: list[str]) -> bool:
    """Whether some problem names this row (its key, as verify's messages quote it)."""
    values = row._mapping
    if table.name == "ledger_head":
        return any("head" in p for p in problems)
    if table.name == "ledger_entries":
        return any(f"entry #{values['seq']} " in p for p in problems)
    if table.name == "ledger_nodes":
        level, idx = values["level"], values["idx"]
        wanted = (f"node ({level}, {idx})", f"entry #{idx} " if level == 0 else "\0")
        return any(w in p for p in problems for w in wanted)
    if table.name == "checkpoints":
        return any("checkpoint" in p and f"size {values['size']}" in p for p in problems)
    if table.name == "voter_buckets":
        return any("bucket" in p and str(values["bucket"]) in p for p in problems)
    columns = [k.name for k in table.primary_key.columns] + list(NAMED_BY.get(table.name, ()))
    keys = [str(values[c]) for c in columns if values[c] is not None]
    return any(k in p for p in problems for k in keys if len(k) > 3 or not k.isdigit())


def _same_reading(conn: Connection, table: Table, row: Any, column: Column[Any]) -> Any:
    """On SQLite, a flag stored as a value that still reads the same (2 for true, '' for false).

    SQLite keeps any value in a BOOLEAN column and the driver reads every one
    but 0 and '' as true: such a value must still be named, as the database
    holds something other than what was logged. PostgreSQL refuses them.
    """
    if conn.dialect.name != "sqlite" or not isinstance(column.type, Boolean):
        return None
    stored: Any = literal_column("2" if row._mapping[column.name] else "''")
    return sql_update(table).where(_where(table, row)).values({column.name: stored})


def _tampering(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SET LOCAL session_replication_role = replica"))
    else:
        conn.execute(text("PRAGMA defer_foreign_keys = ON"))


def _outcome(app: App, conn: Connection, table: Table, row: Any, change: Executable) -> str | None:
    """Run one change in a transaction, verify, roll back; None if verify named it."""
    with conn.begin() as transaction:
        _tampering(conn)
        conn.execute(change)
        problems = verify_on(app, conn).problems
        transaction.rollback()
    if not problems:
        return "not noticed"
    if not _names(table, row, problems):
        return f"noticed without naming the row: {problems[:3]}"
    return None


def _edit(
    app: App, conn: Connection, table: Table, row: Any, column: Column[Any]
) -> tuple[Any, str | None]:
    for value in _changed_values(column, row._mapping[column.name]):
        statement = sql_update(table).where(_where(table, row)).values({column.name: value})
        try:
            return value, _outcome(app, conn, table, row, statement)
        except DBAPIError:
            continue  # the value collided with another row's key: try the next one
    return None, "no changed value could be written"


def test_every_column_of_every_table_is_covered(
    data_dir: Path, database_url: str | None, tmp_path: Path
) -> None:
    app = load_demo(data_dir, database_url, with_election=False)
    try:
        _build_state(app, tmp_path)
        assert verify(app).problems == []
        missed: dict[tuple[str, str], str] = {}
        empty: list[str] = []
        with app.engine.connect() as conn:
            for table in _tables():
                row = _pick(conn, table)
                conn.rollback()
                if row is None:
                    empty.append(table.name)
                    continue
                for column in table.columns:
                    value, outcome = _edit(app, conn, table, row, column)
                    if outcome is not None:
                        missed[(table.name, column.name)] = f"set to {value!r}: {outcome}"
                    flag = _same_reading(conn, table, row, column)
                    if flag is not None:
                        outcome = _outcome(app, conn, table, row, flag)
                        if outcome is not None:
                            missed[(table.name, column.name + SAME_READING)] = outcome
                gone = delete(table).where(_where(table, row))
                outcome = _outcome(app, conn, table, row, gone)
                if outcome is not None:
                    missed[(table.name, DELETE)] = outcome
        assert empty == [], f"make a row in these tables in _build_state: {empty}"
        unexpected = {k: v for k, v in missed.items() if k not in PENDING and k not in EXCEPTIONS}
        closed = sorted(k for k in PENDING if k not in missed)
        assert unexpected == {}, "verify misses these changes:\n" + "\n".join(
            f"{t}.{c}: {why}" for (t, c), why in sorted(unexpected.items())
        )
        assert closed == [], f"now covered: remove from PENDING: {closed}"
    finally:
        app.engine.dispose()


def test_exceptions_name_real_tables_and_columns() -> None:
    """A stale exception would hide nothing but mislead; each names a column of the schema."""
    tables = {t.name: t for t in METADATA.sorted_tables}
    assert sorted(set(NOT_RECORDS) - set(tables)) == []
    for table, column in [*EXCEPTIONS, *PENDING]:
        assert table in tables, table
        name = column.removesuffix(SAME_READING)
        assert column == DELETE or name in tables[table].c, (table, column)


def test_copied_columns_and_checkpoint_rows_are_named_by_the_command(
    capsys: pytest.CaptureFixture[str], election_app: App
) -> None:
    """The issue's cases, through ``votetrail verify`` on the demo election."""
    sqlite = election_app.engine.dialect.name == "sqlite"
    with election_app.engine.begin() as conn:
        upload, position, precinct = conn.execute(
            text("SELECT upload_id, position, precinct FROM cvrs ORDER BY upload_id, position")
        ).first() or pytest.fail("the demo election has CVRs")
        conn.execute(
            text("UPDATE cvrs SET precinct = 'Elsewhere' WHERE upload_id = :u AND position = :p"),
            {"u": upload, "p": position},
        )
        first, newest = conn.execute(text("SELECT min(size), max(size) FROM checkpoints")).one()
        conn.execute(
            text(
                "UPDATE checkpoints SET root_hash = (SELECT root_hash FROM checkpoints "
                "WHERE size = :f) WHERE size = :n"
            ),
            {"f": first, "n": newest},
        )
        conn.execute(
            text(
                "UPDATE checkpoints SET signed_at = '2000-01-01T00:00:00.000000Z' WHERE size = :f"
            ),
            {"f": first},
        )
        if sqlite:  # PostgreSQL's boolean type refuses anything but true and false
            conn.execute(text("UPDATE users SET active = 2 WHERE username = 'adams-board'"))
    result = votetrail_on(capsys, election_app, "verify")
    output = result.out + result.err
    assert result.code == 1
    assert (
        f"upload {upload!r}: CVR row {position} was changed without an event: its precinct "
        f"column says 'Elsewhere' but its logged record says {precinct!r}"
    ) in output
    assert f"stored checkpoint at size {newest}: its root_hash column was changed" in output
    assert (
        f"stored checkpoint at size {first}: its signed_at (2000-01-01T00:00:00.000000Z) was "
        f"changed: it is earlier than entry #{first - 1}, which it covers"
    ) in output
    if sqlite:
        assert "user 'adams-board' was changed without an event" in output


@pytest.mark.only_on("sqlite")  # PostgreSQL's column types refuse these values
def test_a_value_of_another_type_is_named_not_a_crash(
    capsys: pytest.CaptureFixture[str], election_app: App
) -> None:
    """SQLite keeps 2.5 in an INTEGER column and text in a BLOB one: verify used to crash.

    A float made the record hash raise ("floats have no stable encoding") and a
    checkpoint's text ``root_hash`` or ``size`` made ``bytes()``/``int()`` raise,
    so one raw UPDATE stopped verify before it named anything.
    """
    with election_app.engine.begin() as conn:
        upload = conn.execute(text("SELECT min(id) FROM uploads")).scalar()
        conn.execute(text("UPDATE uploads SET records = 2.5 WHERE id = :u"), {"u": upload})
        first, newest = conn.execute(text("SELECT min(size), max(size) FROM checkpoints")).one()
        conn.execute(
            text("UPDATE checkpoints SET root_hash = 'abc' WHERE size = :n"), {"n": newest}
        )
        conn.execute(text("UPDATE checkpoints SET size = 'x' WHERE size = :f"), {"f": first})
    result = votetrail_on(capsys, election_app, "verify")
    output = result.out + result.err
    assert result.code == 1
    assert f"upload {upload!r} was changed without an event" in output
    assert f"stored checkpoint at size {newest}: its root_hash column was changed" in output
    assert "stored checkpoint at size 'x': its size column is not a number" in output


@pytest.mark.only_on("sqlite")  # PostgreSQL's column types refuse these values
def test_odd_values_in_the_log_tables_are_named_not_a_crash(
    capsys: pytest.CaptureFixture[str], election_app: App
) -> None:
    """Text in ``ledger_head.size`` or a tree node's hash stopped verify with a TypeError."""
    with election_app.engine.begin() as conn:
        conn.execute(text("UPDATE ledger_nodes SET hash = 'zz' WHERE level = 1 AND idx = 0"))
    result = votetrail_on(capsys, election_app, "verify")
    assert result.code == 1
    assert "stored tree node (1, 0) was altered" in result.out + result.err
    with election_app.engine.begin() as conn:
        conn.execute(text("UPDATE ledger_head SET size = 'many'"))
    result = votetrail_on(capsys, election_app, "verify")
    assert result.code == 1
    assert "ledger_head holds a value of the wrong type" in result.out + result.err
