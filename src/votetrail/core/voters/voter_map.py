"""A Merkle map of every current voter record, small to update and easy to prove.

The map is two levels of RFC 9162 trees. Each voter falls into one of 4,096
buckets by a hash of their id; a bucket's root covers its voters' current
version hashes in id order, and the map root covers the 4,096 bucket roots. A
change touches one bucket (a few hundred leaves even for millions of voters)
and the small top tree, so every commit can publish a fresh root; a proof is
the path inside the bucket plus the path across the top, and anyone can
check it with nothing but SHA-256. The bucket of an id is fixed forever, so a
voter's proof never depends on how many other voters there are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from votetrail.core.ledger import merkle

__all__ = [
    "BUCKETS",
    "VoterProof",
    "bucket_of",
    "bucket_root",
    "leaf",
    "map_root",
    "prove",
    "verify_proof",
]

BUCKETS = 4096


def bucket_of(voter_id: str) -> int:
    digest = hashlib.sha256(voter_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:2], "big") >> 4


def leaf(voter_id: str, version_hash: str) -> bytes:
    """The entry for one voter: their id and the hash of their current version."""
    return f"{voter_id}\n{version_hash}".encode()


def bucket_root(entries: Sequence[tuple[str, str]]) -> bytes:
    """Root over ``(voter_id, version_hash)`` pairs, which must be sorted by id."""
    return merkle.root([leaf(v, h) for v, h in entries])


def map_root(bucket_roots: Sequence[bytes]) -> bytes:
    if len(bucket_roots) != BUCKETS:
        raise ValueError(f"the map has {BUCKETS} buckets, not {len(bucket_roots)}")
    return merkle.root(bucket_roots)


@dataclass(frozen=True)
class VoterProof:
    voter_id: str
    version_hash: str
    bucket: int
    index: int
    bucket_size: int
    bucket_path: tuple[bytes, ...]
    top_path: tuple[bytes, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "voter_id": self.voter_id,
            "version_hash": self.version_hash,
            "bucket": self.bucket,
            "index": self.index,
            "bucket_size": self.bucket_size,
            "bucket_path": [p.hex() for p in self.bucket_path],
            "top_path": [p.hex() for p in self.top_path],
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> VoterProof:
        def hexes(name: str) -> tuple[bytes, ...]:
            value = data[name]
            if not isinstance(value, list):
                raise ValueError(f"{name} must be a list")
            return tuple(bytes.fromhex(str(p)) for p in value)

        def number(name: str) -> int:
            value = data[name]
            if not isinstance(value, int):
                raise ValueError(f"{name} must be a number")
            return value

        return cls(
            voter_id=str(data["voter_id"]),
            version_hash=str(data["version_hash"]),
            bucket=number("bucket"),
            index=number("index"),
            bucket_size=number("bucket_size"),
            bucket_path=hexes("bucket_path"),
            top_path=hexes("top_path"),
        )


def prove(
    voter_id: str, bucket_entries: Sequence[tuple[str, str]], bucket_roots: Sequence[bytes]
) -> VoterProof:
    """The proof for ``voter_id`` given its bucket's sorted entries and all bucket roots."""
    ids = [v for v, _ in bucket_entries]
    index = ids.index(voter_id)
    bucket = bucket_of(voter_id)
    leaves = [leaf(v, h) for v, h in bucket_entries]
    return VoterProof(
        voter_id=voter_id,
        version_hash=bucket_entries[index][1],
        bucket=bucket,
        index=index,
        bucket_size=len(leaves),
        bucket_path=tuple(merkle.inclusion_proof(leaves, index)),
        top_path=tuple(merkle.inclusion_proof(bucket_roots, bucket)),
    )


def verify_proof(proof: VoterProof, root: bytes) -> bool:
    """Does ``proof`` show this version of this voter is current under ``root``?"""
    if proof.bucket != bucket_of(proof.voter_id):
        return False
    index, size = proof.index, proof.bucket_size
    bucket_hash = merkle.root_from_inclusion(
        merkle.leaf_hash(leaf(proof.voter_id, proof.version_hash)),
        index,
        size,
        proof.bucket_path,
    )
    if bucket_hash is None:
        return False
    return merkle.verify_inclusion(bucket_hash, proof.bucket, BUCKETS, proof.top_path, root)
