"""Showing that a voter-map root is the newest one a checkpoint covers, not merely one it includes.

An inclusion proof only says "this ``voters.map_updated`` entry is somewhere in
the log up to the checkpoint". An old entry stays included in every later
checkpoint, so an old proof re-attached to the newest checkpoint would pass
for the current record. What makes a root current is that no later map update
comes before the checkpoint. The proof therefore carries the log's frontier
just before the map entry (the perfect subtree hashes of the first ``index``
entries, one per set bit of ``index``) and every entry after it up to the
checkpoint's size. Appending the map entry and those entries to the frontier
must give exactly the signed root: then they *are* the entries at those
positions (a different list would need a SHA-256 collision), and none of them
may touch the voter map.

Pure: entries and hashes in, the problems in words out.
"""

from __future__ import annotations

from collections.abc import Sequence

from votetrail.core.ledger.events import LogEntry
from votetrail.core.ledger.frontier import Frontier
from votetrail.core.ledger.merkle import leaf_hash

__all__ = ["MAP_RECORD_TYPE", "freshness_problems"]

MAP_RECORD_TYPE = "voter_map"
"""The record type of the ledgered voter-map root; any entry about it changes the root."""


def freshness_problems(
    frontier: Sequence[bytes],
    index: int,
    map_entry: LogEntry,
    later: Sequence[tuple[int, LogEntry]],
    size: int,
    root: bytes,
) -> list[str]:
    """Why the map entry at ``index`` is not the latest map update in the tree of ``size``.

    ``frontier`` are the subtree hashes of the tree of ``index`` entries,
    ``later`` every entry from ``index + 1`` to ``size - 1`` with its
    position, and ``root`` the checkpoint's signed root. An empty list means
    the root this entry commits to is the voter map as of the checkpoint.
    """
    unproven = (
        "stale or unproven: the map update and the {n} log entries after it do not make "
        f"up the signed checkpoint of size {size}, so a later map update cannot be ruled out"
    )
    try:
        tree = Frontier(index, frontier)
    except ValueError:
        return [unproven.format(n=len(later))]
    tree.append(leaf_hash(map_entry.leaf()))
    updates: list[str] = []
    for expected, (position, entry) in enumerate(later, start=index + 1):
        if position != expected:
            return [unproven.format(n=len(later))]
        tree.append(leaf_hash(entry.leaf()))
        if entry.record_type == MAP_RECORD_TYPE:
            updates.append(
                f"stale: log entry #{position} ({entry.event_type}) changed the voter map "
                f"after entry #{index} and before the checkpoint of size {size}; the record "
                "is not the current one"
            )
    if tree.size != size or tree.root() != root:
        return [unproven.format(n=len(later))]
    return updates
