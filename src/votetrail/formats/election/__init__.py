"""Election definitions (NIST, VotingWorks, ElectionGuard, votetrail YAML)."""
