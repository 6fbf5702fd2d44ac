"""ElectionGuard election manifests (NIST SP 1500-100 concepts in snake case).

A manifest says which geopolitical units a ballot style covers but has no
precinct list, and an L&A deck is built per precinct, so precincts are
derived: a style's precincts are its units of type ``precinct``; a style
with none (the ElectionGuard samples type precinct-like units ``township``
or ``school``) is used in its last unit, the most local one the manifest
lists for it. The units so used are the definition's precincts.

Choices are named by ``candidate_id``, as ElectionGuard's own tallies and
the votetrail contract name them, not by the selection's ``object_id``.
Write-in selections stay one choice each (``write-in-1``, ``write-in-2``),
because an ElectionGuard tally keeps them apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from votetrail.core.lat.definition import (
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

SOURCE_FORMAT = "ElectionGuard manifest"
PRECINCT_TYPE = "precinct"


def is_eg(document: object) -> bool:
    """Snake-case ``ballot_styles`` and contests made of ``ballot_selections``."""
    if not isinstance(document, dict) or "ballot_styles" not in document:
        return False
    contests = document.get("contests")
    return isinstance(contests, list) and any(
        isinstance(contest, dict) and "ballot_selections" in contest for contest in contests
    )


def read_eg(path: Path) -> ElectionDefinition:
    return eg_definition(read_json(path), str(path))


@dataclass(frozen=True, slots=True)
class _Unit:
    id: str
    name: str
    type: str | None


@dataclass(frozen=True, slots=True)
class _Candidate:
    name: str | None
    party: str | None
    write_in: bool


def _text(node: Node, key: str) -> str | None:
    return international_text(node, key, texts="text", content="value", language="language")


def eg_definition(document: object, where: str) -> ElectionDefinition:
    """The definition in an already parsed manifest; ``where`` names the file."""
    root = Node.root(document, where)
    units: dict[str, _Unit] = {}
    for node in root.children("geopolitical_units"):
        unit_id = node.text("object_id")
        units[unit_id] = _Unit(unit_id, _text(node, "name") or unit_id, node.opt_text("type"))
    parties = tuple(
        Party(
            party_id := node.text("object_id"),
            _text(node, "name") or node.opt_text("abbreviation") or party_id,
        )
        for node in root.children("parties", required=False)
    )
    candidates = {
        node.text("object_id"): _Candidate(
            _text(node, "name"), node.opt_text("party_id"), node.flag("is_write_in")
        )
        for node in root.children("candidates", required=False)
    }
    contests = [_contest(node, candidates) for node in _by_sequence(root.children("contests"))]
    styles: list[BallotStyle] = []
    used: set[str] = set()
    for node in root.children("ballot_styles"):
        style = _style(node, units, contests)
        used.update(style.precincts)
        styles.append(style)
    definition = ElectionDefinition(
        title=_text(root, "name") or root.text("election_scope_id"),
        date=date_part(root.opt_text("start_date")),
        source_format=SOURCE_FORMAT,
        contests=tuple(contests),
        ballot_styles=tuple(styles),
        precincts=tuple(Precinct(u.id, u.name) for u in units.values() if u.id in used),
        parties=parties,
        place=_place(units.values()),
    )
    return check(definition, where=where)


def _by_sequence(nodes: list[Node]) -> list[Node]:
    """In ``sequence_order``, the manifest's ballot order; ties keep file order."""
    keyed = [
        (node.integer("sequence_order", default=index), index, node)
        for index, node in enumerate(nodes)
    ]
    return [node for _, _, node in sorted(keyed, key=lambda item: (item[0], item[1]))]


def _contest(node: Node, candidates: dict[str, _Candidate]) -> Contest:
    contest_id = node.text("object_id")
    choices: list[Choice] = []
    for selection in _by_sequence(node.children("ballot_selections")):
        candidate_id = selection.text("candidate_id")
        candidate = candidates.get(candidate_id, _Candidate(None, None, False))
        choices.append(
            Choice(
                candidate_id,
                candidate.name or candidate_id,
                candidate.party,
                candidate.write_in or candidate_id.startswith("write-in"),
            )
        )
    kind: ContestKind = "candidate"
    if contest_id.startswith("referendum") or any(
        "affirmative" in choice.id or "negative" in choice.id for choice in choices
    ):
        kind = "yesno"
    primary = node.texts("primary_party_ids", required=False)
    refuse_vote_variation(node, "vote_variation")
    if node.opt_text("vote_variation") == "rcv":
        raise node.fail(
            "is ranked-choice, but an ElectionGuard manifest cannot say how many ranks the "
            "ballot offers; give the definition as NIST SP 1500-100 or votetrail YAML "
            "with the number of ranks",
            "vote_variation",
        )
    votes = node.integer("votes_allowed", default=node.integer("number_elected", default=1))
    return Contest(
        contest_id,
        _text(node, "name") or _text(node, "ballot_title") or contest_id,
        kind,
        votes,
        tuple(choices),
        node.text("electoral_district_id"),
        primary[0] if len(primary) == 1 else None,
    )


def _style(node: Node, units: dict[str, _Unit], contests: list[Contest]) -> BallotStyle:
    unit_ids = node.texts("geopolitical_unit_ids")
    for index, unit_id in enumerate(unit_ids):
        if unit_id not in units:
            raise node.fail(
                f"names geopolitical unit {unit_id!r}, which is not defined",
                f"geopolitical_unit_ids[{index}]",
            )
    if not unit_ids:
        raise node.fail("lists no geopolitical units", "geopolitical_unit_ids")
    party_ids = node.texts("party_ids", required=False)
    precincts = [unit_id for unit_id in unit_ids if units[unit_id].type == PRECINCT_TYPE]
    carried = tuple(
        contest.id
        for contest in contests
        if contest.district in unit_ids
        and (contest.party is None or not party_ids or contest.party in party_ids)
    )
    return BallotStyle(
        node.text("object_id"),
        tuple(precincts or unit_ids[-1:]),
        carried,
        party_ids[0] if len(party_ids) == 1 else None,
    )


def _place(units: Iterable[_Unit]) -> str | None:
    """The state's and county's names, when the manifest types a unit so."""
    found: dict[str, str] = {}
    for unit in units:
        if unit.type in ("state", "county") and unit.type not in found:
            found[unit.type] = unit.name
    parts = [found[kind] for kind in ("state", "county") if kind in found]
    return ", ".join(parts) or None
