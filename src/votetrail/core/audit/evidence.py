"""An audit's public evidence, as observers download it in ``evidence.zip``.

These values are what ``formats/audit/evidence.py`` reads and writes and what
``evidence_check`` recomputes. They hold exactly the contract's fields, so a
package that reads without error has every fact the recomputation needs and
nothing the office could add to steer it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from votetrail.core.rcv.raire_assertions import IrvAssertion


class AuditMethod(StrEnum):
    """How the audit compares paper with the count (the contract's ``method``)."""

    BALLOT_COMPARISON = "ballot_comparison"
    BALLOT_POLLING = "ballot_polling"
    BATCH_COMPARISON = "batch_comparison"


BLANK = "blank"
OVERVOTE = "overvote"
NOT_FOUND = "not_found"
MARKS = (BLANK, OVERVOTE, NOT_FOUND)
"""The words a reading may be instead of choice ids; no choice id may be one of them."""


@dataclass(frozen=True, slots=True)
class Reading:
    """What a CVR or an audit board shows for one contest on one ballot.

    Either the choice ids marked (``mark`` None) or one of :data:`MARKS`.
    """

    choices: frozenset[str] = frozenset()
    mark: str | None = None

    def __str__(self) -> str:
        return self.mark if self.mark is not None else ";".join(sorted(self.choices))


@dataclass(frozen=True, slots=True)
class EvidenceContest:
    """A contest as reported. An IRV contest (``irv_assertions`` not None) is audited by
    its RAIRE assertions: ``winners`` is the reported winner, ``reported`` the first
    preferences the CVRs give each candidate, and its readings are ranked
    (``core/audit/ranked_reading``)."""

    id: str
    name: str
    vote_for: int
    winners: tuple[str, ...]
    reported: Mapping[str, int] = field(hash=False)
    ballots: int
    irv_assertions: tuple[IrvAssertion, ...] | None = field(default=None, hash=False)


@dataclass(frozen=True, slots=True)
class EvidenceRound:
    """One round: the cumulative number of draws through it, and the risk and decision published."""

    round: int
    sample_size: int
    risk: Mapping[str, float] = field(hash=False)
    decision: Mapping[str, str] = field(hash=False)


@dataclass(frozen=True, slots=True)
class Draw:
    """One row of ``sample.csv``: a ticket drawn in a round."""

    round: int
    ticket_number: str
    ballot_id: str


@dataclass(frozen=True, slots=True)
class Interpretation:
    """One row of ``interpretations.csv``; ``cvr`` is None in a ballot-polling audit."""

    ballot_id: str
    contest_id: str
    cvr: Reading | None
    audited: Reading


@dataclass(frozen=True, slots=True)
class BatchRow:
    """One row of ``batches.csv`` (batch comparison only): one choice in one batch.

    ``cards`` is how many cards in the batch carry the contest (MACRO's error
    bound needs it); ``audited`` is the hand tally, None while the batch has
    none; ``not_found`` marks every row of a batch that could not be found.
    """

    batch_id: str
    contest_id: str
    choice_id: str
    reported: int
    audited: int | None
    cards: int
    not_found: bool = False


@dataclass(frozen=True)
class Evidence:
    """The whole package: ``audit.json`` fields plus the CSV members.

    ``batches`` is ``batches.csv``, present only in a batch-comparison audit,
    whose frame and sample name batches instead of ballots.
    """

    audit_id: str
    election: str
    method: AuditMethod
    risk_limit: float
    seed: str
    with_replacement: bool
    contests: tuple[EvidenceContest, ...]
    rounds: tuple[EvidenceRound, ...]
    frame: tuple[str, ...]
    sample: tuple[Draw, ...]
    interpretations: tuple[Interpretation, ...]
    batches: tuple[BatchRow, ...] = ()
