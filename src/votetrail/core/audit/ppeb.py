"""Drawing batches with probability proportional to their error bound (PPEB), with replacement.

MACRO's Kaplan–Markov test (``batch.py``) is valid only if each draw picks batch
p with chance u_p / U, independently, so the sampler must weigh batches; Rivest's
consistent sampler gives every ballot the same chance and cannot be reused as is.
What observers need is the same thing the consistent sampler gives them: a
sample anyone recomputes from the published batch results and the public seed,
on any computer, to the last draw. So this module uses only SHA-256 and exact
fractions, never floating point, which could pick a different batch on a
boundary:

* draw i (1, 2, ...) gets the 256-bit integer v_i = SHA-256(h + ":" + i), where
  h is the hex SHA-256 of the seed's 20 digits (the consistent sampler's first
  step) and i is written in decimal;
* with the batches in the order given (the caller sorts them) and their exact
  bounds u_1, u_2, ... summing to U, the draw is the first batch k whose running
  sum u_1 + ... + u_k exceeds (v_i / 2^256) * U.

A batch whose bound is 0 (it carries no audited contest) is never drawn. The
bounds are recomputed as fractions (``exact_error_bound``) rather than taken
from ``BatchElection.error_bounds``, whose floats may round differently elsewhere.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from votetrail.core.audit.batch import BatchElection, exact_error_bound
from votetrail.core.audit.types import Seed, check_count
from votetrail.errors import InvalidInput

TICKET_DIGITS = 9
"""Decimal digits of v_i / 2^256 printed as a draw's ticket number (the choice uses them all)."""

_SPACE = 2**256


@dataclass(frozen=True, slots=True)
class BatchDraw:
    """One draw: its number, the printed ticket, the batch, and how often it was drawn so far."""

    draw: int
    ticket: str
    batch_id: str
    generation: int


def ppeb_sample(
    election: BatchElection, order: Sequence[str], seed: Seed | str, n: int
) -> list[BatchDraw]:
    """The first ``n`` PPEB draws over the batches in ``order`` (every batch of the election)."""
    public_seed = seed if isinstance(seed, Seed) else Seed(seed)
    check_count("sample size", n)
    if sorted(order) != sorted(election.batches):
        raise InvalidInput("must list every reported batch exactly once", where="batch order")
    running: list[Fraction] = []
    total = Fraction(0)
    for batch_id in order:
        total += exact_error_bound(election.batches[batch_id], election.contests)
        running.append(total)
    if n and total == 0:
        raise InvalidInput("no batch carries an audited contest", where="batch sample")
    seed_hash = hashlib.sha256(public_seed.digits.encode("utf-8")).hexdigest()
    drawn: dict[str, int] = {}
    out: list[BatchDraw] = []
    for i in range(1, n + 1):
        digest = hashlib.sha256(f"{seed_hash}:{i}".encode("ascii")).digest()
        value = int.from_bytes(digest)
        index = bisect.bisect_right(running, Fraction(value, _SPACE) * total)
        batch_id = order[index]
        drawn[batch_id] = drawn.get(batch_id, 0) + 1
        ticket = f"0.{value * 10**TICKET_DIGITS // _SPACE:0{TICKET_DIGITS}d}"
        out.append(BatchDraw(i, ticket, batch_id, drawn[batch_id]))
    return out
