"""Turning scored pairs into groups of records, and groups back into pairs.

Pairwise scores alone miss pairs that blocking never compared and pairs whose
own evidence is thin (a nickname on one record, a missing birth date on the
other) although each is plainly the same person as a third record. Grouping
recovers them. The danger is chaining two people together through one record
that resembles both, so two groups are merged only when the pairs across them
back the merge:

* none of them is a pair the model is sure are different people (below
  ``CANNOT_LINK_BELOW``) or a pair of twins, and
* at least ``SUPPORT`` of them (of those scored) are themselves more likely
  than not the same person.

Merges happen strongest link first (Kruskal's order), so when a merge is
refused it is the weaker chain that loses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

CANNOT_LINK_BELOW = 1e-5
SUPPORT = 0.2

Pair = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Edge:
    """A scored pair (record positions, ``left < right``) at or above the threshold."""

    left: int
    right: int
    probability: float


def find_components(edges: Iterable[Edge]) -> list[list[int]]:
    """Connected components of the edges: the largest groups merging could ever make."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        root = parent.setdefault(x, x)
        while root != parent[root]:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for edge in edges:
        parent[find(edge.left)] = find(edge.right)
    groups: dict[int, list[int]] = {}
    for node in sorted(parent):
        groups.setdefault(find(node), []).append(node)
    return sorted(groups.values(), key=lambda members: (len(members), members[0]))


def cluster_pairs(
    edges: Iterable[Edge],
    scores: Mapping[Pair, float],
    forbidden: set[Pair],
) -> list[tuple[int, int, float]]:
    """Every pair of records that ends up in one group, with the probability that joined them.

    ``scores`` holds the model's probability for the (smaller, larger) pairs
    it scored inside would-be groups; ``forbidden`` the pairs that must never
    share a group whatever their score (twins). A pair's probability is that
    of the link that first put the two in one group: the weakest link of the
    strongest chain between them, never below the weakest edge given.
    """
    ordered = sorted(edges, key=lambda edge: (-edge.probability, edge.left, edge.right))
    group: dict[int, int] = {}
    members: dict[int, list[int]] = {}
    pairs: list[tuple[int, int, float]] = []
    for edge in ordered:
        a = group.setdefault(edge.left, edge.left)
        b = group.setdefault(edge.right, edge.right)
        if a == b:
            continue
        left = members.setdefault(a, [a])
        right = members.setdefault(b, [b])
        across = [(x, y) if x < y else (y, x) for x in left for y in right]
        if not _backed(across, scores, forbidden):
            continue
        pairs += [(x, y, edge.probability) for x, y in across]
        if len(left) > len(right):
            a, b, left, right = b, a, right, left
        for record in left:
            group[record] = b
        right += left
        del members[a]
    pairs.sort()
    return pairs


def _backed(across: list[Pair], scores: Mapping[Pair, float], forbidden: set[Pair]) -> bool:
    known = 0
    likely = 0
    for pair in across:
        if pair in forbidden:
            return False
        probability = scores.get(pair)
        if probability is None:
            continue
        if probability < CANNOT_LINK_BELOW:
            return False
        known += 1
        likely += probability >= 0.5
    return known == 0 or likely >= SUPPORT * known
