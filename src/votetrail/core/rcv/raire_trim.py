"""Dropping assertions RAIRE found but does not need.

The search may take an assertion for one branch and later another that also
rules that branch out. The trim (raire-rs's "AssertionTrimmingAlgorithm",
re-derived here) draws, for each candidate who must not win, the tree of
elimination-order suffixes ending in that candidate, down to where some
assertion rules each branch out, and keeps only assertions the tree needs:

1. a leaf ruled out by exactly one assertion forces that assertion;
2. then, walking each tree, a node not already ruled out by kept assertions
   (itself, or all its children) keeps its first assertion.

*Minimize tree* stops at the first node an assertion rules out (fewest nodes
for a person checking the proof by hand); *minimize assertions* looks below
a node ruled out only by NEN assertions, in case the children are ruled out
by assertions needed anyway. Neither changes the audit's difficulty. Fewer
assertions are not a risk: the tree is rebuilt from the kept ones only and
must still rule out every other winner, or the trim is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from votetrail.core.rcv.raire_assertions import Effect, IrvAssertion, Kind


@dataclass
class _Node:
    pruned_by: list[int]
    children: list[_Node] = field(default_factory=list)
    open: bool = False
    """Some order below this node is ruled out by no assertion."""


def _grow(
    suffix: tuple[str, ...],
    relevant: list[int],
    assertions: Sequence[IrvAssertion],
    candidates: Sequence[str],
    look_below: bool,
) -> _Node:
    pruned_by: list[int] = []
    undecided: list[int] = []
    for index in relevant:
        effect = assertions[index].effect(suffix)
        if effect is Effect.RULED_OUT:
            pruned_by.append(index)
        elif effect is Effect.UNDECIDED:
            undecided.append(index)
    node = _Node(pruned_by, open=not pruned_by and not undecided)
    by_neb = any(assertions[i].kind is Kind.NEB for i in pruned_by)
    if undecided and (not pruned_by or (look_below and not by_neb)):
        for name in candidates:
            if name in suffix:
                continue
            child = _grow((name, *suffix), undecided, assertions, candidates, look_below)
            if child.open:
                if not pruned_by:
                    node.open = True
                else:  # its children cannot all be ruled out: stop looking below
                    node.children.clear()
                    break
            node.children.append(child)
    return node


class _Choice:
    def __init__(self) -> None:
        self.used: set[int] = set()

    def forced(self, node: _Node) -> None:
        if node.pruned_by:
            if not node.children and len(node.pruned_by) == 1:
                self.used.add(node.pruned_by[0])
            return
        for child in node.children:
            self.forced(child)

    def settled(self, node: _Node) -> bool:
        if any(i in self.used for i in node.pruned_by):
            return True
        return bool(node.children) and all(self.settled(child) for child in node.children)

    def rest(self, node: _Node) -> None:
        if node.pruned_by:
            if not self.settled(node):
                self.used.add(node.pruned_by[0])
            return
        for child in node.children:
            self.rest(child)


def trim_assertions(
    assertions: Sequence[IrvAssertion],
    winner: str,
    candidates: Sequence[str],
    *,
    minimize_assertions: bool = False,
) -> list[IrvAssertion]:
    """The assertions still needed, in the given order."""
    everything = list(range(len(assertions)))
    trees = []
    for name in candidates:
        if name == winner:
            continue
        tree = _grow((name,), everything, assertions, candidates, minimize_assertions)
        if tree.open:
            raise AssertionError(f"the assertions do not rule out {name!r} winning")
        trees.append(tree)
    choice = _Choice()
    for tree in trees:
        choice.forced(tree)
    for tree in trees:
        choice.rest(tree)
    kept = [a for i, a in enumerate(assertions) if i in choice.used]
    for name in candidates:
        if name != winner and _grow((name,), list(range(len(kept))), kept, candidates, False).open:
            raise AssertionError(f"the trimmed assertions no longer rule out {name!r} winning")
    return kept
