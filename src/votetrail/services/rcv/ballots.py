"""The ranked-choice contests counties have uploaded, and their ballots, as stored.

Read straight from the stored canonical CVRs of each county's *current*
uploads (the rows the logged Merkle roots commit to, as the plurality
results are), so the rounds the results pages show and the ballots an audit
samples are exactly what was imported and logged.

Statewide, a contest is the same contest in every county that names it (as
for plurality results); counties listing different choices are joined, but
a contest with a different number of ranks or seats in two counties is
refused, since adding those up would be wrong. A ballot keeps its CVR id;
``source`` names the upload it came from (the upload id starts with the
county's id), because CVR ids are only unique within a county.
"""

from __future__ import annotations

from sqlalchemy import Connection

from votetrail.core.rcv.ballots import RankedBallot
from votetrail.core.tally.records import ContestDefinition
from votetrail.errors import InvalidInput, NotFound
from votetrail.formats.cvr.ranked_contests import ranked_ballot
from votetrail.services.context import App
from votetrail.services.counting.current_uploads import current_uploads
from votetrail.services.counting.results import county_ids, stored_contests, stored_cvrs


def _counties(conn: Connection, county_id: str | None) -> list[str]:
    return county_ids(conn) if county_id is None else [county_id]


def ranked_contests(app: App, county_id: str | None = None) -> list[ContestDefinition]:
    """The county's ranked-choice contests (statewide when None), in the order first uploaded."""
    found: dict[str, tuple[ContestDefinition, str]] = {}
    with app.engine.connect() as conn:
        for county in _counties(conn, county_id):
            for upload in current_uploads(conn, county, "cvrs"):
                for contest in stored_contests(upload):
                    if contest.ranked:
                        _join(found, contest, f"{county} upload {upload.id}")
    return [contest for contest, _ in found.values()]


def _join(
    found: dict[str, tuple[ContestDefinition, str]], contest: ContestDefinition, where: str
) -> None:
    known = found.get(contest.name)
    if known is None:
        found[contest.name] = (contest, where)
        return
    first, first_where = known
    if (first.ranks, first.votes_allowed) != (contest.ranks, contest.votes_allowed):
        raise InvalidInput(
            f"has {contest.ranks} ranks and {contest.votes_allowed} seats in {where} but "
            f"{first.ranks} ranks and {first.votes_allowed} seats in {first_where}",
            where=f"contest {contest.name!r}",
        )
    choices = tuple(dict.fromkeys(first.choices + contest.choices))
    joined = ContestDefinition(
        first.name,
        first.votes_allowed,
        choices,
        first.write_ins | contest.write_ins,
        first.ranks,
    )
    found[contest.name] = (joined, first_where)


def ranked_ballots(app: App, county_id: str | None, contest: str) -> list[RankedBallot]:
    """Every stored ballot carrying ranked contest ``contest``, county by county, upload by upload.

    A card without the contest is not a ballot of it; a card with the contest
    and nothing ranked is (an undervote, ``ranks == ()``). Refused (NotFound)
    when no current upload of the county (or any county) has the contest as
    ranked-choice, so a plurality contest is never handed to the rounds.
    """
    ballots: list[RankedBallot] = []
    known = False
    with app.engine.connect() as conn:
        for county in _counties(conn, county_id):
            for upload in current_uploads(conn, county, "cvrs"):
                if not any(c.ranked and c.name == contest for c in stored_contests(upload)):
                    continue
                known = True
                source = str(upload.id)
                for record in stored_cvrs(conn, source):
                    ballot = ranked_ballot(record, contest, source)
                    if ballot is not None:
                        ballots.append(ballot)
    if not known:
        where = "any county" if county_id is None else repr(county_id)
        raise NotFound(f"no ranked-choice contest {contest!r} in the current uploads of {where}")
    return ballots
