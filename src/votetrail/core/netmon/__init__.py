"""Network monitoring: scan detection (threshold random walk, fan-out), grouping, incidents."""
