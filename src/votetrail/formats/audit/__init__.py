"""The files an audit's statistics read."""
