"""Contests and SHANGRLA assertions: one sample can audit many contests.

SHANGRLA (Stark 2020, "Sets of Half-Average Nulls Generate Risk-Limiting
Audits", sections 2-3) turns "the reported winners really won" into a few
*assertions*, each saying that the mean of an *assorter* over every ballot in
the audited population is above 1/2. An assorter maps one ballot to a number in
[0, u]; a ballot that does not contain the contest, or that is overvoted in it,
assorts to exactly 1/2 and so is evidence for neither side. Because every
ballot assorts for every assertion, one random sample of ballots measures all
of them at once.

* Plurality, vote-for-n and approval: one assertion per (winner, loser) pair,
  A(b) = (1[b votes for w] - 1[b votes for l] + 1) / 2, u = 1; its mean is
  1/2 + (v_w - v_l) / 2N.
* Supermajority (winner needs more than a fraction f >= 1/2 of valid votes):
  A(b) = 1/(2f) for a valid vote for w, 0 for a valid vote for anyone else,
  1/2 otherwise, u = 1/(2f); its mean is above 1/2 exactly when v_w > f V.

An assertion's margin is 2 * mean - 1 (SHANGRLA's assorter margin); for a
pair it is the diluted margin (v_w - v_l) / N. N is the number of ballots in
the population the sample is drawn from, so one N serves every contest audited
with the same sample.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType

from votetrail.core.audit.types import DilutedMargin, check_count
from votetrail.errors import InvalidInput

BallotVotes = Mapping[str, Set[str]]
"""What one ballot shows: contest id -> the choice ids marked in that contest."""


class ContestKind(StrEnum):
    """The social choice function that decides a contest's winners."""

    PLURALITY = "plurality"
    VOTE_FOR_N = "vote_for_n"
    SUPERMAJORITY = "supermajority"
    APPROVAL = "approval"


@dataclass(frozen=True)
class Contest:
    """A contest as reported: votes per choice, seats, and the audited population.

    ``votes`` lists the reported votes for every choice (its order is the
    ballot order); ``ballots`` is N, the ballots in the population the audit
    samples from, used for dilution. ``fraction`` is the share of valid votes a
    supermajority winner must exceed (e.g. 2/3). ``reported_winners``, when
    given, must agree with the winners the votes imply.
    """

    id: str
    votes: Mapping[str, int] = field(hash=False)
    ballots: int
    vote_for: int = 1
    kind: ContestKind = ContestKind.PLURALITY
    fraction: Fraction | float | None = None
    reported_winners: tuple[str, ...] | None = None
    winners: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        where = f"contest {self.id!r}"
        if not self.id:
            raise InvalidInput("a contest needs an id", where="contest")
        counts = {
            choice: check_count(f"{where} votes for {choice!r}", votes)
            for choice, votes in self.votes.items()
        }
        object.__setattr__(self, "votes", MappingProxyType(counts))
        if check_count(f"{where} ballots", self.ballots) < 1:
            raise InvalidInput("must be at least 1", where=f"{where} ballots 0")
        check_count(f"{where} vote_for", self.vote_for)
        if not 1 <= self.vote_for < len(counts):
            raise InvalidInput(
                f"must be at least 1 and fewer than the {len(counts)} choices",
                where=f"{where} vote_for {self.vote_for}",
            )
        self._check_kind(where)
        self._check_totals(where)
        winners = self._derive_winners(where)
        object.__setattr__(self, "winners", winners)
        if self.reported_winners is not None and set(self.reported_winners) != set(winners):
            raise InvalidInput(
                f"reported winners {sorted(self.reported_winners)} do not match "
                f"the winners by the reported votes {sorted(winners)}",
                where=where,
            )

    def _check_kind(self, where: str) -> None:
        if self.kind is ContestKind.PLURALITY and self.vote_for != 1:
            raise InvalidInput("a plurality contest has vote_for 1; use vote_for_n", where=where)
        if self.kind is not ContestKind.SUPERMAJORITY:
            if self.fraction is not None:
                raise InvalidInput("only a supermajority contest has a fraction", where=where)
            return
        if self.vote_for != 1:
            raise InvalidInput("a supermajority contest has vote_for 1", where=where)
        share = None if self.fraction is None else Fraction(self.fraction).limit_denominator(10**6)
        if share is None or not Fraction(1, 2) <= share < 1:
            raise InvalidInput(
                "must be at least 1/2 and below 1, e.g. 2/3",
                where=f"{where} supermajority fraction {self.fraction}",
            )
        object.__setattr__(self, "fraction", share)

    def _check_totals(self, where: str) -> None:
        for choice, votes in self.votes.items():
            if votes > self.ballots:
                raise InvalidInput(
                    f"{votes} votes for {choice!r} but only {self.ballots} ballots", where=where
                )
        total = sum(self.votes.values())
        if self.kind is not ContestKind.APPROVAL and total > self.vote_for * self.ballots:
            raise InvalidInput(
                f"{total} votes exceed {self.vote_for} per ballot on {self.ballots} ballots",
                where=where,
            )

    def _derive_winners(self, where: str) -> tuple[str, ...]:
        ranked = sorted(self.votes, key=lambda choice: -self.votes[choice])
        if self.kind is ContestKind.SUPERMAJORITY:
            top, share = ranked[0], Fraction(self.fraction or 0)
            needed = share * sum(self.votes.values())
            if self.votes[top] == needed:
                raise InvalidInput(
                    f"{top!r} has exactly {share} of the valid votes: a tie at the threshold",
                    where=where,
                )
            if self.votes[top] < needed:
                raise InvalidInput(
                    f"no choice has more than {share} of the valid votes; auditing a failed "
                    "supermajority is not supported",
                    where=where,
                )
            return (top,)
        last_in, first_out = ranked[self.vote_for - 1], ranked[self.vote_for]
        if self.votes[last_in] == self.votes[first_out]:
            raise InvalidInput(
                f"{last_in!r} and {first_out!r} tie with {self.votes[last_in]} votes "
                "at the edge of the winners: a zero margin cannot be audited",
                where=where,
            )
        return tuple(ranked[: self.vote_for])

    @property
    def choices(self) -> tuple[str, ...]:
        """Every choice, in the order the votes were given."""
        return tuple(self.votes)

    @property
    def losers(self) -> tuple[str, ...]:
        """The choices that did not win, in ballot order."""
        return tuple(choice for choice in self.votes if choice not in self.winners)


@dataclass(frozen=True)
class Assertion:
    """One half-average null: the assorter's mean over the N ballots is above 1/2.

    ``loser`` is None for a supermajority assertion (the winner against
    everyone else, with the winning ``fraction``). ``reported_mean`` is the
    assorter mean the reported votes imply; ALPHA starts from it as its guess
    of the true mean.
    """

    contest_id: str
    winner: str
    loser: str | None
    upper: float
    reported_mean: float
    ballots: int
    vote_for: int
    approval: bool = False
    fraction: Fraction | None = None

    @property
    def id(self) -> str:
        """A stable name, e.g. ``mayor:alice>bob`` or ``measure-a:yes>2/3``."""
        return f"{self.contest_id}:{self.winner}>{self.loser or self.fraction}"

    @property
    def margin(self) -> DilutedMargin:
        """SHANGRLA's assorter margin 2 * mean - 1 (the diluted margin for a pair)."""
        return DilutedMargin(2 * self.reported_mean - 1)

    def assort(self, ballot: BallotVotes) -> float:
        """The assorter value of one ballot, in [0, upper]."""
        marks = ballot.get(self.contest_id)
        if not marks or (not self.approval and len(marks) > self.vote_for):
            return 0.5  # contest absent, undervoted or overvoted: no valid vote
        if self.loser is None:
            return self.upper if self.winner in marks else 0.0
        return ((self.winner in marks) - (self.loser in marks) + 1) / 2


def assertions(contest: Contest) -> list[Assertion]:
    """The assertions that together imply the contest's reported winners won.

    Each winner against each loser for plurality, vote-for-n and approval; a
    single winner-against-the-rest assertion for a supermajority.
    """
    n = contest.ballots
    if contest.kind is ContestKind.SUPERMAJORITY:
        share = Fraction(contest.fraction or 0)
        winner = contest.winners[0]
        margin = (contest.votes[winner] / share - sum(contest.votes.values())) / n
        mean = Fraction(1, 2) + margin / 2
        return [
            Assertion(
                contest.id, winner, None, float(1 / (2 * share)), float(mean), n, 1, False, share
            )
        ]
    approval = contest.kind is ContestKind.APPROVAL
    return [
        Assertion(
            contest.id,
            winner,
            loser,
            upper=1.0,
            reported_mean=0.5 + (contest.votes[winner] - contest.votes[loser]) / (2 * n),
            ballots=n,
            vote_for=contest.vote_for,
            approval=approval,
        )
        for winner in contest.winners
        for loser in contest.losers
    ]
