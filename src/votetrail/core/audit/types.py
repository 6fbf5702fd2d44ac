"""Domain values shared by every audit method.

Risk limits, margins and seeds are types rather than bare floats and strings
so a margin in votes is never passed where a diluted margin (a fraction of
ballots) is expected, and a malformed seed is refused where it enters.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum

from votetrail.errors import InvalidInput

_SEED = re.compile(r"[0-9]{20}")


@dataclass(frozen=True, slots=True)
class Seed:
    """The public random seed: exactly 20 decimal digits, as rolled with dice in public."""

    digits: str

    def __post_init__(self) -> None:
        if not _SEED.fullmatch(self.digits):
            raise InvalidInput("must be exactly 20 decimal digits", where=f"seed {self.digits!r}")

    def __str__(self) -> str:
        return self.digits


@dataclass(frozen=True, slots=True)
class RiskLimit:
    """The largest chance the audit may confirm a wrong outcome, strictly between 0 and 1."""

    value: float

    def __post_init__(self) -> None:
        if not (0 < self.value < 1) or math.isnan(self.value):
            raise InvalidInput(
                "must be between 0 and 1, e.g. 0.05", where=f"risk limit {self.value}"
            )


@dataclass(frozen=True, slots=True)
class DilutedMargin:
    """(winner votes − loser votes) / ballots cast in the audited population, in (0, 1]."""

    value: float

    def __post_init__(self) -> None:
        if math.isnan(self.value) or not (0 < self.value <= 1):
            raise InvalidInput(
                "must be above 0 and at most 1 (a tie or a reversed outcome cannot be audited)",
                where=f"diluted margin {self.value}",
            )


class Decision(StrEnum):
    """What the audit concludes after a round."""

    CONFIRMED = "confirmed"
    CONTINUE = "continue"
    FULL_HAND_COUNT = "full_hand_count"


def check_count(name: str, value: int) -> int:
    """Counts are whole and non-negative; a negative one is a data error, never clamped."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput("must be a whole number of at least 0", where=f"{name} {value!r}")
    return value
