"""Ranked-choice contests: their stored ballots, round-by-round tabulation and audits."""
