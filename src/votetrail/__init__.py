"""votetrail: evidence that an election was run as officials say it was."""

__version__ = "0.1.0"
