"""Bad configuration gives one clear sentence, a non-zero exit and nothing half-written."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from tests.cli.helpers import votetrail
from votetrail.services.keys import KEY_FILE


def test_init_creates_then_rechecks(
    capsys: pytest.CaptureFixture[str], data_dir: Path, database_url: str | None
) -> None:
    first = votetrail(
        capsys,
        "init",
        "--origin",
        "elections.example.gov/log",
        data_dir=data_dir,
        database_url=database_url,
    )
    assert first.code == 0, first.err
    assert "Created the log elections.example.gov/log" in first.out
    assert "Verifier key: elections.example.gov/log+" in first.out
    again = votetrail(capsys, "init", data_dir=data_dir, database_url=database_url)
    assert again.code == 0, again.err
    assert "Checked and upgraded" in again.out
    checked = votetrail(capsys, "verify", data_dir=data_dir, database_url=database_url)
    assert checked.code == 0, checked.err


def test_wrong_database_url_is_one_sentence(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    result = votetrail(capsys, "init", data_dir=data_dir, database_url="mysql://x@localhost/db")
    assert result.code == 2
    assert result.err.strip() == (
        "error: database URL mysql://x@localhost/db names 'mysql'; "
        "votetrail runs on sqlite or postgresql"
    )
    garbage = votetrail(capsys, "init", data_dir=data_dir, database_url="not a url")
    assert garbage.code == 2
    assert "is not a URL" in garbage.err


def test_unreachable_postgres_is_named(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    url = "postgresql+psycopg://nobody:secret@127.0.0.1:1/none"
    result = votetrail(capsys, "init", data_dir=data_dir, database_url=url)
    assert result.code == 2
    assert "cannot connect to the database at postgresql+psycopg://nobody:***@127.0.0.1:1/none" in (
        result.err
    )
    assert "secret" not in result.err
    assert not (data_dir / KEY_FILE).exists()


def test_missing_key_is_named(
    capsys: pytest.CaptureFixture[str], data_dir: Path, database_url: str | None
) -> None:
    assert votetrail(capsys, "init", data_dir=data_dir, database_url=database_url).code == 0
    (data_dir / KEY_FILE).unlink()
    result = votetrail(capsys, "ledger", "checkpoint", data_dir=data_dir, database_url=database_url)
    assert result.code == 2
    assert f"the signing key {data_dir / KEY_FILE} is missing" in result.err
    refused = votetrail(capsys, "init", data_dir=data_dir, database_url=database_url)
    assert refused.code == 2
    assert "is missing" in refused.err


def test_corrupt_key_is_named(
    capsys: pytest.CaptureFixture[str], data_dir: Path, database_url: str | None
) -> None:
    assert votetrail(capsys, "init", data_dir=data_dir, database_url=database_url).code == 0
    key = data_dir / KEY_FILE
    key.write_text(key.read_text()[:-10] + "AAAAAAAAA\n")
    result = votetrail(capsys, "verify", data_dir=data_dir, database_url=database_url)
    assert result.code == 2
    assert f"the signing key {key} is corrupt" in result.err


def test_key_without_its_log_is_refused(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    """Reusing a key on an empty database would fork the log under the same name."""
    assert votetrail(capsys, "init", data_dir=data_dir).code == 0
    (data_dir / "votetrail.sqlite3").unlink()
    result = votetrail(capsys, "init", data_dir=data_dir)
    assert result.code == 2
    assert "already signs another log" in result.err


def test_newer_schema_is_refused(
    capsys: pytest.CaptureFixture[str], data_dir: Path, database_url: str | None
) -> None:
    assert votetrail(capsys, "init", data_dir=data_dir, database_url=database_url).code == 0
    from votetrail.services.context import resolve_url
    from votetrail.store import db

    engine = db.create(resolve_url(data_dir, database_url))
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    for command in (["verify"], ["init"]):
        result = votetrail(capsys, *command, data_dir=data_dir, database_url=database_url)
        assert result.code == 2
        assert "schema revision 9999, newer than this votetrail" in result.err


def test_missing_data_dir_is_named(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    result = votetrail(capsys, "verify", data_dir=tmp_path / "nowhere")
    assert result.code == 2
    assert "does not exist; run `votetrail init` first" in result.err


def test_failed_init_leaves_no_key(
    capsys: pytest.CaptureFixture[str], data_dir: Path, database_url: str | None
) -> None:
    """A state name that fails validation aborts init before anything is kept."""
    result = votetrail(
        capsys,
        "init",
        "--state-id",
        "Bad Id!",
        "--state-name",
        "X",
        data_dir=data_dir,
        database_url=database_url,
    )
    assert result.code == 1
    assert "id 'Bad Id!'" in result.err
    assert not (data_dir / KEY_FILE).exists()
    assert not list(data_dir.glob("*.new"))
    retry = votetrail(
        capsys,
        "init",
        "--state-id",
        "co",
        "--state-name",
        "Colorado",
        data_dir=data_dir,
        database_url=database_url,
    )
    assert retry.code == 0, retry.err
    assert votetrail(capsys, "verify", data_dir=data_dir, database_url=database_url).code == 0
