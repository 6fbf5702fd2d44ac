"""Ranked-choice voting: ballots, RCTab's tabulation rules, and RAIRE audits of IRV."""
