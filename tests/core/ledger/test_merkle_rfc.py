"""Published RFC 6962 / RFC 9162 vectors for the classic eight-leaf tree.

Every other Merkle log implementation (Go, C++, Rust) checks itself against
these same numbers, so matching them is what makes our roots and proofs
interoperable with tools that never heard of votetrail. The values are copied
from the upstream sources named beside each table, not computed here.
"""

from __future__ import annotations

import hashlib

import pytest

from votetrail.core.ledger import merkle
from votetrail.core.ledger.frontier import Frontier

# transparency-dev/merkle testonly/constants.go, LeafInputs() (HEAD 417fb0c3).
LEAVES: list[bytes] = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]

# transparency-dev/merkle testonly/constants.go, RootHashes(): index = tree size.
ROOTS: list[str] = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]

# transparency-dev/merkle testonly/constants.go, NodeHashes(): [level][index] of
# every perfect subtree of the eight-leaf tree.
NODES: list[list[str]] = [
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ],
    [
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    ],
    [
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
]

# transparency-dev/merkle proof/verify_test.go at 022f84cb1f2655a4399874cfa190c3f1d60b32a8,
# `inclusionProofs` and `consistencyProofs` (the last version with inline tables;
# bcba819 moved them to testdata/). Go counts the leaf from 1; here it counts from 0.
INCLUSION: list[tuple[int, int, list[str]]] = [
    (0, 1, []),
    (0, 8, [NODES[0][1], NODES[1][1], NODES[2][1]]),  # 96a296d2…, 5f083f0a…, 6b47aaf2…
    (5, 8, [NODES[0][4], NODES[1][3], NODES[2][0]]),  # bc1a0643…, ca854ea1…, d37ee418…
    (2, 3, [NODES[1][0]]),  # fac54203…
    (1, 5, [NODES[0][0], NODES[1][1], NODES[0][4]]),  # 6e340b9c…, 5f083f0a…, bc1a0643…
]
CONSISTENCY: list[tuple[int, int, list[str]]] = [
    (1, 1, []),
    (1, 8, [NODES[0][1], NODES[1][1], NODES[2][1]]),  # 96a296d2…, 5f083f0a…, 6b47aaf2…
    (6, 8, [NODES[1][2], NODES[1][3], NODES[2][0]]),  # 0ebc5d34…, ca854ea1…, d37ee418…
    (2, 5, [NODES[1][1], NODES[0][4]]),  # 5f083f0a…, bc1a0643…
    (6, 7, [NODES[1][2], NODES[0][6], NODES[2][0]]),  # 0ebc5d34…, b08693ec…, d37ee418…
]

# transparency-dev/merkle proof/proof_test.go (HEAD 417fb0c3), TestInclusion and
# TestConsistency: each group is one proof hash; a group of several node IDs
# (level, index) is Go's rehash(begin, end), one hash over their union.
Groups = list[list[tuple[int, int]]]
GO_INCLUSION_NODES: list[tuple[int, int, Groups]] = [
    (0, 1, []),
    (0, 2, [[(0, 1)]]),
    (1, 2, [[(0, 0)]]),
    (1, 3, [[(0, 0)], [(0, 2)]]),
    (0, 7, [[(0, 1)], [(1, 1)], [(0, 6), (1, 2)]]),
    (1, 7, [[(0, 0)], [(1, 1)], [(0, 6), (1, 2)]]),
    (2, 7, [[(0, 3)], [(1, 0)], [(0, 6), (1, 2)]]),
    (3, 7, [[(0, 2)], [(1, 0)], [(0, 6), (1, 2)]]),
    (4, 7, [[(0, 5)], [(0, 6)], [(2, 0)]]),
    (5, 7, [[(0, 4)], [(0, 6)], [(2, 0)]]),
    (6, 7, [[(1, 2)], [(2, 0)]]),
    (2, 4, [[(0, 3)], [(1, 0)]]),
    (3, 5, [[(0, 2)], [(1, 0)], [(0, 4)]]),
    (3, 6, [[(0, 2)], [(1, 0)], [(1, 2)]]),
    (4, 6, [[(0, 5)], [(2, 0)]]),
    (10, 15, [[(0, 11)], [(1, 4)], [(0, 14), (1, 6)], [(3, 0)]]),
    (24, 31, [[(0, 25)], [(1, 13)], [(0, 30), (1, 14)], [(3, 2)], [(4, 0)]]),
    (81, 95, [[(0, 80)], [(1, 41)], [(2, 21)], [(0, 94), (1, 46), (2, 22)], [(4, 4)], [(6, 0)]]),
]
GO_CONSISTENCY_NODES: list[tuple[int, int, Groups]] = [
    (1, 2, [[(0, 1)]]),
    (1, 4, [[(0, 1)], [(1, 1)]]),
    (1, 6, [[(0, 1)], [(1, 1)], [(1, 2)]]),
    (2, 3, [[(0, 2)]]),
    (2, 8, [[(1, 1)], [(2, 1)]]),
    (3, 7, [[(0, 2)], [(0, 3)], [(1, 0)], [(0, 6), (1, 2)]]),
    (4, 7, [[(0, 6), (1, 2)]]),
    (5, 7, [[(0, 4)], [(0, 5)], [(0, 6)], [(2, 0)]]),
    (6, 7, [[(1, 2)], [(0, 6)], [(2, 0)]]),
    (7, 8, [[(0, 6)], [(0, 7)], [(1, 2)], [(2, 0)]]),
    *[(n, n, []) for n in (1, 2, 3, 4, 5, 7, 8)],
    (2, 4, [[(1, 1)]]),
    (3, 5, [[(0, 2)], [(0, 3)], [(1, 0)], [(0, 4)]]),
    (3, 6, [[(0, 2)], [(0, 3)], [(1, 0)], [(1, 2)]]),
    (4, 6, [[(1, 2)]]),
    (1, 7, [[(0, 1)], [(1, 1)], [(0, 6), (1, 2)]]),
    (10, 15, [[(1, 4)], [(1, 5)], [(0, 14), (1, 6)], [(3, 0)]]),
    (24, 31, [[(3, 2)], [(0, 30), (1, 14), (2, 6)], [(4, 0)]]),
    (
        81,
        95,
        [
            [(0, 80)],
            [(0, 81)],
            [(1, 41)],
            [(2, 21)],
            [(0, 94), (1, 46), (2, 22)],
            [(4, 4)],
            [(6, 0)],
        ],
    ),
]


def _ranges(groups: Groups) -> list[tuple[int, int]]:
    """Turn Go node IDs into the leaf ranges votetrail hashes: the union of each group."""
    spans = [[(i << lvl, (i + 1) << lvl) for lvl, i in group] for group in groups]
    return [(min(a for a, _ in s), max(b for _, b in s)) for s in spans]


def _h(values: list[str]) -> list[bytes]:
    return [bytes.fromhex(v) for v in values]


def test_empty_tree_root_is_sha256_of_nothing() -> None:
    """RFC 9162 §2.1.1: MTH({}) = SHA-256()."""
    assert merkle.root([]) == merkle.empty_root() == hashlib.sha256(b"").digest()
    assert merkle.root([]).hex() == ROOTS[0]


def test_leaf_hashes_match_published_level_zero() -> None:
    """Leaf hashing with the 0x00 prefix must give the published level-0 nodes."""
    assert [merkle.leaf_hash(leaf).hex() for leaf in LEAVES] == NODES[0]


@pytest.mark.parametrize("size", range(9))
def test_prefix_roots_match_published(size: int) -> None:
    """Every prefix of the eight leaves hashes to the published root for that size."""
    assert merkle.root(LEAVES[:size]).hex() == ROOTS[size]


def test_known_root_of_size_eight() -> None:
    """A guard against a mistyped table: the well-known 8-leaf root 5dc9da79…4328."""
    assert ROOTS[8].startswith("5dc9da79")
    assert ROOTS[8].endswith("4328")


def test_frontier_rebuilds_published_tree() -> None:
    """Appending the leaves one at a time gives each published root and stores every node."""
    frontier = Frontier(0, [])
    stored: set[tuple[int, int, str]] = set()
    for size, leaf in enumerate(LEAVES, start=1):
        created = frontier.append(merkle.leaf_hash(leaf))
        stored.update((n.level, n.index, n.hash.hex()) for n in created)
        assert frontier.root().hex() == ROOTS[size]
    expected = {(lvl, i, h) for lvl, row in enumerate(NODES) for i, h in enumerate(row)}
    assert stored == expected


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_published_inclusion_proofs(index: int, size: int, proof: list[str]) -> None:
    """Our PATH equals the published one, and the published one verifies."""
    assert [p.hex() for p in merkle.inclusion_proof(LEAVES[:size], index)] == proof
    assert merkle.verify_inclusion(LEAVES[index], index, size, _h(proof), _h(ROOTS)[size])


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_published_consistency_proofs_verify(old: int, new: int, proof: list[str]) -> None:
    """The published consistency proofs verify between the published roots."""
    assert merkle.verify_consistency(old, new, _h(ROOTS)[old], _h(ROOTS)[new], _h(proof))


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_generated_consistency_proofs_match_published(old: int, new: int, proof: list[str]) -> None:
    """Our PROOF equals the published one byte for byte."""
    assert [p.hex() for p in merkle.consistency_proof(LEAVES[:new], old)] == proof


@pytest.mark.parametrize(("index", "size"), [(i, n) for n in range(1, 9) for i in range(n)])
def test_every_inclusion_proof_verifies(index: int, size: int) -> None:
    """Every leaf of every prefix tree proves against exactly its own root."""
    proof = merkle.inclusion_proof(LEAVES[:size], index)
    roots = _h(ROOTS)
    assert merkle.verify_inclusion(LEAVES[index], index, size, proof, roots[size])
    others = [r for r in roots if r != roots[size]]
    assert not any(merkle.verify_inclusion(LEAVES[index], index, size, proof, r) for r in others)


@pytest.mark.parametrize(("old", "new"), [(m, n) for n in range(1, 9) for m in range(1, n + 1)])
def test_every_consistency_proof_verifies(old: int, new: int) -> None:
    """Every pair of prefix sizes has a proof that verifies between the published roots."""
    proof = merkle.consistency_proof(LEAVES[:new], old)
    roots = _h(ROOTS)
    assert merkle.verify_consistency(old, new, roots[old], roots[new], proof)
    if old < new:
        assert not merkle.verify_consistency(old, new, roots[new], roots[old], proof)


@pytest.mark.parametrize(("index", "size", "groups"), GO_INCLUSION_NODES)
def test_inclusion_ranges_match_go_node_ids(index: int, size: int, groups: Groups) -> None:
    """Which subtrees a proof needs agrees with the Go reference, bottom first."""
    assert merkle.inclusion_ranges(index, size) == _ranges(groups)


@pytest.mark.parametrize(("old", "new", "groups"), GO_CONSISTENCY_NODES)
def test_consistency_ranges_match_go_node_ids(old: int, new: int, groups: Groups) -> None:
    """Which subtrees a consistency proof needs agrees with the Go reference."""
    assert merkle.consistency_ranges(old, new) == _ranges(groups)


@pytest.mark.parametrize(("index", "size"), [(0, 0), (1, 0), (2, 1), (3, 0), (8, 7), (-1, 4)])
def test_inclusion_ranges_refuse_bad_arguments(index: int, size: int) -> None:
    """The Go reference's error cases are errors here too."""
    with pytest.raises(ValueError, match="outside a tree"):
        merkle.inclusion_ranges(index, size)


@pytest.mark.parametrize(("old", "new"), [(5, 0), (9, 8), (0, 0), (0, 3)])
def test_consistency_ranges_refuse_bad_arguments(old: int, new: int) -> None:
    """Shrinking trees and proofs from the empty tree are refused."""
    with pytest.raises(ValueError, match="no consistency proof"):
        merkle.consistency_ranges(old, new)
