"""Ballot-level comparison audits: Kaplan–Markov super-simple and ALPHA overstatement tests.

A comparison audit pulls randomly chosen ballot cards and compares what the
audit board reads on the paper with the voting system's cast vote record (CVR)
of the same card. Each difference is an *overstatement* of a winner–loser
margin, in votes: +2 when the CVR gave the winner a vote the paper gives the
loser, +1 for half of that, -1 and -2 when the CVR was unfair to the winner.

Two tests of "the reported winner really won" read the same discrepancies:

* Stark's Kaplan–Markov P-value for super-simple audits (Stark 2010, Lindeman &
  Stark 2012), with error inflation factor gamma; it needs only the counts of
  each kind of discrepancy. Sample sizes and P-values agree with McBurnett's
  ``rlacalc``, the calculator behind ColoradoRLA's numbers.
* ALPHA (Stark 2023) run on SHANGRLA's overstatement assorter (Stark 2020),
  which also uses the order of the draws and sampling without replacement.

Each winner–loser pair is its own assertion, with its own diluted margin
(margin in votes / cards in the sample frame); a contest is confirmed when all
its pairs are, so its risk is the largest pair P-value.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from votetrail.core.audit.alpha import alpha_p_value_coded
from votetrail.core.audit.types import DilutedMargin, RiskLimit, check_count
from votetrail.errors import InvalidInput

GAMMA = 1.03905
"""The error inflation factor of Stark's audit tools, the Gentle Introduction and ColoradoRLA."""


def _gamma(gamma: float) -> float:
    if not gamma > 1.0 or math.isinf(gamma):
        raise InvalidInput("must be a number above 1, e.g. 1.03905", where=f"gamma {gamma}")
    return gamma


_COUNT_NAMES = (
    "one-vote overstatements o1",
    "two-vote overstatements o2",
    "one-vote understatements u1",
    "two-vote understatements u2",
)


def _counts(o1: int, o2: int, u1: int, u2: int) -> int:
    values = (o1, o2, u1, u2)
    return sum(check_count(name, value) for name, value in zip(_COUNT_NAMES, values, strict=True))


def kaplan_markov_p_value(
    n: int,
    diluted_margin: float,
    *,
    o1: int = 0,
    o2: int = 0,
    u1: int = 0,
    u2: int = 0,
    gamma: float = GAMMA,
) -> float:
    """The super-simple audit's P-value after n cards with the given discrepancy counts.

    (1 - 1/U)^n / ((1 - 1/2γ)^o1 (1 - 1/γ)^o2 (1 + 1/2γ)^u1 (1 + 1/γ)^u2),
    U = 2γ/μ. Equal to rlacalc's ``KM_P_value`` except that it is capped at 1
    (a P-value is a probability; rlacalc returns the raw product). Worked in
    logarithms so that many two-vote overstatements give 1, not an overflow.
    """
    margin = DilutedMargin(diluted_margin).value
    g = _gamma(gamma)
    check_count("sample size n", n)
    if _counts(o1, o2, u1, u2) > n:
        raise InvalidInput(
            f"{o1 + o2 + u1 + u2} discrepancies among only {n} cards", where="discrepancy counts"
        )
    log_p = (
        n * math.log(1.0 - margin / (2.0 * g))
        - o1 * math.log(1.0 - 1.0 / (2.0 * g))
        - o2 * math.log(1.0 - 1.0 / g)
        - u1 * math.log(1.0 + 1.0 / (2.0 * g))
        - u2 * math.log(1.0 + 1.0 / g)
    )
    return 1.0 if log_p >= 0.0 else math.exp(log_p)


def sample_size(
    diluted_margin: float,
    risk_limit: float,
    *,
    o1: int = 0,
    o2: int = 0,
    u1: int = 0,
    u2: int = 0,
    gamma: float = GAMMA,
) -> int:
    """Cards to audit so that, if these discrepancies turn up, the P-value is at most the limit.

    Stark's super-simple rule n = -2γ (ln α + o1 ln(1 - 1/2γ) + o2 ln(1 - 1/γ)
    + u1 ln(1 + 1/2γ) + u2 ln(1 + 1/γ)) / μ, rounded up. It replaces
    ln(1 - μ/2γ) by -μ/2γ, which only errs towards more cards. As in rlacalc's
    ``nmin`` the sample is never smaller than the discrepancies it contains;
    rlacalc counts those as o1 + o2 + u1 + u1, a slip we do not copy.
    """
    alpha = RiskLimit(risk_limit).value
    margin = DilutedMargin(diluted_margin).value
    g = _gamma(gamma)
    found = _counts(o1, o2, u1, u2)
    needed = math.ceil(
        -2.0
        * g
        * (
            math.log(alpha)
            + o1 * math.log(1.0 - 1.0 / (2.0 * g))
            + o2 * math.log(1.0 - 1.0 / g)
            + u1 * math.log(1.0 + 1.0 / (2.0 * g))
            + u2 * math.log(1.0 + 1.0 / g)
        )
        / margin
    )
    return max(found, needed)


def expected_sample_size(
    diluted_margin: float,
    risk_limit: float,
    *,
    o1_rate: float = 0.001,
    o2_rate: float = 0.0001,
    u1_rate: float = 0.001,
    u2_rate: float = 0.0001,
    gamma: float = GAMMA,
    round_up_1: bool = True,
    round_up_2: bool = False,
) -> int:
    """Initial sample size if discrepancies turn up at the given rates (Colorado, Arlo).

    Start from the expected-value solution, then repeatedly turn the rates into
    whole counts for the current size (one-vote counts rounded up, two-vote
    counts rounded to nearest, by default) and apply :func:`sample_size`, until
    the size stops changing: rlacalc's ``KM_Expected_sample_size_rounded``
    to the card. Where rlacalc gives up (NaN after ten rounds) we go on; if the
    rounding makes the size alternate, the largest size of the cycle is
    returned. Rates the margin cannot absorb are refused.
    """
    alpha = RiskLimit(risk_limit).value
    margin = DilutedMargin(diluted_margin).value
    g = _gamma(gamma)
    rates = {"o1 rate": o1_rate, "o2 rate": o2_rate, "u1 rate": u1_rate, "u2 rate": u2_rate}
    for name, rate in rates.items():
        if not 0.0 <= rate < 1.0:
            raise InvalidInput("must be a fraction of cards from 0 up to 1", where=f"{name} {rate}")
    drift = (
        o1_rate * math.log(1.0 - 1.0 / (2.0 * g))
        + o2_rate * math.log(1.0 - 1.0 / g)
        + u1_rate * math.log(1.0 + 1.0 / (2.0 * g))
        + u2_rate * math.log(1.0 + 1.0 / g)
    )
    if margin + 2.0 * g * drift <= 0.0:
        raise InvalidInput(
            "at these discrepancy rates the audit is not expected to stop short of a full hand "
            "count",
            where=f"rates {rates} for diluted margin {margin}",
        )
    n = math.ceil(math.log(alpha) / (math.log(1.0 - margin / (2.0 * g)) - drift))
    seen: list[int] = []
    while n not in seen:
        seen.append(n)
        n = sample_size(
            margin,
            alpha,
            o1=_whole(o1_rate * n, round_up_1),
            o2=_whole(o2_rate * n, round_up_2),
            u1=_whole(u1_rate * n, round_up_1),
            u2=_whole(u2_rate * n, round_up_2),
            gamma=g,
        )
    return max(seen[seen.index(n) :])


def _whole(expected: float, up: bool) -> int:
    # round() is Python's round-half-to-even, as in rlacalc.
    return math.ceil(expected) if up else round(expected)


def super_simple_rho(risk_limit: float, *, tolerance: float, gamma: float = GAMMA) -> float:
    """Stark's ρ: audit ρ/μ cards; stop if one-vote overstatements <= λμn and none two-vote.

    ρ = -ln α / (1/2γ + λ ln(1 - 1/2γ)), with λ = ``tolerance``, the share of
    the diluted margin that one-vote overstatements in the sample may use up.
    """
    alpha = RiskLimit(risk_limit).value
    g = _gamma(gamma)
    rate = 1.0 / (2.0 * g) + tolerance * math.log(1.0 - 1.0 / (2.0 * g))
    if not tolerance >= 0.0 or not rate > 0.0:
        raise InvalidInput("leaves no evidence per card", where=f"tolerance {tolerance}")
    return -math.log(alpha) / rate


@dataclass(frozen=True, slots=True)
class CardVotes:
    """What one record, the CVR or the audit board's reading, shows for one contest on one card.

    ``votes`` names the candidates given a valid vote (an overvote gives none).
    ``has_contest`` is False when the card does not carry the contest;
    ``absent`` marks a phantom CVR or a paper card that could not be found.
    """

    votes: frozenset[str] = frozenset()
    has_contest: bool = True
    absent: bool = False

    def __post_init__(self) -> None:
        if self.votes and (self.absent or not self.has_contest):
            raise InvalidInput("a card without the contest cannot show votes", where=f"{self}")


ABSENT = CardVotes(has_contest=False, absent=True)
NO_CONTEST = CardVotes(has_contest=False)


def votes_for(*candidates: str) -> CardVotes:
    """A record of the contest with votes for these candidates (none: an undervote)."""
    return CardVotes(frozenset(candidates))


def pair_overstatement(
    cvr: CardVotes, paper: CardVotes, *, winner: str, loser: str, card_style: bool
) -> int:
    """The card's overstatement of the winner's lead over the loser, in votes, -2 to +2.

    A phantom CVR or missing paper counts as +2, the worst case. With
    ``card_style`` the sample was drawn only from cards whose CVR shows the
    contest: a card whose paper lacks it is scored as a vote for the loser
    (SHANGRLA's rule, since the link between CVR and card is then in doubt),
    and a card whose CVR lacks it does not belong in the sample. Without card
    style a card without the contest is a card with no vote in it.
    """
    if winner == loser:
        raise InvalidInput("winner and loser must differ", where=f"pair {winner!r}")
    if cvr.absent or paper.absent:
        return 2
    if not cvr.has_contest and card_style:
        raise InvalidInput(
            "its CVR does not show the contest, so it is not in the contest's sample frame",
            where="card",
        )
    reported = _net(cvr, winner, loser)
    if paper.has_contest:
        return reported - _net(paper, winner, loser)
    return reported + 1 if card_style else reported


def _net(record: CardVotes, winner: str, loser: str) -> int:
    return (winner in record.votes) - (loser in record.votes)


@dataclass(frozen=True, slots=True)
class DiscrepancyCounts:
    """How many cards overstated or understated the margin by one and by two votes."""

    o1: int = 0
    o2: int = 0
    u1: int = 0
    u2: int = 0


def count_discrepancies(overstatements: Iterable[int]) -> DiscrepancyCounts:
    """Tally per-card overstatements into the counts the Kaplan–Markov P-value takes."""
    tally = {-2: 0, -1: 0, 0: 0, 1: 0, 2: 0}
    for value in overstatements:
        if value not in tally:
            raise InvalidInput("must be -2, -1, 0, 1 or 2 votes", where=f"overstatement {value!r}")
        tally[value] += 1
    return DiscrepancyCounts(o1=tally[1], o2=tally[2], u1=tally[-1], u2=tally[-2])


@dataclass(frozen=True, slots=True)
class SampleFrame:
    """The cards a comparison sample is drawn from, and a pair's margin in votes."""

    cards: int
    margin_votes: int

    @property
    def diluted_margin(self) -> float:
        """The margin spread over every card that could be drawn."""
        return self.margin_votes / self.cards


def sample_frame(
    winner_votes: int,
    loser_votes: int,
    *,
    contest_cards: int,
    universe_cards: int,
    card_style: bool,
) -> SampleFrame:
    """Where the sample is drawn, and so how thin the margin is spread.

    With card-style data (which cards carry the contest is known) the sample
    comes from the contest's own cards, phantoms included; otherwise from the
    whole universe of cards, which dilutes the margin and grows the sample.
    """
    for name, value in (
        ("winner votes", winner_votes),
        ("loser votes", loser_votes),
        ("contest cards", contest_cards),
        ("universe cards", universe_cards),
    ):
        check_count(name, value)
    if winner_votes <= loser_votes:
        raise InvalidInput(
            "the reported winner must lead the loser (a tie cannot be audited by sampling)",
            where=f"margin {winner_votes} - {loser_votes}",
        )
    if not winner_votes <= contest_cards <= universe_cards:
        raise InvalidInput(
            "needs winner votes <= contest cards <= universe cards",
            where=f"cards {winner_votes}, {contest_cards}, {universe_cards}",
        )
    cards = contest_cards if card_style else universe_cards
    return SampleFrame(cards=cards, margin_votes=winner_votes - loser_votes)


def overstatement_assorter(overstatement: int, diluted_margin: float) -> float:
    """SHANGRLA's B = (1 - ω/u) / (2 - v/u) for a plurality pair (u = 1, ω = overstatement/2).

    Its mean over all cards is above 1/2 exactly when the reported winner
    really leads, so a test of "mean <= 1/2" is a test of a wrong outcome.
    """
    if overstatement not in (-2, -1, 0, 1, 2):
        raise InvalidInput(
            "must be -2, -1, 0, 1 or 2 votes", where=f"overstatement {overstatement!r}"
        )
    return (1.0 - overstatement / 2.0) / (2.0 - diluted_margin)


def alpha_comparison_p_value(
    overstatements: Sequence[int],
    diluted_margin: float,
    *,
    cards: int | None,
    eta0: float | None = None,
    d: int = 1000,
) -> float:
    """ALPHA's P-value for one pair from per-card overstatements, in draw order.

    ``cards`` is the sample frame's size when drawing without replacement, or
    None with replacement. ``eta0`` is ALPHA's first guess of the assorter
    mean; by default it is set so that the first bet matches the super-simple
    audit's Kaplan–Markov factors with gamma 1.03905. Shrinkage then learns
    from the discrepancies found, with prior weight ``d``. The default is ten
    times ALPHA's polling default: error-free cards sit just above 1/2, and
    shrinking towards them that fast cuts the bet so much that a 1% margin
    needed some 16 times the super-simple sample in our simulations; with 1000
    a clean audit needs at most about 30% more cards than super-simple, and
    fewer when discrepancies are common.
    """
    margin = DilutedMargin(diluted_margin).value
    if cards is not None and check_count("cards in the sample frame", cards) < len(overstatements):
        raise InvalidInput(
            f"{len(overstatements)} draws without replacement from {cards} cards",
            where="comparison sample",
        )
    import pyarrow as pa

    codes = []
    for value in overstatements:
        if value not in (-2, -1, 0, 1, 2):
            overstatement_assorter(value, margin)  # refuses it with the usual message
        codes.append(int(value) + 2)
    values = [overstatement_assorter(value, margin) for value in (-2, -1, 0, 1, 2)]
    return alpha_coded_p_value(
        pa.array(codes, pa.int32()), values, margin, cards=cards, eta0=eta0, d=d
    )


def alpha_coded_p_value(
    codes: Any,
    values: Sequence[float],
    diluted_margin: float,
    *,
    cards: int | None,
    eta0: float | None = None,
    d: int = 1000,
) -> float:
    """:func:`alpha_comparison_p_value` of a sample column: card j has assorter values[codes[j]].

    The columnar form a state audit measures in (see ``columns``); same
    defaults and checks as the per-card call.
    """
    margin = DilutedMargin(diluted_margin).value
    if cards is not None and check_count("cards in the sample frame", cards) < len(codes):
        raise InvalidInput(
            f"{len(codes)} draws without replacement from {cards} cards",
            where="comparison sample",
        )
    upper = 2.0 / (2.0 - margin)
    guess = 0.5 + (upper - 0.5) / GAMMA if eta0 is None else eta0
    return alpha_p_value_coded(codes, values, N=cards, mu=0.5, upper=upper, eta0=guess, d=d)
