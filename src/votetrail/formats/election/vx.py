"""VotingWorks ``election.json``: the 2020 ballot-encoder generation and today's VxSuite shape.

VotingWorks tabulators name contests and choices by these ids in their CVRs
and reports, so the ids are kept exactly. Three decisions shape the mapping
(``docs/lat-definitions.md`` has the rest):

* ``allowWriteIns`` becomes one ``write-in`` choice at the end of the
  contest, whatever the seat count: a VotingWorks report tallies all
  write-ins of a contest together;
* a yes/no contest uses its ``yesOption``/``noOption`` ids when the file has
  them (VxSuite) and ``yes``/``no`` otherwise (ballot-encoder), which is what
  each generation's CVRs say;
* a Mississippi ``ms-either-neither`` contest is two questions on the paper
  and two contests in the results, so it becomes two yes/no-like contests.

A ballot style carries a contest when the contest's district is one of the
style's and the contest is not another party's primary contest; a contest
for a party no style has (``measure-666`` in the sample) is on no ballot,
which :meth:`ElectionDefinition.untested_contests` then reports.
"""

from __future__ import annotations

from pathlib import Path

from votetrail.core.lat.definition import (
    NO,
    WRITE_IN,
    YES,
    BallotStyle,
    Choice,
    Contest,
    ElectionDefinition,
    Party,
    Precinct,
    check,
)
from votetrail.formats.election.fields import Node, date_part, read_json

SOURCE_FORMAT = "VotingWorks election.json"
CONTEST_TYPES = ("candidate", "yesno", "ms-either-neither")


def is_vx(document: object) -> bool:
    """VotingWorks is the only format here with camel-case ``ballotStyles``."""
    return isinstance(document, dict) and "ballotStyles" in document and "contests" in document


def read_vx(path: Path) -> ElectionDefinition:
    return vx_definition(read_json(path), str(path))


def vx_definition(document: object, where: str) -> ElectionDefinition:
    """The definition in an already parsed ``election.json``; ``where`` names the file."""
    root = Node.root(document, where)
    contests: list[Contest] = []
    for node in root.children("contests"):
        contests.extend(_contests(node))
    precincts = tuple(
        Precinct(p.text("id"), p.opt_text("name") or p.text("id"))
        for p in root.children("precincts")
    )
    styles = tuple(_style(node, contests) for node in root.children("ballotStyles"))
    definition = ElectionDefinition(
        title=root.text("title"),
        date=date_part(root.opt_text("date")),
        source_format=SOURCE_FORMAT,
        contests=tuple(contests),
        ballot_styles=styles,
        precincts=precincts,
        parties=tuple(_party(node) for node in root.children("parties", required=False)),
        place=_place(root),
    )
    return check(definition, where=where)


def _party(node: Node) -> Party:
    party_id = node.text("id")
    return Party(party_id, node.opt_text("name") or node.opt_text("fullName") or party_id)


def _place(root: Node) -> str | None:
    state = root.opt_text("state")
    county: str | None
    if isinstance(root.raw("county"), dict):
        county = root.child("county").opt_text("name")
    else:
        county = root.opt_text("county")
    parts = [part for part in (state, county) if part]
    return ", ".join(parts) or None


def _contests(node: Node) -> list[Contest]:
    """One contest, or two for an either-neither measure."""
    kind = node.text("type")
    contest_id = node.text("id")
    title = node.text("title")
    district = node.text("districtId")
    party = node.opt_text("partyId")
    if kind == "candidate":
        choices = [_candidate(candidate) for candidate in node.children("candidates")]
        if node.flag("allowWriteIns"):
            choices.append(Choice(WRITE_IN, "Write-in", write_in=True))
        return [
            Contest(
                contest_id,
                title,
                "candidate",
                node.integer("seats"),
                tuple(choices),
                district,
                party,
            )
        ]
    if kind == "yesno":
        if node.has("yesOption") or node.has("noOption"):
            choices = [_option(node, "yesOption", "Yes"), _option(node, "noOption", "No")]
        else:
            choices = [Choice(YES, "Yes"), Choice(NO, "No")]
        return [Contest(contest_id, title, "yesno", 1, tuple(choices), district, party)]
    if kind == "ms-either-neither":
        either = node.opt_text("eitherNeitherLabel") or "either or neither"
        pick = node.opt_text("pickOneLabel") or "pick one"
        return [
            Contest(
                node.text("eitherNeitherContestId"),
                f"{title}: {either}",
                "yesno",
                1,
                (
                    _option(node, "eitherOption", "Either"),
                    _option(node, "neitherOption", "Neither"),
                ),
                district,
                party,
            ),
            Contest(
                node.text("pickOneContestId"),
                f"{title}: {pick}",
                "yesno",
                1,
                (_option(node, "firstOption", "First"), _option(node, "secondOption", "Second")),
                district,
                party,
            ),
        ]
    raise node.fail(
        f"{kind!r} is not a contest type read here ({', '.join(CONTEST_TYPES)})", "type"
    )


def _candidate(node: Node) -> Choice:
    party = node.opt_text("partyId")
    if party is None:
        # VxSuite gives a candidate a list of parties (fusion); the first is the ballot's label.
        parties = node.texts("partyIds", required=False)
        party = parties[0] if parties else None
    return Choice(node.text("id"), node.text("name"), party, node.flag("isWriteIn"))


def _option(node: Node, key: str, default_name: str) -> Choice:
    option = node.child(key)
    return Choice(option.text("id"), option.opt_text("label") or default_name)


def _style(node: Node, contests: list[Contest]) -> BallotStyle:
    districts = set(node.texts("districts"))
    party = node.opt_text("partyId")
    carried = tuple(
        contest.id
        for contest in contests
        if contest.district in districts and (contest.party is None or contest.party == party)
    )
    return BallotStyle(node.text("id"), tuple(node.texts("precincts")), carried, party)
