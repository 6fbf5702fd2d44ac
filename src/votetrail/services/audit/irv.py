"""IRV contests in the audit workflow: which contests are ranked, the reported winner, RAIRE.

An audit county's ranked-choice contests come from its current CVR uploads
(``services/rcv/ballots``). The audit confirms the *reported* outcome, and an
IRV contest's reported outcome is its winner. A county reports it as it
reports every contest, in its ``reported_results`` upload
(``contest,choice,votes``): the rows of the IRV contest are the tallies of
the final round it published (RCTab's summary's last round), and the choice
with the most votes there is the reported winner. Every audit county that
reports the contest must name the same winner (a contest spanning counties is
tabulated once, on all their ballots), and the IRV count of the audit
counties' CVRs must elect it: RAIRE refuses a reported winner its ballots do
not elect, naming both. The assertions are generated from those CVRs with N,
the cards the sample is drawn from, the size of the audit's frame, so every
margin is diluted by the whole frame as plurality margins are.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from votetrail.core.rcv.irv_votes import IrvVotes, Preferences, preferences
from votetrail.core.rcv.raire import RaireResult, raire
from votetrail.core.tally.records import ContestDefinition
from votetrail.errors import InvalidInput, NotFound
from votetrail.services.context import App
from votetrail.services.counting.results import reported_results
from votetrail.services.rcv.ballots import ranked_ballots, ranked_contests


def ranked_definitions(app: App, counties: Sequence[str]) -> dict[str, ContestDefinition]:
    """The ranked-choice contests of the counties' current CVRs, by name (first county's)."""
    found: dict[str, ContestDefinition] = {}
    for county in counties:
        for contest in ranked_contests(app, county):
            known = found.get(contest.name)
            if known is None:
                found[contest.name] = contest
            else:
                choices = tuple(dict.fromkeys(known.choices + contest.choices))
                found[contest.name] = ContestDefinition(
                    known.name, known.votes_allowed, choices, known.write_ins, known.ranks
                )
    return found


@dataclass(frozen=True)
class IrvContest:
    """An IRV contest of an audit: its ballots, reported winner and first preferences."""

    name: str
    votes: IrvVotes
    winner: str | None
    first_preferences: dict[str, int]
    problems: tuple[str, ...]


def _winner_of(tally: dict[str, int]) -> str | None:
    top = max(tally.values(), default=0)
    leaders = [choice for choice, votes in tally.items() if votes == top]
    return leaders[0] if len(leaders) == 1 and top > 0 else None


def reported_winner(
    conn: Connection, counties: Sequence[str], contest: str
) -> tuple[str | None, list[str]]:
    """The winner the counties' reported results name for ``contest``, and any problems."""
    named: dict[str, str] = {}
    problems: list[str] = []
    for county in counties:
        said = (reported_results(conn, county) or {}).get(contest)
        if said is None:
            continue
        winner = _winner_of(said)
        if winner is None:
            problems.append(
                f"IRV contest {contest!r}: {county}'s reported results give no single winner "
                "(report the final round's tallies, the winner's the largest)"
            )
        else:
            named[county] = winner
    if len(set(named.values())) > 1:
        listed = ", ".join(f"{county} {name!r}" for county, name in sorted(named.items()))
        problems.append(
            f"IRV contest {contest!r}: the counties report different winners ({listed})"
        )
        return None, problems
    if not named and not problems:
        problems.append(
            f"IRV contest {contest!r}: no audit county's reported results name it, so there is "
            "no reported winner to confirm (report the final round's tallies)"
        )
    return next(iter(named.values()), None), problems


def irv_contest(app: App, conn: Connection, counties: Sequence[str], contest: str) -> IrvContest:
    """The contest's ballots over the audit's counties and its reported winner."""
    definition = ranked_definitions(app, counties).get(contest)
    if definition is None:
        raise NotFound(f"no ranked-choice contest {contest!r} in the audit counties' CVRs")
    counts: Counter[Preferences] = Counter()
    for county in counties:
        try:
            found = ranked_ballots(app, county, contest)
        except NotFound:
            continue
        counts.update(preferences(ballot.ranks) for ballot in found)
    names = dict.fromkeys(definition.choices)
    for prefs in counts:
        names.update(dict.fromkeys(prefs))
    votes = IrvVotes.from_counts(counts, candidates=list(names))
    first = dict.fromkeys(names, 0)
    for prefs, count in counts.items():
        if prefs:
            first[prefs[0]] += count
    problems: list[str] = []
    if definition.votes_allowed != 1:
        problems.append(
            f"IRV contest {contest!r} elects {definition.votes_allowed} candidates; only "
            "single-winner IRV contests can be audited"
        )
    winner, found_problems = reported_winner(conn, counties, contest)
    return IrvContest(contest, votes, winner, first, tuple(problems + found_problems))


def irv_assertions(contest: IrvContest, frame_size: int) -> RaireResult:
    """RAIRE's assertions proving the reported winner, over N = ``frame_size`` cards."""
    if contest.problems or contest.winner is None:
        raise InvalidInput("; ".join(contest.problems), where=f"contest {contest.name!r}")
    return raire(
        contest.votes,
        contest.winner,
        contest_id=contest.name,
        ballots=max(frame_size, contest.votes.ballots, 1),
    )
