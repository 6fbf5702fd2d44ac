"""Changes made with raw SQL behind the application's back, and `votetrail verify` naming each.

Each test starts from the demo state loaded through the real services, edits
the database directly as an insider with SQL access could, and runs the real
command. The command must exit 1 and name the change precisely.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from tests.cli.helpers import votetrail_on
from votetrail.core.ledger.merkle import root
from votetrail.services.context import App
from votetrail.store import ledger
from votetrail.store.models import LEDGER_HEAD


def _sql(app: App, *statements: str) -> None:
    with app.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def _verify(capsys: pytest.CaptureFixture[str], app: App, *extra: str) -> tuple[int, str]:
    result = votetrail_on(capsys, app, "verify", *extra)
    return result.code, result.out + result.err


def test_untouched_log_verifies(capsys: pytest.CaptureFixture[str], demo_app: App) -> None:
    code, output = _verify(capsys, demo_app)
    assert code == 0, output
    assert "OK: 12 log entries" in output


def test_edited_entry_is_named(capsys: pytest.CaptureFixture[str], demo_app: App) -> None:
    _sql(demo_app, "UPDATE ledger_entries SET actor = 'mallory' WHERE seq = 3")
    code, output = _verify(capsys, demo_app)
    assert code == 1
    assert "entry #3 (jurisdiction.created) was edited" in output


def test_deleted_entry_is_named(capsys: pytest.CaptureFixture[str], demo_app: App) -> None:
    _sql(demo_app, "DELETE FROM ledger_entries WHERE seq = 5")
    code, output = _verify(capsys, demo_app)
    assert code == 1
    assert "entry #5 is missing: it was deleted" in output


def test_deleted_last_entries_are_named(capsys: pytest.CaptureFixture[str], demo_app: App) -> None:
    """Cutting the tail and fixing the head row still contradicts the signed checkpoints."""
    with demo_app.engine.begin() as conn:
        conn.execute(text("DELETE FROM ledger_entries WHERE seq >= 10"))
        for level in range(5):
            conn.execute(
                text("DELETE FROM ledger_nodes WHERE level = :l AND (idx + 1) * :w > 10"),
                {"l": level, "w": 2**level},
            )
        conn.execute(
            text("UPDATE ledger_head SET size = 10, root_hash = :r"),
            {"r": ledger.root_at(conn, 10)},
        )
    code, output = _verify(capsys, demo_app)
    assert code == 1
    assert "covers 12 entries but the log now has 10: entries were removed" in output


def test_reordered_entries_are_named(capsys: pytest.CaptureFixture[str], demo_app: App) -> None:
    _sql(
        demo_app,
        "UPDATE ledger_entries SET seq = -1 WHERE seq = 2",
        "UPDATE ledger_entries SET seq = 2 WHERE seq = 4",
        "UPDATE ledger_entries SET seq = 4 WHERE seq = -1",
    )
    code, output = _verify(capsys, demo_app)
    assert code == 1
    assert "entry #2 (jurisdiction.created) was reordered: it was logged as entry #4" in output
    assert "entry #4 (jurisdiction.created) was reordered: it was logged as entry #2" in output


def test_rewritten_history_contradicts_checkpoints(
    capsys: pytest.CaptureFixture[str], demo_app: App
) -> None:
    """An insider who edits an entry and recomputes every hash is caught by the signatures."""
    with demo_app.engine.begin() as conn:
        conn.execute(text("UPDATE ledger_entries SET actor = 'mallory' WHERE seq = 6"))
        rebuilt = [entry for _, entry in ledger.stream_entries(conn)]
        conn.execute(text("DELETE FROM ledger_nodes"))
        conn.execute(text("DELETE FROM ledger_entries"))
        conn.execute(LEDGER_HEAD.update().values(size=0, root_hash=root([])))
        ledger.append(conn, rebuilt)
    code, output = _verify(capsys, demo_app)
    assert code == 1
    assert "was edited" not in output
    assert "not consistent with the stored checkpoint at size 12" in output
    assert "not consistent with the stored checkpoint at size 11" in output
    assert "stored checkpoint at size 5" not in output


def test_forged_checkpoint_signature_is_named(
    capsys: pytest.CaptureFixture[str], demo_app: App
) -> None:
    _sql(
        demo_app, "UPDATE checkpoints SET note = replace(note, '\n12\n', '\n13\n') WHERE size = 12"
    )
    code, output = _verify(capsys, demo_app)
    assert code == 1
    assert "stored checkpoint at size 12: signature or format invalid" in output


def test_record_changed_without_event_is_named(
    capsys: pytest.CaptureFixture[str], demo_app: App
) -> None:
    _sql(demo_app, "UPDATE users SET role = 'state_admin' WHERE username = 'adams-admin'")
    code, output = _verify(capsys, demo_app)
    assert code == 1
    assert "user 'adams-admin' was changed without an event (last logged in entry #7" in output


def test_record_inserted_without_event_is_named(
    capsys: pytest.CaptureFixture[str], demo_app: App
) -> None:
    _sql(
        demo_app,
        "INSERT INTO jurisdictions (id, name, kind, parent_id) "
        "VALUES ('dunn', 'Dunn County', 'county', 'state')",
    )
    code, output = _verify(capsys, demo_app)
    assert code == 1
    assert "jurisdiction 'dunn' exists but no logged event created it" in output


def test_record_deleted_without_event_is_named(
    capsys: pytest.CaptureFixture[str], demo_app: App
) -> None:
    _sql(demo_app, "DELETE FROM users WHERE username = 'adams-board'")
    code, output = _verify(capsys, demo_app)
    assert code == 1
    assert "user 'adams-board' was deleted without an event" in output


def test_published_checkpoint_holds_the_log_to_its_past(
    capsys: pytest.CaptureFixture[str], demo_app: App, tmp_path: Path
) -> None:
    """A checkpoint kept outside (a newspaper, a witness) catches deleted checkpoint rows too."""
    saved = tmp_path / "checkpoint.txt"
    with demo_app.engine.connect() as conn:
        note = ledger.latest_checkpoint(conn)
    assert note is not None
    saved.write_text(note, encoding="utf-8")
    code, output = _verify(capsys, demo_app, "--against", str(saved))
    assert code == 0, output
    with demo_app.engine.begin() as conn:
        conn.execute(text("UPDATE ledger_entries SET actor = 'mallory' WHERE seq = 1"))
        conn.execute(text("DELETE FROM checkpoints"))
        leaf = ledger.entries(conn, 1, 1)[0][1].leaf()
        from votetrail.core.ledger.merkle import leaf_hash

        conn.execute(
            text("UPDATE ledger_nodes SET hash = :h WHERE level = 0 AND idx = 1"),
            {"h": leaf_hash(leaf)},
        )
    code, output = _verify(capsys, demo_app, "--against", str(saved))
    assert code == 1
    assert "not consistent with the published checkpoint #1" in output
