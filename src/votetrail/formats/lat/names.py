"""Matching what a tabulator calls a contest or choice to the election definition's ids.

A tabulator's report names things its own way: Dominion appends "(Vote For=1)"
to contest names, vendors spell the write-in position half a dozen ways, and a
yes/no option may come back as "YES" or "For". L&A testing must still tell a
misnamed contest (a failure) from a spelling difference (not one), so matching
is deliberately narrow: an exact id, else a name equal after casefolding,
collapsing white space and removing the "vote for" suffix, else one of the
known write-in and yes/no spellings. Anything else is unmatched and the caller
reports it as a failure; nothing is guessed.
"""

from __future__ import annotations

import re
from collections import defaultdict

from votetrail.core.lat.definition import Choice, Contest, ElectionDefinition

_VOTE_FOR = re.compile(
    r"\s*[\(\[]?\s*vote\s+for(?:\s+(?:not\s+more\s+than|up\s+to|no\s+more\s+than))?"
    r"\s*[=:]?\s*\d+\s*[\)\]]?\s*$"
)
_WRITE_IN = re.compile(r"^write[\s-]*ins?(?:\s*#?\s*(\d+))?$")
_YES = frozenset({"yes", "for"})
_NO = frozenset({"no", "against"})


def normalise(name: str) -> str:
    """The form two names are compared in: casefolded, single-spaced, without "Vote For N"."""
    folded = " ".join(name.casefold().split())
    return _VOTE_FOR.sub("", folded).strip()


class Resolver:
    """Look-ups by id, then by normalised name, built once per definition.

    Names that two contests (or two choices of one contest) share are not
    used for matching at all: picking one would hide exactly the kind of
    mix-up the test is meant to catch, so only ids match those.
    """

    def __init__(self, definition: ElectionDefinition) -> None:
        self.definition = definition
        self._contest_ids = {contest.id: contest for contest in definition.contests}
        titles: dict[str, list[Contest]] = defaultdict(list)
        for contest in definition.contests:
            titles[normalise(contest.title)].append(contest)
        self._contest_titles = titles
        self._styles = {style.id.casefold(): style.id for style in definition.ballot_styles}
        self._choice_names: dict[str, dict[str, list[Choice]]] = {}
        for contest in definition.contests:
            names: dict[str, list[Choice]] = defaultdict(list)
            for choice in contest.choices:
                names[normalise(choice.name)].append(choice)
            self._choice_names[contest.id] = names

    def contest(self, name: str) -> Contest | None:
        """The contest a report's contest id or title stands for, or ``None``."""
        found = self._contest_ids.get(name) or self._contest_ids.get(name.strip())
        if found is not None:
            return found
        candidates = self._contest_titles.get(normalise(name), [])
        return candidates[0] if len(candidates) == 1 else None

    def choice(self, contest: Contest, name: str) -> Choice | None:
        """The choice of ``contest`` a report's choice id or name stands for, or ``None``."""
        for choice in contest.choices:
            if choice.id in (name, name.strip()):
                return choice
        key = normalise(name)
        candidates = self._choice_names[contest.id].get(key, [])
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            return None
        written = _WRITE_IN.match(key)
        if written:
            return _write_in(contest, written.group(1))
        if contest.kind == "yesno" and (key in _YES or key in _NO):
            return _option(contest, _YES if key in _YES else _NO)
        return None

    def ballot_style(self, name: str) -> str | None:
        """The style id a report's ballot type stands for; styles are ids, matched ignoring case."""
        return self._styles.get(name.strip().casefold())

    def contest_problem(self, name: str) -> str:
        """Why ``name`` matched no contest, as a sentence for the public record."""
        shared = self._contest_titles.get(normalise(name), [])
        if len(shared) > 1:
            ids = ", ".join(repr(contest.id) for contest in shared)
            return (
                f"The report names contest {name!r}, but the election definition has "
                f"{len(shared)} contests of that name ({ids}), so only their ids can be matched"
            )
        return f"The report names contest {name!r}, which the election definition does not have"

    def choice_problem(self, contest: Contest, name: str) -> str:
        """Why ``name`` matched no choice of ``contest``, as a sentence for the public record."""
        shared = self._choice_names[contest.id].get(normalise(name), [])
        if len(shared) > 1:
            ids = ", ".join(repr(choice.id) for choice in shared)
            return (
                f"The report names choice {name!r} in {contest.title}, but the election "
                f"definition has {len(shared)} choices of that name there ({ids}), so only "
                "their ids can be matched"
            )
        return (
            f"The report names choice {name!r} in {contest.title}, which the election "
            "definition does not have"
        )

    def style_problem(self, name: str) -> str:
        return (
            f"The report names ballot style {name!r}, which the election definition does not have"
        )


def _write_in(contest: Contest, number: str | None) -> Choice | None:
    """The write-in position; with several, "Write-in 2" is the second and plain "Write-in" none."""
    positions = [choice for choice in contest.choices if choice.write_in]
    if len(positions) == 1 and number in (None, "1"):
        return positions[0]
    if number is not None and len(number) <= 6 and 1 <= int(number) <= len(positions):
        return positions[int(number) - 1]
    return None


def _option(contest: Contest, words: frozenset[str]) -> Choice | None:
    """The one option of a yes/no contest named or identified by one of ``words``.

    VotingWorks gives options ids such as ``measure-1-yes`` and labels such as
    "YES"; other definitions use "For"/"Against". An option counts when its
    name, its id, or the first word of its name or last part of its id is one
    of the words, and only if exactly one option does.
    """
    found = []
    for choice in contest.choices:
        name = normalise(choice.name)
        first = name.split(" ", 1)[0] if name else ""
        last = re.split(r"[-_\s.:]+", choice.id.casefold())[-1]
        if name in words or choice.id.casefold() in words or first in words or last in words:
            found.append(choice)
    return found[0] if len(found) == 1 else None
