"""Key rotation statements: how a log hands its signature from one key to the next.

A statement is a signed note whose text names the old and the new verifier
key and repeats the last checkpoint the old key signed. Both keys sign it:
the old key's signature is what lets anyone who pinned the old key (a monitor,
a witness, an observer with a printed key) accept the new one, and the new
key's signature shows its holder took over at that point of the log. The
statement is itself logged (event ``key.rotated``), so the first checkpoint
the new key signs commits to the old key's last checkpoint.

A key change without such a statement, signed by the key that was pinned, is
exactly what an attacker who replaced the server would produce, so everyone
following the log must treat it as an alarm.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from votetrail.core.ledger.checkpoint import Checkpoint
from votetrail.core.ledger.note import NoteSigner, NoteVerifier, open_note, sign_note
from votetrail.errors import SigningKeyError, VerificationFailed

HEADER = "votetrail key rotation"


@dataclass(frozen=True)
class Rotation:
    old: NoteVerifier
    new: NoteVerifier
    checkpoint: Checkpoint
    """The last checkpoint the old key signed before handing over."""


def sign_rotation(old: NoteSigner, new: NoteSigner, last: Checkpoint) -> str:
    """The statement, signed by both keys (old first)."""
    text = f"{HEADER}\nold {old.verifier.encode()}\nnew {new.verifier.encode()}\n{last.body()}"
    return sign_note(text, [old, new])


def open_rotation(note: str) -> Rotation:
    """The statement's content, once both keys it names are shown to have signed it."""
    try:
        text = note[: note.rfind("\n\n") + 1]
        lines = text.split("\n")
        if len(lines) < 4 or lines[0] != HEADER:
            raise VerificationFailed("not a key rotation statement")
        if not lines[1].startswith("old ") or not lines[2].startswith("new "):
            raise VerificationFailed("a key rotation names the old key, then the new one")
        old = NoteVerifier.parse(lines[1][4:])
        new = NoteVerifier.parse(lines[2][4:])
    except SigningKeyError as exc:
        raise VerificationFailed(f"key rotation: {exc}") from None
    if old == new:
        raise VerificationFailed("a key rotation must name a different new key")
    open_note(note, [old])
    open_note(note, [new])
    checkpoint = Checkpoint.parse("\n".join(lines[3:]))
    if checkpoint.origin != old.name or new.name != old.name:
        raise VerificationFailed("a key rotation must keep the log's origin name")
    return Rotation(old, new, checkpoint)


def follow(pinned: NoteVerifier, rotations: Sequence[Rotation]) -> NoteVerifier:
    """The key now in force, reached from ``pinned`` only through rotations it signed.

    Rotations before the pinned key took over are skipped; from there each
    one must be signed by the key the previous one handed to.
    """
    current = pinned
    keys = [r.old for r in rotations] + [r.new for r in rotations]
    if pinned not in keys:
        return pinned
    started = False
    for rotation in rotations:
        if not started and rotation.old != pinned:
            continue
        started = True
        if rotation.old != current:
            raise VerificationFailed(
                f"a key rotation to {rotation.new.encode()} is signed by "
                f"{rotation.old.encode()}, not by the key then in force {current.encode()}"
            )
        current = rotation.new
    return current
