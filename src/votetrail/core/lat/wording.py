"""The words a comparison's findings are put in, shared by every way a failure is explained.

A discrepancy is read aloud at the public test, so its record is a sentence
first and ids second. The search for missing ballots and the contest-by-contest
comparison must phrase places, names and counts alike, or an observer hearing
both would think they describe different faults; they share these pieces here
so neither module has to import the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from votetrail.core.lat.definition import ElectionDefinition
from votetrail.core.lat.totals import ContestTotals

DiscrepancyKind = Literal[
    "swap",
    "shift",
    "moved_vote",
    "missing_ballot",
    "extra_ballot",
    "votes",
    "ballots",
    "overvotes",
    "undervotes",
    "missing_contest",
    "unexpected_contest",
    "unexpected_choice",
    "no_baseline",
    "baseline_failed",
    "seal",
    "wrong_device",
    "wrong_precinct",
    "wrong_election",
    "rounds",
    "ranked_report",
]
"""``no_baseline``, ``baseline_failed`` and ``seal`` are the post-election session's own
findings (``services.lat.sessions``); the ``wrong_`` kinds say a report is not of the device,
precinct or election under test (``core.lat.report_identity``, ``core.lat.precinct_mixup``);
``rounds`` and ``ranked_report`` are a ranked contest's (``core.lat.ranked_compare``)."""


@dataclass(frozen=True, slots=True)
class Discrepancy:
    kind: DiscrepancyKind
    sentence: str
    """Plain words for the public record, e.g. "Smith and Jones swapped on style 3 (Mayor)"."""
    contest: str | None = None
    choices: tuple[str, ...] = ()
    ballot_style: str | None = None
    ballots: tuple[int, ...] = ()
    """Deck ballot numbers a missing or extra ballot is identified with (the one named first)."""


Key = tuple[str, str, str]
"""One compared figure: (contest, "votes" or a figure's name, choice id or "")."""


@dataclass(frozen=True, slots=True)
class Where:
    """What every sentence of one comparison shares: names, the style, the baseline."""

    definition: ElectionDefinition
    ballot_style: str | None
    baseline: str

    @property
    def on_style(self) -> str:
        return f" on style {self.ballot_style}" if self.ballot_style else ""

    def title(self, contest_id: str) -> str:
        try:
            return self.definition.contest(contest_id).title or contest_id
        except KeyError:
            return contest_id

    def choices(self, contest_id: str, expected: ContestTotals | None) -> dict[str, str]:
        """Choice id to name, in definition order; a contest the definition lacks keeps its ids."""
        try:
            contest = self.definition.contest(contest_id)
        except KeyError:
            return {choice: choice for choice in (expected.votes if expected else {})}
        return {choice.id: choice.name or choice.id for choice in contest.choices}


def plural(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
