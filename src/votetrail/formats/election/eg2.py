"""ElectionGuard 2.0 manifests in the layout of Microsoft's Rust implementation.

The whole manifest is a ``label``, ``contests`` (each a ``label``, an
optional ``selection_limit`` and its ``contest_options``, which later
versions call ``options``, each a ``label`` and an optional
``selection_limit``) and ``ballot_styles`` (each a ``label`` and the
``contests`` it carries, by number). 1.x manifests (``ballot_selections``,
read by ``formats/election/eg.py``) are told apart by content.

Three things votetrail needs are not in this layout, and each is decided here
(``docs/lat-definitions.md`` lists them for officials):

* **Ids.** Nothing has one: ElectionGuard 2.0 numbers contests, options and
  ballot styles from 1 in manifest order, and its ballots and tallies name
  them so, so those numbers are the ids (``"1"``, ``"2"``, ...).
* **Precincts.** A 2.0 manifest names no place, so each ballot style stands
  for the precincts that use it: one precinct per style, with the style's
  number and label. A deck is then built per ballot style.
* **Limits.** A contest allows ``selection_limit`` votes (default 1); an
  option takes at most its own limit (default 1; ``"CONTEST_LIMIT"`` is the
  contest's), capped by the contest's. votetrail's decks and counts give a
  choice one vote at most, so a manifest letting a voter put several votes on
  one option (cumulative voting), or none at all, is refused with a sentence
  saying so, naming the field. Votes allowed are the contest's limit capped
  at its number of options, ElectionGuard's own "effective" contest limit
  when every option takes one vote.

Every contest is of kind ``candidate``: 2.0 does not say which are ballot
measures, and the kind only changes labels. Labels break lines between a
name and its party (``"Ann Lee\\n(Party)"``); the lines are joined with spaces.
"""

from __future__ import annotations

from pathlib import Path

from votetrail.core.lat.definition import (
    BallotStyle,
    Choice,
    Contest,
    ElectionDefinition,
    Precinct,
    check,
)
from votetrail.formats.election.fields import Node, read_json

SOURCE_FORMAT = "ElectionGuard 2.0 manifest"
OPTION_KEYS = ("contest_options", "options")
"""The 2.0 schema and the Rust example files say ``contest_options``; 2.1 says ``options``."""
CONTEST_LIMIT = "CONTEST_LIMIT"


def is_eg2(document: object) -> bool:
    """``ballot_styles`` and contests made of options, or a ``label`` where 1.x has a name."""
    if not isinstance(document, dict) or "ballot_styles" not in document:
        return False
    contests = document.get("contests")
    if not isinstance(contests, list):
        return False
    objects = [contest for contest in contests if isinstance(contest, dict)]
    if any("ballot_selections" in contest for contest in objects):
        return False
    return "label" in document or any(key in c for c in objects for key in OPTION_KEYS)


def read_eg2(path: Path) -> ElectionDefinition:
    return eg2_definition(read_json(path), str(path))


def eg2_definition(document: object, where: str) -> ElectionDefinition:
    """The definition in an already parsed 2.0 manifest; ``where`` names the file."""
    root = Node.root(document, where)
    contest_nodes = root.children("contests")
    contests = tuple(_contest(node, str(number)) for number, node in _numbered(contest_nodes))
    styles: list[BallotStyle] = []
    precincts: list[Precinct] = []
    for number, node in _numbered(root.children("ballot_styles")):
        style_id = str(number)
        styles.append(BallotStyle(style_id, (style_id,), _carried(node, len(contest_nodes))))
        precincts.append(Precinct(style_id, _label(node)))
    definition = ElectionDefinition(
        title=_label(root),
        date=None,
        source_format=SOURCE_FORMAT,
        contests=contests,
        ballot_styles=tuple(styles),
        precincts=tuple(precincts),
    )
    return check(definition, where=where)


def _numbered(nodes: list[Node]) -> list[tuple[int, Node]]:
    """ElectionGuard 2.0's numbering: manifest order, from 1."""
    return list(enumerate(nodes, start=1))


def _label(node: Node) -> str:
    return " ".join(line.strip() for line in node.text("label").splitlines() if line.strip())


def _contest(node: Node, contest_id: str) -> Contest:
    limit = _whole(node, "selection_limit", 1)
    key = next((key for key in OPTION_KEYS if node.has(key)), None)
    if key is None:
        raise node.fail('missing "contest_options" (or "options")')
    choices: list[Choice] = []
    for number, option in _numbered(node.children(key)):
        _check_option_limit(option, limit)
        choices.append(Choice(str(number), _label(option)))
    votes = min(limit, len(choices)) if choices else limit
    return Contest(contest_id, _label(node), "candidate", votes, tuple(choices))


def _check_option_limit(option: Node, contest_limit: int) -> None:
    """Refuse an option that takes other than one vote once the contest's limit applies."""
    raw = option.raw("selection_limit")
    if raw == CONTEST_LIMIT:
        own = contest_limit
    else:
        own = _whole(option, "selection_limit", 1, also=f' or "{CONTEST_LIMIT}"')
    effective = min(own, contest_limit)
    if effective == 0:
        raise option.fail(
            "allows no votes for this option; votetrail tests every option with a vote",
            "selection_limit",
        )
    if effective > 1:
        raise option.fail(
            f"lets a voter give this option up to {effective} votes (cumulative voting); "
            "votetrail's decks and counts give an option one vote at most",
            "selection_limit",
        )


def _whole(node: Node, key: str, default: int, *, also: str = "") -> int:
    """A limit: a whole number from 0; ``also`` names the other value the field may hold."""
    value = node.raw(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise node.fail(f"must be a whole number from 0{also}, not {value!r}", key)
    return value


def _carried(node: Node, contest_count: int) -> tuple[str, ...]:
    """The contest numbers a style lists, checked against the manifest, in ballot order."""
    raw = node.raw("contests")
    if raw is None:
        raise node.fail('missing "contests"')
    if not isinstance(raw, list):
        raise node.fail("must be a list of contest numbers", "contests")
    numbers: set[int] = set()
    for index, value in enumerate(raw):
        at = f"contests[{index}]"
        if isinstance(value, bool) or not isinstance(value, int):
            raise node.fail(f"must be a contest number (from 1), not {value!r}", at)
        if not 1 <= value <= contest_count:
            raise node.fail(
                f"names contest {value}, but the manifest has {contest_count} contests "
                "(numbered from 1)",
                at,
            )
        if value in numbers:
            raise node.fail(f"names contest {value} twice", at)
        numbers.add(value)
    return tuple(str(number) for number in sorted(numbers))
