"""An election definition as the L&A test needs it, whatever format it came in.

NIST SP 1500-100, VotingWorks ``election.json``, ElectionGuard manifests and
votetrail's own YAML all reduce to these values, so deck generation and
comparison are written once. Ids are the definition's own: a deck made here
names contests and choices exactly as the tabulator's configuration does,
which is what lets other tools recount it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from votetrail.errors import InvalidInput

ContestKind = Literal["candidate", "yesno"]
WRITE_IN = "write-in"
"""The choice id of a write-in position when the definition gives it none (VotingWorks)."""
YES = "yes"
NO = "no"


@dataclass(frozen=True, slots=True)
class Choice:
    """A candidate, a write-in position or a ballot-measure option."""

    id: str
    name: str
    party: str | None = None
    write_in: bool = False


@dataclass(frozen=True, slots=True)
class Contest:
    id: str
    title: str
    kind: ContestKind
    votes_allowed: int
    choices: tuple[Choice, ...]
    district: str | None = None
    party: str | None = None
    """Set for a primary contest that only one party's ballots carry."""
    ranks: int | None = None
    """``None`` for a plurality contest; for a ranked-choice one, the ranks the ballot offers.

    Only a definition that says so makes a contest ranked (NIST ``VoteVariation``
    ``rcv``, YAML ``ranks:``); ``votes_allowed`` is then the number of seats.
    """

    @property
    def ranked(self) -> bool:
        return self.ranks is not None

    def choice(self, choice_id: str) -> Choice:
        for choice in self.choices:
            if choice.id == choice_id:
                return choice
        raise KeyError(choice_id)


@dataclass(frozen=True, slots=True)
class BallotStyle:
    """One printed ballot layout: the contests it carries and the precincts that use it."""

    id: str
    precincts: tuple[str, ...]
    contests: tuple[str, ...]
    party: str | None = None


@dataclass(frozen=True, slots=True)
class Precinct:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Party:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class ElectionDefinition:
    """The whole definition; :func:`check` has been run on every instance a reader returns."""

    title: str
    date: str | None
    source_format: str
    """E.g. ``"VotingWorks election.json"``: shown to officials and stored with a session."""
    contests: tuple[Contest, ...]
    ballot_styles: tuple[BallotStyle, ...]
    precincts: tuple[Precinct, ...]
    parties: tuple[Party, ...] = ()
    place: str | None = None
    """The state and county (or other scope) the definition names, for headings."""

    def contest(self, contest_id: str) -> Contest:
        for contest in self.contests:
            if contest.id == contest_id:
                return contest
        raise KeyError(contest_id)

    def precinct_name(self, precinct_id: str) -> str:
        for precinct in self.precincts:
            if precinct.id == precinct_id:
                return precinct.name
        return precinct_id

    def untested_contests(self) -> list[Contest]:
        """Contests no ballot style carries: no deck can test them, so officials are told."""
        carried = {contest for style in self.ballot_styles for contest in style.contests}
        return [contest for contest in self.contests if contest.id not in carried]

    def styles_of_precinct(self, precinct_id: str) -> Iterator[BallotStyle]:
        return (style for style in self.ballot_styles if precinct_id in style.precincts)


def check(definition: ElectionDefinition, where: str) -> ElectionDefinition:
    """Refuse a definition a deck could not be built from, naming the offending part.

    Readers call this last, so every definition in votetrail has unique ids,
    styles that only name known contests and precincts, and contests a voter
    can actually vote in.
    """
    contest_ids: set[str] = set()
    for contest in definition.contests:
        at = f"{where}: contest {contest.id!r}"
        if contest.id in contest_ids:
            raise InvalidInput("is defined twice", where=at)
        contest_ids.add(contest.id)
        if contest.votes_allowed < 1:
            raise InvalidInput("must allow at least one vote", where=at)
        if not contest.choices:
            raise InvalidInput("has no choices", where=at)
        if contest.ranks is not None:
            if contest.ranks < 1:
                raise InvalidInput("must offer at least one rank", where=at)
            if contest.kind != "candidate":
                raise InvalidInput("is a ballot measure and cannot be ranked-choice", where=at)
        seen: set[str] = set()
        for choice in contest.choices:
            if choice.id in seen:
                raise InvalidInput(f"lists choice {choice.id!r} twice", where=at)
            seen.add(choice.id)
    precinct_ids = {precinct.id for precinct in definition.precincts}
    if len(precinct_ids) != len(definition.precincts):
        raise InvalidInput("lists a precinct id twice", where=f"{where}: precincts")
    style_ids: set[str] = set()
    for style in definition.ballot_styles:
        at = f"{where}: ballot style {style.id!r}"
        if style.id in style_ids:
            raise InvalidInput("is defined twice", where=at)
        style_ids.add(style.id)
        if not style.precincts:
            raise InvalidInput("is used in no precinct", where=at)
        for precinct in style.precincts:
            if precinct not in precinct_ids:
                raise InvalidInput(f"names precinct {precinct!r}, which is not defined", where=at)
        for contest_id in style.contests:
            if contest_id not in contest_ids:
                raise InvalidInput(f"names contest {contest_id!r}, which is not defined", where=at)
    if not definition.ballot_styles:
        raise InvalidInput("defines no ballot styles", where=where)
    return definition


def to_data(definition: ElectionDefinition) -> dict[str, Any]:
    """The canonical plain form: stored with a session and hashed into the log."""
    return {
        "title": definition.title,
        "date": definition.date,
        "source_format": definition.source_format,
        "place": definition.place,
        "parties": [{"id": party.id, "name": party.name} for party in definition.parties],
        "precincts": [{"id": p.id, "name": p.name} for p in definition.precincts],
        "contests": [
            {
                "id": contest.id,
                "title": contest.title,
                "kind": contest.kind,
                "votes_allowed": contest.votes_allowed,
                "district": contest.district,
                "party": contest.party,
                # Only ranked contests carry the key, so a plurality definition's
                # canonical form (and its logged hash) is what it always was.
                **({"ranks": contest.ranks} if contest.ranks is not None else {}),
                "choices": [
                    {
                        "id": choice.id,
                        "name": choice.name,
                        "party": choice.party,
                        "write_in": choice.write_in,
                    }
                    for choice in contest.choices
                ],
            }
            for contest in definition.contests
        ],
        "ballot_styles": [
            {
                "id": style.id,
                "precincts": list(style.precincts),
                "contests": list(style.contests),
                "party": style.party,
            }
            for style in definition.ballot_styles
        ],
    }


def from_data(data: dict[str, Any]) -> ElectionDefinition:
    """Inverse of :func:`to_data`, for definitions read back from the database."""
    return ElectionDefinition(
        title=data["title"],
        date=data["date"],
        source_format=data["source_format"],
        place=data.get("place"),
        parties=tuple(Party(p["id"], p["name"]) for p in data["parties"]),
        precincts=tuple(Precinct(p["id"], p["name"]) for p in data["precincts"]),
        contests=tuple(
            Contest(
                id=c["id"],
                title=c["title"],
                kind=c["kind"],
                votes_allowed=c["votes_allowed"],
                district=c["district"],
                party=c["party"],
                ranks=c.get("ranks"),
                choices=tuple(
                    Choice(ch["id"], ch["name"], ch["party"], ch["write_in"]) for ch in c["choices"]
                ),
            )
            for c in data["contests"]
        ),
        ballot_styles=tuple(
            BallotStyle(s["id"], tuple(s["precincts"]), tuple(s["contests"]), s["party"])
            for s in data["ballot_styles"]
        ),
    )
