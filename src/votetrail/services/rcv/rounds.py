"""Round-by-round counts of the ranked contests in the stored CVRs, and of RCTab configs.

The results pages and ``votetrail rcv tabulate --contest`` count a ranked
contest straight from the stored CVRs, where no RCTab configuration exists, so
they use fixed default rules (:func:`default_rules`, documented in docs/rcv.md
"Counting stored CVRs"): RCTab's own defaults, which a clerk can reproduce in
RCTab by leaving every rule at its suggested value. ``votetrail rcv tabulate
CONFIG.json`` counts with the jurisdiction's own configuration instead.

Rule and ballot errors of the tabulator are turned into :class:`InvalidInput`
here, naming the configuration file or the contest, so callers print one line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from votetrail.core.rcv.ballots import OVERVOTE, UNDECLARED_WRITE_IN, RankedBallot
from votetrail.core.rcv.rules import (
    Candidate,
    ContestRules,
    RulesError,
    Tabulation,
    WinnerElectionMode,
)
from votetrail.core.rcv.tabulate import BallotError, tabulate
from votetrail.core.tally.records import ContestDefinition
from votetrail.errors import InvalidInput
from votetrail.formats.rcv.config import ContestConfig
from votetrail.formats.rcv.contest import load_contest_config
from votetrail.services.context import App
from votetrail.services.rcv.ballots import ranked_ballots, ranked_contests


@dataclass(frozen=True, slots=True)
class ContestRounds:
    """One ranked contest counted round by round, with the rules it was counted by."""

    name: str
    rules: ContestRules
    tabulation: Tabulation
    seats: int


def default_rules(contest: ContestDefinition, ballots: Iterable[RankedBallot]) -> ContestRules:
    """RCTab's default rules for a contest known only from its CVRs.

    Candidates are the contest's choices in file order, then any other name a
    ballot ranks (a write-in the export names); ties are broken by that order
    (RCTab's ``useCandidateOrder``, so no seed is needed and the count repeats).
    One seat is single-winner IRV; more seats (``votes_allowed``) count as
    RCTab's multi-seat STV with several winners per round and the whole-number
    Droop threshold, its defaults.
    """
    names = list(dict.fromkeys(contest.choices))
    seen = set(names)
    for ballot in ballots:
        for marks in ballot.ranks:
            for mark in marks:
                if mark not in seen and mark not in (OVERVOTE, UNDECLARED_WRITE_IN):
                    seen.add(mark)
                    names.append(mark)
    seats = max(contest.votes_allowed, 1)
    mode = (
        WinnerElectionMode.SINGLE_WINNER_MAJORITY
        if seats == 1
        else WinnerElectionMode.MULTI_SEAT_MULTIPLE_WINNERS_PER_ROUND
    )
    return ContestRules(
        candidates=tuple(Candidate(name) for name in names),
        winner_election_mode=mode,
        number_of_winners=seats,
    )


def _count(rules: ContestRules, ballots: list[RankedBallot], where: str) -> Tabulation:
    try:
        return tabulate(rules, ballots)
    except (RulesError, BallotError) as exc:
        raise InvalidInput(str(exc), where=where) from None


def stored_contest_rounds(app: App, county_id: str | None, contest: str) -> ContestRounds:
    """Count one ranked contest of the stored CVRs (statewide when ``county_id`` is None)."""
    definition = next((c for c in ranked_contests(app, county_id) if c.name == contest), None)
    ballots = ranked_ballots(app, county_id, contest)  # NotFound when the contest is not there
    if definition is None:  # pragma: no cover - ranked_ballots refuses it first
        raise InvalidInput("not a ranked-choice contest", where=f"contest {contest!r}")
    rules = default_rules(definition, ballots)
    return ContestRounds(
        contest, rules, _count(rules, ballots, f"contest {contest!r}"), rules.number_of_winners
    )


def stored_rounds(app: App, county_id: str | None) -> list[ContestRounds]:
    """Every ranked contest of the stored CVRs counted with :func:`default_rules`."""
    return [
        stored_contest_rounds(app, county_id, contest.name)
        for contest in ranked_contests(app, county_id)
    ]


def config_rounds(config_path: Path) -> tuple[ContestConfig, Tabulation]:
    """Count the contest an RCTab configuration file describes, by its own rules."""
    config, ballots = load_contest_config(config_path)
    return config, _count(config.rules, ballots, str(config_path))
