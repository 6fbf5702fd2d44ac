"""Discrepancies are the (ballot, contest) readings that differ, sized as the risk scores them."""

from __future__ import annotations

from dataclasses import replace

from votetrail.core.audit.discrepancies import Discrepancy, find_discrepancies
from votetrail.core.audit.evidence import (
    AuditMethod,
    Draw,
    Evidence,
    EvidenceContest,
    EvidenceRound,
    Interpretation,
    Reading,
)


def read(text: str) -> Reading:
    if text in ("blank", "overvote", "not_found"):
        return Reading(mark=text)
    return Reading(frozenset(text.split(";")))


MAYOR = EvidenceContest("mayor", "Mayor", 1, ("ann",), {"ann": 50, "bob": 30, "cy": 20}, 100)
READINGS = {
    # ballot: (cvr, audited)
    "b1": ("ann", "ann"),
    "b2": ("ann", "bob"),  # the winner's vote was the loser's: +2
    "b3": ("ann", "blank"),  # the winner's vote was no vote: +1
    "b4": ("bob", "ann"),  # unfair to ann: -2 against bob, -1 against cy; the largest is -1
    "b5": ("blank", "overvote"),  # differs, but no vote either way: 0
    "b6": ("bob", "cy"),  # against ann-cy the CVR overstated by 1: +1
    "b7": ("not_found", "not_found"),  # a phantom: the same on both sides, not a discrepancy
}
EVIDENCE = Evidence(
    audit_id="a",
    election="e",
    method=AuditMethod.BALLOT_COMPARISON,
    risk_limit=0.05,
    seed="12345678901234567890",
    with_replacement=False,
    contests=(MAYOR,),
    rounds=(EvidenceRound(1, 4, {}, {}), EvidenceRound(2, 8, {}, {})),
    frame=tuple(f"b{k}" for k in range(1, 101)),
    sample=(
        Draw(1, "0.1", "b2"),
        Draw(1, "0.2", "b1"),
        Draw(1, "0.3", "b3"),
        Draw(1, "0.4", "b2"),
        Draw(2, "0.5", "b4"),
        Draw(2, "0.6", "b5"),
        Draw(2, "0.7", "b6"),
        Draw(2, "0.8", "b7"),
    ),
    interpretations=tuple(
        Interpretation(b, "mayor", read(cvr), read(audited))
        for b, (cvr, audited) in READINGS.items()
    ),
)


def test_every_differing_reading_once_in_draw_order_with_its_overstatement() -> None:
    assert find_discrepancies(EVIDENCE) == [
        Discrepancy(1, "b2", "mayor", "ann", "bob", 2),
        Discrepancy(1, "b3", "mayor", "ann", "blank", 1),
        Discrepancy(2, "b4", "mayor", "bob", "ann", -1),
        Discrepancy(2, "b5", "mayor", "blank", "overvote", 0),
        Discrepancy(2, "b6", "mayor", "bob", "cy", 1),
    ]


def test_ballot_polling_has_no_discrepancies() -> None:
    polling = replace(
        EVIDENCE,
        method=AuditMethod.BALLOT_POLLING,
        interpretations=tuple(replace(i, cvr=None) for i in EVIDENCE.interpretations),
    )
    assert find_discrepancies(polling) == []
