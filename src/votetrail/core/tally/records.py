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


@dataclass(frozen=True, slots=True)
class CastVoteRecord:
    """What one tabulator recorded for one ballot card.

    ``marks`` maps each contest *on the card* to the choices marked, in the
    export's order, overvotes included as marked (tabulation decides that an
    overvoted contest counts for no one). A contest on the card with no marks
    maps to an empty tuple; a contest not on the card is absent.
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
