"""Ballot-polling audits: BRAVO and ALPHA risk, sample sizes and the round decision.

A ballot-polling audit reads randomly drawn paper ballots and asks whether the
votes on them are convincing evidence that the reported winners won, without
any cast vote records.

* BRAVO (Lindeman, Stark & Yates 2012) is Wald's sequential probability ratio
  test for each reported (winner, loser) pair, drawing with replacement. With
  s_w = v_w / (v_w + v_l) the winner's reported share of the pair, every drawn
  vote for w multiplies T by 2 s_w, every vote for l by 2 (1 - s_w), and the
  risk is min(1, 1/T); it depends only on the counts, which is how audit boards
  report a round. A ballot with votes for both (vote-for-n) multiplies T by
  4 s_w (1 - s_w) <= 1, so counting votes is conservative. A contest's risk is
  its largest pair risk.
* ALPHA (Stark 2023) on SHANGRLA assorters (see ``assertions``) also handles
  sampling without replacement, supermajorities and approval voting, and lets
  one sample audit many contests; its risk is ALPHA's P-value per assertion.

Sample sizes: BRAVO's average sample number (ASN, the paper's equation 5) and
the round size that gives a chosen chance of finishing when the risk is
measured at the end of the round, computed from the exact binomial law of the
winner's votes among the pair's draws.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from votetrail.core.audit.assertions import Assertion, BallotVotes, Contest, ContestKind
from votetrail.core.audit.types import Decision, RiskLimit, check_count
from votetrail.errors import InvalidInput

_LN2 = math.log(2.0)
_SEARCH_LIMIT = 2**40


def _risk_limit(risk_limit: RiskLimit | float) -> float:
    return risk_limit.value if isinstance(risk_limit, RiskLimit) else RiskLimit(risk_limit).value


def _share(winner_share: float) -> float:
    if not 0.5 < winner_share <= 1.0:
        raise InvalidInput(
            "must be above 1/2 and at most 1 (a tie or a reversed pair cannot be audited)",
            where=f"winner share {winner_share}",
        )
    return winner_share


def _log_evidence(share: float, winner_sampled: int, loser_sampled: int) -> float:
    """ln T for the pair; -inf when a loser vote was drawn but the loser had no votes."""
    log_t = winner_sampled * math.log(2.0 * share)
    if loser_sampled:
        log_t = -math.inf if share == 1.0 else log_t + loser_sampled * math.log(2.0 - 2.0 * share)
    return log_t


def bravo_risk(
    winner_votes: int, loser_votes: int, winner_sampled: int, loser_sampled: int
) -> float:
    """BRAVO's risk min(1, 1/T) for one reported winner-loser pair from sample counts.

    Counts of drawn votes may exceed the reported votes (draws are with
    replacement, and the reported counts are what is in doubt); that is
    evidence, not an input error.
    """
    check_count("winner votes", winner_votes)
    check_count("loser votes", loser_votes)
    check_count("winner votes sampled", winner_sampled)
    check_count("loser votes sampled", loser_sampled)
    if winner_votes <= loser_votes:
        raise InvalidInput(
            "the reported winner must have more votes than the loser "
            "(a tie or a reversed pair cannot be audited)",
            where=f"winner votes {winner_votes}, loser votes {loser_votes}",
        )
    share = winner_votes / (winner_votes + loser_votes)
    log_t = _log_evidence(share, winner_sampled, loser_sampled)
    return 1.0 if log_t <= 0 else math.exp(-log_t)


def bravo_asn(
    p_winner: float, p_loser: float, risk_limit: RiskLimit | float, *, current_risk: float = 1.0
) -> float:
    """BRAVO's average sample number, (ln(r/alpha) + z_w/2) / (p_w z_w + p_l z_l).

    ``p_winner`` and ``p_loser`` are the pair's reported votes as fractions of
    all ballots (undervotes and other choices included); z_w = ln(2 s_w), z_l =
    ln(2 - 2 s_w). ``current_risk`` r is the risk already reached (1 before the
    first draw). Wald's approximation, not a whole number: round it up.
    """
    alpha = _risk_limit(risk_limit)
    if not (0 <= p_loser < p_winner and p_winner + p_loser <= 1):
        raise InvalidInput(
            "need 0 <= loser share < winner share and their sum at most 1",
            where=f"vote shares {p_winner}, {p_loser}",
        )
    if not 0 < current_risk <= 1:
        raise InvalidInput("must be above 0 and at most 1", where=f"current risk {current_risk}")
    if current_risk <= alpha:
        return 0.0
    share = p_winner / (p_winner + p_loser)
    z_w = math.log(2 * share)
    z_l = math.log(2 - 2 * share) if p_loser else 0.0
    return (math.log(current_risk / alpha) + z_w / 2) / (p_winner * z_w + p_loser * z_l)


def _binomial_upper_tail(n: int, p: float, k: int) -> float:
    """P(X >= k) for X ~ Binomial(n, p), summing the shorter side from its edge."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    if p >= 1.0:
        return 1.0
    odds = p / (1 - p)
    upper_side = k > (n + 1) * p
    i = k if upper_side else k - 1
    log_pmf = (
        math.lgamma(n + 1)
        - math.lgamma(i + 1)
        - math.lgamma(n - i + 1)
        + i * math.log(p)
        + (n - i) * math.log1p(-p)
    )
    term, total = math.exp(log_pmf), 0.0
    while 0 <= i <= n and term > total * 1e-17:  # terms only shrink away from the mode
        total += term
        if upper_side:
            term *= (n - i) / (i + 1) * odds
            i += 1
        else:
            term *= i / (n - i + 1) / odds
            i -= 1
    return min(1.0, total) if upper_side else max(0.0, 1.0 - total)


def bravo_finish_probability(
    winner_share: float,
    risk_limit: RiskLimit | float,
    draws: int,
    *,
    winner_sampled: int = 0,
    loser_sampled: int = 0,
) -> float:
    """Chance that BRAVO reaches the risk limit after ``draws`` more votes for the pair.

    Exact under the reported share: the winner's votes among the draws are
    Binomial(draws, s_w), and the audit finishes when the cumulative T (earlier
    rounds' counts included) reaches 1/alpha at the end of the round.
    """
    share, alpha = _share(winner_share), _risk_limit(risk_limit)
    check_count("draws", draws)
    needed = math.log(1 / alpha) - _log_evidence(
        share,
        check_count("winner votes sampled", winner_sampled),
        check_count("loser votes sampled", loser_sampled),
    )
    if needed <= 0:
        return 1.0
    if needed == math.inf:
        return 0.0
    if share == 1.0:
        return 1.0 if draws * _LN2 >= needed * (1 - 1e-12) else 0.0
    up, down = math.log(2 * share), math.log(2 - 2 * share)
    k_min = math.ceil((needed - draws * down) / (up - down) - 1e-9)
    return _binomial_upper_tail(draws, share, k_min)


def bravo_sample_size(
    winner_share: float,
    risk_limit: RiskLimit | float,
    *,
    quantile: float = 0.9,
    pair_fraction: float = 1.0,
    winner_sampled: int = 0,
    loser_sampled: int = 0,
    cap: int | None = None,
) -> int:
    """Ballots to draw so BRAVO finishes in this round with chance ``quantile``.

    Finds, by bisection, a number of pair draws n at which the exact chance of
    finishing is at least ``quantile`` while n - 1 draws fall short, then
    divides by ``pair_fraction`` (the share of ballots with a vote for the
    winner or the loser) as Arlo does. 0 when the risk limit is already met;
    ``cap`` (e.g. the ballots cast) when more would be needed.
    """
    if not 0 < quantile < 1:
        raise InvalidInput("must be between 0 and 1, e.g. 0.9", where=f"quantile {quantile}")
    if not 0 < pair_fraction <= 1:
        raise InvalidInput("must be above 0 and at most 1", where=f"pair fraction {pair_fraction}")
    limit = _SEARCH_LIMIT if cap is None else check_count("sample size cap", cap)
    pair_limit = limit * pair_fraction

    def chance(n: int) -> float:
        return bravo_finish_probability(
            winner_share, risk_limit, n, winner_sampled=winner_sampled, loser_sampled=loser_sampled
        )

    if chance(0) >= quantile:
        return 0
    low, high = 0, 1
    while chance(high) < quantile:
        if high > pair_limit:
            if cap is None:
                raise InvalidInput("the margin is too small for a ballot-polling audit", "BRAVO")
            return cap
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if chance(middle) >= quantile else (middle, high)
    return min(math.ceil(high / pair_fraction), limit)


def _pairs(contest: Contest) -> list[tuple[str, str]]:
    if contest.kind is ContestKind.SUPERMAJORITY:
        raise InvalidInput(
            "BRAVO here audits winner-loser pairs; measure a supermajority with ALPHA",
            where=f"contest {contest.id!r}",
        )
    return [(winner, loser) for winner in contest.winners for loser in contest.losers]


def _sampled(contest: Contest, sampled: Mapping[str, int]) -> dict[str, int]:
    unknown = sorted(set(sampled) - set(contest.choices))
    if unknown:
        raise InvalidInput(
            f"sampled votes for unknown choices {unknown}", f"contest {contest.id!r}"
        )
    where = f"contest {contest.id!r} sampled votes for"
    return {c: check_count(f"{where} {c!r}", sampled.get(c, 0)) for c in contest.choices}


def bravo_contest_risks(contest: Contest, sampled: Mapping[str, int]) -> dict[str, float]:
    """BRAVO risk of every (winner, loser) pair, keyed like ``Assertion.id``."""
    counts, votes = _sampled(contest, sampled), contest.votes
    return {
        f"{contest.id}:{win}>{lose}": bravo_risk(votes[win], votes[lose], counts[win], counts[lose])
        for win, lose in _pairs(contest)
    }


def bravo_contest_sample_size(
    contest: Contest,
    risk_limit: RiskLimit | float,
    *,
    quantile: float = 0.9,
    sampled: Mapping[str, int] | None = None,
) -> int:
    """The next round's size: the largest pair size, capped at the contest's ballots.

    A pair's share of ballots is taken as (v_w + v_l) / N, at most 1; with
    vote-for-n ballots that mark both, this slightly overstates it.
    """
    counts = _sampled(contest, sampled or {})
    sizes = [0]
    for win, lose in _pairs(contest):
        v_w, v_l = contest.votes[win], contest.votes[lose]
        sizes.append(
            bravo_sample_size(
                v_w / (v_w + v_l),
                risk_limit,
                quantile=quantile,
                pair_fraction=min(1.0, (v_w + v_l) / contest.ballots),
                winner_sampled=counts[win],
                loser_sampled=counts[lose],
                cap=contest.ballots,
            )
        )
    return max(sizes)


def alpha_polling_risk(
    assertions: Sequence[Assertion],
    sample: Sequence[BallotVotes],
    *,
    replacement: bool = False,
    d: int = 100,
) -> dict[str, float]:
    """ALPHA's risk for each assertion from one sample of ballots, in draw order.

    Without replacement each assertion's population is its ``ballots``; ALPHA
    starts from the reported assorter mean and learns with weight ``d``. The
    sample is turned into columns once (see ``columns``) and every assertion
    measured on its contest's column.
    """
    from votetrail.core.audit import columns

    seen: set[str] = set()
    for assertion in assertions:
        if assertion.id in seen:
            raise InvalidInput("appears twice", where=f"assertion {assertion.id}")
        seen.add(assertion.id)
    sample_columns = columns.polling_columns(sample)
    return {
        a.id: columns.alpha_polling_risk(
            a, sample_columns.column(a.contest_id), replacement=replacement, d=d
        )
        for a in assertions
    }


def decide(
    max_risk: float, risk_limit: RiskLimit | float, *, ballots_sampled: int, ballots_cast: int
) -> Decision:
    """CONFIRMED at or below the risk limit; FULL_HAND_COUNT once every ballot is sampled."""
    alpha = _risk_limit(risk_limit)
    if not 0 <= max_risk <= 1:
        raise InvalidInput("must be between 0 and 1", where=f"risk {max_risk}")
    check_count("ballots cast", ballots_cast)
    if check_count("ballots sampled", ballots_sampled) > ballots_cast:
        raise InvalidInput(
            f"{ballots_sampled} ballots sampled but only {ballots_cast} cast", "polling audit"
        )
    if max_risk <= alpha:
        return Decision.CONFIRMED
    if ballots_sampled >= ballots_cast:
        return Decision.FULL_HAND_COUNT
    return Decision.CONTINUE


@dataclass(frozen=True)
class PollingMeasurement:
    """The risk of each assertion after a round, and what the audit does next."""

    risks: Mapping[str, float] = field(hash=False)
    max_risk: float
    decision: Decision


def measure(
    risks: Mapping[str, float],
    risk_limit: RiskLimit | float,
    *,
    ballots_sampled: int,
    ballots_cast: int,
) -> PollingMeasurement:
    """Combine per-assertion risks: the audit confirms only when every one does."""
    if not risks:
        raise InvalidInput("no assertions were measured", where="polling audit")
    largest = max(risks.values())
    decision = decide(
        largest, risk_limit, ballots_sampled=ballots_sampled, ballots_cast=ballots_cast
    )
    return PollingMeasurement(MappingProxyType(dict(risks)), largest, decision)
