"""Typed reads of a parsed JSON or YAML document that name the file and the field on failure.

Election definitions arrive from vendors' tools, other projects' fixtures and
clerks' text editors, so any key may be missing or hold the wrong kind of
value. Every reader goes through :class:`Node`, which turns such a document
into :class:`~votetrail.errors.InvalidInput` naming ``file: field.path``
instead of letting a ``KeyError`` or ``TypeError`` reach an official.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from votetrail.errors import InvalidInput

_TRUE = frozenset(["true", "yes", "on"])
_FALSE = frozenset(["false", "no", "off"])


def _kind(value: object) -> str:
    """A clerk's word for what a value is, for messages."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


@dataclass(frozen=True, slots=True)
class Node:
    """One object of the document, with the path that leads to it.

    ``text_scalars`` is set for YAML read with every plain scalar kept as
    text (see ``formats/election/yaml.py``): numbers and true/false are then parsed
    here from their text, so ``id: 0012`` or ``id: yes`` stay what the
    clerk wrote.
    """

    data: dict[str, Any]
    file: str
    path: str = ""
    text_scalars: bool = False

    @classmethod
    def root(cls, data: object, file: str, *, text_scalars: bool = False) -> Node:
        if not isinstance(data, dict):
            raise InvalidInput(f"must be an object (a mapping), not {_kind(data)}", where=file)
        return cls(data, file, "", text_scalars)

    def at(self, key: str | None = None) -> str:
        """The field path of ``key`` in this node (or of the node itself)."""
        if key is None:
            return self.path or "top level"
        return f"{self.path}.{key}" if self.path else key

    def where(self, key: str | None = None) -> str:
        return f"{self.file}: {self.at(key)}"

    def fail(self, message: str, key: str | None = None) -> InvalidInput:
        return InvalidInput(message, where=self.where(key))

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def raw(self, key: str) -> Any:
        return self.data.get(key)

    def _missing(self, key: str) -> InvalidInput:
        return self.fail(f'missing "{key}"')

    def text(self, key: str) -> str:
        value = self.opt_text(key)
        if value is None:
            raise self._missing(key)
        return value

    def opt_text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            if not value.strip():
                raise self.fail("must not be blank", key)
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        raise self.fail(f"must be text, not {_kind(value)}", key)

    def integer(self, key: str, default: int | None = None) -> int:
        value = self.data.get(key)
        if value is None:
            if default is None:
                raise self._missing(key)
            return default
        if self.text_scalars and isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise self.fail(f"must be a whole number, not {value!r}", key)

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if self.text_scalars and isinstance(value, str):
            word = value.strip().lower()
            if word in _TRUE:
                return True
            if word in _FALSE:
                return False
        raise self.fail(f"must be true or false, not {value!r}", key)

    def child(self, key: str) -> Node:
        found = self.opt_child(key)
        if found is None:
            raise self._missing(key)
        return found

    def opt_child(self, key: str) -> Node | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.fail(f"must be an object, not {_kind(value)}", key)
        return Node(value, self.file, self.at(key), self.text_scalars)

    def _items(self, key: str, required: bool) -> list[Any]:
        """A list field's items: a missing required list and a non-list are refused by path."""
        value = self.data.get(key)
        if value is None:
            if required:
                raise self._missing(key)
            return []
        if not isinstance(value, list):
            raise self.fail(f"must be a list, not {_kind(value)}", key)
        return value

    def children(self, key: str, *, required: bool = True) -> list[Node]:
        """The objects of a list, each with its ``key[i]`` path."""
        nodes = []
        for index, item in enumerate(self._items(key, required)):
            path = f"{self.at(key)}[{index}]"
            if not isinstance(item, dict):
                raise InvalidInput(
                    f"must be an object, not {_kind(item)}", where=f"{self.file}: {path}"
                )
            nodes.append(Node(item, self.file, path, self.text_scalars))
        return nodes

    def texts(self, key: str, *, required: bool = True) -> list[str]:
        found = []
        for index, item in enumerate(self._items(key, required)):
            if isinstance(item, int) and not isinstance(item, bool):
                item = str(item)
            if not isinstance(item, str) or not item.strip():
                raise InvalidInput(
                    f"must be text, not {_kind(item)}",
                    where=f"{self.file}: {self.at(key)}[{index}]",
                )
            found.append(item)
        return found


def date_part(value: str | None) -> str | None:
    """``2020-03-01T08:00:00-05:00`` -> ``2020-03-01``: a definition names the day, not a time."""
    if value is None:
        return None
    return value[:10] if len(value) > 10 and value[10] in "T " else value


def read_json(path: Path) -> object:
    """A JSON file's document; a file that cannot be read or parsed is refused by name."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read the file: {exc.strerror}", where=str(path)) from None
    return parse_json(data, str(path))


def parse_json(data: bytes, where: str) -> object:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InvalidInput("is not UTF-8 text", where=where) from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"is not valid JSON ({exc.msg}, column {exc.colno})",
            where=f"{where}: line {exc.lineno}",
        ) from None
    except (ValueError, RecursionError):
        # A number of more than 4,300 digits, or arrays nested thousands deep: json gives up.
        raise InvalidInput(
            "is not JSON votetrail can read (a number too long or nesting too deep)", where=where
        ) from None


def international_text(
    node: Node, key: str, *, texts: str, content: str, language: str
) -> str | None:
    """The English text of a NIST-style internationalized string, else its first text.

    NIST spells it ``{"Text": [{"Content", "Language"}]}`` and ElectionGuard
    1.x ``{"text": [{"value", "language"}]}``; ElectionGuard 2.0's Kotlin
    implementation writes the list alone (``"name": [{"value", "language"}]``),
    so a bare list of entries is read the same way. A plain string is taken as
    it is. Blank texts are skipped: ElectionGuard fixtures carry ``{"text": []}``.
    """
    value = node.raw(key)
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    entries = (
        node.children(key)
        if isinstance(value, list)
        else node.child(key).children(texts, required=False)
    )
    first: str | None = None
    for entry in entries:
        text = entry.raw(content)
        if text is None:
            continue
        if not isinstance(text, str):
            raise entry.fail(f"must be text, not {_kind(text)}", content)
        if not text.strip():
            continue
        tag = entry.raw(language)
        if isinstance(tag, str) and tag.lower().startswith("en"):
            return text
        first = first or text
    return first


COUNTED_OTHERWISE = frozenset(["borda", "cumulative", "range"])
"""Vote variations (NIST ``VoteVariation``, ElectionGuard ``vote_variation``) whose marks are
not one vote each: a deck counted as plurality would expect wrong totals, so they are refused."""


def refuse_vote_variation(node: Node, key: str) -> None:
    """Refuse a contest whose vote variation a plurality or ranked deck cannot test."""
    value = node.opt_text(key)
    if value in COUNTED_OTHERWISE:
        raise node.fail(
            f"is a {value} contest; votetrail's decks test plurality and ranked-choice "
            "contests only, and counting this one as either would expect wrong totals",
            key,
        )
