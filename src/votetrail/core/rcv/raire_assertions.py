"""RAIRE's two kinds of assertion, each with its SHANGRLA assorter.

Kept apart from the search (:mod:`votetrail.core.rcv.raire`) so the audit code
and the trimming step can read assertions without the search. Every assertion
is a claim "the mean of this assorter over the N cards is above 1/2", with
upper bound 1 and values 0, 1/2 and 1, so an overstatement is a whole number
of votes from -2 to +2 and the comparison module's overstatement assorter
applies unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from votetrail.core.audit.types import DilutedMargin


class Kind(StrEnum):
    """The two kinds of RAIRE assertion."""

    NEB = "NEB"
    NEN = "NEN"


class Effect(StrEnum):
    """What an assertion says about the elimination orders ending in a suffix."""

    RULED_OUT = "ruled_out"
    ALLOWED = "allowed"
    UNDECIDED = "undecided"


def _first_of(prefs: Sequence[str], among: frozenset[str]) -> str | None:
    for name in prefs:
        if name in among:
            return name
    return None


@dataclass(frozen=True)
class IrvAssertion:
    """One RAIRE assertion with its SHANGRLA assorter and reported tallies.

    ``continuing`` is S for an NEN and empty for an NEB. ``winner_tally`` is
    the winner's smallest possible tally (first preferences for an NEB, its
    tally with S continuing for an NEN); ``loser_tally`` the loser's largest.
    ``ballots`` is N, the cards in the population the sample is drawn from.
    """

    contest_id: str
    kind: Kind
    winner: str
    loser: str
    continuing: frozenset[str]
    winner_tally: int
    loser_tally: int
    ballots: int
    difficulty: float
    upper: float = 1.0

    @property
    def id(self) -> str:
        """A stable name, e.g. ``da:NEB 15>16`` or ``da:NEN 17>16 if {16,17}``."""
        if self.kind is Kind.NEB:
            return f"{self.contest_id}:NEB {self.winner}>{self.loser}"
        inside = ",".join(sorted(self.continuing))
        return f"{self.contest_id}:NEN {self.winner}>{self.loser} if {{{inside}}}"

    @property
    def margin_votes(self) -> int:
        """Winner's tally minus loser's, in ballots."""
        return self.winner_tally - self.loser_tally

    @property
    def reported_mean(self) -> float:
        """The assorter's mean over the N reported ballots: 1/2 + margin / 2N."""
        return float(Fraction(1, 2) + Fraction(self.margin_votes, 2 * self.ballots))

    @property
    def margin(self) -> DilutedMargin:
        """SHANGRLA's assorter margin 2·mean − 1, the diluted margin in votes / N."""
        return DilutedMargin(self.margin_votes / self.ballots)

    def assort(self, prefs: Sequence[str]) -> float:
        """The assorter value of a ballot's preference list (SHANGRLA's IRV assorters).

        NEB: 1 if the winner is the first preference, 0 if the loser is ranked
        and the winner is not ranked above it, 1/2 otherwise. NEN: 1 if the
        ballot counts for the winner when S remain, 0 if for the loser, 1/2
        otherwise. A blank or exhausted ballot assorts to 1/2.
        """
        if self.kind is Kind.NEB:
            if prefs and prefs[0] == self.winner:
                return 1.0
            top = _first_of(prefs, frozenset((self.winner, self.loser)))
            return 0.0 if top == self.loser else 0.5
        top = _first_of(prefs, self.continuing)
        if top == self.winner:
            return 1.0
        return 0.0 if top == self.loser else 0.5

    def overstatement(self, cvr: Sequence[str] | None, paper: Sequence[str] | None) -> int:
        """How far the CVR overstates the assertion on one card, in votes, -2 to +2.

        2 × (assort(CVR) − assort(paper)): the unit of the comparison module's
        overstatement assorter (u = 1). A phantom CVR or a card not found (None)
        counts as +2, the worst case, as for plurality pairs.
        """
        if cvr is None or paper is None:
            return 2
        return round(2 * (self.assort(cvr) - self.assort(paper)))

    def effect(self, suffix: Sequence[str]) -> Effect:
        """Whether the assertion rules out elimination orders ending in ``suffix`` (winner last)."""
        if self.kind is Kind.NEB:
            for name in reversed(suffix):
                if name == self.winner:
                    return Effect.ALLOWED
                if name == self.loser:
                    return Effect.RULED_OUT
            return Effect.UNDECIDED
        tail = suffix[-len(self.continuing) :]
        if any(name not in self.continuing for name in tail):
            return Effect.ALLOWED
        if len(suffix) >= len(self.continuing):
            return Effect.RULED_OUT if tail[0] == self.winner else Effect.ALLOWED
        return Effect.ALLOWED if self.winner in tail else Effect.UNDECIDED

    def explain(self) -> str:
        """One sentence for people."""
        if self.kind is Kind.NEB:
            return (
                f"{self.winner} can never be eliminated before {self.loser}: "
                f"{self.winner_tally} first preferences against at most {self.loser_tally}"
            )
        return (
            f"with only {', '.join(sorted(self.continuing))} left, {self.winner} has "
            f"{self.winner_tally} votes and {self.loser} {self.loser_tally}"
        )
