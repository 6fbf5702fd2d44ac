"""A batch-comparison audit measured, and recomputed from ``evidence.zip``: PPEB draws, MACRO risk.

The office measures each round with :func:`measure_batches` and an observer's
``votetrail audit verify`` recomputes it with the same function from the
published ``frame.csv`` (batch ids in the sampler's order), ``sample.csv``
(the draws) and ``batches.csv`` (each batch's reported votes, cards and hand
tally), so a published risk always checks. Rules a package could otherwise
bend, as for ballot-level audits:

* a drawn batch without a hand tally counts as not found (taint 1, the worst
  case) and is itself a difference, so leaving out an awkward batch never
  lowers the risk;
* a hand tally of a batch that was never drawn is a difference;
* the draws are re-made with PPEB from the seed and the bounds the published
  batches give, and compared row by row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from votetrail.core.audit.batch import (
    BatchContest,
    BatchElection,
    BatchTally,
    HandCount,
    macro_p_value,
)
from votetrail.core.audit.evidence import BatchRow, Evidence
from votetrail.core.audit.polling import decide
from votetrail.core.audit.ppeb import ppeb_sample
from votetrail.core.audit.types import Decision, RiskLimit
from votetrail.errors import InvalidInput


def measure_batches(
    election: BatchElection,
    draws: Sequence[str],
    counted: Mapping[str, HandCount | None],
    risk_limit: float,
) -> dict[str, tuple[float, Decision]]:
    """Each contest's MACRO risk over ``draws`` (batch ids in draw order, all hand-counted).

    Confirmed at or below the limit; a full hand count once every batch that
    could be drawn has a hand tally without confirming; otherwise continue.
    """
    limit = RiskLimit(risk_limit)
    weighed = {bid for bid, bound in election.error_bounds.items() if bound > 0}
    done = len(weighed & set(counted))
    out: dict[str, tuple[float, Decision]] = {}
    for contest in election.contests:
        risk = macro_p_value(election, draws, counted, contest_name=contest.name)
        out[contest.name] = (
            risk,
            decide(risk, limit, ballots_sampled=done, ballots_cast=max(len(weighed), 1)),
        )
    return out


def election_of(evidence: Evidence) -> BatchElection:
    """The published contests over the published batches; every frame batch is in it."""
    contests = tuple(BatchContest(c.id, dict(c.reported), c.vote_for) for c in evidence.contests)
    batches: dict[str, dict[str, BatchTally]] = {bid: {} for bid in evidence.frame}
    votes: dict[tuple[str, str], dict[str, int]] = {}
    cards: dict[tuple[str, str], int] = {}
    for row in evidence.batches:
        votes.setdefault((row.batch_id, row.contest_id), {})[row.choice_id] = row.reported
        cards[(row.batch_id, row.contest_id)] = row.cards
    for (bid, contest), tally in votes.items():
        batches.setdefault(bid, {})[contest] = BatchTally(tally, cards[(bid, contest)])
    return BatchElection(contests, batches)


def hand_counts(rows: Sequence[BatchRow]) -> dict[str, HandCount | None]:
    """Each hand-counted batch's votes per contest and choice; None for a batch not found."""
    counted: dict[str, dict[str, dict[str, int]] | None] = {}
    for row in rows:
        if row.not_found:
            counted[row.batch_id] = None
        elif row.audited is not None:
            tally = counted.setdefault(row.batch_id, {})
            if tally is not None:
                tally.setdefault(row.contest_id, {})[row.choice_id] = row.audited
    return dict(counted)


@dataclass(frozen=True)
class BatchRecheck:
    """The differences found and, per round, each contest's recomputed risk and decision."""

    differences: list[str]
    rounds: dict[int, dict[str, tuple[float, str]]]


def recheck_batches(evidence: Evidence) -> BatchRecheck:
    """Re-draw the batches, re-measure every round, and name what differs from the package."""
    out: list[str] = []
    if not evidence.with_replacement:
        out.append(
            "audit.json says with_replacement false, but batch comparison draws batches "
            "with replacement (PPEB); the draws below are checked with replacement"
        )
    try:
        election = election_of(evidence)
    except InvalidInput as exc:
        return BatchRecheck([*out, f"batches.csv cannot be audited as published: {exc}"], {})
    rounds = sorted(evidence.rounds, key=lambda r: r.round)
    final = max((r.sample_size for r in rounds), default=0)
    try:
        drawn = ppeb_sample(election, list(evidence.frame), evidence.seed, final)
    except InvalidInput as exc:
        return BatchRecheck([*out, f"the batches cannot be drawn from frame.csv: {exc}"], {})
    round_of: list[int] = []
    previous = 0
    for record in rounds:
        size = max(record.sample_size, previous)
        round_of += [record.round] * (size - previous)
        previous = size
    published = list(evidence.sample)
    for index in range(max(len(drawn), len(published))):
        want = drawn[index] if index < len(drawn) else None
        got = published[index] if index < len(published) else None
        expected = None if want is None else (round_of[index], want.ticket, want.batch_id)
        if got is not None and expected == (got.round, got.ticket_number, got.ballot_id):
            continue
        said = (
            "ends" if got is None else f"has batch {got.ballot_id!r} (ticket {got.ticket_number})"
        )
        seeded = (
            "the rounds' sample sizes end before this draw"
            if want is None
            else f"the seed draws batch {want.batch_id!r} (ticket {want.ticket})"
        )
        out.append(f"draw {index + 1}: sample.csv {said}, but {seeded}")
    counted = hand_counts(evidence.batches)
    draws = list(zip(round_of, (draw.batch_id for draw in drawn), strict=True))
    missing = sorted({bid for _, bid in draws} - set(counted))
    for bid in missing:
        out.append(
            f"batch {bid!r} was drawn but batches.csv has no hand tally of it "
            "(counted as not found)"
        )
    for bid in sorted(set(counted) - {bid for _, bid in draws}):
        out.append(f"batches.csv has a hand tally of batch {bid!r}, which sample.csv never draws")
    worst: dict[str, HandCount | None] = {**dict.fromkeys(missing), **counted}
    measured: dict[int, dict[str, tuple[float, str]]] = {}
    for record in rounds:
        ids = [bid for number, bid in draws if number <= record.round]
        so_far = {bid: worst[bid] for bid in ids}
        try:
            risks = measure_batches(election, ids, so_far, evidence.risk_limit)
        except InvalidInput as exc:
            out.append(f"round {record.round}: the risk cannot be measured: {exc}")
            continue
        measured[record.round] = {c: (risk, d.value) for c, (risk, d) in risks.items()}
        for extra in sorted(set(record.risk) - set(risks)):
            out.append(
                f"round {record.round}: audit.json gives a risk for contest {extra!r}, "
                "which is not among the audit's contests"
            )
    return BatchRecheck(out, measured)
