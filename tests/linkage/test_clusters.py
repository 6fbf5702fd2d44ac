"""Grouping scored pairs: chains, refused merges and the probability a pair is printed with."""

from __future__ import annotations

from votetrail.linkage.clusters import Edge, cluster_pairs, find_components


def test_a_chain_yields_every_pair_at_its_weakest_link() -> None:
    edges = [Edge(0, 1, 0.99), Edge(1, 2, 0.95)]
    assert cluster_pairs(edges, {}, set()) == [(0, 1, 0.99), (0, 2, 0.95), (1, 2, 0.95)]


def test_merges_happen_strongest_first_whatever_the_input_order() -> None:
    edges = [Edge(1, 2, 0.92), Edge(0, 1, 0.97), Edge(0, 2, 0.99)]
    assert cluster_pairs(edges, {}, set()) == [(0, 1, 0.97), (0, 2, 0.99), (1, 2, 0.97)]


def test_a_chain_through_two_people_the_model_tells_apart_is_cut() -> None:
    # 1 looks like both 0 and 2, but 0 and 2 are surely different people: the weaker link loses.
    edges = [Edge(0, 1, 0.99), Edge(1, 2, 0.95)]
    scores = {(0, 1): 0.99, (1, 2): 0.95, (0, 2): 1e-7}
    assert cluster_pairs(edges, scores, set()) == [(0, 1, 0.99)]


def test_twins_are_never_grouped_even_through_a_third_record() -> None:
    edges = [Edge(0, 2, 0.99), Edge(1, 2, 0.98), Edge(0, 1, 0.97)]
    assert cluster_pairs(edges, {}, {(0, 1)}) == [(0, 2, 0.99)]


def test_a_merge_needs_support_from_the_pairs_across() -> None:
    # Groups {0,1,2} and {3,4,5} joined by one edge while the other cross pairs are unlikely.
    inside = [Edge(0, 1, 0.99), Edge(1, 2, 0.99), Edge(3, 4, 0.99), Edge(4, 5, 0.99)]
    edges = [*inside, Edge(2, 3, 0.95)]
    weak = {(a, b): 0.01 for a in (0, 1, 2) for b in (3, 4, 5)} | {(2, 3): 0.95}
    assert len(cluster_pairs(edges, weak, set())) == 6  # two groups of three
    backed = weak | {(0, 3): 0.7, (1, 4): 0.6}
    assert len(cluster_pairs(edges, backed, set())) == 15  # one group of six


def test_components_are_listed_smallest_first() -> None:
    edges = [Edge(5, 6, 0.9), Edge(0, 1, 0.9), Edge(1, 2, 0.9)]
    assert find_components(edges) == [[5, 6], [0, 1, 2]]
