"""Cast vote records as every vendor's reader hands them to the rest of votetrail.

Readers in ``formats/`` turn Dominion, ES&S, Hart, Clear Ballot and NIST files
into these values, so tabulation, accounting and the audit never see a vendor
format. Contest and choice names are the plain names (a vendor's decoration
such as "(Vote For=1)" is removed by the reader).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ContestDefinition:
    """A contest as the export defines it: its choices and how many votes a voter may cast."""

    name: str
    votes_allowed: int
    choices: tuple[str, ...]
    write_ins: frozenset[str] = frozenset()
    """Choices that stand for write-in candidates (e.g. Dominion's "Write-In")."""
    ranks: int | None = None
    """None for a plurality contest; for a ranked-choice one, the ranks the file gives a voter.

    Always from the file (a manifest's ``NumOfRanks``, a heading's ``Number of
    ranks=N``, Hart's digits per ``Value``, the highest rank a file uses), never
    guessed from how many positions a contest has. ``votes_allowed`` is then
    the number of seats.
    """

    @property
    def ranked(self) -> bool:
        """Whether the contest is ranked-choice (its records carry ``ranks``, not ``marks``)."""
        return self.ranks is not None


@dataclass(frozen=True, slots=True)
class CastVoteRecord:
    """What one tabulator recorded for one ballot card.

    ``marks`` maps each contest *on the card* to the choices marked, in the
    export's order, overvotes included as marked (tabulation decides that an
    overvoted contest counts for no one). A contest on the card with no marks
    maps to an empty tuple; a contest not on the card is absent.

    ``ranks`` does the same for the card's ranked-choice contests, in the shape
    of :attr:`votetrail.core.rcv.ballots.RankedBallot.ranks`: per rank, the
    choices marked at it (``()`` a skipped rank, two or more an overvote), ranks
    after the last marked one left off. A contest is in ``marks`` or in
    ``ranks``, never both, so plurality tabulation never sees a ranking.
    """

    id: str
    """Unique within its jurisdiction's import, e.g. ``Tabulator A-Batch 1-1``."""
    tabulator: str | None
    batch: str | None
    record: str | None
    precinct: str | None = None
    ballot_type: str | None = None
    counting_group: str | None = None
    marks: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    ranks: Mapping[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict, hash=False)
