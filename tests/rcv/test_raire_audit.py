"""Auditing RAIRE assertions with the existing comparison and ALPHA code.

The election: 1,000 ballots, three candidates. On paper, Bob wins the final
round against Alice by 2 votes. The voting system's CVRs misread 51 ballots
ranking Chuan then Bob as Chuan then Alice, the fewest that report Alice
winning by 100 (a 10% diluted margin an honest audit confirms in well under
200 cards).
An audit at a 5% risk limit must confirm this wrong outcome in at most 5% of
trials; we run 1,000 seeded trials of a 200-card comparison audit that stops
at the first card where every assertion's ALPHA risk is within the limit.
The bound is nearly tight here: about 62 clean cards in a row confirm a 10%
margin, and (1 - 51/1000)^62 is about 4%, so these trials confirm the wrong
outcome 39 times in 1,000 (a zero would mean the case is too easy to prove
anything). The same
audit of a correctly reported election confirms almost always, which shows
the test can tell the two apart.

(``core.audit.simulate`` draws assorter values from reported shares; these
trials need the card-by-card CVR/paper pairs, so they draw cards instead.)
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence

import pytest

from votetrail.core.audit.comparison import expected_sample_size
from votetrail.core.rcv.irv_votes import IrvVotes
from votetrail.core.rcv.raire import raire
from votetrail.core.rcv.raire_assertions import IrvAssertion, Kind
from votetrail.core.rcv.raire_audit import (
    comparison_risks,
    comparison_sample_sizes,
    polling_risks,
)
from votetrail.errors import InvalidInput

A, B, C = "Alice", "Bob", "Chuan"
RISK_LIMIT = 0.05
DRAWS = 200

Prefs = tuple[str, ...]


def election(misread: int) -> tuple[list[Prefs], list[Prefs]]:
    """Paper ballots and CVRs, with ``misread`` (C, B) ballots recorded as (C, A)."""
    paper: list[Prefs] = [(A,)] * 400
    paper += [(B, C)] * 380 + [(C, B)] * 121 + [(C, A)] * 99
    cvrs = list(paper)
    first = paper.index((C, B))
    for i in range(first, first + misread):
        cvrs[i] = (C, A)
    return paper, cvrs


def assertions_for(cvrs: Sequence[Prefs]) -> list[IrvAssertion]:
    votes = IrvVotes.from_counts(Counter(cvrs), candidates=[A, B, C])
    return list(raire(votes, A, contest_id="mayor").assertions)


def confirmations(paper: Sequence[Prefs], cvrs: Sequence[Prefs], trials: int, seed: int) -> int:
    assertions = assertions_for(cvrs)
    rng = random.Random(seed)  # reproducible simulation, not secrecy
    confirmed = 0
    for _ in range(trials):
        cards = [(cvrs[i], paper[i]) for i in rng.sample(range(len(paper)), DRAWS)]
        risks = comparison_risks(assertions, cards)
        confirmed += max(risks.values()) <= RISK_LIMIT
    return confirmed


def test_paper_and_cvrs_disagree_on_the_winner() -> None:
    paper, cvrs = election(51)
    with pytest.raises(InvalidInput, match="not the IRV winner 'Bob'"):
        raire(IrvVotes.from_counts(Counter(paper)), A, contest_id="mayor")
    found = assertions_for(cvrs)
    final = [a for a in found if a.kind is Kind.NEN and a.continuing == {A, B}]
    assert [(a.winner, a.loser, a.margin_votes) for a in final] == [(A, B, 100)]


def test_wrong_outcome_is_not_confirmed_beyond_the_risk_limit() -> None:
    paper, cvrs = election(51)
    confirmed = confirmations(paper, cvrs, trials=1000, seed=20191105)
    assert 0 < confirmed <= RISK_LIMIT * 1000, confirmed


def test_right_outcome_is_confirmed() -> None:
    paper, _ = election(0)
    paper = [(C, A) if p == (C, B) and i % 2 else p for i, p in enumerate(paper)]
    confirmed = confirmations(paper, paper, trials=200, seed=7)
    assert confirmed >= 190, confirmed


def test_kaplan_markov_and_polling_read_the_same_assorters() -> None:
    paper, cvrs = election(51)
    assertions = assertions_for(cvrs)
    exact = [(p, p) for p in cvrs[:300]]
    km = comparison_risks(assertions, exact, method="kaplan_markov")
    assert set(km) == {a.id for a in assertions}
    final = next(a for a in assertions if a.continuing == {A, B})
    # 300 cards without a discrepancy: (1 - margin / 2γ)^300 at margin 0.1.
    assert km[final.id] == pytest.approx((1 - 0.1 / (2 * 1.03905)) ** 300)
    misread = [(cvrs[i], paper[i]) for i in range(780, 831)]
    assert comparison_risks([final], misread)[final.id] == 1.0
    assert polling_risks([final], [(B,)] * 50)[final.id] == 1.0
    sizes = comparison_sample_sizes(assertions, RISK_LIMIT)
    assert sizes[final.id] == expected_sample_size(0.1, RISK_LIMIT) == max(sizes.values())
    assert sizes[final.id] < DRAWS  # the simulated rounds are long enough to confirm
    with pytest.raises(InvalidInput, match="alpha or kaplan_markov"):
        comparison_risks(assertions, exact, method="bravo")
