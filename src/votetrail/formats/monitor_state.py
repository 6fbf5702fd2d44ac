"""Files of ``votetrail monitor``: its state (the log and what it last verified), its witness key.

The file is the monitor's memory between cron runs, so it is written whole or
not at all (a temporary file, flushed to disk, then renamed over the old one):
a crash or a full disk mid-write must never leave a file that forgets the
last checkpoint, or the next run could accept a rewritten log as new.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from votetrail.core.ledger.cosignature import CosignerKey
from votetrail.errors import ConfigurationError, SigningKeyError

FORMAT = "votetrail-monitor-state/1"


@dataclass(frozen=True)
class MonitorState:
    """The log's URL, the verifier key pinned for it, and the last signed checkpoint seen."""

    url: str
    verifier_key: str
    checkpoint: str


def read_state(path: Path) -> MonitorState | None:
    """The saved state, or None if the file does not exist yet (a first run)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"{path}: cannot read the monitor state: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigurationError(
            f"{path}, line {exc.lineno}: the monitor state is not JSON ({exc.msg})"
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ConfigurationError(f"{path}: field format: not a {FORMAT} file")
    fields = {}
    for name in ("url", "verifier_key", "checkpoint"):
        value = data.get(name)
        if not isinstance(value, str) or not value:
            raise ConfigurationError(f"{path}: field {name}: missing or not text")
        fields[name] = value
    return MonitorState(**fields)


def write_state(path: Path, state: MonitorState) -> None:
    """Replace the state file atomically (readable by its owner only)."""
    _replace(
        path,
        "monitor state",
        json.dumps(
            {
                "format": FORMAT,
                "url": state.url,
                "verifier_key": state.verifier_key,
                "checkpoint": state.checkpoint,
            },
            indent=2,
        ),
    )


def write_witness_key(path: Path, key: CosignerKey) -> None:
    """Write a new witness private key; never over an existing one (it may be in use)."""
    if path.exists():
        raise ConfigurationError(f"{path} already exists; refusing to replace a witness key")
    _replace(path, "witness key", key.encode())


def read_witness_key(path: Path) -> CosignerKey:
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"{path}: cannot read the witness key: {exc}") from None
    try:
        return CosignerKey.parse(text)
    except SigningKeyError as exc:
        raise ConfigurationError(f"{path}: {exc}") from None


def _replace(path: Path, what: str, text: str) -> None:
    """Write ``text`` to a temporary file (mode 0600), flush it to disk, rename it over ``path``."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot write the {what}: {exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise ConfigurationError(f"{path}: cannot write the {what}: {exc}") from None
