"""``votetrail backup`` / ``restore`` on both backends: a restored office verifies, a wrong
passphrase opens nothing, and a restored log behind a published checkpoint is called a rollback.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.helpers import Result, votetrail, votetrail_on
from tests.databases import new_database
from tests.web.server import serving
from votetrail.services.context import App
from votetrail.services.directory import add_jurisdiction
from votetrail.services.keys import KEY_FILE
from votetrail.services.unit_of_work import unit_of_work
from votetrail.store import ledger

PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def empty_url(request: pytest.FixtureRequest, database_url: str | None) -> Iterator[str | None]:
    """A second, empty database on the test's backend (None: SQLite in the new data dir)."""
    if database_url is None:
        yield None
        return
    with new_database(request.getfixturevalue("postgres_server"), "r_") as url:
        yield url


def _passphrase(tmp_path: Path, text: str = PASSPHRASE) -> Path:
    path = tmp_path / f"pass-{uuid.uuid4().hex[:6]}.txt"
    path.write_text(text + "\n", encoding="utf-8")
    return path


def _backup(capsys: pytest.CaptureFixture[str], app: App, tmp_path: Path, *extra: str) -> Path:
    output = tmp_path / "office.backup"
    result = votetrail_on(
        capsys,
        app,
        "backup",
        "--output",
        str(output),
        "--passphrase-file",
        str(_passphrase(tmp_path)),
        *extra,
    )
    assert result.code == 0, result.err
    return output


def _restore(
    capsys: pytest.CaptureFixture[str], backup: Path, target: Path, url: str | None, words: Path
) -> Result:
    return votetrail(
        capsys,
        "restore",
        str(backup),
        "--passphrase-file",
        str(words),
        data_dir=target,
        database_url=url,
    )


def test_restore_verifies_and_a_later_checkpoint_reports_rollback(
    capsys: pytest.CaptureFixture[str], demo_app: App, tmp_path: Path, empty_url: str | None
) -> None:
    output = _backup(capsys, demo_app, tmp_path, "--include-signing-key")
    assert b"adams" not in output.read_bytes()  # sealed, not merely compressed
    with unit_of_work(demo_app, "system") as uow:
        add_jurisdiction(uow, "dawson", "Dawson County", "county", "state")
    later = tmp_path / "published.txt"
    with demo_app.engine.connect() as conn:
        later.write_text(ledger.latest_checkpoint(conn) or "", encoding="utf-8")

    target = tmp_path / "restored"
    restored = _restore(capsys, output, target, empty_url, _passphrase(tmp_path))
    assert restored.code == 0, restored.err
    assert (target / KEY_FILE).stat().st_mode & 0o077 == 0
    clean = votetrail(capsys, "verify", data_dir=target, database_url=empty_url)
    assert clean.code == 0, clean.err
    with serving(demo_app) as url:
        behind = votetrail(
            capsys,
            "verify",
            "--against",
            str(later),
            "--against",
            f"{url}/checkpoint",
            data_dir=target,
            database_url=empty_url,
        )
    assert behind.code == 1
    assert "ROLLBACK: the published checkpoint #1 covers" in behind.err
    assert "ROLLBACK: the published checkpoint #2 covers" in behind.err
    assert "the log is behind what was published" in behind.err
    again = _restore(capsys, output, target, empty_url, _passphrase(tmp_path))
    assert again.code == 2
    assert "is not empty; restore only into a new, empty one" in again.err


def test_wrong_passphrase_and_missing_key_are_refused(
    capsys: pytest.CaptureFixture[str], demo_app: App, tmp_path: Path, empty_url: str | None
) -> None:
    output = _backup(capsys, demo_app, tmp_path)
    target = tmp_path / "restored"
    wrong = _restore(
        capsys, output, target, empty_url, _passphrase(tmp_path, "not the passphrase at all")
    )
    assert wrong.code == 1
    assert "does not open with this passphrase" in wrong.err
    assert not target.exists()
    restored = _restore(capsys, output, target, empty_url, _passphrase(tmp_path))
    assert restored.code == 0, restored.err
    assert "holds no signing key" in restored.out
    assert not (target / KEY_FILE).exists()
    refused = votetrail(capsys, "verify", data_dir=target, database_url=empty_url)
    assert refused.code == 2
    assert "is missing; restore it from backup" in refused.err
    assert not (target / KEY_FILE).exists()


def test_altered_backup_is_refused(
    capsys: pytest.CaptureFixture[str], demo_app: App, tmp_path: Path, empty_url: str | None
) -> None:
    output = _backup(capsys, demo_app, tmp_path, "--include-signing-key")
    data = bytearray(output.read_bytes())
    data[-40] ^= 1
    output.write_bytes(bytes(data))
    target = tmp_path / "restored"
    result = _restore(capsys, output, target, empty_url, _passphrase(tmp_path))
    assert result.code == 1
    assert "wrong passphrase, or the file was altered" in result.err
    assert not target.exists()
