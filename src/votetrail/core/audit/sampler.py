"""Rivest's consistent sampler, drawing ticket for ticket what ``consistent_sampler`` draws.

Observers re-run the sample with Rivest's published package to check that the
ballots pulled were the ones the public seed picked, so votetrail must agree
with it to the last digit and the last tie. The package is too slow for a
state (it builds a 64-digit decimal string and a heap entry for every ballot),
so this module reaches the same answer with less work.

How the package numbers tickets: the generation-1 ticket of ballot ``id`` is
``sha256(sha256_hex(seed) + id)`` read as a 256-bit integer ``v``, written in
decimal zero-padded to 64 digits, with the digits *reversed* (the low-order
digits are the unbiased ones) and ``"0."`` in front. Tickets are ordered as
strings; equal strings fall back to the id, then the generation.

Why only a few strings are ever built: because the digits are reversed, the
first four digits of a ticket are the last four decimal digits of ``v``,
reversed, which is one ``v % 10_000`` and a table lookup. Ordering by those
four digits agrees with the string order wherever they differ, so if at least
``n`` ballots have a four-digit key at most some bound, the ``n`` smallest
tickets are all among them. With the bound set a little above the expected
one, that is a few more than ``n`` ballots; only those get their full
64-to-78-digit string, and the exact order is settled on the strings. A small
bound also means leading zeros, which need ``v`` divisible by 10, 100, ..., so
the hash's last byte rules most ballots out before any integer arithmetic.
Hashing (the seed's 64-byte block hashed once, its state copied per ballot)
is then most of the cost.

Sampling with replacement follows the package's rule exactly: after a draw
the ballot gets a new ticket, the digits after its leading nines replaced by
``sha256_uniform(old + ":" + i)`` for i = 1, 2, ... until the result is
larger. Every ticket a ballot ever gets is larger than its first, so the first
``n`` draws only involve ballots among the ``n`` smallest first tickets, and
the replacement rounds run on those alone.
"""

from __future__ import annotations

import hashlib
import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass

from votetrail.core.audit.types import Seed, check_count
from votetrail.errors import InvalidInput

DISPLAY_DIGITS = 9
"""Significant digits after the leading nines in a printed ticket, as the package prints."""

_KEY_DIGITS = 4
_KEY_MODULUS = 10**_KEY_DIGITS
# The first four ticket digits for each value of v % 10_000: its digits reversed.
_LEADING_DIGITS = [int(f"{low:0{_KEY_DIGITS}d}"[::-1]) for low in range(_KEY_MODULUS)]

# A ticket as the package's heap holds it: full-precision number, id, generation.
_Entry = tuple[str, str, int]


@dataclass(frozen=True, slots=True)
class Ticket:
    """One draw: the ticket number as ``consistent_sampler`` prints it, the ballot, the draw count.

    ``generation`` is 1 for a ballot's first draw; sampling with replacement can
    draw the same ballot again, with generation 2, 3, ...
    """

    ticket: str
    id: str
    generation: int


def sample(
    ids: Sequence[str], seed: Seed | str, n: int, *, with_replacement: bool = False
) -> list[Ticket]:
    """The first ``n`` draws, in draw order, exactly as ``consistent_sampler.sampler`` yields them.

    A non-empty population is required to draw with replacement (the package
    would silently yield nothing); without replacement ``n`` may not exceed the
    number of ballots.
    """
    public_seed = seed if isinstance(seed, Seed) else Seed(seed)
    check_count("sample size", n)
    _refuse_duplicates(ids)
    if with_replacement and n > 0 and not ids:
        raise InvalidInput("there are no ballots to draw from", where=f"sample size {n}")
    if not with_replacement and n > len(ids):
        raise InvalidInput(
            f"is more than the {len(ids)} ballots to draw from without replacement",
            where=f"sample size {n}",
        )
    seed_hash = hashlib.sha256(public_seed.digits.encode("utf-8")).hexdigest()
    first = _smallest_first_tickets(ids, seed_hash, min(n, len(ids)))
    drawn = _draw_with_replacement(first, n) if with_replacement else first
    return [Ticket(_trim(number), ballot, generation) for number, ballot, generation in drawn]


def _refuse_duplicates(ids: Sequence[str]) -> None:
    """Two ballots with one id would share a ticket; name the first repeated id a clerk can find."""
    if len(set(ids)) == len(ids):
        return
    seen: set[str] = set()
    for ballot in ids:
        if ballot in seen:
            raise InvalidInput(
                "appears more than once; every ballot id must be unique",
                where=f"ballot id {ballot!r}",
            )
        seen.add(ballot)


def _smallest_first_tickets(ids: Sequence[str], seed_hash: str, count: int) -> list[_Entry]:
    """The ``count`` smallest generation-1 tickets, in order, building strings only for candidates.

    If at least ``count`` ballots have a leading-digit key at most ``bound``,
    every one of the ``count`` smallest tickets is among them. Keys are uniform,
    so a bound a few standard deviations above the expected one is enough in one
    pass over the ballots; should it fall short, a wider bound is tried.
    """
    if count == 0:
        return []
    candidates: Sequence[str] = ids
    if count < len(ids):
        wanted = count + 4 * math.isqrt(count) + 8
        bound = min(_KEY_MODULUS - 1, wanted * _KEY_MODULUS // len(ids))
        candidates = _keys_at_most(ids, seed_hash, bound)
        while len(candidates) < count:
            bound = min(_KEY_MODULUS - 1, 4 * bound + 3)
            candidates = _keys_at_most(ids, seed_hash, bound)
    entries = sorted([(_uniform(seed_hash + ballot), ballot, 1) for ballot in candidates])
    return entries[:count]


def _keys_at_most(ids: Sequence[str], seed_hash: str, bound: int) -> list[str]:
    """The ballots whose ticket starts with four digits at most ``bound``: the loop over all."""
    # The seed hash is exactly one 64-byte SHA-256 block: hash it once, copy the state per ballot.
    fresh = hashlib.sha256(seed_hash.encode("ascii")).copy
    # Indexed by v % 10_000, the last four decimal digits of the hash: 1 if the ticket qualifies.
    qualifies = bytes(lead <= bound for lead in _LEADING_DIGITS)
    # v % 16 is the last byte's low four bits and is fixed by v % 10_000. A small bound forces
    # leading zeros, i.e. v divisible by 10, 100...; the last byte rules most ballots out cheaply.
    residues = {low % 16 for low in range(_KEY_MODULUS) if qualifies[low]}
    may_qualify = bytes(last % 16 in residues for last in range(256))
    modulus = _KEY_MODULUS
    from_bytes = int.from_bytes
    chosen: list[bytes] = []
    append = chosen.append
    try:
        for encoded in map(str.encode, ids):  # encoding in map, not bytecode, is measurably faster
            state = fresh()
            state.update(encoded)
            digest = state.digest()
            if may_qualify[digest[31]] and qualifies[from_bytes(digest) % modulus]:
                append(encoded)
    except UnicodeEncodeError:
        bad = next(b for b in ids if not _encodable(b))
        raise InvalidInput("is not valid Unicode text", where=f"ballot id {bad!r}") from None
    return [encoded.decode() for encoded in chosen]


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _uniform(text: str) -> str:
    """The package's ``sha256_uniform``: the hash's decimal digits, at least 64, reversed."""
    value = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest())
    return "0." + f"{value:064d}"[::-1]


def _draw_with_replacement(first: list[_Entry], n: int) -> list[_Entry]:
    """Replay the package's heap on the ballots that can appear in the first ``n`` draws."""
    heap = list(first)  # sorted, hence already a heap
    drawn: list[_Entry] = []
    while len(drawn) < n:
        number, ballot, generation = heap[0]
        drawn.append(heap[0])
        heapq.heapreplace(heap, (_next_number(number), ballot, generation + 1))
    return drawn


def _next_number(number: str) -> str:
    """The package's ``next_fraction``: keep the leading nines, re-hash the rest until larger."""
    padded = number + "0"
    kept = padded[: _first_non_nine(padded)]
    counter = 0
    while True:
        counter += 1
        candidate = kept + _uniform(f"{number}:{counter}")[2:]
        if candidate > padded:
            return candidate


def _trim(number: str) -> str:
    """Cut (not round) to DISPLAY_DIGITS digits after the leading nines, as the package prints."""
    return number[: _first_non_nine(number + "0") + DISPLAY_DIGITS]


def _first_non_nine(number: str) -> int:
    """Index of the first fractional digit that is not 9; ``number`` must contain one."""
    fraction = number[2:]
    return 2 + len(fraction) - len(fraction.lstrip("9"))
