"""One call from an RCTab configuration file to rules and ballots.

The tabulation CLI (``votetrail rcv tabulate``) and the RCTab suite harness
both start here: read the configuration (refusing what RCTab refuses), then
every CVR source it names, relative to the configuration's folder.
"""

from __future__ import annotations

from pathlib import Path

from votetrail.core.rcv.ballots import RankedBallot
from votetrail.core.rcv.rules import ContestRules
from votetrail.formats.rcv.config import ContestConfig, read_config
from votetrail.formats.rcv.sources import read_ballots


def load_contest(config_path: Path | str) -> tuple[ContestRules, list[RankedBallot]]:
    """The contest's rules and every ballot of its CVR sources."""
    config = read_config(Path(config_path))
    return config.rules, read_ballots(config)


def load_contest_config(config_path: Path | str) -> tuple[ContestConfig, list[RankedBallot]]:
    """Like :func:`load_contest`, with the whole configuration (titles, sources)."""
    config = read_config(Path(config_path))
    return config, read_ballots(config)
