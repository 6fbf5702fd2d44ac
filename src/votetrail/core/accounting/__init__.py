"""Ballot accounting: check-ins vs ballots tabulated vs paper records vs the manifest."""
