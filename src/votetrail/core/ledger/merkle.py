"""RFC 9162 §2.1 Merkle tree hashing, proofs and their verification.

The module serves two callers with one construction. Tools and tests hand it a
list of leaves (``root``, ``inclusion_proof``, ``consistency_proof``); the store
keeps every *perfect* subtree hash it has ever completed and asks which of them
a proof needs (``inclusion_ranges``, ``consistency_ranges``, ``subtrees``). Both
reduce a proof to ranges ``[start, end)`` of leaves whose Merkle Tree Hash is
part of the proof, so the in-memory path and the database path cannot drift.

Every range that RFC 9162 puts in a proof starts at a multiple of a power of
two at least as large as the range, so its hash is the right fold of the
perfect subtrees given by the binary digits of its length (``subtrees``). That
is why O(log n) stored hashes answer any proof.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"

__all__ = [
    "HASH_SIZE",
    "Subtree",
    "Tree",
    "consistency_proof",
    "consistency_ranges",
    "empty_root",
    "fold_subtrees",
    "inclusion_proof",
    "inclusion_ranges",
    "leaf_hash",
    "node_hash",
    "root",
    "subtrees",
    "verify_consistency",
    "verify_inclusion",
    "verify_inclusion_hash",
]


def leaf_hash(leaf: bytes) -> bytes:
    """Hash an entry with the 0x00 prefix that keeps leaves and nodes apart."""
    return hashlib.sha256(LEAF_PREFIX + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Hash two children with the 0x01 prefix (RFC 9162 §2.1.1)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def empty_root() -> bytes:
    """The hash of the empty tree is the hash of the empty string."""
    return hashlib.sha256(b"").digest()


@dataclass(frozen=True, slots=True)
class Subtree:
    """A perfect subtree: ``2**level`` leaves starting at ``index * 2**level``."""

    level: int
    index: int

    @property
    def start(self) -> int:
        return self.index << self.level

    @property
    def end(self) -> int:
        return (self.index + 1) << self.level


def _largest_power_below(n: int) -> int:
    """The k of RFC 9162: the largest power of two strictly smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def subtrees(start: int, end: int) -> list[Subtree]:
    """Split an aligned range into perfect subtrees, largest first.

    ``start`` must be a multiple of the largest power of two not exceeding the
    range's length, which holds for every range RFC 9162 hashes.
    """
    if end <= start:
        raise ValueError(f"empty range [{start}, {end})")
    parts: list[Subtree] = []
    position = start
    remaining = end - start
    while remaining:
        level = remaining.bit_length() - 1
        size = 1 << level
        if position % size:
            raise ValueError(f"range [{start}, {end}) is not aligned to its subtrees")
        parts.append(Subtree(level, position >> level))
        position += size
        remaining -= size
    return parts


def fold_subtrees(hashes: Sequence[bytes]) -> bytes:
    """Combine the perfect subtree hashes of one range, right to left."""
    if not hashes:
        return empty_root()
    acc = hashes[-1]
    for left in reversed(hashes[:-1]):
        acc = node_hash(left, acc)
    return acc


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """Leaf ranges whose hashes form PATH(index, D[0:size]), bottom first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    ranges: list[tuple[int, int]] = []
    start, end = 0, size
    while end - start > 1:
        k = _largest_power_below(end - start)
        if index < start + k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    ranges.reverse()
    return ranges


def consistency_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """Leaf ranges whose hashes form PROOF(old_size, D[0:new_size]), bottom first."""
    if not 0 < old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to {new_size}")
    ranges: list[tuple[int, int]] = []
    start, end, complete = 0, new_size, True
    while old_size != end:
        k = _largest_power_below(end - start)
        if old_size - start <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
            complete = False
    if not complete:
        ranges.append((start, end))
    ranges.reverse()
    return ranges


SubtreeReader = Callable[[Sequence[Subtree]], Sequence[bytes]]


def hash_ranges(ranges: Sequence[tuple[int, int]], read: SubtreeReader) -> list[bytes]:
    """Hash each range from stored perfect subtrees, read in one batch."""
    parts = [subtrees(a, b) for a, b in ranges]
    wanted = [s for group in parts for s in group]
    found = list(read(wanted))
    if len(found) != len(wanted):
        raise ValueError("subtree reader returned the wrong number of hashes")
    out: list[bytes] = []
    position = 0
    for group in parts:
        out.append(fold_subtrees(found[position : position + len(group)]))
        position += len(group)
    return out


class Tree:
    """Every perfect subtree hash of a list of leaves, built once; proofs then cost O(log n).

    The module functions below build one per call, which is right for a
    single question; a caller asking many questions of the same leaves keeps
    a ``Tree``.
    """

    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.size = len(leaves)
        level = [leaf_hash(leaf) for leaf in leaves]
        self.levels: list[list[bytes]] = [level]
        while len(level) > 1:
            level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
            self.levels.append(level)

    def read(self, wanted: Sequence[Subtree]) -> list[bytes]:
        return [self.levels[s.level][s.index] for s in wanted]

    def root(self, size: int | None = None) -> bytes:
        n = self.size if size is None else size
        if n == 0:
            return empty_root()
        return fold_subtrees(self.read(subtrees(0, n)))

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        n = self.size if size is None else size
        return hash_ranges(inclusion_ranges(index, n), self.read)

    def consistency_proof(self, old_size: int, size: int | None = None) -> list[bytes]:
        n = self.size if size is None else size
        return hash_ranges(consistency_ranges(old_size, n), self.read)


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of raw entries."""
    return Tree(leaves).root()


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(index, D[n]) of raw entries."""
    return Tree(leaves).inclusion_proof(index)


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    """PROOF(old_size, D[n]) of raw entries; empty when nothing was added."""
    return Tree(leaves).consistency_proof(old_size)


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2 for a raw entry."""
    return verify_inclusion_hash(leaf_hash(leaf), index, size, proof, root)


def verify_inclusion_hash(
    hash_: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2 for a leaf hash.

    Hashes that are not 32 bytes are refused outright, as the Go reference
    verifier does, so a truncated root can never match by accident.
    """
    if len(root) != HASH_SIZE:
        return False
    return root_from_inclusion(hash_, index, size, proof) == root


def root_from_inclusion(
    hash_: bytes, index: int, size: int, proof: Sequence[bytes]
) -> bytes | None:
    """The root an inclusion path leads to, or None if the path cannot be one.

    The voter map needs this for its lower level, whose root is not given but
    is itself a leaf proven in the upper tree.
    """
    if len(hash_) != HASH_SIZE:
        return None
    if any(len(p) != HASH_SIZE for p in proof):
        return None
    if index < 0 or index >= size:
        return None
    fn, sn = index, size - 1
    r = hash_
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2, with the reference verifier's edge rules.

    A proof from the empty tree proves nothing and is refused; equal sizes
    need an empty proof and equal roots.
    """
    if old_size <= 0 or old_size > new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if len(old_root) != HASH_SIZE or len(new_root) != HASH_SIZE:
        return False
    if any(len(p) != HASH_SIZE for p in proof):
        return False
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0
