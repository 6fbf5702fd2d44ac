"""Property tests: production Merkle code against RFC 9162 written out naively.

The reference below transcribes RFC 9162 §2.1.1 (MTH), §2.1.3.1 (PATH) and
§2.1.4.1 (PROOF/SUBPROOF) literally, recursion and all, with nothing shared
with ``merkle.py``. Random trees then pin the fast range-based code and the
incremental ``Frontier`` to that definition, and mutated proofs check that the
verifiers refuse everything except the one valid answer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from votetrail.core.ledger import merkle
from votetrail.core.ledger.frontier import Frontier, StoredNode


def _k(n: int) -> int:
    """The largest power of two smaller than n (n > 1), as RFC 9162 defines k."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d: Sequence[bytes]) -> bytes:
    """RFC 9162 §2.1.1 Merkle Tree Hash."""
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return hashlib.sha256(b"\x00" + d[0]).digest()
    k = _k(len(d))
    return hashlib.sha256(b"\x01" + mth(d[:k]) + mth(d[k:])).digest()


def path(m: int, d: Sequence[bytes]) -> list[bytes]:
    """RFC 9162 §2.1.3.1 PATH(m, D[n])."""
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return [*path(m, d[:k]), mth(d[k:])]
    return [*path(m - k, d[k:]), mth(d[:k])]


def subproof(m: int, d: Sequence[bytes], b: bool) -> list[bytes]:
    """RFC 9162 §2.1.4.1 SUBPROOF(m, D[n], b); PROOF(m, D[n]) is SUBPROOF(m, D[n], true)."""
    if m == len(d):
        return [] if b else [mth(d)]
    k = _k(len(d))
    if m <= k:
        return [*subproof(m, d[:k], b), mth(d[k:])]
    return [*subproof(m - k, d[k:], False), mth(d[:k])]


def path_shape(m: int, n: int) -> tuple[str, ...]:
    """Which side each PATH hash sits on: all a verifier learns from (index, size)."""
    if n == 1:
        return ()
    k = _k(n)
    return (*path_shape(m, k), "R") if m < k else (*path_shape(m - k, n - k), "L")


def proof_shape(m: int, n: int, b: bool = True) -> tuple[str, ...]:
    """Like ``path_shape`` for SUBPROOF, with "S" for the old subtree's own hash."""
    if m == n:
        return () if b else ("S",)
    k = _k(n)
    if m <= k:
        return (*proof_shape(m, k, b), "R")
    return (*proof_shape(m - k, n - k, False), "L")


def flip(proof: list[bytes], item: int, bit: int) -> list[bytes]:
    changed = bytearray(proof[item])
    changed[bit // 8] ^= 1 << (bit % 8)
    return [*proof[:item], bytes(changed), *proof[item + 1 :]]


# Distinct leaves: with duplicates a sibling can equal the node it pairs with,
# and then "wrong index" proofs verify legitimately.
trees = st.lists(st.binary(max_size=8), min_size=1, max_size=70, unique=True)
OTHER_HASH = hashlib.sha256(b"not in the tree").digest()


@given(trees)
def test_root_matches_reference(leaves: list[bytes]) -> None:
    """MTH of the production code equals the recursive definition."""
    assert merkle.root(leaves) == mth(leaves)


@given(trees, st.data())
def test_inclusion_proof_matches_reference(leaves: list[bytes], data: st.DataObject) -> None:
    """PATH is the RFC's, and it verifies from the raw leaf and from its hash."""
    index = data.draw(st.integers(0, len(leaves) - 1))
    proof = merkle.inclusion_proof(leaves, index)
    assert proof == path(index, leaves)
    root = mth(leaves)
    assert merkle.verify_inclusion(leaves[index], index, len(leaves), proof, root)
    assert merkle.verify_inclusion_hash(
        merkle.leaf_hash(leaves[index]), index, len(leaves), proof, root
    )


@given(trees, st.data())
def test_consistency_proof_matches_reference(leaves: list[bytes], data: st.DataObject) -> None:
    """PROOF is the RFC's for every old size, and it verifies."""
    old = data.draw(st.integers(1, len(leaves)))
    proof = merkle.consistency_proof(leaves, old)
    assert proof == subproof(old, leaves, True)
    assert merkle.verify_consistency(old, len(leaves), mth(leaves[:old]), mth(leaves), proof)


@given(trees, st.data())
def test_inclusion_mutations_are_rejected(leaves: list[bytes], data: st.DataObject) -> None:
    """A flipped bit, another index, a shorter or longer proof: none verifies."""
    size = len(leaves)
    index = data.draw(st.integers(0, size - 1))
    leaf, proof, root = leaves[index], path(index, leaves), mth(leaves)
    if proof:
        item = data.draw(st.integers(0, len(proof) - 1))
        bad = flip(proof, item, data.draw(st.integers(0, 255)))
        assert not merkle.verify_inclusion(leaf, index, size, bad, root)
        assert not merkle.verify_inclusion(leaf, index, size, proof[:-1], root)
        assert not merkle.verify_inclusion(leaf, index, size, proof[1:], root)
    other = data.draw(st.integers(-1, size).filter(lambda i: i != index))
    assert not merkle.verify_inclusion(leaf, other, size, proof, root)
    assert not merkle.verify_inclusion(leaf, index, size, [*proof, OTHER_HASH], root)
    assert not merkle.verify_inclusion(leaf, index, size, [OTHER_HASH, *proof], root)
    assert not merkle.verify_inclusion(leaf, index, size, proof, flip([root], 0, 0)[0])


@given(trees, st.data())
def test_inclusion_other_size_needs_identical_shape(
    leaves: list[bytes], data: st.DataObject
) -> None:
    """A wrong size is rejected unless it gives the proof the exact same shape.

    The root does not commit to the size, so (index 0, size 3) and (index 0,
    size 4) read a two-hash proof identically; that is RFC 9162 behaviour, and
    why checkpoints sign the size. Any other wrong size must fail.
    """
    size = len(leaves)
    index = data.draw(st.integers(0, size - 1))
    other = data.draw(st.integers(0, 2 * size + 2).filter(lambda n: n != size))
    accepted = merkle.verify_inclusion(
        leaves[index], index, other, path(index, leaves), mth(leaves)
    )
    assert accepted == (index < other and path_shape(index, other) == path_shape(index, size))


def test_size_ambiguity_example() -> None:
    """The documented case: a size-3 path for leaf 0 also reads as a size-4 path."""
    leaves = [b"a", b"b", b"c"]
    assert merkle.verify_inclusion(b"a", 0, 4, path(0, leaves), mth(leaves))
    assert not merkle.verify_inclusion(b"a", 0, 5, path(0, leaves), mth(leaves))


@given(trees, st.data())
def test_consistency_mutations_are_rejected(leaves: list[bytes], data: st.DataObject) -> None:
    """Flipped bits, swapped roots, shorter or longer proofs and wrong sizes all fail."""
    new = len(leaves)
    old = data.draw(st.integers(1, new))
    proof, old_root, new_root = subproof(old, leaves, True), mth(leaves[:old]), mth(leaves)
    assert merkle.verify_consistency(old, new, old_root, new_root, proof)
    if proof:
        item = data.draw(st.integers(0, len(proof) - 1))
        bad = flip(proof, item, data.draw(st.integers(0, 255)))
        assert not merkle.verify_consistency(old, new, old_root, new_root, bad)
        assert not merkle.verify_consistency(old, new, old_root, new_root, proof[:-1])
        assert not merkle.verify_consistency(old, new, old_root, new_root, proof[1:])
        assert not merkle.verify_consistency(old, new, new_root, old_root, proof)
    assert not merkle.verify_consistency(old, new, old_root, new_root, [*proof, OTHER_HASH])
    assert not merkle.verify_consistency(old, new, old_root, new_root, [OTHER_HASH, *proof])
    assert not merkle.verify_consistency(old, new, flip([old_root], 0, 7)[0], new_root, proof)
    assert not merkle.verify_consistency(old, new, old_root, flip([new_root], 0, 7)[0], proof)
    other_old = data.draw(st.integers(0, new + 2))
    other_new = data.draw(st.integers(0, 2 * new + 2))
    if (other_old, other_new) != (old, new):
        accepted = merkle.verify_consistency(other_old, other_new, old_root, new_root, proof)
        same = 0 < other_old <= other_new and proof_shape(other_old, other_new) == proof_shape(
            old, new
        )
        assert accepted == same


def _perfect_subtrees(leaves: Sequence[bytes]) -> set[StoredNode]:
    """Every (level, index, hash) a full build keeps: all complete power-of-two blocks."""
    out: set[StoredNode] = set()
    level = 0
    while 1 << level <= len(leaves):
        width = 1 << level
        for index in range(len(leaves) // width):
            out.add(StoredNode(level, index, mth(leaves[index * width : (index + 1) * width])))
        level += 1
    return out


@given(trees)
def test_frontier_appends_match_full_build(leaves: list[bytes]) -> None:
    """Appending one leaf at a time gives every prefix root and exactly the stored nodes."""
    frontier = Frontier(0, [])
    assert frontier.root() == merkle.empty_root()
    emitted: list[StoredNode] = []
    for size, leaf in enumerate(leaves, start=1):
        emitted.extend(frontier.append(merkle.leaf_hash(leaf)))
        assert frontier.size == size
        assert frontier.root() == merkle.root(leaves[:size])
    assert len(emitted) == len(set(emitted))
    assert set(emitted) == _perfect_subtrees(leaves)


def _binary_blocks(size: int) -> list[tuple[int, int]]:
    """One block per set bit of the size, largest first: the tree's right edge."""
    blocks, start = [], 0
    for bit in reversed(range(size.bit_length())):
        if size >> bit & 1:
            blocks.append((start, start + (1 << bit)))
            start += 1 << bit
    return blocks


@given(trees, st.data())
def test_frontier_resumes_from_layout(leaves: list[bytes], data: st.DataObject) -> None:
    """A frontier rebuilt from the stored subtrees ``layout`` names continues identically."""
    split = data.draw(st.integers(0, len(leaves)))
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
    original = Frontier(0, [])
    original.extend(hashes[:split])
    parts = Frontier.layout(split)
    assert [(p.start, p.end) for p in parts] == _binary_blocks(split)
    resumed = Frontier(split, [mth(leaves[p.start : p.end]) for p in parts])
    assert resumed.root() == original.root() == mth(leaves[:split])
    assert resumed.extend(hashes[split:]) == original.extend(hashes[split:])
    assert resumed.root() == original.root() == mth(leaves)


@pytest.mark.parametrize("count", [0, 1, 3])
def test_frontier_refuses_wrong_number_of_hashes(count: int) -> None:
    """A size names its frontier: size 6 (0b110) has exactly two hashes."""
    h = merkle.leaf_hash(b"x")
    assert Frontier(6, [h, h]).size == 6
    with pytest.raises(ValueError, match="frontier hashes"):
        Frontier(6, [h] * count)
