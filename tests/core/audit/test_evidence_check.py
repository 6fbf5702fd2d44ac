"""The evidence checker's sample is exactly consistent_sampler's published draws.

The vectors are the ones the sampler's own tests hold (recorded from Rivest's
``consistent_sampler`` 1.0.10 and its docstrings), so a package whose
``sample.csv`` is the package's output passes, and one changed draw is named.
"""

from __future__ import annotations

import pytest

from tests.core.audit.test_sampler import PUBLISHED_CHAIN, RECORDED
from votetrail.core.audit.evidence import AuditMethod, Draw, Evidence, EvidenceRound
from votetrail.core.audit.evidence_check import sample_differences


def evidence(
    ids: list[str], seed: str, sizes: list[int], replacement: bool, draws: list[Draw]
) -> Evidence:
    return Evidence(
        audit_id="vectors",
        election="consistent_sampler",
        method=AuditMethod.BALLOT_POLLING,
        risk_limit=0.05,
        seed=seed,
        with_replacement=replacement,
        contests=(),
        rounds=tuple(EvidenceRound(n, size, {}, {}) for n, size in enumerate(sizes, 1)),
        frame=tuple(ids),
        sample=tuple(draws),
        interpretations=(),
    )


@pytest.mark.parametrize(("ids", "seed", "n", "replacement", "expected"), RECORDED)
def test_published_draws_pass_and_a_swap_is_named(
    ids: list[str],
    seed: str,
    n: int,
    replacement: bool,
    expected: list[tuple[str, str, int]],
) -> None:
    draws = [Draw(1, ticket, ballot) for ticket, ballot, _ in expected]
    assert sample_differences(evidence(ids, seed, [n], replacement, draws)) == []
    swapped = [*draws[:-2], draws[-1], draws[-2]]
    found = sample_differences(evidence(ids, seed, [n], replacement, swapped))
    assert found[0] == (
        f"round 1, draw {n - 1}: sample.csv has ballot {draws[-1].ballot_id!r} "
        f"(ticket {draws[-1].ticket_number}, round 1), but the seed draws ballot "
        f"{draws[-2].ballot_id!r} (ticket {draws[-2].ticket_number}, round 1)"
    )


def test_rounds_split_the_published_chain_by_cumulative_size() -> None:
    """Round 2's sample_size counts every draw so far: draws 2 and 3 of the AB-130 chain."""
    chain = PUBLISHED_CHAIN
    draws = [Draw(1, chain[0][0], "AB-130")] + [Draw(2, t, "AB-130") for t, _, _ in chain[1:]]
    ok = evidence(["AB-130"], "01382438112797316654", [1, 3], True, draws)
    assert sample_differences(ok) == []
    short = evidence(["AB-130"], "01382438112797316654", [1, 2], True, draws)
    assert sample_differences(short) == [
        "round 2, draw 3: sample.csv has ballot 'AB-130', but the rounds' sample sizes end "
        "before this draw"
    ]


def test_too_large_a_sample_without_replacement_is_a_difference() -> None:
    found = sample_differences(evidence(["a", "b"], "01382438112797316654", [3], False, []))
    assert found == [
        "the sample cannot be drawn from frame.csv: sample size 3: is more than the 2 ballots "
        "to draw from without replacement"
    ]
