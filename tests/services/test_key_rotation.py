"""Signing key rotation: old checkpoints keep verifying, new ones verify with the new key,
a monitor that pinned the old key follows a rotation the old key signed and raises the
alarm on a key that simply changed; a missing key is refused and never replaced silently.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from tests.cli.helpers import url_of, votetrail, votetrail_on
from tests.web.server import serving
from votetrail.core.ledger.note import NoteSigner
from votetrail.formats.monitor_state import read_state
from votetrail.services.context import App, open_app
from votetrail.services.keys import KEY_FILE
from votetrail.services.unit_of_work import unit_of_work
from votetrail.services.voters import pii
from votetrail.store import ledger


def _grow(app: App, text: str) -> None:
    with unit_of_work(app, "state-admin") as uow:
        uow.note("log.annotation", {"text": text}, None)


def test_rotation_keeps_history_and_monitors_follow(
    capsys: pytest.CaptureFixture[str], demo_app: App, tmp_path: Path
) -> None:
    old_key = demo_app.signer.verifier.encode()
    old_secret = (demo_app.data_dir / KEY_FILE).read_text(encoding="ascii")
    state = tmp_path / "monitor.json"
    saved = tmp_path / "before.txt"
    with serving(demo_app) as url:
        first = votetrail(capsys, "monitor", url, "--state", str(state), "--verifier-key", old_key)
        assert first.code == 0, first.err
        with demo_app.engine.connect() as conn:
            saved.write_text(ledger.latest_checkpoint(conn) or "", encoding="utf-8")

        rotated = votetrail_on(capsys, demo_app, "key", "rotate")
        assert rotated.code == 0, rotated.err
        assert f"Old verifier key: {old_key}" in rotated.out
        app = open_app(demo_app.data_dir, url_of(demo_app))
        new_key = app.signer.verifier.encode()
        assert new_key != old_key
        assert f"New verifier key: {new_key}" in rotated.out
        assert (demo_app.data_dir / KEY_FILE).stat().st_mode & 0o077 == 0
        _grow(app, "after the rotation")
        checked = votetrail_on(capsys, demo_app, "verify", "--against", str(saved))
        assert checked.code == 0, checked.err
        demo_app.signer = app.signer  # the server restarted with the new key
        followed = votetrail(capsys, "monitor", url, "--state", str(state))
    assert followed.code == 0, followed.err
    pinned = read_state(state)
    assert pinned is not None
    assert pinned.verifier_key == new_key

    # The retired key, put back (say from an old backup), is refused rather than used.
    (demo_app.data_dir / KEY_FILE).write_text(old_secret, encoding="ascii")
    refused = votetrail_on(capsys, demo_app, "verify")
    assert refused.code == 2
    assert "is not the key in force since the last rotation" in refused.err
    # A checkpoint signed by the retired key after the rotation is named by verify.
    stale = replace(app, signer=NoteSigner.parse(old_secret))
    _grow(stale, "signed by a process that still held the old key")
    (demo_app.data_dir / KEY_FILE).write_text(app.signer.encode() + "\n", encoding="ascii")
    found = votetrail_on(capsys, demo_app, "verify")
    assert found.code == 1
    assert "signature or format invalid" in found.err


def test_a_key_change_without_a_signed_rotation_raises_the_alarm(
    capsys: pytest.CaptureFixture[str], demo_app: App, tmp_path: Path
) -> None:
    state = tmp_path / "monitor.json"
    key = demo_app.signer.verifier.encode()
    with serving(demo_app) as url:
        pinned_run = votetrail(capsys, "monitor", url, "--state", str(state), "--verifier-key", key)
        assert pinned_run.code == 0, pinned_run.err
        demo_app.signer = NoteSigner(demo_app.origin, os.urandom(32))
        _grow(demo_app, "signed by a key nobody handed over to")
        alarm = votetrail(capsys, "monitor", url, "--state", str(state))
    assert alarm.code == 1
    assert "the log's signing key was replaced without a rotation signed by the pinned key" in (
        alarm.err
    )
    pinned = read_state(state)
    assert pinned is not None
    assert pinned.verifier_key == key


def test_a_missing_key_is_refused_and_never_made_anew(
    capsys: pytest.CaptureFixture[str], demo_app: App
) -> None:
    key_file = demo_app.data_dir / KEY_FILE
    key_file.unlink()
    for command in (("key", "rotate"), ("init",), ("verify",)):
        result = votetrail_on(capsys, demo_app, *command)
        assert result.code == 2, command
        assert "is missing; restore it from backup" in result.err
        assert not key_file.exists()
    key_file.write_text("PRIVATE+KEY+garbage\n", encoding="ascii")
    unreadable = votetrail_on(capsys, demo_app, "key", "rotate")
    assert unreadable.code == 2
    assert "is corrupt" in unreadable.err
    assert key_file.read_text(encoding="ascii") == "PRIVATE+KEY+garbage\n"
    assert not (demo_app.data_dir / (KEY_FILE + ".rotating")).exists()


def test_a_missing_voter_identifier_key_is_not_made_on_first_use(demo_app: App) -> None:
    pii.key_path(demo_app.data_dir).unlink()
    from votetrail.errors import ConfigurationError
    from votetrail.services.voters.records import pii_keys

    with pytest.raises(ConfigurationError, match="is missing; restore it from backup"):
        pii_keys(demo_app)
    assert not pii.key_path(demo_app.data_dir).exists()


def test_a_leftover_pending_key_is_refused_not_overwritten(
    capsys: pytest.CaptureFixture[str], demo_app: App
) -> None:
    pending = demo_app.data_dir / (KEY_FILE + ".rotating")
    stranger = NoteSigner(demo_app.origin, os.urandom(32)).encode() + "\n"
    pending.write_text(stranger, encoding="ascii")
    result = votetrail_on(capsys, demo_app, "key", "rotate")
    assert result.code == 2
    assert "is left from a rotation that did not commit" in result.err
    assert pending.read_text(encoding="ascii") == stranger
    assert open_app(demo_app.data_dir, url_of(demo_app)).signer == demo_app.signer
