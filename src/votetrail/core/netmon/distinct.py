"""Counting distinct ports and hosts in bounded memory.

A day's tally keeps, per source, how many distinct ports and hosts it
touched. Nearly every source touches one to four, and a set of four integers
is the cheapest exact answer; a few sweep thousands of ports or addresses,
and a set per such source would let one busy day grow memory without limit.
So a count is exact (a set) up to :data:`EXACT_LIMIT` members and then
switches to a HyperLogLog sketch (Flajolet, Fusy, Gandouet, Meunier, 2007)
of ``2**PRECISION`` one-byte registers: 4 KiB per large source, a standard
error of about 1.04/sqrt(4096) = 1.6 %, with the usual small-range
correction (linear counting) so estimates just past the switch are right.

Hashing: Python's ``hash`` of an ``int`` is the int itself, useless for a
sketch, and salted hashes would make counts differ between runs. Keys are
mixed with SplitMix64's finaliser (Steele, Lea, Flood, 2014), a fixed
bijection on 64-bit integers with good avalanche; IPv6 keys (wider than 64
bits) are folded first.
"""

from __future__ import annotations

import math

EXACT_LIMIT = 256
"""Members counted exactly before the sketch takes over."""
PRECISION = 12
_REGISTERS = 1 << PRECISION
_MASK64 = (1 << 64) - 1
_ALPHA = 0.7213 / (1 + 1.079 / _REGISTERS)


def mix64(key: int) -> int:
    """SplitMix64's finaliser over ``key`` folded to 64 bits: a fixed, well-spread hash."""
    z = (key ^ (key >> 64)) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


class DistinctCount:
    """How many distinct integers were added: exact while small, estimated when large."""

    __slots__ = ("_members", "_registers")

    def __init__(self) -> None:
        self._members: set[int] | None = set()
        self._registers: bytearray | None = None

    def add(self, key: int) -> None:
        """Count ``key`` (adding a key already counted changes nothing)."""
        members = self._members
        if members is not None:
            members.add(key)
            if len(members) > EXACT_LIMIT:
                self._registers = bytearray(_REGISTERS)
                for member in members:
                    self._sketch(member)
                self._members = None
            return
        self._sketch(key)

    def merge(self, other: DistinctCount) -> None:
        """Count every key ``other`` counted too (a union; exact only while both are sets)."""
        if other._members is not None:
            for key in other._members:
                self.add(key)
            return
        assert other._registers is not None
        if self._members is not None:
            members = self._members
            self._registers = bytearray(other._registers)
            self._members = None
            for key in members:
                self._sketch(key)
            return
        registers = self._registers
        assert registers is not None
        for index, value in enumerate(other._registers):
            if value > registers[index]:
                registers[index] = value

    def _sketch(self, key: int) -> None:
        registers = self._registers
        assert registers is not None  # only called once the sketch exists
        hashed = mix64(key)
        index = hashed & (_REGISTERS - 1)
        rest = hashed >> PRECISION
        rank = (64 - PRECISION) - rest.bit_length() + 1
        if rank > registers[index]:
            registers[index] = rank

    @property
    def exact(self) -> bool:
        """Whether :meth:`count` is exact (the sketch has not taken over)."""
        return self._members is not None

    def count(self) -> int:
        """The number of distinct keys added (an estimate once past :data:`EXACT_LIMIT`)."""
        if self._members is not None:
            return len(self._members)
        registers = self._registers
        assert registers is not None
        total = 0.0
        zeros = 0
        for value in registers:
            total += 2.0**-value
            if not value:
                zeros += 1
        estimate = _ALPHA * _REGISTERS * _REGISTERS / total
        if estimate <= 2.5 * _REGISTERS and zeros:
            estimate = _REGISTERS * math.log(_REGISTERS / zeros)
        return max(EXACT_LIMIT + 1, round(estimate))
