"""Audit use cases: sample draws, round sizes and risk from officials' files."""
