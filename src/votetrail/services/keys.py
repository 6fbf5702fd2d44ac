"""The log's Ed25519 signing key, kept as one file in the data directory.

The key is written once, atomically and readable by its owner only; losing it
means future checkpoints cannot be linked to the published verifier key, so a
missing or corrupt file is an error, never a reason to quietly make a new one.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from sqlalchemy import Connection, select

from votetrail.core.ledger.note import NoteSigner
from votetrail.core.ledger.rotation import Rotation, open_rotation
from votetrail.errors import SigningKeyError, VerificationFailed
from votetrail.store.models import SETTINGS

KEY_FILE = "signing-key.txt"


def key_path(data_dir: Path) -> Path:
    return data_dir / KEY_FILE


def create_key(data_dir: Path, origin: str) -> NoteSigner:
    path = key_path(data_dir)
    if path.exists():
        raise SigningKeyError(f"{path} already exists; refusing to replace a signing key")
    signer = NoteSigner(origin, os.urandom(32))
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(signer.encode() + "\n")
    os.replace(temporary, path)
    return signer


def load_key(data_dir: Path) -> NoteSigner:
    path = key_path(data_dir)
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise SigningKeyError(
            f"the signing key {path} is missing; restore it from backup "
            "(run `votetrail init` only for a new log)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SigningKeyError(f"the signing key {path} cannot be read: {exc}") from None
    try:
        return NoteSigner.parse(text)
    except SigningKeyError as exc:
        raise SigningKeyError(f"the signing key {path} is corrupt: {exc}") from None


ROTATION_PREFIX = "key_rotation."
"""Settings rows ``key_rotation.0001``… hold the rotation statements, oldest first."""


def rotation_notes(conn: Connection) -> list[tuple[str, str]]:
    """(settings key, statement) of every key rotation, oldest first."""
    rows = conn.execute(
        select(SETTINGS.c.key, SETTINGS.c.value)
        .where(SETTINGS.c.key.startswith(ROTATION_PREFIX))
        .order_by(SETTINGS.c.key)
    )
    return [(str(key), str(value)) for key, value in rows]


def rotations(conn: Connection) -> list[Rotation]:
    found = []
    for key, note in rotation_notes(conn):
        try:
            found.append(open_rotation(note))
        except VerificationFailed as exc:
            raise SigningKeyError(
                f"the key rotation statement {key} does not open: {exc}"
            ) from None
    return found


def require_key_in_force(conn: Connection, signer: NoteSigner, data_dir: Path) -> None:
    """Refuse a key the log has rotated away from (say, one restored from an old backup)."""
    done = rotations(conn)
    if done and done[-1].new != signer.verifier:
        raise SigningKeyError(
            f"the signing key in {data_dir} ({signer.verifier.encode()}) is not the key in force "
            f"since the last rotation ({done[-1].new.encode()}); put the current key in place"
        )


SESSION_FILE = "session-secret.txt"


def session_secret(data_dir: Path) -> str:
    """The key that signs session cookies; made on first use, kept beside the signing key.

    Every worker of ``votetrail serve --workers N`` reads it at start-up, and
    they must all hold the same one or a cookie signed by one is refused by the
    next. So the first use writes a complete file under a private name and
    links it into place (a link never replaces a file): of two processes
    starting at once, one link wins, the other finds the file there, and both
    read the winner's secret. Nobody ever reads a half-written file.
    """
    path = data_dir / SESSION_FILE
    if not path.exists():
        temporary = data_dir / f".{SESSION_FILE}.{os.getpid()}.{os.urandom(4).hex()}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(os.urandom(32).hex())
                handle.flush()
                os.fsync(handle.fileno())
            # If another process linked its secret first, that one is the secret.
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    return path.read_text(encoding="ascii").strip()
