"""Tabulation from cast vote records: plurality and vote-for-n, with overvotes and undervotes."""
