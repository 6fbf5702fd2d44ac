"""What an outside monitor concludes from two checkpoints of the same log.

The monitor keeps the last checkpoint it verified. A later one must be the
same tree or a strict extension of it, proven by an RFC 9162 consistency
proof; anything else means the office rewrote or rolled back its history, and
the monitor says so in one sentence. Fetching and the state file live in
``services/monitor.py``; this module only decides.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

from votetrail.core.ledger.checkpoint import Checkpoint
from votetrail.core.ledger.merkle import verify_consistency
from votetrail.errors import LogAlarm

__all__ = ["check_extension", "needs_proof"]


def _root(checkpoint: Checkpoint) -> str:
    return base64.b64encode(checkpoint.root_hash).decode()


def needs_proof(previous: Checkpoint | None, current: Checkpoint) -> bool:
    """A proof is needed only when the log grew from a non-empty tree we already saw."""
    return previous is not None and 0 < previous.size < current.size


def check_extension(
    previous: Checkpoint | None, current: Checkpoint, proof: Sequence[bytes] = ()
) -> None:
    """Raise ``LogAlarm`` unless ``current`` extends ``previous`` (or nothing was seen yet).

    ``proof`` is the consistency proof from ``previous.size`` to ``current.size``;
    it is only read when ``needs_proof`` says so.
    """
    if previous is None:
        return
    if current.origin != previous.origin:
        raise LogAlarm(
            f"the log now calls itself {current.origin!r}, not {previous.origin!r}: "
            "it is a different log"
        )
    if current.size < previous.size:
        raise LogAlarm(
            f"the log rewound: it was {previous.size} entries long and is now "
            f"{current.size}, so entries were removed"
        )
    if current.size == previous.size:
        if current.root_hash != previous.root_hash:
            raise LogAlarm(
                f"the log forked: at size {current.size} its root was {_root(previous)} "
                f"and is now {_root(current)}, so history was rewritten"
            )
        return
    if previous.size == 0:
        return
    if not verify_consistency(
        previous.size, current.size, previous.root_hash, current.root_hash, list(proof)
    ):
        raise LogAlarm(
            f"the log forked: the server's proof does not show the tree of size "
            f"{current.size} extends the tree of size {previous.size} seen before, "
            "so history was rewritten"
        )
