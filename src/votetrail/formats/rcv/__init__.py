"""RCTab's inputs and outputs: contest configuration files and CVR sources."""

from votetrail.formats.rcv.contest import load_contest, load_contest_config

__all__ = ["load_contest", "load_contest_config"]
