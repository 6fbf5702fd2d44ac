"""What every reader of a tabulator's report builds, whatever the file's form.

The totals CSV, the NIST results JSON and the cast vote records must end in
the same :class:`TabulatorReport`, with contests and choices in definition
order and unknown names collected the same way, so the comparison and the
public record cannot tell which form a county handed over. The pieces live
here, not in :mod:`votetrail.formats.lat.results`, so the per-format readers
can use them without importing the module that dispatches to them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from votetrail.core.lat.definition import ElectionDefinition
from votetrail.core.lat.ranked_compare import ReportedRankings
from votetrail.core.lat.report_identity import SelfDescription
from votetrail.core.lat.totals import ContestTotals, Totals

FIGURES = ("ballots", "overvotes", "undervotes")
"""``choice`` values of a totals CSV that give the contest's figures, not a choice's votes."""
WHOLE = re.compile(r"^\+?[0-9]{1,15}$")
"""A whole number as a report writes it; a sign other than ``+`` is refused by the readers.

ASCII digits, at most 15 of them: no deck comes near, and a longer figure would
otherwise reach ``int()``, which refuses more than 4,300 digits with a crash."""


@dataclass(frozen=True)
class TabulatorReport:
    path: Path
    format: str
    overall: Totals
    by_style: dict[str, Totals] | None
    """Ballot style id to its totals, when the report gives totals style by style."""
    cards: int | None
    """The number of cards counted, when the report says (a CVR export does)."""
    unmatched: tuple[str, ...]
    """Sentences naming contests, choices and styles of the report the definition lacks."""
    about: SelfDescription = field(default_factory=SelfDescription)
    """What the report says about itself: device, precincts, election (what its format carries)."""
    rankings: ReportedRankings | None = None
    """Ranked contests' rankings by card, in the definition's ids; ``None`` for a report
    of totals only, from which no round can be checked."""


class Unmatched:
    """Sentences in the order first met, each once however often the report repeats the name."""

    def __init__(self) -> None:
        self._sentences: dict[str, None] = {}

    def add(self, sentence: str) -> None:
        self._sentences.setdefault(sentence, None)

    def __call__(self) -> tuple[str, ...]:
        return tuple(self._sentences)


@dataclass
class ContestSum:
    """One contest's figures as the report's rows or counts add up."""

    votes: dict[str, int] = field(default_factory=dict)
    figures: dict[str, int | None] = field(default_factory=dict)


def ordered_totals(sums: Mapping[str, ContestSum], definition: ElectionDefinition) -> Totals:
    """Definition order for contests and choices, whatever order the report used."""
    totals: Totals = {}
    for contest in definition.contests:
        found = sums.get(contest.id)
        if found is None:
            continue
        votes = {c.id: found.votes[c.id] for c in contest.choices if c.id in found.votes}
        totals[contest.id] = ContestTotals(
            contest.id,
            votes,
            found.figures.get("ballots"),
            found.figures.get("overvotes"),
            found.figures.get("undervotes"),
        )
    return totals


def add_up(parts: Iterable[Totals], definition: ElectionDefinition) -> Totals:
    """Overall totals from style totals; a figure missing for any style is missing overall."""
    sums: dict[str, ContestSum] = {}
    for totals in parts:
        for contest_id, part in totals.items():
            first = contest_id not in sums
            total = sums.setdefault(contest_id, ContestSum())
            for choice, votes in part.votes.items():
                total.votes[choice] = total.votes.get(choice, 0) + votes
            for name in FIGURES:
                value = getattr(part, name)
                if first:
                    total.figures[name] = value
                else:
                    before = total.figures.get(name)
                    total.figures[name] = (
                        None if before is None or value is None else before + value
                    )
    return ordered_totals(sums, definition)
