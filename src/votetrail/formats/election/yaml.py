"""votetrail's own election-definition YAML, for systems that export none of the other formats.

A clerk types it, so the reader is strict where a typo would silently
change the test: unknown fields (``vote-for`` for ``vote_for``), duplicate
keys and duplicate ids are refused, naming the file and the field path
(``adams.yaml: contests[2].candidates[0]: missing "id"``); syntax errors name
the line. Every plain value is read as the text the clerk typed, so
``id: 0012`` stays ``0012`` rather than becoming the number 10, and an
option ``id: yes`` stays ``yes`` rather than becoming ``true``; numbers and
true/false are parsed only in the fields that take them.
The schema is in ``docs/lat-definitions.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode

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
from votetrail.errors import InvalidInput
from votetrail.formats.election.fields import Node

SOURCE_FORMAT = "votetrail YAML"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_KEEP_TAGS = frozenset(["tag:yaml.org,2002:null", "tag:yaml.org,2002:merge"])
TOP_FIELDS = ("election", "date", "place", "parties", "precincts", "contests", "ballot_styles")
CONTEST_FIELDS = (
    "id", "title", "type", "vote_for", "ranks", "write_in", "district", "party", "candidates",
    "options",
)  # fmt: skip
CHOICE_FIELDS = ("id", "name", "party", "write_in")
STYLE_FIELDS = ("id", "precincts", "contests", "party")
NAMED_FIELDS = ("id", "name")
_STANDARD_WRITE_IN = Choice(WRITE_IN, "Write-in", write_in=True)
_STANDARD_YES_NO = (Choice(YES, "Yes"), Choice(NO, "No"))


class _TextLoader(yaml.SafeLoader):
    """The safe loader with plain scalars kept as text and duplicate keys refused."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = key_node.value if key_node.tag.endswith(":str") else None
            if key is not None and key in seen:
                raise ConstructorError(
                    None, None, f"the key {key!r} appears twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


# The resolvers are copied, not edited in place, so yaml.SafeLoader itself is untouched.
_TextLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag in _KEEP_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str, where: str) -> object:
    """The YAML document, every plain scalar as text; a syntax error names its line."""
    try:
        # The reader checks the characters as it is made: a control character
        # raises there, before any document is read (found by fuzzing).
        loader = _TextLoader(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"YAML syntax error: {exc}", where=where) from None
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f": line {mark.line + 1}" if mark is not None else ""
        problem = exc.problem or exc.context or "unreadable"
        raise InvalidInput(f"YAML syntax error: {problem}", where=f"{where}{line}") from None
    except yaml.YAMLError as exc:
        raise InvalidInput(f"YAML syntax error: {exc}", where=where) from None
    finally:
        loader.dispose()


def looks_like_yaml_definition(text: str) -> bool:
    """For files without a ``.yaml`` name: a mapping with this schema's own top-level keys."""
    try:
        document = load_yaml(text, "")
    except InvalidInput:
        return False
    return isinstance(document, dict) and "election" in document and "contests" in document


def read_yaml(path: Path) -> ElectionDefinition:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read the file: {exc.strerror}", where=str(path)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("is not UTF-8 text", where=str(path)) from None
    return parse_yaml(text, str(path))


def parse_yaml(text: str, where: str) -> ElectionDefinition:
    """The definition in YAML text; ``where`` names the file in messages."""
    root = Node.root(load_yaml(text, where), where, text_scalars=True)
    _only(root, TOP_FIELDS)
    title = root.text("election")
    parties = tuple(
        Party(node.text("id"), node.text("name")) for node in _named(root, "parties", False)
    )
    precincts = tuple(
        Precinct(node.text("id"), node.opt_text("name") or node.text("id"))
        for node in _named(root, "precincts", True)
    )
    contests = _contests(root)
    styles = _styles(root, {c.id for c in contests}, {p.id for p in precincts})
    definition = ElectionDefinition(
        title=title,
        date=_date(root),
        source_format=SOURCE_FORMAT,
        contests=contests,
        ballot_styles=styles,
        precincts=precincts,
        parties=parties,
        place=root.opt_text("place"),
    )
    return check(definition, where=where)


def _only(node: Node, fields: tuple[str, ...]) -> None:
    for key in node.data:
        if key not in fields:
            raise node.fail(f'unknown field "{key}" (fields here: {", ".join(fields)})')


def _unique(nodes: list[Node], what: str) -> None:
    """Refuse a repeated id where the clerk can find both, rather than in :func:`check`."""
    first: dict[str, str] = {}
    for node in nodes:
        item_id = node.text("id")
        if item_id in first:
            raise node.fail(f'{what} id "{item_id}" is already used by {first[item_id]}', "id")
        first[item_id] = node.path


def _named(root: Node, key: str, required: bool) -> list[Node]:
    nodes = root.children(key, required=required)
    for node in nodes:
        _only(node, NAMED_FIELDS)
    _unique(nodes, key.rstrip("s"))
    return nodes


def _date(root: Node) -> str | None:
    value = root.opt_text("date")
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise root.fail(f"must be a date written YYYY-MM-DD, not {value!r}", "date") from None


def _contests(root: Node) -> tuple[Contest, ...]:
    nodes = root.children("contests")
    _unique(nodes, "contest")
    return tuple(_contest(node) for node in nodes)


def _contest(node: Node) -> Contest:
    _only(node, CONTEST_FIELDS)
    kind = node.opt_text("type") or "candidate"
    if kind == "candidate":
        if node.has("options"):
            raise node.fail('a candidate contest lists "candidates", not "options"', "options")
        entries = node.children("candidates")
        choices = [_choice(entry) for entry in entries]
        if node.flag("write_in"):
            choices.append(_STANDARD_WRITE_IN)
    elif kind == "yesno":
        for wrong in ("candidates", "write_in"):
            if node.has(wrong):
                raise node.fail(f'a yesno contest has no "{wrong}" (use "options")', wrong)
        entries = node.children("options", required=False)
        choices = [_choice(entry) for entry in entries] or list(_STANDARD_YES_NO)
    else:
        raise node.fail(f'must be "candidate" or "yesno", not {kind!r}', "type")
    _unique(entries, "choice")
    if (
        kind == "candidate"
        and node.flag("write_in")
        and any(c.id == WRITE_IN for c in choices[:-1])
    ):
        raise node.fail(f'lists a "{WRITE_IN}" candidate and also sets write_in: true', "write_in")
    return Contest(
        id=node.text("id"),
        title=node.text("title"),
        kind="yesno" if kind == "yesno" else "candidate",
        votes_allowed=node.integer("vote_for", default=1),
        choices=tuple(choices),
        district=node.opt_text("district"),
        party=node.opt_text("party"),
        ranks=node.integer("ranks") if node.has("ranks") else None,
    )


def _choice(node: Node) -> Choice:
    _only(node, CHOICE_FIELDS)
    return Choice(node.text("id"), node.text("name"), node.opt_text("party"), node.flag("write_in"))


def _styles(root: Node, contest_ids: set[str], precinct_ids: set[str]) -> tuple[BallotStyle, ...]:
    nodes = root.children("ballot_styles")
    _unique(nodes, "ballot style")
    styles = []
    for node in nodes:
        _only(node, STYLE_FIELDS)
        precincts = node.texts("precincts")
        contests = node.texts("contests")
        for field, values, known, what in (
            ("precincts", precincts, precinct_ids, "precinct"),
            ("contests", contests, contest_ids, "contest"),
        ):
            for index, value in enumerate(values):
                if value not in known:
                    raise node.fail(f'no {what} "{value}" is defined', f"{field}[{index}]")
                if value in values[:index]:
                    raise node.fail(f'"{value}" is listed twice', f"{field}[{index}]")
        styles.append(
            BallotStyle(node.text("id"), tuple(precincts), tuple(contests), node.opt_text("party"))
        )
    return tuple(styles)


class _Row(dict[str, Any]):
    """A small mapping written on one line (a party, precinct or choice)."""


class _Ids(list[str]):
    """A list of ids written on one line."""


class _Dumper(yaml.SafeDumper):
    """Block style for the structure, one line per choice: what a clerk reads and edits."""


_Dumper.add_representer(
    _Row, lambda dumper, data: dumper.represent_mapping(_MAP, data, flow_style=True)
)
_Dumper.add_representer(
    _Ids, lambda dumper, data: dumper.represent_sequence(_SEQ, data, flow_style=True)
)


def write_yaml(definition: ElectionDefinition) -> str:
    """The definition as this schema's YAML; :func:`parse_yaml` reads it back equal.

    Only ``source_format`` is not kept (reading YAML always gives
    ``"votetrail YAML"``); a header comment says where it came from instead.
    """
    document: dict[str, Any] = {"election": definition.title}
    if definition.date is not None:
        document["date"] = definition.date
    if definition.place is not None:
        document["place"] = definition.place
    if definition.parties:
        document["parties"] = [_Row(id=p.id, name=p.name) for p in definition.parties]
    document["precincts"] = [_Row(id=p.id, name=p.name) for p in definition.precincts]
    document["contests"] = [_contest_data(contest) for contest in definition.contests]
    document["ballot_styles"] = [
        {
            "id": style.id,
            "precincts": _Ids(style.precincts),
            "contests": _Ids(style.contests),
            **({"party": style.party} if style.party is not None else {}),
        }
        for style in definition.ballot_styles
    ]
    header = "# votetrail election definition: see docs/lat-definitions.md\n"
    if definition.source_format != SOURCE_FORMAT:
        header += f"# converted from {definition.source_format}\n"
    body = yaml.dump(
        document,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1000,
    )
    return header + body


def _contest_data(contest: Contest) -> dict[str, Any]:
    data: dict[str, Any] = {"id": contest.id, "title": contest.title}
    if contest.kind == "yesno":
        data["type"] = "yesno"
    data["vote_for"] = contest.votes_allowed
    if contest.ranks is not None:
        data["ranks"] = contest.ranks
    if contest.district is not None:
        data["district"] = contest.district
    if contest.party is not None:
        data["party"] = contest.party
    choices = list(contest.choices)
    if contest.kind == "yesno":
        if tuple(choices) != _STANDARD_YES_NO:
            data["options"] = [_choice_data(choice) for choice in choices]
        return data
    if choices and choices[-1] == _STANDARD_WRITE_IN:
        data["write_in"] = True
        choices.pop()
    data["candidates"] = [_choice_data(choice) for choice in choices]
    return data


def _choice_data(choice: Choice) -> _Row:
    data = _Row(id=choice.id, name=choice.name)
    if choice.party is not None:
        data["party"] = choice.party
    if choice.write_in:
        data["write_in"] = True
    return data
