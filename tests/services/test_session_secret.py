"""The session secret: made once, the same for every worker, even when they start at once."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from votetrail.services.keys import SESSION_FILE, session_secret


def _secret(folder: str) -> str:
    return session_secret(Path(folder))


def test_workers_starting_at_once_agree_on_one_secret(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    for trial in range(3):
        folder = tmp_path / f"trial-{trial}"
        folder.mkdir()
        with context.Pool(8) as pool:
            secrets = pool.map(_secret, [str(folder)] * 16)

        assert len(set(secrets)) == 1, secrets
        assert len(secrets[0]) == 64
        assert sorted(p.name for p in folder.iterdir()) == [SESSION_FILE]  # no temporary left


def test_an_existing_secret_is_read_not_replaced(tmp_path: Path) -> None:
    (tmp_path / SESSION_FILE).write_text("ab" * 32 + "\n", encoding="ascii")

    assert session_secret(tmp_path) == "ab" * 32
    assert session_secret(tmp_path) == "ab" * 32
    assert sorted(p.name for p in tmp_path.iterdir()) == [SESSION_FILE]


def test_a_new_secret_is_private(tmp_path: Path) -> None:
    secret = session_secret(tmp_path)

    assert (tmp_path / SESSION_FILE).stat().st_mode & 0o777 == 0o600
    assert session_secret(tmp_path) == secret
