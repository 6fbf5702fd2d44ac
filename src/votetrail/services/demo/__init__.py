"""The demo state: an election, L&A tests and voter lists for three counties."""
