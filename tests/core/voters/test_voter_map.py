"""The voter map's proofs, checked against an independent naive RFC 9162 computation."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from votetrail.core.voters import voter_map


def _mth(leaves: list[bytes]) -> bytes:
    """RFC 9162 2.1.1, written from the definition, recursively."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + _mth(leaves[:k]) + _mth(leaves[k:])).digest()


def _state(ids: set[str]) -> tuple[dict[int, list[tuple[str, str]]], list[bytes]]:
    buckets: dict[int, list[tuple[str, str]]] = {}
    for voter_id in sorted(ids):
        version = hashlib.sha256(voter_id.encode()).hexdigest()
        buckets.setdefault(voter_map.bucket_of(voter_id), []).append((voter_id, version))
    roots = [voter_map.bucket_root(buckets.get(b, [])) for b in range(voter_map.BUCKETS)]
    return buckets, roots


def test_root_is_the_naive_two_level_tree() -> None:
    buckets, roots = _state({f"v{n}" for n in range(300)})
    for bucket, entries in buckets.items():
        assert roots[bucket] == _mth([f"{v}\n{h}".encode() for v, h in entries])
    assert voter_map.map_root(roots) == _mth(roots)


@settings(max_examples=40, deadline=None)
@given(st.sets(st.text(min_size=1, max_size=12), min_size=1, max_size=60))
def test_every_voter_proves_and_a_changed_version_does_not(ids: set[str]) -> None:
    buckets, roots = _state(ids)
    root = voter_map.map_root(roots)
    for voter_id in ids:
        entries = buckets[voter_map.bucket_of(voter_id)]
        proof = voter_map.prove(voter_id, entries, roots)
        assert voter_map.verify_proof(proof, root)
        assert voter_map.verify_proof(voter_map.VoterProof.from_json(proof.to_json()), root)
        forged = voter_map.VoterProof(
            proof.voter_id, "0" * 64, proof.bucket, proof.index, proof.bucket_size,
            proof.bucket_path, proof.top_path,
        )  # fmt: skip
        assert not voter_map.verify_proof(forged, root)


def test_buckets_are_stable_and_spread() -> None:
    assert voter_map.bucket_of("adams-00000001") == voter_map.bucket_of("adams-00000001")
    used = {voter_map.bucket_of(f"co-{n}") for n in range(20_000)}
    assert len(used) > 3_900
