"""``votetrail key rotate``: replace the log's signing key without breaking its chain.

The new key is written beside the old one first (``signing-key.txt.rotating``,
owner-only). One transaction then stores the rotation statement (signed by
both keys, naming the old key's last checkpoint) as a ``setting`` row, logs
``key.rotated`` for it and signs the resulting checkpoint with the new key;
only after that commits does the new key replace the old file. A crash after
the commit but before the move is finished by running the command again,
which recognises its pending key in the log; any other leftover is refused,
never overwritten. The retired private key is deleted: old checkpoints keep
verifying with its public key, which the statement carries.

Stop the web server before rotating: a running process still holds the old
key, and ``verify`` names any checkpoint signed by a retired key after the
rotation.
"""

from __future__ import annotations

import os
from dataclasses import replace

from sqlalchemy import insert

from votetrail.core.ledger.checkpoint import Checkpoint
from votetrail.core.ledger.note import NoteSigner, NoteVerifier, open_note
from votetrail.core.ledger.rotation import sign_rotation
from votetrail.errors import SigningKeyError, VerificationFailed
from votetrail.services.context import App
from votetrail.services.keys import KEY_FILE, ROTATION_PREFIX, key_path, rotation_notes, rotations
from votetrail.services.unit_of_work import unit_of_work
from votetrail.store import ledger
from votetrail.store.models import SETTINGS

PENDING = KEY_FILE + ".rotating"


def _finish(app: App) -> NoteVerifier | None:
    """Complete a rotation whose transaction committed but whose key was not moved in."""
    pending = app.data_dir / PENDING
    if not pending.exists():
        return None
    try:
        waiting = NoteSigner.parse(pending.read_text(encoding="ascii"))
    except (OSError, UnicodeDecodeError, SigningKeyError):
        waiting = None
    with app.engine.connect() as conn:
        done = rotations(conn)
    if waiting is not None and done and done[-1].new == waiting.verifier:
        os.replace(pending, key_path(app.data_dir))
        return waiting.verifier
    raise SigningKeyError(
        f"{pending} is left from a rotation that did not commit; check that the log still "
        "verifies with the current key, then delete that file and rotate again"
    )


def rotate(app: App, actor: str) -> NoteVerifier:
    """Make a new key, hand the log over to it and return its verifier key."""
    finished = _finish(app)
    if finished is not None:
        return finished
    new = NoteSigner(app.origin, os.urandom(32))
    pending = app.data_dir / PENDING
    fd = os.open(pending, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(new.encode() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    try:
        with unit_of_work(replace(app, signer=new), actor) as uow:
            ledger.head(uow.conn, lock=True)
            note = ledger.latest_checkpoint(uow.conn)
            if note is None:
                raise SigningKeyError("the log has no signed checkpoint yet; run `votetrail init`")
            try:
                last = Checkpoint.parse(open_note(note, [app.signer.verifier]))
            except VerificationFailed as exc:
                raise SigningKeyError(
                    f"the newest checkpoint is not signed by the current key ({exc}); "
                    "run `votetrail verify` before rotating"
                ) from None
            number = len(rotation_notes(uow.conn)) + 1
            setting = f"{ROTATION_PREFIX}{number:04d}"
            statement = sign_rotation(app.signer, new, last)
            uow.conn.execute(insert(SETTINGS).values(key=setting, value=statement))
            uow.record("key.rotated", setting, None)
    except BaseException:
        pending.unlink(missing_ok=True)
        raise
    os.replace(pending, key_path(app.data_dir))
    return new.verifier
