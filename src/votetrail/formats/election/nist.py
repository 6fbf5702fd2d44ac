"""NIST SP 1500-100 v2 Election Results Reporting JSON, read as a pre-election definition.

A state's election-management system exports the report before election day
with candidates, contests and ballot styles but no counts; that is what an
L&A test needs. Field names are those :mod:`votetrail.formats.tally.results`
writes. Decisions (``docs/lat-definitions.md``):

* a candidate selection with one candidate is named by the candidate's id,
  which is what a tabulator reports; a ticket (several candidates, e.g.
  president and vice-president) has no single candidate, so it is named by
  the selection's ``@id``;
* however many write-in lines a contest has, they are one ``write-in``
  choice: results reporting counts write-ins per contest, not per line;
* a ballot style's id is its local-level (else "other") external identifier,
  the number printed on the ballot, else ``style-N`` by position;
* a style's precincts are its ``precinct``/``split-precinct`` units, else
  whatever units it lists.
"""

from __future__ import annotations

from pathlib import Path

from votetrail.core.lat.definition import (
    WRITE_IN,
    BallotStyle,
    Choice,
    Contest,
    ContestKind,
    ElectionDefinition,
    Party,
    Precinct,
    check,
)
from votetrail.formats.election.fields import (
    Node,
    date_part,
    international_text,
    read_json,
    refuse_vote_variation,
)

SOURCE_FORMAT = "NIST SP 1500-100 election report"
REPORT_TYPE = "ElectionResults.ElectionReport"
_PREFIX = "ElectionResults."
PRECINCT_TYPES = frozenset(["precinct", "split-precinct"])
STYLE_ID_TYPES = ("local-level", "other")
_CANDIDATE_CONTEST = "CandidateContest"
_MEASURE_CONTESTS = frozenset(["BallotMeasureContest", "RetentionContest"])
_PARTY_CONTEST = "PartyContest"
RANKED = "rcv"
RANKS_TYPE = "number-of-ranks"
"""The ``OtherType`` of the ``ExternalIdentifier`` that gives a ranked contest's number of ranks:
SP 1500-100 says a contest is ranked (``VoteVariation`` ``rcv``) but has no field for how many
ranks the ballot offers."""


def is_nist(document: object) -> bool:
    return isinstance(document, dict) and (
        document.get("@type") == REPORT_TYPE or isinstance(document.get("Election"), list)
    )


def read_nist(path: Path) -> ElectionDefinition:
    return nist_definition(read_json(path), str(path))


def _text(node: Node, key: str) -> str | None:
    return international_text(node, key, texts="Text", content="Content", language="Language")


def _type(node: Node) -> str:
    """The ``@type`` without its ``ElectionResults.`` prefix."""
    value = node.text("@type")
    return value[len(_PREFIX) :] if value.startswith(_PREFIX) else value


def nist_definition(document: object, where: str) -> ElectionDefinition:
    """The definition in an already parsed report; ``where`` names the file."""
    root = Node.root(document, where)
    elections = root.children("Election")
    if len(elections) != 1:
        raise root.fail(
            f"holds {len(elections)} elections; a definition file must hold exactly one",
            "Election",
        )
    (election,) = elections
    units: dict[str, tuple[str, str | None]] = {}
    for node in root.children("GpUnit", required=False):
        unit_id = node.text("@id")
        units[unit_id] = (_text(node, "Name") or unit_id, node.opt_text("Type"))
    parties = tuple(
        Party(party_id := node.text("@id"), _text(node, "Name") or party_id)
        for node in root.children("Party", required=False)
    )
    candidates: dict[str, tuple[str, str | None]] = {}
    for node in election.children("Candidate", required=False):
        candidate_id = node.text("@id")
        candidates[candidate_id] = (
            _text(node, "BallotName") or candidate_id,
            node.opt_text("PartyId"),
        )
    party_names = {party.id: party.name for party in parties}
    contests = tuple(
        _contest(node, candidates, party_names)
        for node in _in_order(election.children("Contest", required=False))
    )
    styles: list[BallotStyle] = []
    used: list[str] = []
    for position, node in enumerate(election.children("BallotStyle"), start=1):
        style = _style(node, position, units)
        used.extend(p for p in style.precincts if p not in used)
        styles.append(style)
    precinct_ids = [u for u, (_, kind) in units.items() if kind in PRECINCT_TYPES or u in used]
    title = _text(election, "Name")
    if title is None:
        raise election.fail('missing "Name"')
    definition = ElectionDefinition(
        title=title,
        date=date_part(election.opt_text("StartDate")),
        source_format=SOURCE_FORMAT,
        contests=contests,
        ballot_styles=tuple(styles),
        precincts=tuple(Precinct(u, units[u][0]) for u in precinct_ids),
        parties=parties,
        place=_scope(election, units),
    )
    return check(definition, where=where)


def _scope(election: Node, units: dict[str, tuple[str, str | None]]) -> str | None:
    scope = election.opt_text("ElectionScopeId")
    return units[scope][0] if scope in units else None


def _in_order(nodes: list[Node]) -> list[Node]:
    """By ``SequenceOrder`` when every item has one, else as listed."""
    if all(node.has("SequenceOrder") for node in nodes):
        return sorted(nodes, key=lambda node: node.integer("SequenceOrder"))
    return nodes


def _contest(
    node: Node, candidates: dict[str, tuple[str, str | None]], party_names: dict[str, str]
) -> Contest:
    contest_id = node.text("@id")
    kind_name = _type(node)
    kind: ContestKind
    choices: list[Choice] = []
    selections = _in_order(node.children("ContestSelection"))
    if kind_name == _CANDIDATE_CONTEST:
        kind = "candidate"
        for selection in selections:
            choice = _candidate_choice(selection, candidates)
            if not (choice.write_in and any(c.write_in for c in choices)):
                choices.append(choice)
    elif kind_name in _MEASURE_CONTESTS:
        kind = "yesno"
        for selection in selections:
            _expect(selection, "BallotMeasureSelection")
            selection_id = selection.text("@id")
            choices.append(Choice(selection_id, _text(selection, "Selection") or selection_id))
    elif kind_name == _PARTY_CONTEST:
        kind = "candidate"
        for selection in selections:
            _expect(selection, "PartySelection")
            selection_id = selection.text("@id")
            names = [party_names.get(p, p) for p in selection.texts("PartyIds")]
            choices.append(Choice(selection_id, " and ".join(names) or selection_id))
    else:
        raise node.fail(f"{kind_name!r} is not a contest type read here", "@type")
    primary = node.texts("PrimaryPartyIds", required=False)
    refuse_vote_variation(node, "VoteVariation")
    ranked = node.opt_text("VoteVariation") == RANKED
    return Contest(
        contest_id,
        _text(node, "Name") or _text(node, "BallotTitle") or contest_id,
        kind,
        # A ranked contest's VotesAllowed may count ranks, not seats: NumberElected says the seats.
        node.integer("NumberElected", default=1)
        if ranked
        else node.integer("VotesAllowed", default=1),
        tuple(choices),
        node.opt_text("ElectionDistrictId"),
        primary[0] if len(primary) == 1 else None,
        _ranks(node) if ranked else None,
    )


def _ranks(node: Node) -> int:
    """A ranked contest's number of ranks, from its ``number-of-ranks`` external identifier.

    Never guessed from the number of candidates: a deck ranking past the
    ballot's last rank could not be marked, and one ranking fewer would leave
    ranks untested.
    """
    for identifier in node.children("ExternalIdentifier", required=False):
        if identifier.opt_text("OtherType") == RANKS_TYPE:
            value = identifier.text("Value")
            if not value.isdigit() or int(value) < 1:
                raise identifier.fail(f"must be a whole number of ranks from 1, not {value!r}")
            return int(value)
    raise node.fail(
        'is ranked-choice (VoteVariation "rcv"), but SP 1500-100 has no field for how many '
        'ranks the ballot offers; add an ExternalIdentifier with Type "other", OtherType '
        f'"{RANKS_TYPE}" and the number as its Value, or give the definition as votetrail '
        "YAML with ranks: N",
        "VoteVariation",
    )


def _expect(selection: Node, wanted: str) -> None:
    if _type(selection) != wanted:
        raise selection.fail(f"must be an ElectionResults.{wanted} in this contest", "@type")


def _candidate_choice(selection: Node, candidates: dict[str, tuple[str, str | None]]) -> Choice:
    _expect(selection, "CandidateSelection")
    if selection.flag("IsWriteIn"):
        return Choice(WRITE_IN, "Write-in", write_in=True)
    ids = selection.texts("CandidateIds")
    for index, candidate_id in enumerate(ids):
        if candidate_id not in candidates:
            raise selection.fail(
                f"names candidate {candidate_id!r}, which the election does not define",
                f"CandidateIds[{index}]",
            )
    if not ids:
        raise selection.fail("names no candidate", "CandidateIds")
    if len(ids) == 1:
        name, party = candidates[ids[0]]
        return Choice(ids[0], name, party)
    parties = {candidates[candidate_id][1] for candidate_id in ids}
    return Choice(
        selection.text("@id"),
        " and ".join(candidates[candidate_id][0] for candidate_id in ids),
        parties.pop() if len(parties) == 1 else None,
    )


def _contest_ids(node: Node) -> list[str]:
    """The contests of an ``OrderedContent`` list, descending into ``OrderedHeader``s."""
    found: list[str] = []
    for item in node.children("OrderedContent", required=False):
        kind = _type(item)
        if kind == "OrderedContest":
            found.append(item.text("ContestId"))
        elif kind == "OrderedHeader":
            found.extend(_contest_ids(item))
        else:
            raise item.fail(f"{kind!r} is not OrderedContest or OrderedHeader", "@type")
    return found


def _style(node: Node, position: int, units: dict[str, tuple[str, str | None]]) -> BallotStyle:
    style_id = f"style-{position}"
    identifiers = node.children("ExternalIdentifier", required=False)
    for wanted in STYLE_ID_TYPES:
        match = [i.text("Value") for i in identifiers if i.opt_text("Type") == wanted]
        if match:
            style_id = match[0]
            break
    unit_ids = node.texts("GpUnitIds")
    for index, unit_id in enumerate(unit_ids):
        if unit_id not in units:
            raise node.fail(
                f"names GpUnit {unit_id!r}, which is not defined", f"GpUnitIds[{index}]"
            )
    precincts = [u for u in unit_ids if units[u][1] in PRECINCT_TYPES] or unit_ids
    party_ids = node.texts("PartyIds", required=False)
    return BallotStyle(
        style_id,
        tuple(precincts),
        tuple(_contest_ids(node)),
        party_ids[0] if len(party_ids) == 1 else None,
    )
