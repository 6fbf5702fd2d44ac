"""A ranked ballot as every reader hands it to tabulation and audit.

Vendors write ranks in many ways (a ``Rank`` per mark, "Choice 2 of 6"
columns, one digit per rank, rank columns per candidate). Readers reduce them
to this one shape so RCTab's rules are written once: the ballot's marks rank
by rank, each rank holding every candidate marked at it, in the file's order.

What a rank holds, and what the rules then make of it:

* ``()`` – nothing marked at this rank: a *skipped* rank (RCTab's skipped-ranking
  rule decides whether the ballot moves on or exhausts);
* one name – a ranking;
* two or more names – an *overvote* at this rank (the overvote rule decides);
* :data:`OVERVOTE` – the file itself says "overvote" at this rank (ES&S
  writes the word instead of the names), treated as an overvote;
* :data:`UNDECLARED_WRITE_IN` – an undeclared write-in (RCTab's
  ``undeclaredWriteInLabel``), a candidate that can never win.

A name ranked at two ranks is a *duplicate* (the duplicate-ranking rule
decides). Ranks past the last mark are not stored, so ``len(ranks)`` is the
ballot's last marked rank, not the contest's number of ranks.
"""

from __future__ import annotations

from dataclasses import dataclass

OVERVOTE = "\x00overvote"
"""A rank the file marks as an overvote without naming the candidates."""
UNDECLARED_WRITE_IN = "Undeclared Write-ins"
"""RCTab's name for undeclared write-ins, as its reports print it."""


@dataclass(frozen=True, slots=True)
class RankedBallot:
    """One voter's rankings in one contest."""

    id: str
    """The CVR's id in its file (for audits and error messages)."""
    ranks: tuple[tuple[str, ...], ...]
    """``ranks[0]`` is rank 1: the candidates marked at each rank, in file order."""
    precinct: str | None = None
    batch: str | None = None
    source: str | None = None
    """Which file the ballot came from (a contest may span several)."""
