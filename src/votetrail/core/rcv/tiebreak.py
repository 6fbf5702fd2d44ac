"""Breaking ties the way RCTab does, down to its random draws.

A tie RCTab breaks "at random" is still reproducible: it seeds Java's
``java.util.Random`` with the config's ``randomSeed`` and draws from it in a
fixed order. To publish the same winner from the same config, votetrail
implements the generator from its published specification (a 48-bit linear
congruential generator, multiplier 0x5DEECE66D, increment 0xB; ``nextDouble``
joins a 26-bit and a 27-bit draw) and the order in which RCTab lists tied
candidates: sorted by Java's string order, or, after comparing previous
rounds, in the iteration order of a Java ``HashSet`` of their names (buckets
by ``String.hashCode``), because that is the list RCTab draws from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal

from votetrail.core.rcv.rules import TiebreakMode

_MULTIPLIER = 0x5DEECE66D
_INCREMENT = 0xB
_MASK = (1 << 48) - 1


class OperatorNeeded(Exception):
    """An interactive tiebreak mode met a tie; votetrail has no operator to ask."""

    def __init__(self, tied: Sequence[str]) -> None:
        super().__init__(", ".join(tied))
        self.tied = tuple(tied)


class JavaRandom:
    """``java.util.Random``: same seed, same sequence of draws."""

    def __init__(self, seed: int) -> None:
        self._seed = (seed ^ _MULTIPLIER) & _MASK

    def _next(self, bits: int) -> int:
        self._seed = (self._seed * _MULTIPLIER + _INCREMENT) & _MASK
        value = self._seed >> (48 - bits)
        # Java returns the top bits as a signed 32-bit int.
        return value - (1 << 32) if value >= 1 << 31 else value

    def next_double(self) -> float:
        return ((self._next(26) << 27) + self._next(27)) * 2.0**-53

    def next_int(self, bound: int) -> int:
        if bound <= 0:
            raise ValueError("bound must be positive")
        if bound & (bound - 1) == 0:
            return (bound * self._next(31)) >> 31
        while True:
            bits = self._next(31)
            value = bits % bound
            # Java rejects draws whose int sum overflows (the biased top range).
            if bits - value + (bound - 1) < 1 << 31:
                return value


def java_order(name: str) -> bytes:
    """Sort key matching Java's ``String.compareTo`` (UTF-16 code units)."""
    return name.encode("utf-16-be")


def shuffled(items: Sequence[str], random: JavaRandom) -> list[str]:
    """``Collections.shuffle(list, random)`` on a list: swap from the end down."""
    result = list(items)
    for size in range(len(result), 1, -1):
        other = random.next_int(size)
        result[size - 1], result[other] = result[other], result[size - 1]
    return result


def _java_hash(name: str) -> int:
    value = 0
    units = name.encode("utf-16-be")
    for index in range(0, len(units), 2):
        value = (value * 31 + int.from_bytes(units[index : index + 2], "big")) & 0xFFFFFFFF
    return value


def hash_set_order(names: Sequence[str]) -> list[str]:
    """The iteration order of ``new HashSet<>(names)`` in Java 8 and later.

    The table has the smallest power-of-two size of at least
    ``max(len/0.75 + 1, 16)``; entries iterate bucket by bucket (bucket = spread
    hash masked to the table size), and in insertion order within a bucket.
    """
    wanted = max(int(len(names) / 0.75) + 1, 16)
    size = 1
    while size < wanted:
        size <<= 1
    unique = list(dict.fromkeys(names))

    def bucket(name: str) -> int:
        hashed = _java_hash(name)
        return (hashed ^ (hashed >> 16)) & (size - 1)

    return sorted(unique, key=bucket)  # sorted() is stable: insertion order within a bucket


class Tiebreaker:
    """One contest's tie-breaking state: the mode, its permutation, its random draws."""

    def __init__(
        self, mode: TiebreakMode, seed: int | None, candidate_order: Sequence[str]
    ) -> None:
        self.mode = mode
        self._random = JavaRandom(seed) if seed is not None else None
        self.permutation: list[str] = list(candidate_order)
        if mode is TiebreakMode.GENERATE_PERMUTATION:
            # RCTab sorts the declared names first so the shuffle does not depend on config order.
            self.permutation = shuffled(
                sorted(self.permutation, key=java_order), self._need_random()
            )

    def _need_random(self) -> JavaRandom:
        if self._random is None:
            raise ValueError(f"tiebreak mode {self.mode.value} needs a random seed")
        return self._random

    def choose(
        self,
        tied: Iterable[str],
        *,
        winner: bool,
        round_number: int,
        earlier_tallies: Callable[[int], Mapping[str, Decimal]],
    ) -> str:
        """Pick the winner (``winner=True``) or loser among ``tied`` in ``round_number``.

        ``earlier_tallies(r)`` gives round ``r``'s tally, for the previous-round modes.
        """
        candidates = sorted(tied, key=java_order)
        mode = self.mode
        if mode is TiebreakMode.RANDOM:
            return self._draw(candidates)
        if mode in (TiebreakMode.USE_CANDIDATE_ORDER, TiebreakMode.GENERATE_PERMUTATION):
            search = self.permutation if winner else list(reversed(self.permutation))
            for name in search:
                if name in candidates:
                    return name
            raise ValueError(f"none of {', '.join(candidates)} is in the tie-breaking permutation")
        if mode is TiebreakMode.STOP_COUNTING_AND_ASK:
            raise OperatorNeeded(candidates)
        in_contention = candidates
        for earlier in range(round_number - 1, 0, -1):
            tally = earlier_tallies(earlier)
            ordered = hash_set_order(in_contention)
            best = (max if winner else min)(tally[name] for name in ordered)
            in_contention = [name for name in ordered if tally[name] == best]
            if len(in_contention) == 1:
                return in_contention[0]
        if mode is TiebreakMode.PREVIOUS_ROUND_COUNTS_THEN_ASK:
            raise OperatorNeeded(in_contention)
        return self._draw(in_contention)

    def _draw(self, candidates: Sequence[str]) -> str:
        index = int(self._need_random().next_double() * len(candidates))
        return candidates[index]
