"""The transparency log: RFC 9162 Merkle trees, canonical records, signed checkpoints."""
