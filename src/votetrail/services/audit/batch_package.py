"""``evidence.zip`` of a batch-comparison audit, built from the store.

The contract's members keep their columns; for batch comparison ``frame.csv``
lists batch ids in the order given to the PPEB sampler, ``sample.csv`` the
drawn batches with their PPEB ticket numbers, ``interpretations.csv`` is
empty, and ``batches.csv`` carries each batch's reported votes, cards and
hand tally, from which ``votetrail audit verify`` re-draws the batches and
re-measures MACRO's risk (``core/audit/batch_evidence.py``). As for ballot
audits, only measured rounds are published: a round still being counted is
left out until the state measures it, so every package checks.
"""

from __future__ import annotations

from votetrail.core.audit.evidence import (
    AuditMethod,
    BatchRow,
    Draw,
    Evidence,
    EvidenceContest,
    EvidenceRound,
)
from votetrail.services.audit.access import audit_row
from votetrail.services.audit.batch_frame import batch_frame
from votetrail.services.audit.batch_rounds import hand_counts, read_rounds
from votetrail.services.audit.seed import seed_row
from votetrail.services.context import App


def batch_evidence(app: App, audit_id: str) -> Evidence:
    """The public package of a batch-comparison audit, through its last measured round."""
    with app.engine.connect() as conn:
        audit = audit_row(conn, audit_id)
        seed = seed_row(conn, audit_id)
        rounds = [r for r in read_rounds(conn, audit_id) if r.measured]
        counted = hand_counts(conn, audit_id)
    frame = batch_frame(app, audit_id)
    contests = tuple(
        EvidenceContest(
            id=contest.name,
            name=contest.name,
            vote_for=contest.num_winners,
            winners=tuple(dict.fromkeys(w for w, _, _ in contest.pairs)),
            reported=dict(contest.totals),
            ballots=frame.totals[contest.name].ballots,
        )
        for contest in frame.election.contests
    )
    records: list[EvidenceRound] = []
    sample: list[Draw] = []
    for view in rounds:
        sample += [Draw(view.number, d.ticket_number, d.batch_id) for d in view.draws]
        records.append(EvidenceRound(view.number, len(sample), view.risk, view.decision))
    drawn = {draw.ballot_id for draw in sample}
    rows: list[BatchRow] = []
    for bid in frame.order:
        hand = counted.get(bid) if bid in drawn else None
        lost = bid in drawn and bid in counted and hand is None
        for name, tally in frame.election.batches[bid].items():
            for choice in frame.totals[name].tally:
                audited = None if hand is None else hand.get(name, {}).get(choice, 0)
                rows.append(
                    BatchRow(
                        bid, name, choice, tally.votes.get(choice, 0), audited, tally.cards, lost
                    )
                )
    return Evidence(
        audit_id=audit_id,
        election=str(audit.election),
        method=AuditMethod.BATCH_COMPARISON,
        risk_limit=float(audit.risk_limit),
        seed="" if seed is None else str(seed.seed),
        with_replacement=True,
        contests=contests,
        rounds=tuple(records),
        frame=tuple(frame.order),
        sample=tuple(sample),
        interpretations=(),
        batches=tuple(rows),
    )
