"""``votetrail monitor``: watch an office's log from outside, without trusting the office.

Each run fetches the signed checkpoint, checks its signature against the
verifier key pinned on the first run, asks the server for a consistency proof
from the last checkpoint this monitor verified, and only then remembers the
new one. A fork, a rewind or a bad signature raises ``LogAlarm`` (exit 1); a
server that cannot be reached or answers nonsense raises ``ServerUnreachable``
(exit 3), which says nothing about the log either way. With a witness key the
monitor then cosigns the checkpoint it verified (C2SP tlog-cosignature) and
hands the cosignature to the office's server.

Trust on first use is not offered: whoever controls the server on the first
run could hand over a key of their own, so the first run must be given the
office's verifier key as published elsewhere (its web page, a notice, the
state's own channels). After that the state file pins it.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from votetrail.core.ledger.checkpoint import Checkpoint
from votetrail.core.ledger.cosignature import CosignerKey, CosignerVerifier, witnessed_by
from votetrail.core.ledger.monitor import check_extension, needs_proof
from votetrail.core.ledger.note import NoteVerifier, open_note, parse_signed_note
from votetrail.core.ledger.rotation import follow, open_rotation
from votetrail.errors import (
    ConfigurationError,
    LogAlarm,
    ServerUnreachable,
    SigningKeyError,
    VerificationFailed,
    VotetrailError,
)
from votetrail.formats.monitor_state import MonitorState, read_state, write_state

TIMEOUT = 30
MAX_ANSWER = 1024 * 1024
"""No checkpoint or proof is near a megabyte; a larger answer is refused unread."""


class TooFewWitnesses(VotetrailError):
    """The checkpoint is consistent but fewer witnesses than required vouched for it yet."""

    exit_code = 4


@dataclass(frozen=True)
class MonitorReport:
    """What one run saw: the checkpoint it verified and the size it had verified before."""

    checkpoint: Checkpoint
    previous_size: int | None
    cosigned_as: str | None = None
    witnessed_by: tuple[str, ...] = ()


def _base(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(f"{url}: the log's address must be an http:// or https:// URL")
    return url.rstrip("/")


def _request(url: str, body: bytes | None = None) -> bytes:
    """GET (or POST ``body``) and return the answer; any failure is ``ServerUnreachable``."""
    request = urllib.request.Request(  # noqa: S310 - scheme checked in _base
        url,
        data=body,
        method="GET" if body is None else "POST",
        headers={"Content-Type": "text/plain; charset=utf-8"} if body is not None else {},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            data: bytes = response.read(MAX_ANSWER + 1)
    except urllib.error.HTTPError as exc:
        detail = _error_text(exc)
        raise ServerUnreachable(f"{url} answered HTTP {exc.code}{detail}") from None
    except (OSError, urllib.error.URLError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ServerUnreachable(f"cannot reach {url}: {reason}") from None
    if len(data) > MAX_ANSWER:
        raise ServerUnreachable(f"{url} answered more than {MAX_ANSWER} bytes")
    return data


def _error_text(exc: urllib.error.HTTPError) -> str:
    """The server's sentence from a JSON error answer, if it gave one."""
    try:
        error = json.loads(exc.read(64 * 1024)).get("error")
    except (OSError, ValueError, AttributeError):
        return ""
    return f": {error}" if isinstance(error, str) else ""


def _text(url: str) -> str:
    try:
        return _request(url).decode("utf-8")
    except UnicodeDecodeError:
        raise ServerUnreachable(f"{url} did not answer UTF-8 text") from None


def _consistency_path(base: str, old: int, new: int) -> list[bytes]:
    url = f"{base}/log/proof/consistency/{old}/{new}"
    try:
        answer: Any = json.loads(_request(url))
        return [base64.b64decode(h, validate=True) for h in answer["consistency_path"]]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise ServerUnreachable(f"{url} did not answer a consistency proof in JSON") from None


def _pinned_key(state: MonitorState | None, url: str, given: str | None) -> NoteVerifier:
    if state is None and given is None:
        raise ConfigurationError(
            "the first run needs --verifier-key: the office's key as published on its site or "
            "notices (trusting whatever the server sends on first use would check nothing)"
        )
    if state is not None and state.url != url:
        raise ConfigurationError(
            f"the state file watches {state.url}, not {url}; use one state file per log"
        )
    try:
        pinned = None if given is None else NoteVerifier.parse(given)
    except SigningKeyError as exc:
        raise ConfigurationError(f"--verifier-key: {exc}") from None
    if state is None:
        assert pinned is not None
        return pinned
    try:
        key = NoteVerifier.parse(state.verifier_key)
    except SigningKeyError as exc:
        raise ConfigurationError(f"the state file's field verifier_key: {exc}") from None
    if pinned is not None and pinned != key:
        raise ConfigurationError(
            "--verifier-key differs from the key pinned in the state file; a log's key "
            "never changes, so start a new state file only if the office announced a new log"
        )
    return key


def _verified(note: str, key: NoteVerifier, url: str) -> Checkpoint:
    try:
        parse_signed_note(note)
    except VerificationFailed as exc:
        raise ServerUnreachable(f"{url} did not answer a signed note: {exc}") from None
    try:
        body = open_note(note, [key])
    except VerificationFailed as exc:
        raise LogAlarm(
            f"the checkpoint at {url} is not validly signed by {key.name} ({exc}): "
            "someone other than the office produced it or altered it"
        ) from None
    try:
        return Checkpoint.parse(body)
    except VerificationFailed as exc:
        raise LogAlarm(f"the office signed a note that is not a checkpoint: {exc}") from None


def _witnessed(
    note: str, trusted: Sequence[CosignerVerifier], required: int, size: int
) -> tuple[str, ...]:
    """The trusted witnesses that cosigned the served checkpoint; at least ``required``."""
    body, signatures = parse_signed_note(note)
    try:
        names = witnessed_by(body, signatures, trusted)
    except VerificationFailed as exc:
        raise LogAlarm(f"the office serves a forged witness cosignature: {exc}") from None
    if len(names) < required:
        raise TooFewWitnesses(
            f"the checkpoint of size {size} is consistent but only {len(names)} of the "
            f"{required} required witnesses have cosigned it so far"
        )
    return tuple(names)


def _remembered(state: MonitorState, key: NoteVerifier, path: Path) -> Checkpoint:
    """The checkpoint the state file holds, which this monitor verified when it saved it."""
    try:
        return Checkpoint.parse(open_note(state.checkpoint, [key]))
    except VerificationFailed as exc:
        raise ConfigurationError(f"{path}: field checkpoint: {exc}") from None


def _rotated_to(base: str, pinned: NoteVerifier, published: str) -> NoteVerifier:
    """The published key, if rotations signed by the pinned key lead to it; else an alarm.

    A new key is accepted only through the office's rotation statements
    (``/key-rotations``): each signed by the key before it, starting from the
    one this monitor pinned. A key that simply changed is what a server taken
    over by someone else would show, so it is never accepted.
    """
    replaced = (
        f"the server now publishes the verifier key {published[:80]!r}, not the pinned "
        f"{pinned.encode()!r}: the log's signing key was replaced"
    )
    try:
        answer: Any = json.loads(_request(f"{base}/key-rotations"))
        notes = [note for note in answer["rotations"] if isinstance(note, str)]
    except (ServerUnreachable, ValueError, KeyError, TypeError):
        raise LogAlarm(f"{replaced}, and no key rotation statement could be read") from None
    statements = []
    for note in notes:
        try:
            statements.append(open_rotation(note))
        except VerificationFailed:
            continue  # a statement that does not open vouches for nothing
    try:
        reached = follow(pinned, statements)
    except VerificationFailed as exc:
        raise LogAlarm(f"{replaced}: {exc}") from None
    if reached.encode() != published:
        raise LogAlarm(f"{replaced} without a rotation signed by the pinned key")
    return reached


def monitor(
    url: str,
    state_path: Path,
    verifier_key: str | None = None,
    witness: CosignerKey | None = None,
    clock: Callable[[], float] = time.time,
    trusted_witnesses: Sequence[CosignerVerifier] = (),
    min_witnesses: int = 0,
) -> MonitorReport:
    """One run: verify the log still extends what was seen, remember it, cosign if asked.

    With ``min_witnesses`` the run then also requires that many of
    ``trusted_witnesses`` to have cosigned the checkpoint the server serves.
    """
    base = _base(url)
    state = read_state(state_path)
    key = _pinned_key(state, base, verifier_key)
    published = _text(f"{base}/verifier-key").strip()
    if published != key.encode() and state is None:
        raise ConfigurationError(
            f"the server publishes the verifier key {published[:80]!r}, not the "
            f"{key.encode()!r} given: check which key the office really published"
        )
    previous = None if state is None else _remembered(state, key, state_path)
    if published != key.encode():
        key = _rotated_to(base, key, published)
    note = _text(f"{base}/checkpoint")
    current = _verified(note, key, f"{base}/checkpoint")
    proof: list[bytes] = []
    if needs_proof(previous, current):
        assert previous is not None
        proof = _consistency_path(base, previous.size, current.size)
    check_extension(previous, current, proof)
    write_state(state_path, MonitorState(base, key.encode(), note))
    cosigned_as = None
    if witness is not None:
        line = witness.cosign(current.body(), int(clock()))
        _request(f"{base}/checkpoint/cosignatures", (note + line).encode())
        cosigned_as = witness.name
        note = _text(f"{base}/checkpoint")
        if Checkpoint.parse(open_note(note, [key])) != current:
            note = _text(f"{base}/checkpoints/{current.size}")
    names = _witnessed(note, trusted_witnesses, min_witnesses, current.size)
    previous_size = None if previous is None else previous.size
    return MonitorReport(current, previous_size, cosigned_as, names)
