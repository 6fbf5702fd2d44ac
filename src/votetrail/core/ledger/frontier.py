"""Appending to a Merkle log in O(log n) from its frontier.

The frontier is the list of perfect subtree hashes that make up the current
tree, largest first: one per set bit of the size. Appending a leaf pushes it
and merges equal-sized neighbours, yielding exactly the new perfect subtrees
the store must keep; the root is the right fold of the frontier. Nothing is
ever rehashed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from votetrail.core.ledger.merkle import Subtree, fold_subtrees, node_hash, subtrees

__all__ = ["Frontier", "StoredNode"]


@dataclass(frozen=True, slots=True)
class StoredNode:
    """A perfect subtree hash the store keeps: level 0 is the leaf hash."""

    level: int
    index: int
    hash: bytes


class Frontier:
    """The right edge of a growing tree."""

    def __init__(self, size: int, hashes: Sequence[bytes]) -> None:
        parts = subtrees(0, size) if size else []
        if len(parts) != len(hashes):
            raise ValueError(f"a tree of size {size} has {len(parts)} frontier hashes")
        self.size = size
        self._stack: list[tuple[int, bytes]] = [
            (part.level, h) for part, h in zip(parts, hashes, strict=True)
        ]

    @staticmethod
    def layout(size: int) -> list[Subtree]:
        """Which stored subtrees make up the frontier of a tree of this size."""
        return subtrees(0, size) if size else []

    def append(self, leaf_hash: bytes) -> list[StoredNode]:
        """Add one leaf hash; return the leaf node and every subtree it completes."""
        position = self.size
        created = [StoredNode(0, position, leaf_hash)]
        stack = self._stack
        stack.append((0, leaf_hash))
        while len(stack) > 1 and stack[-1][0] == stack[-2][0]:
            level, right = stack.pop()
            _, left = stack.pop()
            merged = node_hash(left, right)
            stack.append((level + 1, merged))
            created.append(StoredNode(level + 1, position >> (level + 1), merged))
        self.size += 1
        return created

    def extend(self, leaf_hashes: Iterable[bytes]) -> list[StoredNode]:
        out: list[StoredNode] = []
        for h in leaf_hashes:
            out.extend(self.append(h))
        return out

    def root(self) -> bytes:
        return fold_subtrees([h for _, h in self._stack])
